// UID selections as sorted ranges, so that "1:*" over 100,000 messages is one
// condition and not 100,000 bound parameters.
export type UidRange = [first: number, last: number];
export type UidSelection = 'all' | UidRange[];

/** Collapses UIDs into sorted, merged ranges. */
export function rangesOf(uids: Iterable<number>): UidRange[] {
  const sorted = [...new Set(uids)].filter((u) => Number.isInteger(u) && u > 0).sort((a, b) => a - b);
  const ranges: UidRange[] = [];
  for (const uid of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && uid === last[1] + 1) last[1] = uid;
    else ranges.push([uid, uid]);
  }
  return ranges;
}

export function selectionOf(uids: UidSelection | number[]): UidSelection {
  if (uids === 'all') return 'all';
  return uids.length > 0 && Array.isArray(uids[0]) ? (uids as UidRange[]) : rangesOf(uids as number[]);
}

const RANGES_PER_QUERY = 200;

/** Prisma `where` fragments for a selection, split so no query grows without bound. */
export function uidConditions(selection: UidSelection): object[] {
  if (selection === 'all') return [{}];
  const chunks: object[] = [];
  for (let i = 0; i < selection.length; i += RANGES_PER_QUERY) {
    const part = selection.slice(i, i + RANGES_PER_QUERY);
    chunks.push({ OR: part.map(([first, last]) => (first === last ? { uid: first } : { uid: { gte: first, lte: last } })) });
  }
  return chunks;
}

/** UIDs are stored as 32-bit signed integers (PostgreSQL integer): none is above this. */
export const MAX_STORED_UID = 2 ** 31 - 1;

/** Reading a span with at most this many UIDs outside the selection beats a query per range. */
const SPAN_SLACK = 1000;

/** The one span of UIDs to read for a selection, or null when it is too scattered for one. */
export function spanOf(selection: UidSelection): UidRange | null {
  if (selection === 'all') return [1, MAX_STORED_UID];
  if (selection.length === 0) return [1, 0];
  const first = Math.min(selection[0][0], MAX_STORED_UID);
  const last = Math.min(selection[selection.length - 1][1], MAX_STORED_UID);
  const selected = selection.reduce((sum, [low, high]) => sum + high - low + 1, 0);
  return last - first + 1 - selected <= Math.max(SPAN_SLACK, selected) ? [first, last] : null;
}

/** Whether a UID is in sorted, merged ranges (binary search). */
export function inRanges(ranges: UidRange[], uid: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (uid < ranges[mid][0]) high = mid - 1;
    else if (uid > ranges[mid][1]) low = mid + 1;
    else return true;
  }
  return false;
}

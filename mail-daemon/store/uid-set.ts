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

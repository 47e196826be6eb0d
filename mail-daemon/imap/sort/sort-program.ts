// SORT criteria (RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO) and the order
// they give: each key compared in turn, REVERSE turning one key around, and
// ties left to the sequence number (RFC 5256 3: "the messages are sorted in
// ascending order of the sequence number"). Pure: the commands work out each
// message's key values (sort-values.ts) and this orders them.
import { ImapParseError, type Token } from '../parser/command-parser.ts';
import { compareCodePoints } from './unicode-casemap.ts';

export const SORT_KEYS = ['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

export function parseSortCriteria(tokens: Token[]): SortCriterion[] {
  if (tokens.length === 0) throw new ImapParseError('empty sort criteria');
  const criteria: SortCriterion[] = [];
  let reverse = false;
  for (const token of tokens) {
    if (token.type !== 'atom' || token.section) throw new ImapParseError('sort criteria must be atoms');
    const name = token.value.toUpperCase();
    if (name === 'REVERSE') {
      reverse = !reverse;
      continue;
    }
    if (!(SORT_KEYS as readonly string[]).includes(name)) throw new ImapParseError(`unknown sort key ${name.slice(0, 20)}`);
    // A key named twice adds nothing: the first already decided every pair it could.
    if (!criteria.some((c) => c.key === name)) criteria.push({ key: name as SortKey, reverse });
    reverse = false;
  }
  if (reverse) throw new ImapParseError('sort criteria end with REVERSE');
  return criteria;
}

export interface SortItem {
  /** The sequence number (or UID: the same order), for ties. */
  id: number;
  /** One value per criterion, in the criteria's order: numbers, or case-mapped text. */
  values: (number | string)[];
}

/** The order of two items under the criteria: a total order (ties by id). */
export function compareItems(a: SortItem, b: SortItem, criteria: SortCriterion[]): number {
  for (let i = 0; i < criteria.length; i++) {
    const x = a.values[i];
    const y = b.values[i];
    const order = typeof x === 'number' ? x - (y as number) : compareCodePoints(x, y as string);
    if (order !== 0) return criteria[i].reverse ? -order : order;
  }
  return a.id - b.id;
}

export function sortItems<T extends SortItem>(items: T[], criteria: SortCriterion[]): T[] {
  return [...items].sort((a, b) => compareItems(a, b, criteria));
}

/** Two lists each sorted under the criteria, as one sorted list. */
export function mergeItems<T extends SortItem>(left: T[], right: T[], criteria: SortCriterion[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) out.push(compareItems(left[i], right[j], criteria) <= 0 ? left[i++] : right[j++]);
  while (i < left.length) out.push(left[i++]);
  while (j < right.length) out.push(right[j++]);
  return out;
}

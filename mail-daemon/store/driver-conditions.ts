// Conditions for statements run on the driver (driver-reads.ts,
// driver-transaction.ts) whose text stays the same for any number of values,
// so that each is prepared once: a list as one parameter (a PostgreSQL array,
// a SQLite JSON array), a UID selection as one span of UIDs.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Engine } from '../../prisma/database.ts';
import { inRanges, MAX_STORED_UID, spanOf, type UidSelection } from './uid-set.ts';

/** `column IN (values)` with the values as one parameter. */
export function inList(engine: Engine, column: Prisma.Sql, values: number[] | string[], type: 'int' | 'text'): Prisma.Sql {
  return engine === 'postgres'
    ? Prisma.sql`${column} = ANY(${values}::${Prisma.raw(type)}[])`
    : Prisma.sql`${column} IN (SELECT "value" FROM json_each(${JSON.stringify(values)}))`;
}

/** Scattered selections of at most this many UIDs are sent as a list; larger ones read their span. */
const MAX_LISTED_UIDS = 10_000;

/**
 * A condition on `column` (a UID) for a selection, and whether a row's UID is
 * in it: one span of UIDs (the rows outside the selection are left out by
 * `keeps`), or the UIDs as a list when the span would read too many others.
 */
export function uidCondition(engine: Engine, column: Prisma.Sql, selection: UidSelection): { sql: Prisma.Sql; keeps(uid: number): boolean } {
  if (selection === 'all') return { sql: Prisma.sql`TRUE`, keeps: () => true };
  const span = spanOf(selection);
  const count = selection.reduce((sum, [low, high]) => sum + high - low + 1, 0);
  if (span === null && count <= MAX_LISTED_UIDS) {
    const uids = selection.flatMap(([low, high]) => Array.from({ length: high - low + 1 }, (_, i) => low + i)).filter((uid) => uid <= MAX_STORED_UID);
    return { sql: inList(engine, column, uids, 'int'), keeps: () => true };
  }
  const [first, last] = span ?? [selection[0][0], selection[selection.length - 1][1]].map((uid) => Math.min(uid, MAX_STORED_UID));
  return { sql: Prisma.sql`${column} >= ${first} AND ${column} <= ${last}`, keeps: (uid) => inRanges(selection, uid) };
}

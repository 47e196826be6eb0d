// A store write written once as a generator of SQL statements (Prisma.sql
// fragments), each step receiving the rows of the one before, and run two
// ways: inside a Prisma interactive transaction (runInTx), or by the delivery
// writer straight on the driver (delivery-writer.ts), where Prisma's cost per
// statement is most of a delivery's time (issue 12).
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Tx } from './transaction.ts';

export type Row = Record<string, unknown>;
export type Steps<T> = Generator<Prisma.Sql, T, Row[]>;

/**
 * Runs steps on a driver whose statements answer synchronously (better-sqlite3):
 * nothing else of this process runs in between. A failed statement is thrown
 * into the steps, which may catch it (a savepoint rolled back).
 */
export function runSync<T>(steps: Steps<T>, execute: (statement: Prisma.Sql) => Row[]): T {
  let step = steps.next();
  while (!step.done) {
    let rows: Row[];
    try {
      rows = execute(step.value);
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(rows);
  }
  return step.value;
}

/** The same for a driver that answers with promises (pg, Prisma). */
export async function runAsync<T>(steps: Steps<T>, execute: (statement: Prisma.Sql) => Promise<Row[]>): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    let rows: Row[];
    try {
      rows = await execute(step.value);
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(rows);
  }
  return step.value;
}

const WITHOUT_ROWS = new WeakSet<Prisma.Sql>();

/**
 * Marks an INSERT, UPDATE or DELETE whose rows the steps do not read: a runner
 * that pays a round trip per statement may send it with the next one
 * (runAsyncCombined). Other runners run it as any statement.
 */
export function withoutRows(statement: Prisma.Sql): Prisma.Sql {
  WITHOUT_ROWS.add(statement);
  return statement;
}

/**
 * The statements of steps that only write (each marked withoutRows), to be
 * sent as part of a larger statement; null when one of them needs its rows.
 */
export function writesOnly(steps: Steps<unknown>): Prisma.Sql[] | null {
  const writes: Prisma.Sql[] = [];
  for (let step = steps.next(); !step.done; step = steps.next([])) {
    if (!WITHOUT_ROWS.has(step.value)) return null;
    writes.push(step.value);
  }
  return writes;
}

/**
 * runAsync for a driver where every statement is a round trip (pg): writes
 * marked withoutRows are held and sent as data-modifying WITH clauses of the
 * next INSERT, UPDATE, DELETE or SELECT, which PostgreSQL runs exactly once
 * whether or not they are read (PostgreSQL manual 7.8.4); before any other
 * statement (COMMIT, SAVEPOINT) they go by themselves, and a ROLLBACK drops
 * them. A delivery on one SMTP session waited for 12 round trips, 7 now.
 */
export async function runAsyncCombined<T>(steps: Steps<T>, execute: (statement: Prisma.Sql) => Promise<Row[]>): Promise<T> {
  let held: Prisma.Sql[] = [];
  const joined = (statement: Prisma.Sql, before: Prisma.Sql[]) =>
    before.length === 0 ? statement : Prisma.sql`WITH ${Prisma.join(before.map((h, i) => Prisma.sql`${Prisma.raw(`"held${i}"`)} AS (${h})`), ', ')} ${statement}`;
  const flush = async () => {
    const writes = held;
    held = [];
    if (writes.length > 0) await execute(joined(writes[writes.length - 1], writes.slice(0, -1)));
  };
  const value = await runAsync(steps, async (statement) => {
    if (WITHOUT_ROWS.has(statement)) {
      held.push(statement);
      return [];
    }
    if (/^\s*ROLLBACK\b/i.test(statement.sql)) held = [];
    if (held.length > 0 && /^\s*(INSERT|UPDATE|DELETE|SELECT)\b/i.test(statement.sql)) {
      const writes = held;
      held = [];
      return execute(joined(statement, writes));
    }
    await flush();
    return execute(statement);
  });
  await flush();
  return value;
}

/** Runs the steps in a Prisma transaction (or on the client). */
export function runInTx<T>(tx: Tx, steps: Steps<T>): Promise<T> {
  return runAsync(steps, (statement) => tx.$queryRaw<Row[]>(statement));
}

/** `INSERT INTO "table" (columns) VALUES (...)` from an object's own keys, in their order. */
export function insertInto(table: string, row: Record<string, unknown>, returning?: string): Prisma.Sql {
  const columns = Object.keys(row);
  return Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} (${Prisma.raw(columns.map((c) => `"${c}"`).join(', '))})
    VALUES (${Prisma.join(columns.map((c) => row[c]))})${returning ? Prisma.raw(` RETURNING ${returning}`) : Prisma.empty}`;
}

// A store write written once as a generator of SQL statements (Prisma.sql
// fragments), each step receiving the rows of the one before, and run two
// ways: inside a Prisma interactive transaction (runInTx), or by the delivery
// writer straight on the driver (delivery-writer.ts), where Prisma's cost per
// statement is most of a delivery's time (issue 12).
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Tx } from './transaction.ts';

export type Row = Record<string, unknown>;
export type Steps<T> = Generator<Prisma.Sql, T, Row[]>;

/** Runs the steps in a Prisma transaction (or on the client). */
export async function runInTx<T>(tx: Tx, steps: Steps<T>): Promise<T> {
  let step = steps.next();
  while (!step.done) step = steps.next(await tx.$queryRaw<Row[]>(step.value));
  return step.value;
}

/** `INSERT INTO "table" (columns) VALUES (...)` from an object's own keys, in their order. */
export function insertInto(table: string, row: Record<string, unknown>, returning?: string): Prisma.Sql {
  const columns = Object.keys(row);
  return Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} (${Prisma.raw(columns.map((c) => `"${c}"`).join(', '))})
    VALUES (${Prisma.join(columns.map((c) => row[c]))})${returning ? Prisma.raw(` RETURNING ${returning}`) : Prisma.empty}`;
}

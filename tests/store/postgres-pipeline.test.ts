// The PostgreSQL read connections in pipeline mode (postgres-pipeline.ts):
// the statements of one turn go on one connection, each gets its own answer
// (a failing one only its own error), a later turn does not wait behind a
// long read, and a connection the server ends is made again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { createTestDatabase } from '../support/databases.ts';
import { postgresPipelines } from '../../mail-daemon/store/postgres-pipeline.ts';
import { postgresStatements } from '../../mail-daemon/store/driver-statements.ts';

async function withPipelines(work: (read: (statement: Prisma.Sql) => Promise<Record<string, unknown>[]>, url: string) => Promise<void>): Promise<void> {
  const database = await createTestDatabase('postgres');
  const connections = postgresPipelines(database.url, 4);
  const execute = postgresStatements();
  try {
    await work((statement) => execute(connections, statement), database.url);
  } finally {
    await connections.end();
    await database.drop();
  }
}

const pid = (rows: Record<string, unknown>[]) => Number(rows[0].pid);

describe('PostgreSQL read connections in pipeline mode', () => {
  it('answers each statement of one turn on one connection, a failing one with its own error', async () => {
    await withPipelines(async (read) => {
      const statements = Array.from({ length: 20 }, (_, i) =>
        i === 7 ? read(Prisma.sql`SELECT 1 / ${i - 7} AS "n", pg_backend_pid() AS "pid"`) : read(Prisma.sql`SELECT ${i}::int AS "n", pg_backend_pid() AS "pid"`),
      );
      const answers = await Promise.allSettled(statements);
      const failed = answers[7];
      assert.equal(failed.status, 'rejected');
      assert.match(String((failed as PromiseRejectedResult).reason), /division by zero/);
      const rows = answers.filter((_, i) => i !== 7).map((answer) => (answer as PromiseFulfilledResult<Record<string, unknown>[]>).value);
      assert.deepEqual(rows.map((r) => r[0].n), [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      assert.equal(new Set(rows.map(pid)).size, 1, 'one connection for the turn');
      // And the connection goes on after the error.
      assert.equal((await read(Prisma.sql`SELECT 5::int AS "n"`))[0].n, 5);
    });
  });

  it('sends a later turn to another connection than a long read still pending', async () => {
    await withPipelines(async (read) => {
      const order: string[] = [];
      const long = read(Prisma.sql`SELECT pg_sleep(1), pg_backend_pid() AS "pid"`).then((rows) => (order.push('long'), rows));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      const short = await read(Prisma.sql`SELECT pg_backend_pid() AS "pid"`).then((rows) => (order.push('short'), rows));
      const longRows = await long;
      assert.deepEqual(order, ['short', 'long']);
      assert.notEqual(pid(short), pid(longRows));
    });
  });

  it('makes a connection again after the server ends it', async () => {
    await withPipelines(async (read, url) => {
      const before = pid(await read(Prisma.sql`SELECT pg_backend_pid() AS "pid"`));
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query('SELECT pg_terminate_backend($1)', [before]);
      } finally {
        await admin.end();
      }
      // The first statement after may meet the dead connection; the next ones get a new one.
      let after: number | null = null;
      for (let attempt = 0; attempt < 50 && after === null; attempt++) {
        after = await read(Prisma.sql`SELECT pg_backend_pid() AS "pid"`).then(pid, () => null);
        if (after === null) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(after !== null, 'reads work again');
      assert.notEqual(after, before);
    });
  });
});

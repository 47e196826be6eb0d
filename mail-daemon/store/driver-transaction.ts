// Store transactions run straight on the database driver, for writers other
// than the delivery writer (delivery-writer.ts) whose statements Prisma would
// make cost about a millisecond each (issue 12): the outbound queue's claims
// and outcomes. Written once as steps (sql-steps.ts) and run in one
// transaction, retried while another writer holds the database.
//
// SQLite: a connection of this thread, used synchronously from BEGIN IMMEDIATE
// to COMMIT, so no other code of the thread runs in between; it never waits
// inside SQLite for the lock (that would block the thread, and with it the
// Prisma transaction holding the lock): busy, it tries again after a timer.
// PostgreSQL: a small pool, named prepared statements.
import Database from 'better-sqlite3';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { sqlitePath, type Database as StoreDatabase } from '../../prisma/database.ts';
import { postgresPool, postgresStatements, sqliteStatements } from './driver-statements.ts';
import { runAsync, runSync, type Steps } from './sql-steps.ts';
import { isRetryable } from './transaction.ts';

export interface DriverWriter {
  /** Runs the steps in one transaction; `steps` is called again for each retry. */
  transaction<T>(steps: () => Steps<T>): Promise<T>;
  close(): Promise<void>;
}

function* inTransaction<T>(begin: string, steps: Steps<T>): Steps<T> {
  yield Prisma.raw(begin);
  try {
    const value = yield* steps;
    yield Prisma.raw('COMMIT');
    return value;
  } catch (error) {
    yield Prisma.raw('ROLLBACK');
    throw error;
  }
}

// As long as Prisma's connection waits for a busy SQLite database.
const BUSY_GIVE_UP_MS = 15_000;

async function retryingBusy<T>(attempt: () => T | Promise<T>): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error) || Date.now() - started > BUSY_GIVE_UP_MS) throw error;
      await new Promise((r) => setTimeout(r, Math.min(50, n) * (0.5 + Math.random())));
    }
  }
}

function sqliteWriter(database: StoreDatabase): DriverWriter {
  const db = new Database(sqlitePath(database.url), { timeout: 0 });
  // Every commit durable, as on Prisma's connection (prisma/database.ts).
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const execute = sqliteStatements(db);
  return {
    transaction: (steps) => retryingBusy(() => runSync(inTransaction('BEGIN IMMEDIATE', steps()), execute)),
    async close() {
      db.close();
    },
  };
}

function postgresWriter(database: StoreDatabase): DriverWriter {
  const pool = postgresPool(database.url, 2);
  const execute = postgresStatements();
  return {
    transaction: (steps) =>
      retryingBusy(async () => {
        const client = await pool.connect();
        let failed: Error | undefined;
        try {
          return await runAsync(inTransaction('BEGIN', steps()), (statement) => execute(client, statement));
        } catch (error) {
          failed = error as Error;
          throw error;
        } finally {
          // After a failure the connection is dropped: its ROLLBACK may have failed too.
          client.release(failed);
        }
      }),
    close: () => pool.end(),
  };
}

const writers = new WeakMap<StoreDatabase, DriverWriter>();

export function driverWriterFor(database: StoreDatabase): DriverWriter {
  let writer = writers.get(database);
  if (!writer) {
    writer = database.engine === 'sqlite' ? sqliteWriter(database) : postgresWriter(database);
    writers.set(database, writer);
  }
  return writer;
}

export async function closeDriverWriter(database: StoreDatabase): Promise<void> {
  const writer = writers.get(database);
  writers.delete(database);
  await writer?.close();
}

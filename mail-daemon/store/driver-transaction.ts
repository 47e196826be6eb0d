// Store transactions run straight on the database driver, for writers other
// than the delivery writer (delivery-writer.ts) whose statements Prisma would
// make cost about a millisecond each (issue 12): the outbound queue's claims
// and outcomes, flag changes (message-flags.ts). Written once as steps (sql-steps.ts) and run in one
// transaction, retried while another writer holds the database.
//
// SQLite: a connection of this thread, used synchronously from BEGIN IMMEDIATE
// to COMMIT, so no other code of the thread runs in between; it never waits
// inside SQLite for the lock (that would block the thread, and with it the
// Prisma transaction holding the lock): busy, it tries again after a timer.
// PostgreSQL: a small pool, named prepared statements; writes whose rows the
// steps do not read ride with the next statement (sql-steps.ts withoutRows).
import Database from 'better-sqlite3';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { sqlitePath, type Database as StoreDatabase } from '../../prisma/database.ts';
import { perDatabase, postgresPool, postgresStatements, sqliteStatements } from './driver-statements.ts';
import { runAsyncCombined, runSync, type Steps } from './sql-steps.ts';
import { isRetryable } from './transaction.ts';

export interface TransactionOptions {
  /**
   * false: the commit need not survive a power loss, only a crash of the
   * process (no fsync on SQLite, synchronous_commit off on PostgreSQL), for
   * writes whose loss costs nothing, such as a queue lease (it would only
   * expire). A durable commit after it makes it durable too.
   */
  durable?: boolean;
}

export interface DriverWriter {
  /** Runs the steps in one transaction; `steps` is called again for each retry. */
  transaction<T>(steps: () => Steps<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

function* inTransaction<T>(begin: string[], steps: Steps<T>): Steps<T> {
  for (const statement of begin) yield Prisma.raw(statement);
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
  let durable = true;
  return {
    transaction: (steps, options) =>
      retryingBusy(() => {
        // WAL: NORMAL commits without an fsync; the next FULL commit syncs the log up to it.
        if ((options?.durable ?? true) !== durable) {
          durable = !durable;
          db.pragma(`synchronous = ${durable ? 'FULL' : 'NORMAL'}`);
        }
        return runSync(inTransaction(['BEGIN IMMEDIATE'], steps()), execute);
      }),
    async close() {
      db.close();
    },
  };
}

function postgresWriter(database: StoreDatabase): DriverWriter {
  const pool = postgresPool(database.url, 2);
  const execute = postgresStatements();
  return {
    transaction: (steps, options) =>
      retryingBusy(async () => {
        const client = await pool.connect();
        let failed: Error | undefined;
        try {
          const begin = options?.durable === false ? ['BEGIN', 'SET LOCAL synchronous_commit = off'] : ['BEGIN'];
          return await runAsyncCombined(inTransaction(begin, steps()), (statement) => execute(client, statement));
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

const writers = perDatabase((database) => (database.engine === 'sqlite' ? sqliteWriter(database) : postgresWriter(database)));

export const driverWriterFor = (database: StoreDatabase): DriverWriter => writers.of(database);
export const closeDriverWriter = (database: StoreDatabase): Promise<void> => writers.close(database);

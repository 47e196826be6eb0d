// Commits deliveries straight on the database driver, and commits together
// all those that are ready at the same time: one transaction and one fsync
// (SQLite synchronous=FULL) or one commit (PostgreSQL) for the lot, each
// delivery in a savepoint of its own so that one failing (over quota, a
// mailbox gone) leaves the others in. Prisma costs about a millisecond per
// statement, most of a delivery's time (issue 12); here a statement is
// prepared once per connection and run directly. Prisma keeps its own
// connection for everything else, and the schema.
//
// SQLite: a connection of our own, used synchronously from BEGIN to COMMIT so
// that no other code of this process runs in between. It never waits for the
// lock inside SQLite (that would block the event loop, and with it the Prisma
// transaction holding the lock): a busy database is retried after a timer.
// PostgreSQL: one connection of a pool of one, named prepared statements.
import Database from 'better-sqlite3';
import pg from 'pg';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { sqlitePath, type Database as StoreDatabase } from '../../prisma/database.ts';
import type { MailStore } from './context.ts';
import type { StoreChange } from './change-bus.ts';
import { runAsync, runSync, type Row, type Steps } from './sql-steps.ts';
import { isRetryable, retrying } from './transaction.ts';

/** A delivery's steps; it pushes onto `changes` what to broadcast after the commit. */
export type Delivery<T> = (changes: StoreChange[]) => Steps<T>;

interface Job {
  delivery: Delivery<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown; changes: StoreChange[] } | { ok: false; error: unknown };

export interface DeliveryWriter {
  write<T>(delivery: Delivery<T>): Promise<T>;
  close(): Promise<void>;
}

const MAX_BATCH = 100;
// As long as Prisma's connection waits for a busy SQLite database.
const BUSY_GIVE_UP_MS = 15_000;

/** The batch's transaction, a savepoint per delivery. */
function* batchSteps(begin: string, store: MailStore, jobs: Job[]): Steps<Outcome[]> {
  yield Prisma.raw(begin);
  try {
    const outcomes: Outcome[] = [];
    for (const job of jobs) {
      yield Prisma.raw('SAVEPOINT delivery');
      try {
        const changes: StoreChange[] = [];
        const value = yield* job.delivery(changes);
        yield* store.bus.recordSteps(changes);
        yield Prisma.raw('RELEASE SAVEPOINT delivery');
        outcomes.push({ ok: true, value, changes });
      } catch (error) {
        yield Prisma.raw('ROLLBACK TO SAVEPOINT delivery');
        yield Prisma.raw('RELEASE SAVEPOINT delivery');
        outcomes.push({ ok: false, error });
      }
    }
    yield Prisma.raw('COMMIT');
    return outcomes;
  } catch (error) {
    yield Prisma.raw('ROLLBACK');
    throw error;
  }
}

/** As Prisma's SQLite adapter stores them: dates as ISO 8601 text, booleans as 0/1. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value ?? null;
}

function sqliteBatches(store: MailStore): { commit(jobs: Job[]): Outcome[]; close(): void } {
  const db = new Database(sqlitePath(store.database.url), { timeout: 0 });
  // Every commit durable before the 250 (as the Prisma connection, prisma/database.ts).
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const prepared = new Map<string, Database.Statement>();
  const execute = (statement: Prisma.Sql): Row[] => {
    let compiled = prepared.get(statement.sql);
    if (!compiled) prepared.set(statement.sql, (compiled = db.prepare(statement.sql)));
    const values = statement.values.map(sqliteValue);
    if (compiled.reader) return compiled.all(...values) as Row[];
    compiled.run(...values);
    return [];
  };
  return { commit: (jobs) => runSync(batchSteps('BEGIN IMMEDIATE', store, jobs), execute), close: () => db.close() };
}

function postgresBatches(store: MailStore): { commit(jobs: Job[]): Promise<Outcome[]>; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: store.database.url, max: 1, allowExitOnIdle: true });
  pool.on('error', () => undefined);
  const names = new Map<string, string>();
  return {
    async commit(jobs) {
      const client = await pool.connect();
      let failed: Error | undefined;
      try {
        return await runAsync(batchSteps('BEGIN', store, jobs), async (statement) => {
          const text = statement.text;
          let name = names.get(text);
          if (!name) names.set(text, (name = `delivery${names.size}`));
          // A timestamp column takes the UTC time as Prisma writes it.
          const values = statement.values.map((v) => (v instanceof Date ? v.toISOString() : v));
          return (await client.query({ name, text, values })).rows as Row[];
        });
      } catch (error) {
        failed = error as Error;
        throw error;
      } finally {
        // After a failed batch the connection is dropped: its ROLLBACK may have failed too.
        client.release(failed);
      }
    },
    close: () => pool.end(),
  };
}

class GroupCommit implements DeliveryWriter {
  private readonly queue: Job[] = [];
  private draining = false;

  constructor(
    private readonly store: MailStore,
    private readonly batches: { commit(jobs: Job[]): Outcome[] | Promise<Outcome[]>; close(): void | Promise<void> },
  ) {}

  write<T>(delivery: Delivery<T>): Promise<T> {
    // A delivery that failed with a retryable error (a PostgreSQL deadlock) goes again.
    return retrying(
      () =>
        new Promise<T>((resolve, reject) => {
          this.queue.push({ delivery, resolve: resolve as (value: unknown) => void, reject });
          if (!this.draining) {
            this.draining = true;
            // Deliveries that become ready in this turn of the event loop share the commit.
            setImmediate(() => void this.drain());
          }
        }),
    );
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const jobs = this.queue.splice(0, MAX_BATCH);
      const outcomes = await this.commit(jobs);
      jobs.forEach((job, i) => {
        const outcome = outcomes[i];
        if (!outcome.ok) return job.reject(outcome.error);
        this.store.bus.published(outcome.changes);
        job.resolve(outcome.value);
      });
    }
    this.draining = false;
  }

  /** The batch's outcomes; a batch that could not commit fails each of its jobs. */
  private async commit(jobs: Job[]): Promise<Outcome[]> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.batches.commit(jobs);
      } catch (error) {
        if (!isRetryable(error) || Date.now() - started > BUSY_GIVE_UP_MS) return jobs.map(() => ({ ok: false, error }));
        await new Promise((r) => setTimeout(r, Math.min(50, attempt)));
      }
    }
  }

  async close(): Promise<void> {
    await this.batches.close();
  }
}

const writers = new WeakMap<StoreDatabase, DeliveryWriter>();

export function deliveryWriterFor(store: MailStore): DeliveryWriter {
  let writer = writers.get(store.database);
  if (!writer) {
    writer = new GroupCommit(store, store.database.engine === 'sqlite' ? sqliteBatches(store) : postgresBatches(store));
    writers.set(store.database, writer);
  }
  return writer;
}

export async function closeDeliveryWriter(database: StoreDatabase): Promise<void> {
  const writer = writers.get(database);
  writers.delete(database);
  await writer?.close();
}

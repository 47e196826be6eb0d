// One batch of deliveries as one transaction, each delivery in a savepoint of
// its own so that one failing (over quota, a mailbox gone) leaves the others
// in: one fsync (SQLite synchronous=FULL) or one commit (PostgreSQL) for the
// lot. Used by the delivery writer in the process and by the delivery thread
// (delivery-thread.ts), so a delivery is described by data, not a closure:
// one request is one message or several that go in all or none (IMAP
// MULTIAPPEND), in one savepoint.
import Database from 'better-sqlite3';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Engine } from '../../prisma/database.ts';
import { changeRecordSteps, type StoreChange } from './change-bus.ts';
import { deliverySteps, withSearchText, type DeliveredCopy, type PreparedDelivery } from './deliver.ts';
import { sqliteStatements } from './driver-statements.ts';
import { runSync, type Steps } from './sql-steps.ts';
import { isRetryable } from './transaction.ts';
import { StoreError, type StoreErrorCode } from './errors.ts';

/** Messages stored all or none; the outcome has their copies, message by message. */
export type DeliveryRequest = PreparedDelivery[];

export type Outcome = { ok: true; copies: DeliveredCopy[][]; changes: StoreChange[] } | { ok: false; error: unknown };

/** A delivery writer's commits: in the process, or on the delivery thread (delivery-writer.ts). */
export interface Batches {
  /** Each request's outcome; retries a busy database itself. */
  commit(requests: DeliveryRequest[]): Promise<Outcome[]>;
  close(): Promise<void>;
}

export function* batchSteps(begin: string, engine: Engine, origin: string, requests: DeliveryRequest[]): Steps<Outcome[]> {
  // A request alone in its batch needs no savepoint: the transaction is all
  // it has (on PostgreSQL each statement is a round trip, two of the dozen
  // a delivery on one SMTP session waits for).
  const alone = requests.length === 1;
  yield Prisma.raw(begin);
  try {
    const outcomes: Outcome[] = [];
    for (const request of requests) {
      if (!alone) yield Prisma.raw('SAVEPOINT delivery');
      try {
        const changes: StoreChange[] = [];
        const copies: DeliveredCopy[][] = [];
        for (const { prepared, targets, options } of request) copies.push(yield* deliverySteps(engine, prepared, targets, options, changes));
        yield* changeRecordSteps(engine, origin, changes);
        if (!alone) yield Prisma.raw('RELEASE SAVEPOINT delivery');
        outcomes.push({ ok: true, copies, changes });
      } catch (error) {
        if (alone) {
          yield Prisma.raw('ROLLBACK');
          return [{ ok: false, error }];
        }
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

/**
 * A connection of its own, used synchronously from BEGIN to COMMIT so that no
 * other code of its thread runs in between. It never waits for the lock
 * inside SQLite (that would block its thread, and in the main thread the
 * Prisma transaction holding the lock): a busy database fails the batch,
 * which commitRetrying tries again after a timer.
 */
// checkpoints: false: this connection copies the WAL into the database only
// when asked (topUp()); the one that does counts this one's deliveries too
// (written()). checkpointed: called after each checkpoint here.
export function sqliteBatches(path: string, origin: string, options: { checkpoints?: boolean; checkpointed?: () => void } = {}): SqliteBatches {
  const db = new Database(path, { timeout: 0 });
  // Every commit durable before the 250 (as the Prisma connection, prisma/database.ts).
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // SQLite's own checkpoint runs inside the COMMIT that passes 1000 WAL pages
  // (every 30 or so small deliveries), so that delivery's 250 waited for 4 MB
  // written into the database and a second fsync. Here it runs after the
  // answer (checkpointIfDue), or inline when a flood leaves no pause.
  db.pragma('wal_autocheckpoint = 0');
  const execute = sqliteStatements(db);
  let walPages = 0;
  const checkpoint = () => {
    // PASSIVE: never waits for readers nor holds up a writer; what they still need is copied next time (a WAL reset needs it all copied).
    db.pragma('wal_checkpoint(PASSIVE)');
    walPages = 0;
    options.checkpointed?.();
  };
  const written = (requests: DeliveryRequest[]) => {
    if (options.checkpoints === false) return;
    walPages += requests.flat().reduce((pages, delivery) => pages + PAGES_PER_DELIVERY + Math.ceil(delivery.prepared.content.raw.length / PAGE_SIZE), 0);
    if (walPages >= CHECKPOINT_FORCED_PAGES) checkpoint();
  };
  return {
    commit(requests) {
      const outcomes = runSync(batchSteps('BEGIN IMMEDIATE', 'sqlite', origin, requests), execute);
      written(requests);
      return outcomes;
    },
    written,
    checkpointIfDue() {
      if (db.open && walPages >= CHECKPOINT_PAGES) checkpoint();
    },
    topUp() {
      if (db.open) db.pragma('wal_checkpoint(PASSIVE)');
    },
    run: (steps) => runSync(steps, execute),
    close: () => db.close(),
  };
}

export interface SqliteBatches {
  /** The batch in one transaction (synchronous=FULL: one fsync). */
  commit(requests: DeliveryRequest[]): Outcome[];
  /** Counts the WAL pages of deliveries another connection committed (checkpoints: false there), as if committed here. */
  written(requests: DeliveryRequest[]): void;
  /** Between batches: copies the WAL into the database once it holds about as much as SQLite's autocheckpoint lets it. */
  checkpointIfDue(): void;
  /**
   * Copies what another connection's checkpoint left (frames committed here
   * meanwhile), so that this connection's next transaction, finding it all
   * copied, starts the WAL over: only a writer does that, and on the main
   * thread's quiet connection (delivery-writer.ts) the delivery thread's
   * checkpoint alone never let it (the WAL grew to 13 MB in
   * tests/store/wal-checkpoint).
   */
  topUp(): void;
  /** Other steps on the same connection (they begin and commit their own transaction). */
  run<T>(steps: Steps<T>): T;
  close(): void;
}

// WAL pages estimated per delivery: its rows and index entries (measured 33
// for a 2 kB message), and its content's own pages.
const PAGE_SIZE = 4096;
const PAGES_PER_DELIVERY = 30;
// SQLite's default autocheckpoint; and the WAL's bound when no pause comes.
const CHECKPOINT_PAGES = 1000;
const CHECKPOINT_FORCED_PAGES = 10_000;

// As long as Prisma's connection waits for a busy SQLite database.
const BUSY_GIVE_UP_MS = 15_000;

/**
 * The batch's outcomes, retried while the database is busy; a batch that
 * cannot commit fails each of its deliveries. The search text is worked out
 * once, before the first try, on the thread that commits.
 */
export async function commitRetrying(commit: (requests: DeliveryRequest[]) => Outcome[] | Promise<Outcome[]>, batch: DeliveryRequest[]): Promise<Outcome[]> {
  const started = Date.now();
  const requests = batch.map((request) => request.map((delivery) => (delivery.targets.length > 0 ? { ...delivery, prepared: withSearchText(delivery.prepared) } : delivery)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await commit(requests);
    } catch (error) {
      if (!isRetryable(error) || Date.now() - started > BUSY_GIVE_UP_MS) return requests.map(() => ({ ok: false, error }));
      await new Promise((r) => setTimeout(r, Math.min(50, attempt)));
    }
  }
}

/** An outcome as it crosses to another thread: errors keep their name, message and code (a StoreError's code is the IMAP or SMTP answer). */
export type TransferredOutcome = { ok: true; copies: DeliveredCopy[][]; changes: StoreChange[] } | { ok: false; error: { name: string; message: string; code?: string } };

export function transferable(outcome: Outcome): TransferredOutcome {
  if (outcome.ok) return outcome;
  const error = outcome.error as { name?: string; message?: string; code?: string };
  return { ok: false, error: { name: String(error?.name ?? 'Error'), message: String(error?.message ?? error), code: error?.code } };
}

export function received(outcome: TransferredOutcome): Outcome {
  if (outcome.ok) return outcome;
  const { name, message, code } = outcome.error;
  if (name === 'StoreError') return { ok: false, error: new StoreError(code as StoreErrorCode, message) };
  return { ok: false, error: Object.assign(new Error(message), { name, code }) };
}

/** A request as the other thread gets it (a Buffer arrives as a plain Uint8Array). */
export function revived(request: DeliveryRequest): DeliveryRequest {
  return request.map((delivery) => {
    const { raw } = delivery.prepared.content;
    const content = { ...delivery.prepared.content, raw: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) };
    return { ...delivery, prepared: { ...delivery.prepared, content } };
  });
}

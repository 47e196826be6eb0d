// Commits deliveries straight on the database driver, and commits together
// all those that are ready at the same time (delivery-batch.ts: one
// transaction, a savepoint each, one fsync or one commit for the lot). Prisma
// costs about a millisecond per statement, most of a delivery's time (issue
// 12); here a statement is prepared once per connection and run directly.
// Prisma keeps its own connection for everything else, and the schema.
//
// In the daemon: on a thread of its own (delivery-thread.ts), so that one
// batch's commit overlaps the parsing and checking of the next on the
// machine's other core. SQLite: the statements and the fsync. PostgreSQL
// (postgres-batches.ts): building the batch's statement, the driver's work
// for it, and the search texts after it. Elsewhere (the web app, tests of the
// store): on this thread. A SQLite delivery that is the only message coming
// in commits on this thread in the daemon too (quietCommits).
import { Worker } from 'node:worker_threads';
import { sqlitePath, type Database as StoreDatabase } from '../../prisma/database.ts';
import type { MailStore } from './context.ts';
import type { DeliveredCopy } from './deliver.ts';
import { BLOCK_AFTER } from '../limits/incoming-bytes.ts';
import { isRetryable, retrying } from './transaction.ts';
import { deliveryThreadModule, type ThreadModule } from './delivery-thread-module.ts';
import { postgresBatches, postgresCommits } from './postgres-batches.ts';
import { withoutContentFields } from './deferred-text-index.ts';
import { commitRetrying, received, sqliteBatches, type Batches, type DeliveryRequest, type Outcome, type SqliteBatches, type TransferredOutcome } from './delivery-batch.ts';
import { ownBlock } from './own-block.ts';

interface Job {
  request: DeliveryRequest;
  resolve(copies: DeliveredCopy[][]): void;
  reject(error: unknown): void;
}

export interface DeliveryWriter {
  /** The copies of each message of the request, stored all or none. */
  write(request: DeliveryRequest): Promise<DeliveredCopy[][]>;
  close(): Promise<void>;
}

const MAX_BATCH = 100;

/** The batches on this thread. */
function inThisThread(store: MailStore): Batches {
  if (store.database.engine === 'postgres') return postgresBatches(store.database.url, store.bus.origin);
  const batches = sqliteBatches(sqlitePath(store.database.url), store.bus.origin);
  return {
    async commit(requests) {
      const outcomes = await commitRetrying(batches.commit, requests);
      // Once the callers have their answers.
      setImmediate(() => batches.checkpointIfDue());
      return outcomes;
    },
    close: async () => batches.close(),
  };
}

/** The batch as posted to the thread, each message in a block of its own (own-block.ts). */
function forTransfer(requests: DeliveryRequest[]): { message: { requests: DeliveryRequest[] }; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const moved = requests.map((request) =>
    request.map((delivery) => {
      const block = ownBlock(delivery.prepared.content.raw).buffer;
      transfer.push(block);
      const raw = Buffer.from(block);
      return { ...delivery, prepared: { ...delivery.prepared, content: { ...delivery.prepared.content, raw } } };
    }),
  );
  return { message: { requests: moved }, transfer };
}

/**
 * A message this big is not sent to the thread: sending copies it (see
 * forTransfer), and the copy of a 50 MB message is 50 MB more at the worst
 * moment (issue 11: the hostile bench went from 469 to 645 MB). Its batch
 * commits on the main thread instead, which such a message holds up far less
 * than it costs to copy and to write anyway (incoming-message-budget.ts).
 */
const BIG_MESSAGE = BLOCK_AFTER;

// The thread's young generation, smaller than V8's default: its batches are
// small and short-lived, and the default's room cost the daemon about 33 MB
// of resident memory on PostgreSQL (277 -> 244 MB with 8 pipelined SMTP
// sessions), for no CPU saved.
const THREAD_YOUNG_GENERATION_MB = 4;

/**
 * A quiet delivery commits on this thread, on a connection of its own: when
 * it is the only message the daemon is taking in (`quiet()`), nothing else
 * waits for the event loop meanwhile, and the hops to the delivery thread and
 * back are saved: posting the batch was 0.15-0.2 ms of this thread's time,
 * and each hop waits for the other thread to wake. SQLite (serial shape of
 * bench smtp, median end of data to 250 in two interleaved pairs at load
 * 8-10): 3.29 and 1.21 ms through the thread, 2.35 and 0.91 here.
 * PostgreSQL (serial shape, every other message quiet in the same daemon
 * run, median end of data to 250 in three runs at load 10-12, on a shared
 * cluster where a bare INSERT's commit took 3.3-4.9 ms): 10.21, 10.54 and
 * 11.80 ms through the thread, 8.95, 8.90 and 9.34 here. The hops measured
 * with timestamps at load 9-10: 0.14-0.21 ms to the thread, 0.29-0.61 ms
 * back, each the wake-up of a thread that was waiting. The delivery thread
 * works out and writes its search text afterwards (on SQLite its envelope
 * and search fields too), as it does its own deliveries'
 * (deferred-text-index.ts), and on SQLite counts the WAL pages it wrote,
 * since the checkpoints run there.
 */
function quietCommits(thread: () => Worker | null, connection: QuietConnection) {
  let committed: DeliveryRequest[] = [];
  let sending: NodeJS.Timeout | undefined;
  const send = () => {
    clearTimeout(sending);
    sending = undefined;
    const worker = thread();
    if (committed.length === 0 || !worker) return;
    const { message, transfer } = forTransfer(committed);
    committed = [];
    worker.postMessage({ committed: message.requests }, transfer);
  };
  return {
    /** The outcomes, or null when the database is busy (the batch then goes to the thread). */
    async commit(requests: DeliveryRequest[]): Promise<Outcome[] | null> {
      // Without their texts: the thread writes them (sent the requests as they came).
      const outcomes = await connection.commit(requests.map((request) => request.map((delivery) => ({ ...delivery, prepared: { ...delivery.prepared, text: null } }))));
      if (!outcomes) return null;
      committed.push(...requests);
      // After the answer: posting is 0.15-0.2 ms of this thread's time.
      if (committed.length >= HAND_OVER_BATCH) setImmediate(send);
      else sending ??= setTimeout(send, HAND_OVER_AFTER_MS).unref();
      return outcomes;
    },
    /** Hands what is still here to the thread (before it is told to close). */
    flush: send,
    close: () => connection.close(),
  };
}

/** The main thread's own connection for quiet deliveries; null outcomes: busy, to the thread with them. */
interface QuietConnection {
  commit(requests: DeliveryRequest[]): Outcome[] | null | Promise<Outcome[] | null>;
  close(): unknown;
}

/**
 * SQLite: when the thread holds the write lock (writing texts), the batch
 * goes to the thread. This connection does not checkpoint; once the thread
 * has, what was committed here meanwhile is copied too (topUp), so the next
 * commit starts the WAL over.
 */
function sqliteQuietConnection(store: MailStore, checkpoints: Int32Array): QuietConnection {
  let connection: SqliteBatches | null = null;
  let checkpointsSeen = 0;
  return {
    commit(requests) {
      connection ??= sqliteBatches(sqlitePath(store.database.url), store.bus.origin, { checkpoints: false });
      let outcomes: Outcome[];
      try {
        // Without their envelopes and search fields either: the thread writes them with the texts.
        outcomes = connection.commit(requests.map((request) => request.map(withoutContentFields)));
      } catch (error) {
        if (isRetryable(error)) return null;
        return requests.map(() => ({ ok: false, error }));
      }
      // After the answer.
      const seen = Atomics.load(checkpoints, 0);
      if (seen !== checkpointsSeen) {
        checkpointsSeen = seen;
        setImmediate(() => connection?.topUp());
      }
      return outcomes;
    },
    close: () => connection?.close(),
  };
}

/** The application_name of the main thread's connection for quiet deliveries on PostgreSQL. */
export const QUIET_CONNECTION_NAME = 'mail-daemon quiet deliveries';

/** PostgreSQL: a delivery that meets a deadlock goes to the thread, which retries it. */
function postgresQuietConnection(store: MailStore): QuietConnection {
  let connection: ReturnType<typeof postgresCommits> | null = null;
  return {
    async commit(requests) {
      connection ??= postgresCommits(store.database.url, store.bus.origin, QUIET_CONNECTION_NAME);
      try {
        return await connection.commit(requests);
      } catch (error) {
        if (isRetryable(error)) return null;
        return requests.map(() => ({ ok: false, error }));
      }
    },
    close: () => connection?.close(),
  };
}

// Quiet deliveries go to the thread every 16, or 50 ms after the first:
// every 32, its checkpoints let the WAL grow past 1500 pages.
const HAND_OVER_BATCH = 16;
const HAND_OVER_AFTER_MS = 50;

/**
 * Starts the thread at once; batches wait until it is ready. Batches with a
 * big message commit on this thread, and so do quiet ones on SQLite.
 */
function onThread(store: MailStore, quiet: () => boolean): Batches {
  let waiting: { resolve(outcomes: TransferredOutcome[]): void; reject(error: unknown): void } | null = null;
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure = error;
    waiting?.reject(error);
    waiting = null;
  };
  // The thread keeps the process alive while it has a batch, and only then.
  let batches = 0;
  let thread: Worker | null = null;
  let closed = false;
  // The thread's checkpoints so far (SQLite), for quietCommits.
  const checkpoints = new Int32Array(new SharedArrayBuffer(4));
  const start = (module: ThreadModule) =>
    new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(module.url, { resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB }, workerData: { ...module.workerData, engine: store.database.engine, url: store.database.url, origin: store.bus.origin, checkpoints } });
      thread = worker;
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`the delivery thread stopped (exit code ${code})`)));
      worker.once('message', () => resolve(worker));
      worker.once('error', reject);
      worker.once('exit', reject);
      // 'ready'; a batch's outcomes; then its messages' blocks, which are only dropped here.
      worker.on('message', (message: { outcomes?: TransferredOutcome[] } | 'ready') => {
        if (message === 'ready' || !message.outcomes) return;
        waiting?.resolve(message.outcomes);
        waiting = null;
      });
      if (batches === 0) worker.unref();
    });
  // Not awaited by the daemon's start: the thread's module is built and loaded for a while.
  const ready = deliveryThreadModule().then((module) => (closed ? null : start(module)));
  ready.catch(() => undefined);
  // Batches with a big message are written here, on a connection of this thread.
  let here: Batches | null = null;
  let started: Worker | null = null;
  void ready.then((worker) => (started = worker), () => undefined);
  const quietly = quietCommits(() => (failure ? null : started), store.database.engine === 'sqlite' ? sqliteQuietConnection(store, checkpoints) : postgresQuietConnection(store));
  // A quiet commit in flight (PostgreSQL's are not synchronous): the next batch goes to the thread.
  let quietInFlight = false;
  return {
    async commit(requests) {
      if (requests.some((request) => request.some((delivery) => delivery.prepared.content.raw.length > BIG_MESSAGE))) {
        here ??= inThisThread(store);
        return here.commit(requests);
      }
      if (started && !failure && batches === 0 && !quietInFlight && requests.length === 1 && quiet()) {
        quietInFlight = true;
        const outcomes = await quietly.commit(requests).finally(() => (quietInFlight = false));
        if (outcomes) return outcomes;
      }
      batches++;
      (thread as Worker | null)?.ref();
      try {
        const worker = await ready;
        if (failure) throw failure;
        if (!worker) throw new Error('the delivery thread is stopped');
        const outcomes = await new Promise<TransferredOutcome[]>((resolve, reject) => {
          waiting = { resolve, reject };
          const { message, transfer } = forTransfer(requests);
          worker.postMessage(message, transfer);
        });
        return outcomes.map(received);
      } catch (error) {
        return requests.map(() => ({ ok: false, error: failure ?? error }));
      } finally {
        if (--batches === 0) (thread as Worker | null)?.unref();
      }
    },
    async close() {
      closed = true;
      await here?.close();
      await quietly.close();
      // A thread whose module is still being built never starts.
      const worker = thread as Worker | null;
      if (!worker || failure) return;
      worker.ref();
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      // A thread still starting gets the word once it listens.
      await ready.catch(() => undefined);
      quietly.flush();
      if (!failure) worker.postMessage('close');
      await exited;
    },
  };
}

class GroupCommit implements DeliveryWriter {
  private readonly queue: Job[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly store: MailStore,
    private readonly batches: Batches,
  ) {}

  write(request: DeliveryRequest): Promise<DeliveredCopy[][]> {
    // A delivery that failed with a retryable error (a PostgreSQL deadlock) goes again.
    return retrying(
      () =>
        new Promise<DeliveredCopy[][]>((resolve, reject) => {
          this.queue.push({ request, resolve, reject });
          // Deliveries that become ready in this turn of the event loop share the commit.
          this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
        }),
    );
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const jobs = this.queue.splice(0, MAX_BATCH);
      const outcomes = await this.batches.commit(jobs.map((job) => job.request));
      jobs.forEach((job, i) => {
        const outcome = outcomes[i];
        if (!outcome.ok) return job.reject(outcome.error);
        this.store.bus.published(outcome.changes);
        job.resolve(outcome.copies);
      });
    }
    this.draining = null;
  }

  async close(): Promise<void> {
    await this.draining;
    await this.batches.close();
  }
}

const writers = new WeakMap<StoreDatabase, DeliveryWriter>();

export function deliveryWriterFor(store: MailStore): DeliveryWriter {
  let writer = writers.get(store.database);
  if (!writer) {
    writer = new GroupCommit(store, inThisThread(store));
    writers.set(store.database, writer);
  }
  return writer;
}

/**
 * The daemon's writer: the delivery thread, started before the first
 * delivery. `quiet` says whether a delivery ready now is the only message
 * being taken in (on SQLite it then commits on this thread, quietCommits).
 */
export function startDeliveryThread(store: MailStore, quiet: () => boolean = () => false): void {
  if (writers.has(store.database)) return;
  writers.set(store.database, new GroupCommit(store, onThread(store, quiet)));
}

export async function closeDeliveryWriter(database: StoreDatabase): Promise<void> {
  const writer = writers.get(database);
  writers.delete(database);
  await writer?.close();
}

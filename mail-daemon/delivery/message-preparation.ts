// Parsing a message for delivery: its content (CRLF line ends, hash, MIME
// structure), its summary and, for mail from other servers, the junk filter's
// tokens. While the daemon takes in several messages at once, this runs on a
// thread of its own (preparation-thread.ts), so that the main thread, which
// speaks SMTP and checks SPF, DKIM and DMARC, is spared it: parsing and tokens
// were about a fifth of the main thread's time per message with 10 SMTP
// sessions (issue 12), and that thread was the bottleneck while the
// machine's other core had room. A message that is the only one coming in is
// prepared on the main thread: the hops to a waiting thread and back (0.15 to
// 0.6 ms each, measured for the delivery thread) would add to its wait for the
// 250, with nothing to overlap. So is a big one, which a hop would copy, and
// every message while the thread starts or after it failed. The SMTP service
// starts the thread; elsewhere (the web app, the queue's own notices once
// SMTP has stopped, tests of the store) parsing is always here.
// The thread runs prepared-message.ts, which has no database in it.
import { Worker } from 'node:worker_threads';
import type { Database as StoreDatabase } from '../../prisma/database.ts';
import type { MailStore } from '../store/context.ts';
import { prepareMessage, type PreparedMessage } from '../store/prepared-message.ts';
import type { MessageSummary } from '../store/message-summary.ts';
import { messagePrepared } from '../metrics/metrics.ts';
import { threadModule, type ThreadModule } from '../store/delivery-thread-module.ts';
import { bytesOf, ownBlock } from '../store/own-block.ts';

export interface Preparation {
  prepared: PreparedMessage;
  /** The junk filter's tokens for a first contact (spam/message-tokens.ts tokensForSender), when worked out already. */
  junkTokens?: string[];
}

export interface MessagePreparer {
  /** `junkTokens`: the message goes through a junk filter, whose tokens the thread may work out too. */
  prepare(raw: Buffer, junkTokens: boolean): Promise<Preparation>;
  close(): Promise<void>;
}

/** @internal What the main thread posts to the preparation thread. */
export interface PreparationRequest {
  id: number;
  /** A copy of the message in a block of its own, moved to the thread. */
  raw: Uint8Array;
  junkTokens: boolean;
}

/** @internal The thread's answer: the content's fields without its bytes (unless they changed), or why it failed. */
export type PreparationAnswer =
  | { id: number; hash: string; size: number; structure: string; summary: MessageSummary; tokens?: string[]; raw?: Uint8Array; error?: undefined }
  | { id: number; error: string };

const here: MessagePreparer = {
  prepare: async (raw) => ({ prepared: await prepareMessage(raw) }),
  close: async () => undefined,
};

/**
 * Bigger messages are prepared on the main thread: the hop copies them, and a
 * copy of a big message is memory at the worst moment (issue 11's hostile
 * bench). Past 256 kB, parsing is a small part of taking a message in.
 */
const PREPARE_ON_THREAD_MAX = 256 * 1024;

interface Pending {
  raw: Buffer;
  junkTokens: boolean;
  resolve(preparation: Promise<Preparation> | Preparation): void;
}

interface ThreadPreparer extends MessagePreparer {
  started: Promise<boolean>;
  /** @internal Stops the thread at once, as a crash would (tests). */
  terminate(): Promise<void>;
}

function onThread(quiet: () => boolean, source: Promise<ThreadModule>, log: (message: string) => void): ThreadPreparer {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let thread: Worker | null = null;
  let closed = false;
  // Called once nothing is pending (close() waits for it).
  let drained: (() => void) | null = null;
  const settle = (id: number, preparation: Promise<Preparation> | Preparation) => {
    const job = pending.get(id);
    if (!job) return;
    pending.delete(id);
    job.resolve(preparation);
    if (pending.size > 0) return;
    thread?.unref();
    drained?.();
  };
  const onMain = (raw: Buffer, junkTokens: boolean) => {
    messagePrepared('main');
    return here.prepare(raw, junkTokens);
  };
  const onAnswer = (answer: PreparationAnswer) => {
    const job = pending.get(answer.id);
    if (!job) return;
    // One the thread could not parse is prepared here, whose error is the caller's.
    if (answer.error !== undefined) return settle(answer.id, onMain(job.raw, job.junkTokens));
    const raw = answer.raw ? bytesOf(answer.raw) : job.raw;
    messagePrepared('thread');
    settle(answer.id, { prepared: { content: { hash: answer.hash, raw, size: answer.size, structure: answer.structure }, summary: answer.summary }, junkTokens: answer.tokens });
  };
  // A thread that stops or fails: what it had is prepared here, and every message after.
  const fail = (why: string) => {
    if (!closed) log(`delivery: the preparation thread stopped (${why}); messages are parsed on the main thread`);
    thread = null;
    for (const [id, job] of [...pending]) settle(id, onMain(job.raw, job.junkTokens));
  };
  let lastError = '';
  // Settles when the thread has stopped (close() waits for it), from its start on: it may stop before close() asks.
  let exited: Promise<unknown> = Promise.resolve();
  const started = source
    .then(
      (module) =>
        new Promise<Worker | null>((resolve) => {
          if (closed) return resolve(null);
          const worker = new Worker(module.url, { workerData: module.workerData });
          exited = new Promise((ended) => worker.once('exit', ended));
          worker.on('message', (message: PreparationAnswer | 'ready') => {
            if (message !== 'ready') return onAnswer(message);
            thread = worker;
            worker.unref();
            resolve(worker);
          });
          worker.on('error', (error) => (lastError = String(error)));
          worker.once('exit', (code) => {
            resolve(null);
            fail(lastError || `exit code ${code}`);
          });
        }),
    )
    // A thread that cannot start leaves every message to this thread.
    .catch((error) => {
      log(`delivery: the preparation thread did not start (${error}); messages are parsed on the main thread`);
      return null;
    });
  return {
    started: started.then((worker) => worker !== null),
    prepare(raw, junkTokens) {
      const worker = thread;
      if (!worker || closed || raw.length > PREPARE_ON_THREAD_MAX || quiet()) {
        return onMain(raw, junkTokens);
      }
      return new Promise<Preparation>((resolve) => {
        const id = nextId++;
        pending.set(id, { raw, junkTokens, resolve });
        const copy = ownBlock(raw);
        worker.ref();
        worker.postMessage({ id, raw: copy, junkTokens } satisfies PreparationRequest, [copy.buffer]);
      });
    },
    async terminate() {
      await thread?.terminate();
    },
    async close() {
      closed = true;
      const worker = await started;
      if (!worker) return;
      // What is on the thread is answered first (or here, if it stops meanwhile).
      if (pending.size > 0) await new Promise<void>((resolve) => (drained = resolve));
      if (thread) {
        worker.ref();
        worker.postMessage('close');
      }
      await exited;
    },
  };
}

const preparers = new WeakMap<StoreDatabase, ThreadPreparer>();

/** The daemon's preparer; elsewhere, parsing on this thread. */
export function preparerFor(store: MailStore): MessagePreparer {
  return preparers.get(store.database) ?? here;
}

/**
 * The daemon's: `quiet` says whether a message ready now is the only one
 * being taken in (it is then prepared here). Settles once the thread runs
 * (true) or could not start (false); messages are prepared here meanwhile.
 */
export function startPreparationThread(store: MailStore, quiet: () => boolean, log: (message: string) => void): Promise<boolean> {
  const running = preparers.get(store.database);
  if (running) return running.started;
  const preparer = onThread(quiet, threadModule(new URL('./preparation-thread.ts', import.meta.url)), log);
  preparers.set(store.database, preparer);
  return preparer.started;
}

/** @internal Stops the daemon's preparation thread as a crash would (tests). */
export async function terminatePreparationThread(store: MailStore): Promise<void> {
  await preparers.get(store.database)?.terminate();
}

export async function closePreparationThread(store: MailStore): Promise<void> {
  const preparer = preparers.get(store.database);
  preparers.delete(store.database);
  await preparer?.close();
}

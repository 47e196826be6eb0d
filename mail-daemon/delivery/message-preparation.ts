// Parsing a message for delivery: its content (CRLF line ends, hash, MIME
// structure), its summary and, for mail from other servers, the junk filter's
// tokens, and before them that mail's SPF, DKIM, DMARC and ARC checks and
// trace fields (checkInbound). While the daemon takes in several messages at
// once, this runs on a thread of its own (preparation-thread.ts), so that the
// main thread, which speaks SMTP, is spared it: parsing and tokens were about
// a fifth of the main thread's time per message with 10 SMTP sessions, and
// mailauth about a tenth (issue 12); under that load each of our simple
// replies waited about 1 ms for the main thread (Postfix's 0.2 to 0.5). A
// message that is the only one coming in is prepared on the main thread: the
// hops to a waiting thread and back (0.15 to 0.6 ms each, measured for the
// delivery thread) would add to its wait for the 250, with nothing to
// overlap. So is a big one, which a hop would copy, and every message while
// the thread starts or after it failed. The SMTP service starts the thread;
// elsewhere (the web app, the queue's own notices once SMTP has stopped,
// tests of the store) parsing is always here. The thread runs
// prepared-message.ts and message-authentication.ts, which have no database
// in them.
import { Worker } from 'node:worker_threads';
import type { Database as StoreDatabase } from '../../prisma/database.ts';
import type { MailStore } from '../store/context.ts';
import { prepareMessage, type PreparedMessage } from '../store/prepared-message.ts';
import type { MessageSummary } from '../store/message-summary.ts';
import { messagePrepared } from '../metrics/metrics.ts';
import { threadModule, type ThreadModule } from '../store/delivery-thread-module.ts';
import { bytesOf, ownBlock } from '../store/own-block.ts';
import type { AuthenticationRequest, MessageAuthentication } from '../smtp/message-authentication.ts';
import type { DnsServer } from '../config/config.ts';

export interface Preparation {
  prepared: PreparedMessage;
  /** The junk filter's tokens for a first contact (spam/message-tokens.ts tokensForSender), when worked out already. */
  junkTokens?: string[];
}

/** A message from another server, checked (and prepared, when asked) on the thread in one hop. */
export interface InboundCheck {
  auth: MessageAuthentication;
  /** The message with the trace fields and mailauth's on top; when prepared, as stored (CRLF line ends). */
  traced: Buffer;
  /** The traced message prepared, with the junk filter's tokens; absent when not asked for, or when DMARC refuses it. */
  preparation?: Preparation;
}

export interface MessagePreparer {
  /** `junkTokens`: the message goes through a junk filter, whose tokens the thread may work out too. */
  prepare(raw: Buffer, junkTokens: boolean): Promise<Preparation>;
  /**
   * On the thread: SPF, DKIM, DMARC and ARC (mailauth is about a tenth of
   * the main thread's time per message, issue 12), the `trace` fields and
   * mailauth's added on top, and the result prepared when `prepare` (not
   * when more fields are to come, as Rspamd's). Null when the caller is to
   * do it itself: the thread is not running or failed on it, or the message
   * is the only one coming in or a big one (as for prepare()).
   */
  checkInbound(raw: Buffer, request: AuthenticationRequest, trace: string[], prepare: boolean): Promise<InboundCheck | null>;
  close(): Promise<void>;
}

/** @internal What the main thread posts to the preparation thread. */
export interface PreparationRequest {
  id: number;
  /** A copy of the message in a block of its own, moved to the thread. */
  raw: Uint8Array;
  junkTokens: boolean;
  /** From another server: checked first, then the trace fields and the result's added, then prepared when `prepare`. */
  inbound?: { request: AuthenticationRequest; trace: string[]; prepare: boolean };
}

/** @internal The content's fields as the thread worked them out, without its bytes. */
export interface PreparedFields {
  hash: string;
  size: number;
  structure: string;
  summary: MessageSummary;
  tokens?: string[];
}

/**
 * @internal The thread's answer: the content's fields, its bytes when they
 * changed (and for an inbound check), the inbound check's result; or why it
 * failed.
 */
export type PreparationAnswer = { id: number; fields?: PreparedFields; raw?: Uint8Array; auth?: MessageAuthentication; error?: undefined } | { id: number; error: string };

/** @internal What the thread is started with. */
export interface PreparationThreadData {
  /** The DNS servers of the inbound checks ([]: the system's). */
  dnsServers: DnsServer[];
}

const here: MessagePreparer = {
  prepare: async (raw) => ({ prepared: await prepareMessage(raw) }),
  checkInbound: async () => null,
  close: async () => undefined,
};

/**
 * Bigger messages are checked and prepared on the main thread: the hop copies
 * them, and a copy of a big message is memory at the worst moment (issue 11's
 * hostile bench). Past 256 kB, these are a small part of taking a message in.
 */
const PREPARE_ON_THREAD_MAX = 256 * 1024;

type Answered = Exclude<PreparationAnswer, { error: string }>;

interface Pending {
  answered(answer: Answered): void;
  /** The thread failed on it, or stopped first. */
  unanswered(): void;
}

function preparationOf({ hash, size, structure, summary, tokens }: PreparedFields, raw: Buffer): Preparation {
  return { prepared: { content: { hash, raw, size, structure }, summary }, junkTokens: tokens };
}

interface ThreadPreparer extends MessagePreparer {
  started: Promise<boolean>;
  /** @internal Stops the thread at once, as a crash would (tests). */
  terminate(): Promise<void>;
}

function onThread(quiet: () => boolean, source: Promise<ThreadModule>, threadData: PreparationThreadData, log: (message: string) => void): ThreadPreparer {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let thread: Worker | null = null;
  let closed = false;
  // Called once nothing is pending (close() waits for it).
  let drained: (() => void) | null = null;
  const settle = (id: number, outcome: (job: Pending) => void) => {
    const job = pending.get(id);
    if (!job) return;
    pending.delete(id);
    outcome(job);
    if (pending.size > 0) return;
    thread?.unref();
    drained?.();
  };
  const onMain = (raw: Buffer, junkTokens: boolean) => {
    messagePrepared('main');
    return here.prepare(raw, junkTokens);
  };
  // One the thread failed on is done here (prepared, or left to the caller's own check), whose error is the caller's.
  const onAnswer = (answer: PreparationAnswer) => settle(answer.id, (job) => (answer.error === undefined ? job.answered(answer) : job.unanswered()));
  // A thread that stops or fails: what it had is done here, and every message after.
  const fail = (why: string) => {
    if (!closed) log(`delivery: the preparation thread stopped (${why}); messages are checked and parsed on the main thread`);
    thread = null;
    for (const id of [...pending.keys()]) settle(id, (job) => job.unanswered());
  };
  /** The thread that takes this message now, or null: it is prepared here. */
  const takerOf = (raw: Buffer) => (!thread || closed || raw.length > PREPARE_ON_THREAD_MAX || quiet() ? null : thread);
  const post = (worker: Worker, raw: Buffer, request: Omit<PreparationRequest, 'id' | 'raw'>, job: Pending) => {
    const id = nextId++;
    pending.set(id, job);
    const copy = ownBlock(raw);
    worker.ref();
    worker.postMessage({ id, raw: copy, ...request } satisfies PreparationRequest, [copy.buffer]);
  };
  let lastError = '';
  // Settles when the thread has stopped (close() waits for it), from its start on: it may stop before close() asks.
  let exited: Promise<unknown> = Promise.resolve();
  const started = source
    .then(
      (module) =>
        new Promise<Worker | null>((resolve) => {
          if (closed) return resolve(null);
          const worker = new Worker(module.url, { workerData: { ...module.workerData, ...threadData } satisfies PreparationThreadData });
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
      log(`delivery: the preparation thread did not start (${error}); messages are checked and parsed on the main thread`);
      return null;
    });
  return {
    started: started.then((worker) => worker !== null),
    prepare(raw, junkTokens) {
      const worker = takerOf(raw);
      if (!worker) return onMain(raw, junkTokens);
      return new Promise<Preparation>((resolve) =>
        post(worker, raw, { junkTokens }, {
          answered: ({ fields, raw: changed }) => {
            if (!fields) return resolve(onMain(raw, junkTokens));
            messagePrepared('thread');
            resolve(preparationOf(fields, changed ? bytesOf(changed) : raw));
          },
          unanswered: () => resolve(onMain(raw, junkTokens)),
        }),
      );
    },
    async checkInbound(raw, request, trace, prepare) {
      const worker = takerOf(raw);
      if (!worker) return null;
      return new Promise<InboundCheck | null>((resolve) =>
        post(worker, raw, { junkTokens: prepare, inbound: { request, trace, prepare } }, {
          answered: ({ fields, raw: traced, auth }) => {
            // Not what a check answers (a bug on the thread): the caller checks it itself.
            if (!traced || !auth) return resolve(null);
            if (fields) messagePrepared('thread');
            const bytes = bytesOf(traced);
            resolve({ auth, traced: bytes, preparation: fields && preparationOf(fields, bytes) });
          },
          unanswered: () => resolve(null),
        }),
      );
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
export function startPreparationThread(store: MailStore, quiet: () => boolean, log: (message: string) => void, dnsServers: DnsServer[] = []): Promise<boolean> {
  const running = preparers.get(store.database);
  if (running) return running.started;
  const preparer = onThread(quiet, threadModule(new URL('./preparation-thread.ts', import.meta.url)), { dnsServers }, log);
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

// The search text of deliveries, written after their commit, up to 100
// contents in one transaction. SQLite, on the delivery thread: worked out after the
// answer has gone back too (about 0.15 ms of a 2 kB message's 250 on one
// SMTP session, issue 12). In the delivery's own
// transaction the text row, its hash key and the FTS5 segment were about 10
// of its 35 WAL pages, and the fsync before the 250 grows with the pages
// (issue 12); together, the FTS5 segment of a hundred texts costs a few pages.
// PostgreSQL: the text's row and GIN entries were a third of the delivery
// statement's time (0.26 of 0.9 ms, EXPLAIN ANALYZE), and the delivery
// writer's one connection is what concurrent deliveries wait for; a slice of
// texts goes in one statement on another connection, without waiting for the flush
// to disk (synchronous_commit off).
// A text not written yet (the daemon stopped hard, or a search came first) is
// indexed by the first search that covers it (full-text-search.ts).
// Worked out and written once deliveries pause, not during a burst: the
// text's extraction and terms and its rows were about 0.66 ms of the delivery
// thread's CPU per 2 kB message (1.18 of its 1.76 ms with 10 SMTP sessions,
// issue 12), taken from the burst's deliveries on a machine of two cores. As
// Postfix delivers into the mailbox behind its 250s, and Dovecot indexes for
// full-text search when a search asks (fts_autoindex=no), this index follows
// the burst, a slice at a time so that new deliveries never wait behind it
// for long, or during it once too much waits.
// SQLite: the content's envelope and search fields are written with its text,
// not in the delivery's transaction, which their two tables' rows and keys
// made about 5 of 23 WAL pages (issue 12); a FETCH or SEARCH works either out
// from the header while its row is missing, so a kill -9 before they are
// written loses nothing (content.ts contentFieldsSteps).
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Engine } from '../../prisma/database.ts';
import type { DeliveryRequest } from './delivery-batch.ts';
import { messageTextSteps, postgresTextsStatement, prepareMessageText, type PreparedText } from './full-text-search.ts';
import type { MimeNode } from './mime-structure.ts';
import type { Steps } from './sql-steps.ts';
import { contentFields, contentFieldsSteps, type ContentFields } from './content.ts';

/** What is written after the commit for one content: its text (null: none), and on SQLite its envelope and search fields. */
interface Deferred {
  text: PreparedText | null;
  fields: ContentFields | null;
}

/** The delivery as its transaction writes it on SQLite: without its envelope and search fields, which are written after it. */
export function withoutContentFields(delivery: DeliveryRequest[number]): DeliveryRequest[number] {
  return { ...delivery, prepared: { ...delivery.prepared, content: { ...delivery.prepared.content, fieldsLater: true } } };
}

// Worked out and written once deliveries pause this long, or at once past this
// many contents or bytes (messages kept for it, texts and fields).
const PAUSE_MS = 500;
const MAX_WAITING = 1000;
const MAX_WAITING_BYTES = 16 * 1024 * 1024;
// Past this (writes failing again and again: a busy or full disk), a content
// is not kept at all: the first search that covers it indexes it, and its
// envelope and search fields are read from its header meanwhile, so nothing
// is lost, and memory stays bounded.
const MAX_KEPT_BYTES = 4 * MAX_WAITING_BYTES;
// Contents worked out and written per transaction, and about this many bytes
// of them: a delivery that comes meanwhile waits for one slice at most (about
// 50 ms with 2 kB messages).
const SLICE = 100;
const SLICE_BYTES = 2 * 1024 * 1024;
// A message bigger than this is worked out right after its commit instead of
// being kept (copied, see take()) until the pause.
const KEEP_AT_MOST = 256 * 1024;
// A failed write is tried again after a pause that doubles up to this.
const RETRY_MS = 100;
const MAX_RETRY_MS = 30_000;

function* textSteps(engine: Engine, waiting: Map<string, Deferred>): Steps<void> {
  yield Prisma.raw(engine === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN');
  try {
    if (engine === 'postgres') {
      yield Prisma.raw('SET LOCAL synchronous_commit = off');
      yield postgresTextsStatement(new Map([...waiting].flatMap(([hash, { text }]) => (text ? [[hash, text] as const] : []))));
    } else {
      for (const [hash, { text, fields }] of waiting) {
        // The content may have gone meanwhile (its last message expunged), or never come (its delivery failed).
        const [stored] = yield Prisma.sql`SELECT 1 AS "stored" FROM "MessageContent" WHERE "hash" = ${hash}`;
        if (!stored) continue;
        if (text) yield* messageTextSteps('sqlite', hash, text);
        if (fields) yield* contentFieldsSteps(hash, fields);
      }
    }
    yield Prisma.raw('COMMIT');
  } catch (error) {
    yield Prisma.raw('ROLLBACK');
    throw error;
  }
}

export class DeferredTextIndex {
  private waiting = new Map<string, Deferred>();
  private bytes = 0;
  /**
   * Contents whose text (undefined: to be worked out; null: none) or, on
   * SQLite, envelope and search fields are still to be worked out (work()):
   * their bytes (and their length when kept, see work()) and MIME structure.
   */
  private unworked = new Map<string, { raw: Buffer; length: number; structure: string; text: PreparedText | null | undefined; copied: boolean }>();
  /** Contents taken before their commit, until it ends (release()): a slice meanwhile would find them not stored yet, and drop them. */
  private committing = new Set<string>();
  private pause: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Deliveries come (cancelPause) while a slice is written (PostgreSQL writes asynchronously): no next slice then, afterCommit decides. */
  private arrivals = 0;
  private arrivalsAtWrite = 0;
  private closed = false;

  /** `run` runs steps on a connection of the delivery writer: on SQLite its own, synchronously. */
  constructor(
    private readonly run: (steps: Steps<void>) => void | Promise<void>,
    private readonly engine: Engine = 'sqlite',
  ) {}

  /**
   * The requests with their texts taken out (text: null, not indexed in the
   * delivery's transaction), and on SQLite their envelopes and search fields
   * (null), to be written later (a message over 256 kB is worked out by the
   * afterCommit after its commit, the others once deliveries pause).
   * `committed`: false when taken before their commit, which the caller
   * then ends with release().
   */
  take(requests: DeliveryRequest[], committed = false): DeliveryRequest[] {
    return requests.map((request) =>
      request.map((delivery) => {
        const { text, content } = delivery.prepared;
        if (delivery.targets.length === 0) return delivery;
        const fields = this.engine === 'sqlite' && !content.fieldsLater;
        if (text === null && !fields) return delivery;
        if (!committed) this.committing.add(content.hash);
        if (text && !fields) this.add(content.hash, { text, fields: null });
        else if (!this.waiting.has(content.hash) && !this.unworked.has(content.hash)) this.keep(content.hash, content.raw, content.structure, text);
        const taken = { ...delivery, prepared: { ...delivery.prepared, text: null } };
        return fields ? withoutContentFields(taken) : taken;
      }),
    );
  }

  /** The commit of requests taken before it has ended (stored or not: a content never stored is dropped by the write). */
  release(requests: DeliveryRequest[]): void {
    for (const request of requests) for (const delivery of request) this.committing.delete(delivery.prepared.content.hash);
  }

  /**
   * A message to work out later. Its bytes are copied: the caller's are a
   * view on a block the delivery thread hands back to the main thread once
   * the batch is answered. A big message is not: it is worked out by the
   * next afterCommit.
   */
  private keep(hash: string, raw: Buffer, structure: string, text: PreparedText | null | undefined): void {
    if (this.bytes >= MAX_KEPT_BYTES) return;
    const copied = raw.length <= KEEP_AT_MOST;
    this.unworked.set(hash, { raw: copied ? Buffer.from(raw) : raw, length: raw.length, structure, text, copied });
    if (copied) this.bytes += raw.length;
  }

  /**
   * Works out the texts taken without one, at most `limit` of them and about
   * `maxBytes` of messages (of those kept, only the big ones when
   * `onlyUncopied`), none whose commit has not ended.
   */
  work({ limit = Infinity, maxBytes = Infinity, onlyUncopied = false }: { limit?: number; maxBytes?: number; onlyUncopied?: boolean } = {}): void {
    let worked = 0;
    let bytes = 0;
    for (const [hash, { raw, length, structure, text, copied }] of this.unworked) {
      if (worked >= limit || bytes >= maxBytes) break;
      if ((onlyUncopied && copied) || this.committing.has(hash)) continue;
      this.unworked.delete(hash);
      if (copied) this.bytes -= length;
      // A big message's block handed back before it was worked out (emptied,
      // as a transferred buffer is) would give an empty text and envelope for
      // good: left to the first search instead.
      if (raw.length !== length) continue;
      worked++;
      bytes += length;
      const fields = this.engine === 'sqlite' ? contentFields(raw, structure) : null;
      this.add(hash, { text: text === undefined ? prepareMessageText(raw, JSON.parse(structure) as MimeNode) : text, fields });
    }
  }

  /**
   * After a batch's commit, its answers gone: works out the big messages
   * (their bytes are not kept), and has `write` (the writer's, which keeps
   * failures for the next time) work out and write a slice now when too much
   * waits, else once deliveries pause.
   */
  afterCommit(write: () => unknown): void {
    if (this.closed) return;
    clearTimeout(this.pause);
    this.work({ onlyUncopied: true });
    if (this.due) void write();
    else if (this.pending) this.pause = setTimeout(write, PAUSE_MS);
  }

  /** After a slice was written: the next one, unless deliveries came meanwhile or come first (they cancel it, and afterCommit decides again). */
  continueLater(write: () => unknown): void {
    clearTimeout(this.pause);
    if (this.closed || this.arrivals !== this.arrivalsAtWrite || !this.writable) return;
    this.pause = setTimeout(write, 0);
  }

  /**
   * A write failed (on SQLite a busy database: the delivery thread never waits
   * for the lock, delivery-batch.ts): tried again after a pause, unless
   * deliveries come first, so the envelopes and search fields of the last
   * messages before a quiet spell are not left unwritten until the next one.
   */
  retryLater(write: () => unknown): void {
    if (this.closed || !this.pending) return;
    clearTimeout(this.pause);
    this.pause = setTimeout(write, Math.min(RETRY_MS * 2 ** this.failures++, MAX_RETRY_MS));
  }

  /** Deliveries came again: no pause yet. */
  cancelPause(): void {
    clearTimeout(this.pause);
    this.arrivals++;
  }

  /** The writer closes: no timer any more. */
  close(): void {
    this.closed = true;
    clearTimeout(this.pause);
  }

  /**
   * The writer closes (close(), then this once no write is running): what
   * waits goes in one transaction, unless the last write failed (a busy or
   * failing database); a search indexes whatever is left, FETCH reads the
   * header meanwhile.
   */
  finish(): void | Promise<void> {
    this.close();
    if (this.failures > 0) return;
    try {
      return Promise.resolve(this.write(true)).catch(() => undefined);
    } catch {
      // Left for the first search.
    }
  }

  /** Enough texts wait to be written now rather than at the next pause. */
  get due(): boolean {
    return this.waiting.size + this.unworked.size >= MAX_WAITING || this.bytes >= MAX_WAITING_BYTES;
  }

  get pending(): boolean {
    return this.waiting.size > 0 || this.unworked.size > 0;
  }

  /** Something waits whose commit has ended. */
  private get writable(): boolean {
    for (const hash of this.waiting.keys()) if (!this.committing.has(hash)) return true;
    for (const hash of this.unworked.keys()) if (!this.committing.has(hash)) return true;
    return false;
  }

  /**
   * Works out and writes a slice of the waiting contents in one transaction
   * (all of them: `all`), none whose commit has not ended; a busy database
   * leaves them for the next time.
   */
  write(all = false): void | Promise<void> {
    const [limit, maxBytes] = all ? [Infinity, Infinity] : [SLICE, SLICE_BYTES];
    this.arrivalsAtWrite = this.arrivals;
    this.work({ limit: Math.max(0, limit - this.waiting.size), maxBytes });
    const slice = new Map<string, Deferred>();
    let bytes = 0;
    for (const [hash, deferred] of this.waiting) {
      if (slice.size >= limit || bytes >= maxBytes) break;
      if (this.committing.has(hash)) continue;
      slice.set(hash, deferred);
      this.waiting.delete(hash);
      const size = deferredBytes(deferred);
      this.bytes -= size;
      bytes += size;
    }
    if (slice.size === 0) return;
    const keep = (error: unknown) => {
      for (const [hash, deferred] of slice) this.add(hash, deferred);
      throw error;
    };
    const wrote = () => {
      this.failures = 0;
    };
    try {
      const running = this.run(textSteps(this.engine, slice));
      if (running) return running.then(wrote, keep);
      wrote();
    } catch (error) {
      keep(error);
    }
  }

  private add(hash: string, deferred: Deferred): void {
    if (this.waiting.has(hash) || this.bytes >= MAX_KEPT_BYTES) return;
    this.waiting.set(hash, deferred);
    this.bytes += deferredBytes(deferred);
  }
}

function deferredBytes({ text, fields }: Deferred): number {
  return (text ? text.header.length + text.body.length + text.terms.length : 0) + (fields ? fields.envelope.length + fields.searchFields.length : 0);
}

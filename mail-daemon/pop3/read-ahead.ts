// Read-ahead for RETR (maildrop.ts): clients fetch messages in order, so one
// query loads the next few, and once half of them are taken the query for
// the few after them starts while the rest are sent, so that a session does not
// wait a database round trip every batch (PostgreSQL). One query at a time
// per session, each bounded by count and by octets.
import type { MaildropMessage } from './maildrop.ts';

const BATCH_MESSAGES = 256;
const BATCH_OCTETS = 1024 * 1024;

/** Reads raw bytes by message row id; ids that are gone are absent from the map. */
export type ContentLoader = (ids: number[]) => Promise<Map<number, Buffer>>;

interface Load {
  /** Message numbers in the query. */
  numbers: Set<number>;
  /** Settles when the query ended, never with an error: that is in `error`. */
  done: Promise<void>;
  error?: unknown;
}

export class ReadAhead {
  /** Bytes loaded ahead of their RETR, by message number. */
  private readonly loaded = new Map<number, Buffer>();
  private loading: Load | null = null;
  /** The index in `messages` after the last one loaded or being loaded. */
  private end = 0;
  /** Messages in the last query: the next starts once half of them are taken. */
  private batchLength = 0;

  constructor(
    private readonly messages: MaildropMessage[],
    private readonly load: ContentLoader,
  ) {}

  /** The bytes of a message loaded ahead, without waiting; undefined if they are not at hand. */
  take(message: MaildropMessage, skip: Set<number>): Buffer | undefined {
    const raw = this.loaded.get(message.number);
    if (!raw) return undefined;
    this.loaded.delete(message.number);
    if (!this.loading && this.loaded.size <= this.batchLength / 2 && this.end < this.messages.length) this.start(this.end, skip);
    return raw;
  }

  /**
   * The bytes of a message; null when another client removed it before it was
   * read. A message removed after it was loaded ahead is still sent, as if
   * the removal had come a moment later. Messages in `skip` are not loaded ahead.
   */
  async get(message: MaildropMessage, skip: Set<number>): Promise<Buffer | null> {
    for (;;) {
      const raw = this.take(message, skip);
      if (raw) return raw;
      const loading = this.loading;
      if (loading?.numbers.has(message.number)) {
        await loading.done;
        if (loading.error) throw loading.error;
        return this.take(message, skip) ?? null;
      }
      if (loading) {
        await loading.done;
        continue;
      }
      // Not where the client was reading: start over from this message.
      this.loaded.clear();
      this.start(message.number - 1, skip);
    }
  }

  /** Starts the query for the messages from index `from` on (the first always), within the bounds. */
  private start(from: number, skip: Set<number>): void {
    const batch: MaildropMessage[] = [];
    let octets = 0;
    let i = from;
    for (; i < this.messages.length; i++) {
      const message = this.messages[i];
      if (i > from && skip.has(message.number)) continue;
      if (batch.length > 0 && (batch.length >= BATCH_MESSAGES || octets + message.size > BATCH_OCTETS)) break;
      batch.push(message);
      octets += message.size;
    }
    this.end = i;
    this.batchLength = batch.length;
    const load: Load = { numbers: new Set(batch.map((m) => m.number)), done: Promise.resolve() };
    load.done = this.load(batch.map((m) => m.id)).then(
      (contents) => {
        for (const m of batch) {
          const raw = contents.get(m.id);
          if (raw) this.loaded.set(m.number, raw);
        }
      },
      (error: unknown) => {
        load.error = error;
        // Read these again, not the ones after them; read ahead again only once the loaded ones are used up.
        this.end = from;
        this.batchLength = 0;
      },
    );
    void load.done.then(() => {
      if (this.loading === load) this.loading = null;
    });
    this.loading = load;
  }
}

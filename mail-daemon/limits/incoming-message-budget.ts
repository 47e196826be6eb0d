// How many big incoming messages (SMTP DATA, IMAP APPEND) the daemon takes in
// at once. A message is read whole before it is stored, so twenty connections
// each sending MAX_MESSAGE_SIZE would cost twenty times that, and more: while
// it is received and stored a message costs MEMORY_PER_MESSAGE_BYTE times its
// size. A message may grow to SMALL_MESSAGE_BYTES freely; past that it needs
// one of a few slots, MESSAGE_MEMORY_LIMIT / (MEMORY_PER_MESSAGE_BYTE *
// MAX_MESSAGE_SIZE) of them (at least one), so the big messages in flight
// never cost more than MESSAGE_MEMORY_LIMIT. Until it gets a slot its
// connection is not read, so TCP slows the sender. A slot holder needs
// nothing more to finish, so waiting never deadlocks.

/**
 * Memory a message takes while received and stored, per byte of it: its
 * bytes, held once (incoming-bytes.ts), and stored in pieces of 1 MiB
 * (store/content.ts), so the database's copies are 1 MiB each; socket reads
 * not yet collected (V8 frees them only at its next collection, up to 64 MB
 * later); its search text. Measured by tests/security/message-memory for a
 * 50 MiB text: 1.6 times its size on SQLite, 3.7 on PostgreSQL (3.0 to 4.7
 * and 2.5 to 4.1 when contents were stored whole); the rest is room for when
 * collection comes.
 */
export const MEMORY_PER_MESSAGE_BYTE = 6;

export const SMALL_MESSAGE_BYTES = 1024 * 1024;

export class IncomingMessageBudget {
  readonly slots: number;
  private free: number;
  /** Messages being taken in now: leased and not yet released, big or small. */
  inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(memoryLimit: number, maxMessageSize: number) {
    this.slots = Math.max(1, Math.floor(memoryLimit / (MEMORY_PER_MESSAGE_BYTE * maxMessageSize)));
    this.free = this.slots;
  }

  /** One message's claim: hold() as it grows, release() once it is stored or refused. */
  lease(): MessageLease {
    this.inFlight += 1;
    return new MessageLease(this);
  }

  /** @internal */
  take(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** @internal */
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

export class MessageLease {
  private state: 'small' | 'waiting' | 'held' | 'released' = 'small';
  private granted: Promise<void> | null = null;

  constructor(private readonly budget: IncomingMessageBudget) {}

  /**
   * The message now needs `bytes` of memory: nothing to wait for while it is
   * small or holds a slot; otherwise a promise that settles once it holds one.
   */
  hold(bytes: number): Promise<void> | null {
    if (bytes <= SMALL_MESSAGE_BYTES || this.state === 'held' || this.state === 'released') return null;
    if (this.state === 'small') {
      this.state = 'waiting';
      this.granted = this.budget.take().then(() => {
        // Released while waiting (the connection closed): hand the slot on.
        if (this.state === 'released') this.budget.give();
        else this.state = 'held';
      });
    }
    return this.granted;
  }

  release(): void {
    if (this.state === 'released') return;
    this.budget.inFlight -= 1;
    const held = this.state === 'held';
    this.state = 'released';
    if (held) this.budget.give();
  }
}

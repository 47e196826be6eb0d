// Splits the bytes a client sends into whole commands: a command is one line,
// or several when it carries literals (RFC 3501 4.3, RFC 7888 LITERAL+). The
// reader never trusts a length it is told: a line longer than the limit, more
// literal bytes than the command may carry (the session says how many: few
// before login, one message for APPEND) or too many literals end in an error
// before the bytes are buffered. Unread input is bounded too: past
// maxBufferedBytes the reader asks for the socket to be paused.
//
// The reader hands out one command at a time and waits for resume(): the
// session decides, after each command, what the next bytes mean (a command,
// the DONE of IDLE, an AUTHENTICATE response) and how big a literal may be.
import { IncomingBytes } from '../../limits/incoming-bytes.ts';

export interface LiteralPolicy {
  /** Literal bytes the whole command may carry. */
  maxBytes: number;
  /**
   * A non-synchronizing literal beyond maxBytes: true to read it and the rest
   * of the command to their end, keep nothing and report the error then; false
   * to stop reading, as RFC 7888 4 also allows (the session closes).
   */
  discardOversized: boolean;
  /** Literals the command may carry, when not ReaderLimits.maxLiteralsPerCommand (MULTIAPPEND, one per message). */
  maxLiterals?: number;
}

export interface ReaderLimits {
  /** Bytes in one line, literals not counted. */
  maxLineBytes: number;
  /** Bytes of all lines of one command, literals not counted. */
  maxCommandBytes: number;
  maxLiteralsPerCommand: number;
  /** Input read from the socket and not yet taken; above it the socket is paused. */
  maxBufferedBytes: number;
  /** Asked at the first literal of a command, with its first line: the session's state and the command decide. */
  literalPolicy(firstLine: Buffer): LiteralPolicy;
  /**
   * The command's literals now come to `bytes`: a promise when the session
   * must wait for memory before they are read (incoming-message-budget.ts).
   */
  roomFor?(bytes: number): Promise<void> | null;
}

export type ReaderError =
  /** Too big, but the reader got back in step (a synchronizing literal, or one read and dropped): the command is refused and reading goes on. */
  | { kind: 'literal-too-big'; tag: string; size: number; recoverable: true }
  /** A non-synchronizing literal that is too big, or a line beyond the limits: the connection cannot be resynchronized. */
  | { kind: 'literal-too-big'; tag: string; size: number; recoverable: false }
  | { kind: 'line-too-long' | 'command-too-long' | 'too-many-literals'; tag: string; recoverable: false };

export interface ReaderEvents {
  /** A whole command: its lines (CRLF kept between them, not at the end) with the literal bytes inline. */
  command(bytes: Buffer): void;
  /** A synchronizing literal was accepted: the session sends "+". */
  continuation(): void;
  error(error: ReaderError): void;
  /** Whether the socket should be read: false while too much input waits. */
  flow(reading: boolean): void;
}

// {123} or {123+} at the end of a line; ten digits at most so that the number is exact.
const LITERAL_MARK = /\{(\d{1,10})(\+)?\}$/;

export class CommandReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The command being read (one block once its literals are big: incoming-bytes.ts), and its first line. */
  private parts: IncomingBytes;
  private firstLine: Buffer | null = null;
  private commandBytes = 0;
  private literals = 0;
  /** Bytes of literal still to read, or -1 when reading a line. */
  private literalLeft = -1;
  /** The command's literal bytes so far, and what it may carry (set at its first literal). */
  private literalBytes = 0;
  private policy: LiteralPolicy | null = null;
  /** Set while the rest of a refused command is read and dropped; reported when it ends. */
  private discarding: ReaderError | null = null;
  /** Waiting for roomFor(): nothing is read meanwhile. */
  private waiting = false;
  private flowing = true;
  /** After an error that cannot be recovered from; nothing more is read. */
  private stopped = false;
  private paused = false;

  constructor(
    private readonly limits: ReaderLimits,
    private readonly events: ReaderEvents,
  ) {
    this.parts = this.newCommand();
  }

  /** Lines, with their CRLFs, may make up the whole command; its literals are added to the limit at the first one. */
  private newCommand(): IncomingBytes {
    return new IncomingBytes(this.limits.maxCommandBytes + 2 * (this.limits.maxLiteralsPerCommand + 1));
  }

  /** Bytes that arrived and are not read yet (the socket is paused above a bound). */
  get buffered(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.drain();
  }

  private setFlow(reading: boolean): void {
    if (this.flowing === reading || this.stopped) return;
    this.flowing = reading;
    this.events.flow(reading);
  }

  /** Stops handing out commands until resume(). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.drain();
  }

  /** Drops what arrived and was not read (after STARTTLS: RFC 3501 6.2.1, no plaintext injection). */
  discardPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.setFlow(true);
  }

  stop(): void {
    this.stopped = true;
    this.discardPending();
  }

  private drain(): void {
    while (!this.paused && !this.waiting && !this.stopped && this.pendingBytes > 0) {
      if (this.literalLeft >= 0) this.readLiteral();
      else if (!this.readLine()) break;
    }
    this.setFlow(this.pendingBytes <= this.limits.maxBufferedBytes);
  }

  private take(count: number): Buffer {
    const out: Buffer[] = [];
    this.takeInto(count, (piece) => out.push(piece));
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /** Hands `count` bytes of pending input to `sink` as the pieces they arrived in (none when sink is null: dropped), without copying them. */
  private takeInto(count: number, sink: ((piece: Buffer) => void) | null): void {
    let left = count;
    while (left > 0) {
      const head = this.pending[0];
      if (head.length <= left) {
        sink?.(head);
        this.pending.shift();
        left -= head.length;
      } else {
        sink?.(head.subarray(0, left));
        this.pending[0] = head.subarray(left);
        left = 0;
      }
    }
    this.pendingBytes -= count;
  }

  private readLiteral(): void {
    const count = Math.min(this.literalLeft, this.pendingBytes);
    this.takeInto(count, this.discarding ? null : (piece) => this.parts.push(piece));
    this.literalLeft -= count;
    if (this.literalLeft === 0) this.literalLeft = -1;
  }

  /** Reads one line if a whole one has arrived; false when more bytes are needed. */
  private readLine(): boolean {
    let offset = 0;
    let lineEnd = -1;
    for (const chunk of this.pending) {
      const at = chunk.indexOf(0x0a);
      if (at !== -1) {
        lineEnd = offset + at;
        break;
      }
      offset += chunk.length;
      if (offset > this.limits.maxLineBytes) break;
    }
    if (lineEnd === -1) {
      if (this.pendingBytes > this.limits.maxLineBytes) this.fail({ kind: 'line-too-long', tag: this.currentTag(), recoverable: false });
      return false;
    }
    if (lineEnd > this.limits.maxLineBytes) {
      this.fail({ kind: 'line-too-long', tag: this.currentTag(), recoverable: false });
      return false;
    }
    let line = this.take(lineEnd + 1).subarray(0, lineEnd);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    this.commandBytes += line.length;
    if (this.commandBytes > this.limits.maxCommandBytes) {
      this.fail({ kind: 'command-too-long', tag: this.currentTag(line), recoverable: false });
      return false;
    }
    // Only the tail can announce a literal, so a bounded look is enough.
    const tail = line.subarray(Math.max(0, line.length - 14)).toString('latin1');
    const mark = LITERAL_MARK.exec(tail);
    if (!mark) {
      if (this.discarding) {
        const error = this.discarding;
        this.resetCommand();
        this.events.error(error);
        return true;
      }
      this.addLine(line);
      this.finishCommand();
      return true;
    }
    const size = Number(mark[1]);
    const synchronizing = mark[2] === undefined;
    const tag = this.currentTag(line);
    if (!this.policy) {
      this.policy = this.limits.literalPolicy(this.firstLine ?? line);
      // The first literal is on the first line: nothing has gone into a block yet.
      this.parts.limit += this.policy.maxBytes + 2 * (this.policy.maxLiterals ?? 0);
    }
    if (++this.literals > (this.policy.maxLiterals ?? this.limits.maxLiteralsPerCommand)) {
      this.fail({ kind: 'too-many-literals', tag, recoverable: false });
      return false;
    }
    if (this.discarding) {
      // The rest of a refused command: its literals are read and dropped too, but never asked for.
      if (synchronizing) {
        const error = this.discarding;
        this.resetCommand();
        this.events.error(error);
        return true;
      }
      this.literalLeft = size === 0 ? -1 : size;
      return true;
    }
    if (this.literalBytes + size > this.policy.maxBytes) {
      const error: ReaderError = { kind: 'literal-too-big', tag, size, recoverable: true };
      if (synchronizing) {
        // The client sends nothing until "+": forget this command and read the next one.
        this.resetCommand();
        this.events.error(error);
        return true;
      }
      if (!this.policy.discardOversized) {
        this.fail({ ...error, recoverable: false });
        return false;
      }
      this.discarding = error;
      // Only the first line stays, for the tag.
      this.firstLine ??= line;
      this.parts = this.newCommand();
      this.literalLeft = size === 0 ? -1 : size;
      return true;
    }
    this.literalBytes += size;
    this.addLine(line);
    this.parts.push(CRLF);
    this.literalLeft = size === 0 ? -1 : size;
    const room = size > 0 ? this.limits.roomFor?.(this.literalBytes) : null;
    if (!room) {
      if (synchronizing) this.events.continuation();
      return true;
    }
    this.waiting = true;
    void room.then(() => {
      this.waiting = false;
      if (this.stopped) return;
      if (synchronizing) this.events.continuation();
      this.drain();
    });
    return false;
  }

  private addLine(line: Buffer): void {
    this.firstLine ??= line;
    this.parts.push(line);
  }

  private finishCommand(): void {
    const bytes = this.parts.bytes();
    this.resetCommand();
    this.paused = true;
    this.events.command(bytes);
  }

  private resetCommand(): void {
    this.parts = this.newCommand();
    this.firstLine = null;
    this.commandBytes = 0;
    this.literals = 0;
    this.literalBytes = 0;
    this.policy = null;
    this.discarding = null;
  }

  /** The tag of the command being read, for the error reply ("*" when unknown). */
  private currentTag(line?: Buffer): string {
    const first = this.firstLine ?? line ?? this.pending[0];
    if (!first) return '*';
    const text = first.subarray(0, 64).toString('latin1');
    const match = /^([\x21-\x7e]{1,64}?)[ \r\n]/.exec(text);
    return match && !/[(){%*"\\+]/.test(match[1]) ? match[1] : '*';
  }

  private fail(error: ReaderError): void {
    this.stop();
    this.events.error(error);
  }
}

const CRLF = Buffer.from('\r\n');

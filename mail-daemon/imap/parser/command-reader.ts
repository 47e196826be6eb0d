// Splits the bytes a client sends into whole commands: a command is one line,
// or several when it carries literals (RFC 3501 4.3, RFC 7888 LITERAL+). The
// reader never trusts a length it is told: a line longer than the limit, a
// literal bigger than the session allows (small before login) or too many
// literals in one command end in an error before the bytes are buffered.
//
// The reader hands out one command at a time and waits for resume(): the
// session decides, after each command, what the next bytes mean (a command,
// the DONE of IDLE, an AUTHENTICATE response) and how big a literal may be.

export interface ReaderLimits {
  /** Bytes in one line, literals not counted. */
  maxLineBytes: number;
  /** Bytes of all lines of one command, literals not counted. */
  maxCommandBytes: number;
  maxLiteralsPerCommand: number;
  /** Asked each time a literal is announced: the session's state decides. */
  maxLiteralBytes(): number;
}

export type ReaderError =
  /** A synchronizing literal that is too big: the client waits, so the command is refused and reading goes on. */
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
}

// {123} or {123+} at the end of a line; ten digits at most so that the number is exact.
const LITERAL_MARK = /\{(\d{1,10})(\+)?\}$/;

export class CommandReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Parts of the command being read. */
  private parts: Buffer[] = [];
  private commandBytes = 0;
  private literals = 0;
  /** Bytes of literal still to read, or -1 when reading a line. */
  private literalLeft = -1;
  /** A non-synchronizing literal is being skipped after an error; nothing more is read. */
  private stopped = false;
  private paused = false;

  constructor(
    private readonly limits: ReaderLimits,
    private readonly events: ReaderEvents,
  ) {}

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
  }

  stop(): void {
    this.stopped = true;
    this.discardPending();
  }

  private drain(): void {
    while (!this.paused && !this.stopped && this.pendingBytes > 0) {
      if (this.literalLeft >= 0) this.readLiteral();
      else if (!this.readLine()) return;
    }
  }

  private take(count: number): Buffer {
    const out: Buffer[] = [];
    let left = count;
    while (left > 0) {
      const head = this.pending[0];
      if (head.length <= left) {
        out.push(head);
        this.pending.shift();
        left -= head.length;
      } else {
        out.push(head.subarray(0, left));
        this.pending[0] = head.subarray(left);
        left = 0;
      }
    }
    this.pendingBytes -= count;
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  private readLiteral(): void {
    const count = Math.min(this.literalLeft, this.pendingBytes);
    this.parts.push(this.take(count));
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
      this.parts.push(line);
      this.finishCommand();
      return true;
    }
    const size = Number(mark[1]);
    const synchronizing = mark[2] === undefined;
    const tag = this.currentTag(line);
    if (++this.literals > this.limits.maxLiteralsPerCommand) {
      this.fail({ kind: 'too-many-literals', tag, recoverable: false });
      return false;
    }
    if (size > this.limits.maxLiteralBytes()) {
      if (synchronizing) {
        // The client sends nothing until "+": forget this command and read the next one.
        this.resetCommand();
        this.events.error({ kind: 'literal-too-big', tag, size, recoverable: true });
        return true;
      }
      this.fail({ kind: 'literal-too-big', tag, size, recoverable: false });
      return false;
    }
    this.parts.push(line, CRLF);
    this.literalLeft = size;
    if (size === 0) this.literalLeft = -1;
    if (synchronizing) this.events.continuation();
    return true;
  }

  private finishCommand(): void {
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.resetCommand();
    this.paused = true;
    this.events.command(bytes);
  }

  private resetCommand(): void {
    this.parts = [];
    this.commandBytes = 0;
    this.literals = 0;
  }

  /** The tag of the command being read, for the error reply ("*" when unknown). */
  private currentTag(line?: Buffer): string {
    const first = this.parts[0] ?? line ?? this.pending[0];
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

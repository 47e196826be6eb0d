// The body of a RETR or TOP reply (RFC 1939 3): every line ends with CRLF, a
// line that begins with "." gets one more "." in front, and the reply ends
// with ".\r\n". The message is never turned into a string, and bytes are
// copied once, straight into the session's reply buffer: runs of lines that
// need no change are copied whole, with the few bytes added between them. A
// message larger than the buffer is copied in parts, one buffer at a time.
const DOT = Buffer.from('.');
const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('.\r\n');
const NOTHING = Buffer.alloc(0);

export class MessageStream {
  /** Unchanged bytes raw[from, to) to copy next, then the bytes of `insert` from `inserted` on. */
  private from = 0;
  private to = 0;
  private insert: Buffer = NOTHING;
  private inserted = 0;
  /** Where the next run of unchanged bytes starts. */
  private runStart = 0;
  /** The start of the next line to look at, and whether its start was looked at already (its dot added). */
  private line = 0;
  private lineStartSeen = false;
  private inBody = false;
  private linesLeft: number;
  private ended = false;

  /**
   * `bodyLines` undefined: the whole message (RETR). A number: the header, the
   * blank line after it and that many body lines (TOP, RFC 1939 7).
   */
  constructor(
    private readonly raw: Buffer,
    bodyLines?: number,
  ) {
    this.linesLeft = bodyLines ?? Infinity;
  }

  /** True once every byte, the terminator included, has been copied out. */
  get done(): boolean {
    return this.ended && this.from === this.to && this.inserted === this.insert.length;
  }

  /** Copies as much of the reply as fits into target[offset, target.length); returns the offset after it. */
  fill(target: Buffer, offset: number): number {
    let at = offset;
    for (;;) {
      if (this.from < this.to) {
        const n = Math.min(this.to - this.from, target.length - at);
        at += this.raw.copy(target, at, this.from, this.from + n);
        this.from += n;
        if (this.from < this.to) return at;
      }
      if (this.inserted < this.insert.length) {
        const n = Math.min(this.insert.length - this.inserted, target.length - at);
        at += this.insert.copy(target, at, this.inserted, this.inserted + n);
        this.inserted += n;
        if (this.inserted < this.insert.length) return at;
      }
      if (this.ended) return at;
      this.scan();
    }
  }

  /**
   * Walks whole lines until one needs a change: the run of unchanged bytes
   * before it is copied next, then the bytes the change adds.
   */
  private scan(): void {
    const raw = this.raw;
    let line = this.line;
    for (;;) {
      if (!this.lineStartSeen) {
        if (line >= raw.length || (this.inBody && this.linesLeft-- <= 0)) {
          this.ended = true;
          return this.change(line, TERMINATOR, line);
        }
        if (raw[line] === 0x2e) {
          // The dot goes out before the line, which starts the next run.
          this.lineStartSeen = true;
          return this.change(line, DOT, line);
        }
      }
      this.lineStartSeen = false;
      const lf = raw.indexOf(0x0a, line);
      // The blank line that ends the header (TOP counts body lines after it).
      if (!this.inBody && (lf === line || (lf === line + 1 && raw[line] === 0x0d))) this.inBody = true;
      // The last line has no line end: give it one.
      if (lf === -1) return this.change(raw.length, CRLF, raw.length);
      // A bare LF becomes CRLF.
      if (lf === 0 || raw[lf - 1] !== 0x0d) return this.change(lf, CRLF, lf + 1);
      line = lf + 1;
    }
  }

  /** Unchanged bytes up to `runEnd`, then `insert`; the next run and line start at `next`. */
  private change(runEnd: number, insert: Buffer, next: number): void {
    this.from = this.runStart;
    this.to = runEnd;
    this.insert = insert;
    this.inserted = 0;
    this.runStart = next;
    this.line = next;
  }
}

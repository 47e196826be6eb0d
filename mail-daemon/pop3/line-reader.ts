// Splits the bytes a POP3 client sends into command lines. It never trusts
// the input: a line longer than the limit is not buffered, it is skipped up to
// its line end and reported once, so a 10 kB (or 10 GB) line costs no memory
// and the session carries on with the next line.
//
// RFC 2449 4: a command line is at most 255 octets; RFC 5034 4 lets an AUTH
// line and its SASL responses be longer. One generous limit covers both.
export const MAX_LINE_OCTETS = 1024;

export type LineEvent = { kind: 'line'; text: string } | { kind: 'too-long' };

export class LineReader {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Inside a line that went past the limit: drop bytes until its LF. */
  private skipping = false;

  constructor(private readonly maxOctets = MAX_LINE_OCTETS) {}

  /** The complete lines in this chunk (with anything left over from earlier), in order. */
  feed(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(0x0a, start);
      const end = lf === -1 ? chunk.length : lf;
      if (this.skipping) {
        if (lf !== -1) {
          this.skipping = false;
          events.push({ kind: 'too-long' });
        }
      } else if (this.pendingLength + (end - start) > this.maxOctets) {
        this.pending = [];
        this.pendingLength = 0;
        if (lf === -1) this.skipping = true;
        else events.push({ kind: 'too-long' });
      } else if (lf === -1) {
        this.pending.push(chunk.subarray(start, end));
        this.pendingLength += end - start;
      } else {
        const bytes = this.pending.length ? Buffer.concat([...this.pending, chunk.subarray(start, end)]) : chunk.subarray(start, end);
        this.pending = [];
        this.pendingLength = 0;
        // RFC 1939 3: lines end with CRLF; a bare LF is accepted as well.
        const length = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
        // Passwords may be UTF-8; an invalid byte decodes to U+FFFD, never an exception.
        events.push({ kind: 'line', text: bytes.toString('utf8', 0, length) });
      }
      if (lf === -1) break;
      start = lf + 1;
    }
    return events;
  }

  /** Forgets buffered input (after STLS, RFC 2595 4: nothing sent before the handshake may count). */
  reset(): void {
    this.pending = [];
    this.pendingLength = 0;
    this.skipping = false;
  }
}

// Reads an mbox file (mboxrd and mboxo, as mutt, Thunderbird, Dovecot and
// procmail write it) one message at a time, never holding more than one
// message, and never more than `maxMessageSize` bytes of it: a message that
// is bigger, or a line of any length, costs a counter and not memory.
//
// A message starts at a line "From " that follows an empty line (or starts
// the file); that empty line belongs to the separator, not to the message
// before. A message whose Content-Length header counts its body exactly is
// taken as it is (mboxcl2, as Dovecot writes it: "From " lines in the body
// are not quoted, and the count says where the message ends); in any other
// message ">From ", ">>From " ... lose one ">" (mboxrd; for mboxo, whose
// writers only quoted "From ", this is the same).
import { createReadStream } from 'node:fs';

export interface MboxMessage {
  /** The From_ line after "From " (sender and date), at most MAX_SEPARATOR bytes. */
  separator: string;
  /** The message's bytes, unquoted; null when it was bigger than the limit. */
  raw: Buffer | null;
  /** Its size in bytes, counted even when it was too big to keep. */
  size: number;
}

const LF = 0x0a;
const CR = 0x0d;
const FROM = Buffer.from('From ');
const MAX_SEPARATOR = 1000;

type LineStart = 'from' | 'plain' | 'undecided';

function lineStart(buf: Buffer, pos: number): LineStart {
  for (let k = 0; k < FROM.length; k++) {
    if (pos + k >= buf.length) return 'undecided';
    if (buf[pos + k] !== FROM[k]) return 'plain';
  }
  return 'from';
}

export class NotMboxError extends Error {}

/** Splits the file at From_ lines, the state kept between chunks; the bytes are as in the file. */
class MboxSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** The last bytes of the message so far, for its ending empty line. */
  private tail = Buffer.alloc(0);
  private separator: Buffer[] | null = null;
  private separatorLength = 0;
  private inSeparator = false;
  private atLineStart = true;
  private lineLength = 0;
  private lastByte = -1;
  // The file's start counts as following an empty line.
  private previousBlank = true;
  private carry: Buffer | null = null;
  private started = false;

  constructor(private readonly maxMessageSize: number) {}

  /** Takes the next chunk; returns the messages it completed. */
  push(chunk: Buffer): MboxMessage[] {
    return this.scan(this.carry ? Buffer.concat([this.carry, chunk]) : chunk, false);
  }

  /** The end of the file: the last message. */
  end(): MboxMessage[] {
    const done = this.scan(this.carry ?? Buffer.alloc(0), true);
    if (this.separator) done.push(this.finish());
    else if (!this.started) throw new NotMboxError('the file is empty');
    return done;
  }

  private scan(buf: Buffer, eof: boolean): MboxMessage[] {
    this.carry = null;
    const done: MboxMessage[] = [];
    let pos = 0;
    let copyFrom = 0;
    while (pos < buf.length) {
      if (this.inSeparator) {
        const nl = buf.indexOf(LF, pos);
        const end = nl === -1 ? buf.length : nl;
        this.keepSeparator(buf.subarray(pos, end));
        if (nl === -1) return (this.lastByte = buf[buf.length - 1]), done;
        this.inSeparator = false;
        this.previousBlank = false;
        pos = copyFrom = nl + 1;
        this.atLineStart = true;
        continue;
      }
      if (this.atLineStart) {
        const kind = lineStart(buf, pos);
        if (kind === 'undecided' && !eof) {
          this.append(buf.subarray(copyFrom, pos));
          this.carry = Buffer.from(buf.subarray(pos));
          return done;
        }
        if (!this.started) {
          if (kind !== 'from') throw new NotMboxError('it does not start with a "From " line');
          this.started = true;
        }
        if (kind === 'from' && this.previousBlank) {
          this.append(buf.subarray(copyFrom, pos));
          if (this.separator) done.push(this.finish());
          this.separator = [];
          this.inSeparator = true;
          this.atLineStart = false;
          pos = copyFrom = pos + FROM.length;
          continue;
        }
        this.atLineStart = false;
        this.lineLength = 0;
      }
      const nl = buf.indexOf(LF, pos);
      if (nl === -1) {
        this.lineLength += buf.length - pos;
        this.lastByte = buf[buf.length - 1];
        pos = buf.length;
        break;
      }
      this.lineLength += nl - pos;
      const beforeLf = nl > pos ? buf[nl - 1] : this.lastByte;
      this.previousBlank = this.lineLength === 0 || (this.lineLength === 1 && beforeLf === CR);
      this.lastByte = LF;
      this.atLineStart = true;
      pos = nl + 1;
    }
    this.append(buf.subarray(copyFrom, pos));
    return done;
  }

  private keepSeparator(bytes: Buffer): void {
    const room = MAX_SEPARATOR - this.separatorLength;
    if (room <= 0 || !this.separator) return;
    const kept = Buffer.from(bytes.subarray(0, room));
    this.separator.push(kept);
    this.separatorLength += kept.length;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0 || !this.separator) return;
    this.size += bytes.length;
    this.tail = Buffer.concat([this.tail, bytes.subarray(-4)]).subarray(-4);
    if (this.size > this.maxMessageSize + 2) this.parts = [];
    else this.parts.push(Buffer.from(bytes));
  }

  private finish(): MboxMessage {
    const separator = Buffer.concat(this.separator ?? []).toString('latin1').replace(/\r$/, '');
    let raw: Buffer | null = this.size > this.maxMessageSize + 2 ? null : Buffer.concat(this.parts);
    // The empty line before the next "From " (or at the end) is the separator's.
    const trailing = blankLineAtEnd(this.tail);
    const size = this.size - trailing;
    if (raw) raw = raw.subarray(0, size);
    if (raw && raw.length > this.maxMessageSize) raw = null;
    this.parts = [];
    this.size = 0;
    this.tail = Buffer.alloc(0);
    this.separator = null;
    this.separatorLength = 0;
    return { separator, raw, size };
  }
}

function blankLineAtEnd(raw: Buffer): number {
  const n = raw.length;
  if (n >= 4 && raw[n - 1] === LF && raw[n - 2] === CR && raw[n - 3] === LF && raw[n - 4] === CR) return 2;
  if (n >= 2 && raw[n - 1] === LF && raw[n - 2] === LF) return 1;
  if (n === 1 && raw[0] === LF) return 1;
  return 0;
}

/** The body's length as its Content-Length header gives it, or null. */
function contentLength(raw: Buffer): { header: number; length: number } | null {
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  const header = crlf !== -1 && (lf === -1 || crlf < lf) ? crlf + 4 : lf !== -1 ? lf + 2 : -1;
  if (header === -1) return null;
  const match = /^content-length:[ \t]*(\d{1,12})[ \t]*\r?$/im.exec(raw.toString('latin1', 0, header));
  return match ? { header, length: Number(match[1]) } : null;
}

const QUOTED_FROM = /^>(>*From )/gm;

/** mboxrd: ">From " loses one ">" at the start of every line. */
export function unquoteFromLines(raw: Buffer): Buffer {
  if (!raw.includes('>From ')) return raw;
  return Buffer.from(raw.toString('latin1').replace(QUOTED_FROM, '$1'), 'latin1');
}

// A body with more unquoted "From " lines after empty lines than this is not taken as counted.
const MAX_JOINED_PIECES = 100;

/**
 * The file's messages: a piece that the splitter cut short at a "From " line
 * of the body is joined with the pieces after it while its Content-Length
 * says the body goes on (and the joined message stays within the limit).
 */
export class MboxReader {
  private readonly splitter: MboxSplitter;
  private held: MboxMessage[] = [];
  private counted = { header: 0, length: 0 };
  private joinedLength = 0;

  constructor(private readonly maxMessageSize: number) {
    this.splitter = new MboxSplitter(maxMessageSize);
  }

  push(chunk: Buffer): MboxMessage[] {
    const out: MboxMessage[] = [];
    for (const piece of this.splitter.push(chunk)) this.take(piece, out);
    return out;
  }

  end(): MboxMessage[] {
    const out: MboxMessage[] = [];
    for (const piece of this.splitter.end()) this.take(piece, out);
    while (this.held.length > 0) this.release(out);
    return out;
  }

  private take(piece: MboxMessage, out: MboxMessage[]): void {
    if (this.held.length === 0) {
      const counted = piece.raw ? contentLength(piece.raw) : null;
      if (!counted || !piece.raw) return void out.push(unquoted(piece));
      this.held = [piece];
      this.counted = counted;
      this.joinedLength = piece.raw.length;
    } else {
      if (!piece.raw) {
        this.release(out);
        return this.take(piece, out);
      }
      this.held.push(piece);
      this.joinedLength += 2 * this.eol().length + FROM.length + piece.separator.length + piece.raw.length;
    }
    const body = this.joinedLength - this.counted.header;
    if (body === this.counted.length && this.joinedLength <= this.maxMessageSize) {
      out.push(this.joined());
      this.held = [];
    } else if (body > this.counted.length || this.joinedLength > this.maxMessageSize || this.held.length > MAX_JOINED_PIECES) {
      this.release(out);
    }
  }

  private eol(): string {
    const raw = this.held[0].raw!;
    return raw[raw.length - 2] === CR ? '\r\n' : '\n';
  }

  private joined(): MboxMessage {
    const eol = this.eol();
    const parts: Buffer[] = [this.held[0].raw!];
    for (const piece of this.held.slice(1)) parts.push(Buffer.from(`${eol}From ${piece.separator}${eol}`, 'latin1'), piece.raw!);
    const raw = Buffer.concat(parts);
    return { separator: this.held[0].separator, raw, size: raw.length };
  }

  /** The count was wrong: the first piece is a message of its own, the others are looked at again. */
  private release(out: MboxMessage[]): void {
    const [first, ...rest] = this.held;
    this.held = [];
    out.push(unquoted(first));
    for (const piece of rest) this.take(piece, out);
  }
}

function unquoted(message: MboxMessage): MboxMessage {
  if (!message.raw) return message;
  const raw = unquoteFromLines(message.raw);
  return { ...message, raw, size: raw.length };
}

/** The messages of an mbox file in order, with how far into the file the reader got (for progress). */
export async function* readMbox(path: string, maxMessageSize: number): AsyncGenerator<MboxMessage & { offset: number }> {
  const reader = new MboxReader(maxMessageSize);
  let offset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    offset += (chunk as Buffer).length;
    for (const message of reader.push(chunk as Buffer)) yield { ...message, offset };
  }
  for (const message of reader.end()) yield { ...message, offset };
}

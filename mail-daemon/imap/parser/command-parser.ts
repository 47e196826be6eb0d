// Parses one command (as CommandReader hands it out) into a tag, a name and a
// tree of tokens (RFC 3501 9: atoms, quoted strings, literals, parenthesized
// lists, and the BODY[section]<partial> form of FETCH). Commands then read
// their arguments from the tokens with ArgumentReader. Pure: bytes in, values
// out; anything malformed is an ImapParseError, which the session answers BAD.

export type Token =
  | { type: 'atom'; value: string; section?: Token[]; partial?: { start: number; length?: number } }
  | { type: 'string'; value: Buffer; literal: boolean }
  | { type: 'list'; items: Token[] };

export interface ParsedCommand {
  tag: string;
  /** Upper case; "UID FETCH" for the UID forms. */
  name: string;
  args: Token[];
}

export class ImapParseError extends Error {
  constructor(
    message: string,
    /** The tag when it could be read, so that the BAD goes to the right command. */
    readonly tag = '*',
  ) {
    super(message);
    this.name = 'ImapParseError';
  }
}

export const MAX_NESTING = 16;

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;
const BRACE = 0x7b;
const BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LT = 0x3c;

// RFC 3501 9: a tag is astring characters except "+".
const TAG = /^[^\x00-\x20\x7f-\xff(){%*"\\+]+$/;

// The FETCH items that take a [section] (RFC 3501 6.4.5, RFC 3516). Anywhere
// else "[" and "]" are atom characters: "a[b" is a mailbox name (RFC 3501 9 astring).
const SECTION_ITEMS = /^(BODY|BODY\.PEEK|BINARY|BINARY\.PEEK|BINARY\.SIZE)$/i;

/** Bytes that end an atom. "]" ends one only inside a section. */
function endsAtom(byte: number, inSection: boolean): boolean {
  return byte <= SP || byte === 0x7f || byte === OPEN || byte === CLOSE || byte === QUOTE || byte === BRACE || (inSection && byte === CLOSE_BRACKET);
}

export function parseCommand(bytes: Buffer): ParsedCommand {
  const parser = new Parser(bytes);
  const tag = parser.tag();
  if (!parser.space()) throw new ImapParseError('missing command', tag);
  let name = parser.commandName(tag);
  if (name === 'UID') {
    if (!parser.space()) throw new ImapParseError('UID needs a command', tag);
    name = `UID ${parser.commandName(tag)}`;
  }
  try {
    return { tag, name, args: parser.arguments() };
  } catch (error) {
    if (error instanceof ImapParseError) throw new ImapParseError(error.message, tag);
    throw error;
  }
}

/** The tag of bytes that did not parse, if one can be read (for the BAD). */
export function tagOf(bytes: Buffer): string {
  try {
    return new Parser(bytes).tag();
  } catch {
    return '*';
  }
}

class Parser {
  private pos = 0;

  constructor(private readonly bytes: Buffer) {}

  tag(): string {
    const start = this.pos;
    while (this.pos < this.bytes.length && this.bytes[this.pos] !== SP) this.pos++;
    const tag = this.bytes.toString('latin1', start, this.pos);
    if (!TAG.test(tag)) throw new ImapParseError('invalid tag');
    return tag;
  }

  space(): boolean {
    if (this.bytes[this.pos] !== SP) return false;
    this.pos++;
    return true;
  }

  commandName(tag: string): string {
    const start = this.pos;
    while (this.pos < this.bytes.length && /[A-Za-z0-9]/.test(String.fromCharCode(this.bytes[this.pos]))) this.pos++;
    if (this.pos === start || this.pos - start > 32) throw new ImapParseError('invalid command name', tag);
    return this.bytes.toString('latin1', start, this.pos).toUpperCase();
  }

  arguments(): Token[] {
    const args: Token[] = [];
    while (this.pos < this.bytes.length) {
      if (!this.space()) throw new ImapParseError('expected a space between arguments');
      // Some clients end a command with a space; tolerate it.
      if (this.pos === this.bytes.length) break;
      args.push(this.token(0, false));
    }
    return args;
  }

  private token(depth: number, inSection: boolean): Token {
    const byte = this.bytes[this.pos];
    if (byte === undefined) throw new ImapParseError('unexpected end of command');
    if (byte === OPEN) return this.list(depth + 1, inSection);
    if (byte === QUOTE) return this.quoted();
    if (byte === BRACE) return this.literal();
    if (byte === 0x7e && this.bytes[this.pos + 1] === BRACE) {
      // RFC 3516 literal8 ~{n}: the same bytes, which may hold NUL.
      this.pos++;
      return this.literal();
    }
    return this.atom(depth, inSection);
  }

  private list(depth: number, inSection: boolean): Token {
    if (depth > MAX_NESTING) throw new ImapParseError('too deeply nested');
    this.pos++; // (
    const items: Token[] = [];
    for (;;) {
      const byte = this.bytes[this.pos];
      if (byte === undefined) throw new ImapParseError('unbalanced parenthesis');
      if (byte === CLOSE) {
        this.pos++;
        return { type: 'list', items };
      }
      if (items.length > 0) {
        if (!this.space()) throw new ImapParseError('expected a space in a list');
        // A space before ")" is tolerated as above.
        if (this.bytes[this.pos] === CLOSE) continue;
      }
      items.push(this.token(depth, inSection));
    }
  }

  private quoted(): Token {
    this.pos++; // "
    const out: number[] = [];
    for (;;) {
      const byte = this.bytes[this.pos++];
      if (byte === undefined || byte === CR || byte === LF) throw new ImapParseError('unterminated quoted string');
      if (byte === 0) throw new ImapParseError('NUL in a quoted string');
      if (byte === QUOTE) return { type: 'string', value: Buffer.from(out), literal: false };
      if (byte === BACKSLASH) {
        const next = this.bytes[this.pos++];
        if (next !== QUOTE && next !== BACKSLASH) throw new ImapParseError('invalid escape in a quoted string');
        out.push(next);
      } else {
        out.push(byte);
      }
    }
  }

  private literal(): Token {
    const close = this.bytes.indexOf('}', this.pos);
    const mark = close === -1 ? '' : this.bytes.toString('latin1', this.pos, close + 1);
    const match = /^\{(\d{1,10})\+?\}$/.exec(mark);
    if (!match) throw new ImapParseError('invalid literal');
    this.pos = close + 1;
    if (this.bytes[this.pos] !== CR || this.bytes[this.pos + 1] !== LF) throw new ImapParseError('a literal must end its line');
    this.pos += 2;
    const size = Number(match[1]);
    if (this.pos + size > this.bytes.length) throw new ImapParseError('literal is shorter than announced');
    const value = this.bytes.subarray(this.pos, this.pos + size);
    this.pos += size;
    return { type: 'string', value, literal: true };
  }

  private atom(depth: number, inSection: boolean): Token {
    const start = this.pos;
    for (; this.pos < this.bytes.length && !endsAtom(this.bytes[this.pos], inSection); this.pos++) {
      if (this.bytes[this.pos] === BRACKET && !inSection && SECTION_ITEMS.test(this.bytes.toString('latin1', start, this.pos))) break;
    }
    const value = this.bytes.toString('latin1', start, this.pos);
    const next = this.bytes[this.pos];
    if (next === 0 || (next !== undefined && next < SP && next !== CR)) throw new ImapParseError('control character in a command');
    if (next === BRACKET) return this.section(value, depth);
    if (value.length === 0) throw new ImapParseError(next === undefined ? 'unexpected end of command' : `unexpected ${JSON.stringify(String.fromCharCode(next))}`);
    return { type: 'atom', value };
  }

  /** BODY[...], BODY.PEEK[...]<1.2>, BINARY[...]: the section holds tokens, then an optional partial. */
  private section(name: string, depth: number): Token {
    if (depth + 1 > MAX_NESTING) throw new ImapParseError('too deeply nested');
    this.pos++; // [
    const items: Token[] = [];
    for (;;) {
      const byte = this.bytes[this.pos];
      if (byte === undefined) throw new ImapParseError('unterminated section');
      if (byte === CLOSE_BRACKET) {
        this.pos++;
        break;
      }
      if (items.length > 0 && !this.space()) throw new ImapParseError('expected a space in a section');
      items.push(this.token(depth + 1, true));
    }
    const token: Token = { type: 'atom', value: name, section: items };
    if (this.bytes[this.pos] === LT) {
      const close = this.bytes.indexOf('>', this.pos);
      const text = close === -1 ? '' : this.bytes.toString('latin1', this.pos + 1, close);
      const match = /^(\d{1,10})(?:\.(\d{1,10}))?$/.exec(text);
      if (!match) throw new ImapParseError('invalid partial');
      token.partial = { start: Number(match[1]), ...(match[2] !== undefined ? { length: Number(match[2]) } : {}) };
      if (token.partial.length === 0) throw new ImapParseError('a partial length must not be zero');
      this.pos = close + 1;
    }
    if (this.pos < this.bytes.length && !endsAtom(this.bytes[this.pos], true)) throw new ImapParseError('unexpected bytes after a section');
    return token;
  }
}

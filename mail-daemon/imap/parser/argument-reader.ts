// Reads a command's arguments from its tokens in order, as RFC 3501 9 names
// them (atom, astring, nstring, list, number, sequence-set). A command's
// parse() is a few calls to this, so its grammar reads at a glance and a
// missing or extra argument is a BAD before the handler runs.
import { ImapParseError, type Token } from './command-parser.ts';
import { parseSequenceSet, type SequenceSet } from './sequence-set.ts';

export class ArgumentReader {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly what = 'argument',
  ) {}

  get done(): boolean {
    return this.index >= this.tokens.length;
  }

  get remaining(): number {
    return this.tokens.length - this.index;
  }

  peek(): Token | undefined {
    return this.tokens[this.index];
  }

  next(name: string): Token {
    const token = this.tokens[this.index++];
    if (!token) throw new ImapParseError(`missing ${name}`);
    return token;
  }

  /** An atom, returned as written. */
  atom(name: string): string {
    const token = this.next(name);
    if (token.type !== 'atom' || token.section) throw new ImapParseError(`${name} must be an atom`);
    return token.value;
  }

  /** An atom if the next token is that word (any case); consumes it. */
  optionalWord(word: string): boolean {
    const token = this.peek();
    if (token?.type === 'atom' && !token.section && token.value.toUpperCase() === word) {
      this.index++;
      return true;
    }
    return false;
  }

  /** An atom or a string, as bytes (RFC 3501 astring). */
  astringBytes(name: string): Buffer {
    const token = this.next(name);
    if (token.type === 'string') return token.value;
    if (token.type === 'atom' && !token.section) return Buffer.from(token.value, 'latin1');
    throw new ImapParseError(`${name} must be a string`);
  }

  /** An astring as text: UTF-8 (RFC 6855 and what clients send), else the bytes as they are. */
  astring(name: string): string {
    const bytes = this.astringBytes(name);
    const text = bytes.toString('utf8');
    if (text.includes('\u0000')) throw new ImapParseError(`NUL in ${name}`);
    return text;
  }

  /** A string only (quoted or literal), e.g. APPEND's message. */
  string(name: string): Buffer {
    const token = this.next(name);
    if (token.type !== 'string') throw new ImapParseError(`${name} must be a string or literal`);
    return token.value;
  }

  list(name: string): Token[] {
    const token = this.next(name);
    if (token.type !== 'list') throw new ImapParseError(`${name} must be a parenthesized list`);
    return token.items;
  }

  optionalList(): Token[] | undefined {
    const token = this.peek();
    if (token?.type !== 'list') return undefined;
    this.index++;
    return token.items;
  }

  /** A list, or a single item where the grammar allows one without parentheses (flags, fetch items). */
  listOrSingle(name: string): Token[] {
    const token = this.next(name);
    return token.type === 'list' ? token.items : [token];
  }

  number(name: string, max = 0xffffffff): number {
    const text = this.atom(name);
    if (!/^\d{1,20}$/.test(text) || Number(text) > max) throw new ImapParseError(`${name} must be a number`);
    return Number(text);
  }

  sequenceSet(name = 'sequence set'): SequenceSet {
    return parseSequenceSet(this.atom(name));
  }

  /** The arguments not read yet, for grammars read as a whole (SEARCH, SORT and THREAD criteria). */
  rest(): Token[] {
    const tokens = this.tokens.slice(this.index);
    this.index = this.tokens.length;
    return tokens;
  }

  /** No more arguments may follow. */
  end(): void {
    if (!this.done) throw new ImapParseError(`unexpected ${this.what} after the last one`);
  }
}

/** The atoms of a list, e.g. flags or STATUS items; anything else is a BAD. */
export function atomsOf(tokens: Token[], name: string): string[] {
  return tokens.map((token) => {
    if (token.type !== 'atom' || token.section) throw new ImapParseError(`${name} must be atoms`);
    return token.value;
  });
}

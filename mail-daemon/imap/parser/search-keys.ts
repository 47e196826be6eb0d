// SEARCH criteria (RFC 3501 6.4.4, RFC 7162 3.1.5 MODSEQ, RFC 4731 RETURN)
// as a tree: a list of keys is their AND, OR and NOT nest. Pure, on the
// parsed tokens; evaluation is in mail-daemon/imap/search.ts.
import { ImapParseError, type Token } from './command-parser.ts';
import { atomsOf } from './argument-reader.ts';
import { isSequenceSet, parseSequenceSet, type SequenceSet } from './sequence-set.ts';


export type SearchKey =
  | { op: 'all' }
  | { op: 'and'; keys: SearchKey[] }
  | { op: 'or'; left: SearchKey; right: SearchKey }
  | { op: 'not'; key: SearchKey }
  | { op: 'seq'; set: SequenceSet }
  | { op: 'uid'; set: SequenceSet }
  | { op: 'flag'; flag: string; set: boolean }
  | { op: 'date'; field: 'internal' | 'sent'; compare: 'before' | 'on' | 'since'; day: string }
  | { op: 'size'; compare: 'larger' | 'smaller'; bytes: number }
  | { op: 'header'; field: string; value: string }
  | { op: 'text'; where: 'body' | 'text'; value: string }
  | { op: 'modseq'; modseq: number }
  | { op: 'recent' };

export interface SearchCommand {
  /** RFC 4731 RETURN options, upper case; undefined for a plain SEARCH. */
  returns?: string[];
  charset?: string;
  key: SearchKey;
}

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};
const DATE_KEYS: Record<string, ['internal' | 'sent', 'before' | 'on' | 'since']> = {
  BEFORE: ['internal', 'before'],
  ON: ['internal', 'on'],
  SINCE: ['internal', 'since'],
  SENTBEFORE: ['sent', 'before'],
  SENTON: ['sent', 'on'],
  SENTSINCE: ['sent', 'since'],
};
const HEADER_KEYS: Record<string, string> = { FROM: 'from', TO: 'to', CC: 'cc', BCC: 'bcc', SUBJECT: 'subject' };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
export const SEARCH_CHARSETS = ['UTF-8', 'US-ASCII'];
const RETURN_OPTIONS = new Set(['MIN', 'MAX', 'COUNT', 'ALL']);
const MAX_KEYS = 1000;

/** RFC 3501 date: d-Mon-yyyy, as "yyyy-mm-dd" for comparing. */
export function parseSearchDate(text: string): string {
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  const month = match ? MONTHS.indexOf(match[2].toUpperCase()) : -1;
  if (!match || month < 0 || Number(match[1]) < 1 || Number(match[1]) > 31) throw new ImapParseError(`invalid date ${JSON.stringify(text.slice(0, 20))}`);
  return `${match[3]}-${String(month + 1).padStart(2, '0')}-${match[1].padStart(2, '0')}`;
}

class KeyReader {
  private index = 0;
  count = 0;

  constructor(private readonly tokens: Token[]) {}

  get done(): boolean {
    return this.index >= this.tokens.length;
  }

  private next(what: string): Token {
    const token = this.tokens[this.index++];
    if (!token) throw new ImapParseError(`missing ${what}`);
    return token;
  }

  private text(what: string): string {
    const token = this.next(what);
    if (token.type === 'string') return token.value.toString('utf8');
    if (token.type === 'atom' && !token.section) return token.value;
    throw new ImapParseError(`${what} must be a string`);
  }

  private number(what: string): number {
    const value = this.text(what);
    if (!/^\d{1,19}$/.test(value)) throw new ImapParseError(`${what} must be a number`);
    return Number(value);
  }

  key(): SearchKey {
    if (++this.count > MAX_KEYS) throw new ImapParseError('too many search keys');
    const token = this.next('search key');
    if (token.type === 'list') {
      if (token.items.length === 0) throw new ImapParseError('empty search key list');
      const inner = new KeyReader(token.items);
      inner.count = this.count;
      const keys = inner.all();
      this.count = inner.count;
      return keys.length === 1 ? keys[0] : { op: 'and', keys };
    }
    if (token.type !== 'atom' || token.section) throw new ImapParseError('invalid search key');
    const name = token.value.toUpperCase();
    if (isSequenceSet(token.value)) return { op: 'seq', set: parseSequenceSet(token.value) };
    if (name in FLAG_KEYS) {
      const [flag, set] = FLAG_KEYS[name];
      return { op: 'flag', flag, set };
    }
    if (name in DATE_KEYS) {
      const [field, compare] = DATE_KEYS[name];
      return { op: 'date', field, compare, day: parseSearchDate(this.text('date')) };
    }
    if (name in HEADER_KEYS) return { op: 'header', field: HEADER_KEYS[name], value: this.text('search string') };
    switch (name) {
      case 'ALL':
        return { op: 'all' };
      // RFC 3501 6.4.4: \Recent in this session; NEW is RECENT UNSEEN, OLD is NOT RECENT.
      case 'RECENT':
        return { op: 'recent' };
      case 'NEW':
        return { op: 'and', keys: [{ op: 'recent' }, { op: 'flag', flag: '\\Seen', set: false }] };
      case 'OLD':
        return { op: 'not', key: { op: 'recent' } };
      case 'KEYWORD':
      case 'UNKEYWORD':
        return { op: 'flag', flag: this.text('keyword'), set: name === 'KEYWORD' };
      case 'LARGER':
      case 'SMALLER':
        return { op: 'size', compare: name === 'LARGER' ? 'larger' : 'smaller', bytes: this.number('size') };
      case 'HEADER': {
        const field = this.text('header field name');
        return { op: 'header', field: field.toLowerCase(), value: this.text('search string') };
      }
      case 'BODY':
      case 'TEXT':
        return { op: 'text', where: name === 'BODY' ? 'body' : 'text', value: this.text('search string') };
      case 'UID':
        return { op: 'uid', set: parseSequenceSet(this.text('UID set')) };
      case 'NOT':
        return { op: 'not', key: this.key() };
      case 'OR':
        return { op: 'or', left: this.key(), right: this.key() };
      case 'MODSEQ': {
        // RFC 7162 3.1.5: an optional entry name and type come first; they are ignored here.
        const peek = this.tokens[this.index];
        if (peek?.type === 'string' || (peek?.type === 'atom' && !/^\d+$/.test(peek.value))) {
          this.next('entry name');
          this.text('entry type');
        }
        return { op: 'modseq', modseq: this.number('modseq') };
      }
      default:
        throw new ImapParseError(`unknown search key ${name.slice(0, 40)}`);
    }
  }

  all(): SearchKey[] {
    const keys: SearchKey[] = [];
    while (!this.done) keys.push(this.key());
    return keys;
  }

  /** What is left (after RETURN and CHARSET). */
  rest(): Token[] {
    return this.tokens.slice(this.index);
  }
}

/**
 * RFC 4466 2.6 RETURN (options), if the tokens start with it (SEARCH, and SORT
 * with ESORT, RFC 5267 3.1): the options, upper case, and the tokens after it.
 */
export function parseReturnOptions(tokens: Token[]): { returns?: string[]; rest: Token[] } {
  const first = tokens[0];
  if (first?.type !== 'atom' || first.value.toUpperCase() !== 'RETURN') return { rest: tokens };
  const list = tokens[1];
  if (list?.type !== 'list') throw new ImapParseError('RETURN needs a list');
  const options = atomsOf(list.items, 'RETURN option').map((o) => o.toUpperCase());
  for (const option of options) if (!RETURN_OPTIONS.has(option)) throw new ImapParseError(`unknown RETURN option ${option.slice(0, 20)}`);
  return { returns: options, rest: tokens.slice(2) };
}

/** The search keys of SEARCH, SORT and THREAD (one or more, ANDed). */
export function parseSearchCriteria(tokens: Token[]): SearchKey {
  if (tokens.length === 0) throw new ImapParseError('missing search criteria');
  const keys = new KeyReader(tokens).all();
  return keys.length === 1 ? keys[0] : { op: 'and', keys };
}

/** A charset name as SORT and THREAD give it, and as SEARCH's CHARSET names it: upper case. */
export function charsetName(token: Token | undefined): string {
  if (!token || token.type === 'list') throw new ImapParseError('missing charset');
  return (token.type === 'atom' ? token.value : token.value.toString('latin1')).toUpperCase();
}

/** SEARCH [RETURN (options)] [CHARSET name] key... */
export function parseSearch(tokens: Token[]): SearchCommand {
  const { returns, rest: afterReturn } = parseReturnOptions(tokens);
  let rest = afterReturn;
  let charset: string | undefined;
  const first = rest[0];
  if (first?.type === 'atom' && first.value.toUpperCase() === 'CHARSET') {
    charset = charsetName(rest[1]);
    rest = rest.slice(2);
  }
  return { ...(returns ? { returns } : {}), ...(charset ? { charset } : {}), key: parseSearchCriteria(rest) };
}

/** Whether the criteria name MODSEQ (the response then carries (MODSEQ n), RFC 7162 3.1.5). */
export function usesModseq(key: SearchKey): boolean {
  switch (key.op) {
    case 'modseq':
      return true;
    case 'and':
      return key.keys.some(usesModseq);
    case 'or':
      return usesModseq(key.left) || usesModseq(key.right);
    case 'not':
      return usesModseq(key.key);
    default:
      return false;
  }
}

// The search box's language, as in Gmail and Fastmail: from:, to:,
// subject:, has:attachment, is:unread / is:read / is:flagged (is:starred),
// before: and after: (YYYY-MM-DD or YYYY/MM/DD), in:folder, "quoted
// phrases" (also as a value: from:"Bob Builder"), and free words. The one
// parser of it, used by the search route and, to write the Options panel's
// fields into the box, by the browser; nothing here touches the database.

export interface ParsedSearch {
  from?: string;
  to?: string;
  subject?: string;
  /** Free words and phrases, in the order typed: the message holds this text. */
  text?: string;
  /** On or after this day (UTC midnight). */
  after?: Date;
  /** Before this day (UTC midnight). */
  before?: Date;
  hasAttachment?: boolean;
  unread?: boolean;
  flagged?: boolean;
  /** A folder by name (in:sent, in:"Projects/2026"); in:anywhere is every folder. */
  folder?: string;
}

/** The keys the box understands; a word with another key is searched as text. */
export const SEARCH_KEYS = ['from', 'to', 'subject', 'has', 'is', 'before', 'after', 'in'] as const;
type Key = (typeof SEARCH_KEYS)[number];

/** A query is at most this long: hostile input costs us no more than this. */
export const MAX_QUERY = 1000;

interface Token {
  key?: Key;
  value: string;
}

/** Splits the query into key:value pairs and text, honouring double quotes. */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /(?:([A-Za-z]+):)?(?:"([^"]*)"?|(\S+))/g;
  for (const match of query.slice(0, MAX_QUERY).matchAll(pattern)) {
    const [, rawKey, quoted, bare] = match;
    const key = rawKey?.toLowerCase() as Key | undefined;
    const value = quoted ?? bare ?? '';
    if (rawKey && !SEARCH_KEYS.includes(key!)) tokens.push({ value: `${rawKey}:${value}` });
    else if (key && value === '' && quoted === undefined) tokens.push({ value: `${rawKey}:` });
    else tokens.push({ key, value });
  }
  return tokens.filter((t) => t.key || t.value.trim() !== '');
}

function day(value: string): Date | undefined {
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(value);
  if (!match) return undefined;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return Number.isFinite(date.getTime()) && date.getUTCDate() === Number(match[3]) ? date : undefined;
}

export function parseSearchQuery(query: string): ParsedSearch {
  const parsed: ParsedSearch = {};
  const text: string[] = [];
  for (const { key, value } of tokenize(query)) {
    switch (key) {
      case 'from':
      case 'to':
      case 'subject':
        // Gmail: a repeated key narrows; here the last one counts.
        if (value) parsed[key] = value;
        break;
      case 'has':
        if (value.toLowerCase() === 'attachment') parsed.hasAttachment = true;
        else text.push(`has:${value}`);
        break;
      case 'is': {
        const state = value.toLowerCase();
        if (state === 'unread') parsed.unread = true;
        else if (state === 'read') parsed.unread = false;
        else if (state === 'flagged' || state === 'starred') parsed.flagged = true;
        else text.push(`is:${value}`);
        break;
      }
      case 'before':
      case 'after': {
        const date = day(value);
        if (date) parsed[key] = date;
        else text.push(`${key}:${value}`);
        break;
      }
      case 'in':
        if (value) parsed.folder = value;
        break;
      default:
        text.push(value);
    }
  }
  const joined = text.join(' ').trim();
  if (joined) parsed.text = joined;
  return parsed;
}

/** A value as the box shows it: quoted when it holds a space or a quote is needed. */
function quote(value: string): string {
  const clean = value.replace(/"/g, '');
  return /\s/.test(clean) || clean === '' ? `"${clean}"` : clean;
}

function format(tokens: Token[]): string {
  return tokens.map((t) => (t.key ? `${t.key}:${quote(t.value)}` : /\s/.test(t.value) ? `"${t.value}"` : t.value)).join(' ');
}

/**
 * The query with one key set to a value, or removed when the value is empty:
 * how the Options panel writes its fields into the box, keeping the rest.
 */
export function withSearchKey(query: string, key: 'from' | 'to' | 'subject' | 'before' | 'after' | 'in', value: string): string {
  const kept = tokenize(query).filter((t) => t.key !== key);
  if (value.trim()) kept.push({ key, value: value.trim() });
  return format(kept);
}

/** The query with a flag such as is:unread or has:attachment on or off. */
export function withSearchFlag(query: string, flag: 'has:attachment' | 'is:unread' | 'is:flagged', on: boolean): string {
  const [key, value] = flag.split(':') as ['has' | 'is', string];
  const kept = tokenize(query).filter((t) => !(t.key === key && t.value.toLowerCase() === value));
  if (on) kept.push({ key, value });
  return format(kept);
}

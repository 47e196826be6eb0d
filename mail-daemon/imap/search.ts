// Evaluates SEARCH criteria (RFC 3501 6.4.4) against the messages of the
// selected mailbox. Flags, internal dates, sizes and the subject (decoded at
// delivery) come from the message rows; From, To, Cc, Bcc and Date from the
// search fields stored with the content (store/search-fields.ts); other
// headers read the stored header bytes, only when the criteria need them.
// BODY and TEXT are answered beforehand by the store's full-text search
// (textHits), one query per key.
import libmime from 'libmime';
import type { SearchRow } from '../store/messages.ts';
import { headerBytes } from '../store/mime-structure.ts';
import { splitHeaderFields, type HeaderField } from '../store/header-fields.ts';
import { headerFieldValues, SEARCH_FIELD_NAMES, type SearchFields } from '../store/search-fields.ts';
import { parseSearchDate, type SearchKey } from './parser/search-keys.ts';
import { concreteRanges } from './parser/sequence-set.ts';
import type { LoadedContent } from '../store/bulk-reads.ts';

/** What the keys read of a message's row. */
export type SearchMessage = Pick<SearchRow, 'uid' | 'modseq' | 'flags' | 'internalDate' | 'size' | 'subject' | 'contentHash'>;

export interface SearchTarget {
  message: SearchMessage;
  seq: number;
  /** The stored search fields, when the content has them. */
  searchFields?: SearchFields;
  /** The header bytes, for keys the stored search fields do not answer. */
  content?: LoadedContent;
  /** The header's fields, split once per message when a key needs them. */
  fields?: HeaderField[];
}

export interface SearchScope {
  /** The number of messages and the largest UID in the session's view, for "*". */
  exists: number;
  largestUid: number;
  /** The session's \\Recent messages. */
  recent: ReadonlySet<number>;
  /** For each BODY or TEXT key, the UIDs whose text contains its string. */
  textHits: Map<SearchKey, Set<number>>;
}

/** The header fields a key reads (lower case), beyond the message row. */
function headerFieldsRead(key: SearchKey): string[] {
  switch (key.op) {
    case 'header':
      // The subject is kept decoded with the message; addresses are matched in the
      // whole field (names, groups, parts of addresses), and "" asks whether the field is there.
      return key.field !== 'subject' || key.value === '' ? [key.field] : [];
    case 'date':
      // SENT* read the Date field as written (sentDate is its instant in UTC).
      return key.field === 'sent' ? ['date'] : [];
    case 'and':
      return key.keys.flatMap(headerFieldsRead);
    case 'or':
      return [...headerFieldsRead(key.left), ...headerFieldsRead(key.right)];
    case 'not':
      return headerFieldsRead(key.key);
    default:
      return [];
  }
}

/** What of the header a key needs: nothing, only the stored search fields, or the header bytes. */
export function headerNeeds(key: SearchKey): 'none' | 'search-fields' | 'header' {
  const fields = headerFieldsRead(key);
  return fields.length === 0 ? 'none' : fields.every((name) => SEARCH_FIELD_NAMES.has(name)) ? 'search-fields' : 'header';
}

function inRanges(value: number, ranges: [number, number][]): boolean {
  return ranges.some(([low, high]) => value >= low && value <= high);
}

function contains(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle.toLowerCase());
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function compareDay(value: string, compare: 'before' | 'on' | 'since', day: string): boolean {
  return compare === 'before' ? value < day : compare === 'on' ? value === day : value >= day;
}

/** The values of a header field, unfolded and as written: from the stored search fields when the message has them, else from its header bytes. */
function fieldValues(target: SearchTarget, name: string): string[] {
  if (target.searchFields && SEARCH_FIELD_NAMES.has(name)) return target.searchFields[name] ?? [];
  const { raw, structure } = target.content!;
  target.fields ??= splitHeaderFields(headerBytes(raw, structure));
  return headerFieldValues(target.fields, name);
}

/**
 * RFC 3501 6.4.4: SENT* compare the Date field "disregarding time and
 * timezone", so the day as written ("Fri, 20 Nov 2026 23:30 -0500" is the
 * 20th, though the 21st in UTC). Without a readable one, the internal date.
 */
function sentDay(target: SearchTarget): string {
  const match = /(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{2,4})\b/.exec(fieldValues(target, 'date')[0] ?? '');
  if (match) {
    // RFC 5322 4.3: a two-digit year below 50 is 20xx, others and three digits 19xx.
    const year = Number(match[3]) + (match[3].length === 2 ? (Number(match[3]) < 50 ? 2000 : 1900) : match[3].length === 3 ? 1900 : 0);
    try {
      return parseSearchDate(`${match[1]}-${match[2]}-${year}`);
    } catch {
      // Not a month name: fall through.
    }
  }
  return dayOf(target.message.internalDate);
}

/** RFC 2047 encoded words decoded; the text as it is where they cannot be. */
export function decodeWords(value: string): string {
  // Nothing to decode without an encoded word (or libmime's NUL-marked joiner): most values, as they are.
  if (!value.includes('=?') && !value.includes('\0')) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

function headerMatches(target: SearchTarget, field: string, value: string): boolean {
  if (field === 'subject' && value !== '') return contains(target.message.subject, value);
  // RFC 3501 6.4.4: a substring of the field's value; an empty string matches every message that has the field.
  return fieldValues(target, field).some((v) => value === '' || contains(decodeWords(v), value));
}

/** The BODY and TEXT keys of a search, for the full-text queries that run before matching. */
export function textKeys(key: SearchKey): Extract<SearchKey, { op: 'text' }>[] {
  switch (key.op) {
    case 'text':
      return [key];
    case 'and':
      return key.keys.flatMap(textKeys);
    case 'or':
      return [...textKeys(key.left), ...textKeys(key.right)];
    case 'not':
      return textKeys(key.key);
    default:
      return [];
  }
}

/**
 * The UIDs a match must be among, when the key requires a BODY or TEXT match
 * (alone or ANDed): then only those messages need to be read. Null: any.
 */
export function requiredUids(key: SearchKey, scope: SearchScope): Set<number> | null {
  if (key.op === 'text') return scope.textHits.get(key) ?? null;
  if (key.op !== 'and') return null;
  let smallest: Set<number> | null = null;
  for (const part of key.keys) {
    const required = requiredUids(part, scope);
    if (required && (!smallest || required.size < smallest.size)) smallest = required;
  }
  return smallest;
}

export function matches(key: SearchKey, target: SearchTarget, scope: SearchScope): boolean {
  const { message } = target;
  switch (key.op) {
    case 'all':
      return true;
    case 'and':
      return key.keys.every((k) => matches(k, target, scope));
    case 'or':
      return matches(key.left, target, scope) || matches(key.right, target, scope);
    case 'not':
      return !matches(key.key, target, scope);
    case 'seq':
      return inRanges(target.seq, concreteRanges(key.set, scope.exists));
    case 'uid':
      return inRanges(message.uid, concreteRanges(key.set, scope.largestUid));
    case 'flag':
      return message.flags.some((f) => f.toLowerCase() === key.flag.toLowerCase()) === key.set;
    case 'date':
      return compareDay(key.field === 'sent' ? sentDay(target) : dayOf(message.internalDate), key.compare, key.day);
    case 'size':
      return key.compare === 'larger' ? message.size > key.bytes : message.size < key.bytes;
    case 'header':
      return headerMatches(target, key.field, key.value);
    case 'text':
      return scope.textHits.get(key)?.has(message.uid) ?? false;
    case 'modseq':
      return message.modseq >= key.modseq;
    case 'recent':
      return scope.recent.has(message.uid);
  }
}

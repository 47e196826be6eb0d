// The features the junk filter scores, as tokens: the words a reader sees
// (text parts and the visible text of HTML parts, from the stored MIME tree,
// no second parse), words of the subject and of a few header fields that tell
// how a message was made and sent, the SPF/DKIM/DMARC results of our own
// Authentication-Results field (RFC 8601), and whether the sender is someone
// the account has written to. Prefixes keep the kinds apart ("subject:free" is
// not "free"). Only listed header fields count: trace and X-Spam-* fields
// added by other filters would teach the model their verdicts, not the mail.
import type { MimeNode } from '../store/mime-structure.ts';
import { extractMessageText } from '../store/message-text.ts';

/** Distinct tokens per message at most: a huge message costs no more than this. */
export const MAX_TOKENS = 1500;
/** Text per message: this many bytes decoded, and characters scanned. The rest of a huge message is never looked at (as SpamAssassin and Rspamd skip what is past their size limits). */
const MAX_TEXT = 200_000;

// A word: letters, digits, currency signs, apostrophes, dashes and "!", with
// neither the apostrophes, dashes and "!" it starts with nor the apostrophes
// and dashes it ends with.
const WORD = /[\p{L}\p{N}$€£](?:[\p{L}\p{N}$€£'’!-]*[\p{L}\p{N}$€£!])?/gu;
const URL_HOST = /\bhttps?:\/\/([a-z0-9.-]+)/gi;
/**
 * Text is read a slice at a time, cut at white space so that no word is cut:
 * match() on a slice allocates its words and nothing else, where matchAll
 * allocated a match object per word (the junk filter's words were a quarter
 * of the bytes allocated per inbound message, issue 12).
 */
const SLICE = 1024;
const SLICE_END = /[ \t\r\n]/g;

function words(text: string, prefix: string, into: Set<string>): void {
  const scanned = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  for (let start = 0; start < scanned.length; ) {
    SLICE_END.lastIndex = start + SLICE;
    const end = start + SLICE < scanned.length ? (SLICE_END.exec(scanned)?.index ?? scanned.length) : scanned.length;
    for (const found of (start === 0 && end === scanned.length ? scanned : scanned.slice(start, end)).match(WORD) ?? []) {
      if (into.size >= MAX_TOKENS) return;
      const word = found.toLowerCase();
      if (word.length < 3) continue;
      // Long strings (encoded blobs, hashes) count by their length only.
      into.add(word.length > 20 ? `${prefix}long:${Math.floor(word.length / 10)}` : prefix + word);
    }
    start = end;
  }
}

type HeaderFields = Map<string, string[]>;

/** Each field's values (its first line, trimmed) by lowercase name, from one pass over the header's lines. */
function headerFields(header: string): HeaderFields {
  const fields: HeaderFields = new Map();
  for (const line of header.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const values = fields.get(name);
    if (values) values.push(value);
    else fields.set(name, [value]);
  }
  return fields;
}

function field(fields: HeaderFields, name: string): string[] {
  return fields.get(name) ?? [];
}

function domainOf(value: string): string {
  const match = /@([a-z0-9.-]+)/i.exec(value);
  return match ? match[1].toLowerCase() : '';
}

function headerTokens(header: HeaderFields, into: Set<string>): void {
  for (const subject of field(header, 'subject')) words(subject, 'subject:', into);
  const from = field(header, 'from')[0] ?? '';
  into.add(`from:${domainOf(from) || 'none'}`);
  if (/^[^<]*</.test(from)) words(from.slice(0, from.indexOf('<')), 'fromname:', into);
  const replyTo = field(header, 'reply-to')[0];
  if (replyTo) into.add(domainOf(replyTo) === domainOf(from) ? 'reply-to:same' : 'reply-to:other');
  const messageId = field(header, 'message-id')[0];
  into.add(messageId ? `message-id:${domainOf(messageId).split('.').slice(-2).join('.') || 'odd'}` : 'message-id:none');
  for (const name of ['x-mailer', 'user-agent']) for (const value of field(header, name)) words(value, `${name}:`, into);
  const contentType = field(header, 'content-type')[0];
  into.add(`content-type:${contentType ? contentType.split(';')[0].trim().toLowerCase() : 'none'}`);
  const charset = contentType && /charset="?([\w-]+)/i.exec(contentType);
  if (charset) into.add(`charset:${charset[1].toLowerCase()}`);
  const to = field(header, 'to').join(',');
  into.add(`to:${to ? Math.min(to.split(',').length, 5) : 0}`);
  if (field(header, 'list-id').length) into.add('list-id');
  if (field(header, 'date').length === 0) into.add('date:none');
}

/** "auth:spf=pass", "auth:dkim=fail"... from the first (our own) Authentication-Results field. */
function authenticationTokens(header: HeaderFields, into: Set<string>): void {
  const results = field(header, 'authentication-results')[0];
  if (!results) return;
  for (const method of ['spf', 'dkim', 'dmarc']) {
    const match = new RegExp(`\\b${method}=([a-z]+)`, 'i').exec(results);
    into.add(`auth:${method}=${match ? match[1].toLowerCase() : 'none'}`);
  }
}

export interface TokenContext {
  /** The sender is an address the account has written to. */
  knownSender?: boolean;
}

const senderToken = (known: boolean) => (known ? 'sender:known' : 'sender:first-contact');

export function messageTokens(raw: Buffer, structure: MimeNode, context: TokenContext = {}): string[] {
  const text = extractMessageText(raw, structure, MAX_TEXT);
  const tokens = new Set<string>();
  if (context.knownSender !== undefined) tokens.add(senderToken(context.knownSender));
  const fields = headerFields(text.header);
  authenticationTokens(fields, tokens);
  headerTokens(fields, tokens);
  for (const match of text.body.slice(0, MAX_TEXT).matchAll(URL_HOST)) {
    if (tokens.size >= MAX_TOKENS) break;
    tokens.add(`url:${match[1].toLowerCase().split('.').slice(-2).join('.')}`);
  }
  words(text.body, '', tokens);
  return [...tokens];
}

/**
 * The tokens for a sender known or not, from those worked out before that was
 * read (knownSender false, on the preparation thread): the sender's token is
 * the first, the rest do not depend on it.
 */
export function tokensForSender(firstContactTokens: string[], knownSender: boolean): string[] {
  return knownSender ? [senderToken(true), ...firstContactTokens.slice(1)] : firstContactTokens;
}

// The columns of a Message row that listings, search and threading read,
// worked out once at delivery. The field names are the column names: the
// summary is spread into the row as it is.
//
// Only the header is parsed (mailparser decodes its fields); the preview and
// the attachment flag come from the stored MIME tree (mime-structure.ts), and
// only the start of the first text is decoded. So a 50 MB message costs no
// more here than a small one: a full parse would hold its decoded parts, a
// few times its size, in memory at once.
import { createHash, randomUUID } from 'node:crypto';
import { MailParser } from 'mailparser';
import type { AddressObject, EmailAddress, MailParserOptions } from 'mailparser';
import { headerBytes, parseMimeStructure, type MimeNode } from './mime-structure.ts';
import { decodeTextPart, htmlToText } from './message-text.ts';

export interface MessageSummary {
  subject: string;
  fromAddress: string;
  fromName: string;
  /** Lower-case addresses, ", " between them; group members are listed, group names are not. */
  toAddresses: string;
  ccAddresses: string;
  sentDate: Date | null;
  /** Message ids with their angle brackets; references in header order, one space between them. */
  messageId: string;
  inReplyTo: string;
  references: string;
  /** The root of the conversation, so every reply gets the same one without a lookup. */
  threadId: string;
  /** The start of the text body, whitespace collapsed. */
  preview: string;
  hasAttachments: boolean;
}

export const PREVIEW_LENGTH = 200;
/** Text decoded for the preview, and HTML converted for it when there is no text. */
const PREVIEW_SOURCE = PREVIEW_LENGTH * 20;
const HTML_PREVIEW_SOURCE = 100_000;
/** A longer header is cut at a line end before it is parsed. */
const MAX_HEADER_BYTES = 1024 * 1024;
/** A longer thread id is hashed: it is indexed, and a PostgreSQL index entry is limited to about 2.7 kB. */
const MAX_THREAD_ID_LENGTH = 250;

/** A header line as mailsplit reports it: the field name lower-cased, the line unfolded as it came (CRLF kept). */
interface HeaderLine {
  key: string;
  line: string;
}

/** The decoded fields of a header; what simpleParser would return for a message that is only this header. */
export interface ParsedHeader {
  headerLines: HeaderLine[];
  subject?: string;
  from?: AddressObject;
  to?: AddressObject | AddressObject[];
  cc?: AddressObject | AddressObject[];
}

/**
 * mailparser's own decoding of header lines (encoded words, charsets,
 * address lists, groups, punycode), called on one parser that is never fed:
 * simpleParser ran a Transform, mailsplit's splitter and several turns of the
 * event loop per message for the same result, about 10% of the main thread
 * with 10 SMTP sessions (issue 12). processHeaders is mailparser's method for
 * each node's header; tests/store/message-summary checks that the two agree.
 */
const headerDecoder = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, keepCidLinks: true } as MailParserOptions) as unknown as {
  processHeaders(lines: HeaderLine[]): Map<string, unknown>;
};

/** The header's lines, split and unfolded as mailsplit's Headers does (RFC 5322 2.2.3), with its mbox and HTTP preambles left out. */
function headerLines(header: Buffer): HeaderLine[] {
  let end = header.length;
  // An index scan: a regular expression for the trailing line ends is quadratic on a run of them.
  while (end > 0 && (header[end - 1] === 0x0a || header[end - 1] === 0x0d)) end--;
  const key = (name: string) => name.toLowerCase().trim();
  const folded = (line: string) => line.startsWith(' ') || line.startsWith('\t');
  const lines: HeaderLine[] = [];
  // The last line has no colon yet: a continuation line may bring its name.
  let keyPending = false;
  header.toString('binary', 0, end).split(/\r?\n/).forEach((line, i) => {
    const last = lines[lines.length - 1];
    const colon = line.indexOf(':');
    if (i > 0 && folded(line)) {
      if (!last) return;
      if (keyPending && colon >= 0) {
        last.key = key(`${last.line}\r\n${line.slice(0, colon)}`);
        keyPending = false;
      }
      last.line += `\r\n${line}`;
      return;
    }
    if (i === 0 && /^(From|POST) /i.test(line)) return;
    lines.push({ key: colon < 0 ? '' : key(line.slice(0, colon)), line });
    keyPending = colon < 0;
  });
  return lines;
}

/** `structure` is the message's MIME tree when the caller has it already. */
export async function summarizeMessage(raw: Buffer, structure: MimeNode = parseMimeStructure(raw)): Promise<MessageSummary> {
  const parsed = parseHeader(headerOf(raw, structure));
  return { ...summaryOf(parsed), preview: previewOf(raw, structure), hasAttachments: hasAttachments(structure, false) };
}

/**
 * The fields decoded by mailparser; the others are read from the lines. Each
 * line is decoded on its own, so leaving the rest out changes none of these:
 * on mail from outside, the trace fields (Return-Path, Received,
 * Authentication-Results, DKIM-Signature) were most of the decoding (issue 12).
 */
const DECODED_FIELDS = new Set(['subject', 'from', 'to', 'cc']);

/** The header's fields, decoded as mailparser decodes them; null when it cannot be read. */
export function parseHeader(header: Buffer): ParsedHeader | null {
  try {
    const headerLinesOf = headerLines(header);
    const fields = headerDecoder.processHeaders(headerLinesOf.filter((line) => DECODED_FIELDS.has(line.key)));
    return {
      headerLines: headerLinesOf,
      subject: fields.get('subject') as string | undefined,
      from: fields.get('from') as AddressObject | undefined,
      to: fields.get('to') as AddressObject | AddressObject[] | undefined,
      cc: fields.get('cc') as AddressObject | AddressObject[] | undefined,
    };
  } catch {
    return null;
  }
}

/** The top-level header, cut at a line end when it is longer than MAX_HEADER_BYTES. */
function headerOf(raw: Buffer, structure: MimeNode): Buffer {
  const header = headerBytes(raw, structure);
  if (header.length <= MAX_HEADER_BYTES) return header;
  const lineEnd = header.lastIndexOf(0x0a, MAX_HEADER_BYTES);
  return Buffer.concat([header.subarray(0, lineEnd + 1), Buffer.from('\r\n')]);
}

function summaryOf(mail: ParsedHeader | null): Omit<MessageSummary, 'preview' | 'hasAttachments'> {
  const header = (name: string) => (mail ? headerValue(mail, name) : '');
  const from = mail ? mailboxes(mail.from)[0] : undefined;
  const messageId = messageIds(header('message-id'))[0] ?? '';
  const inReplyTo = messageIds(header('in-reply-to'))[0] ?? '';
  const references = messageIds(header('references'));
  return {
    subject: clean(mail?.subject ?? ''),
    fromAddress: clean(from?.address?.toLowerCase() ?? ''),
    fromName: clean(from?.name ?? ''),
    toAddresses: addressList(mail?.to),
    ccAddresses: addressList(mail?.cc),
    sentDate: dateOf(header('date')),
    messageId,
    inReplyTo,
    references: references.join(' '),
    threadId: threadIdOf(references[0] || inReplyTo || messageId || `<${randomUUID()}@thread.invalid>`),
  };
}

/** The first field of that name, unfolded, not decoded. */
function headerValue(mail: ParsedHeader, name: string): string {
  const line = mail.headerLines.find((l) => l.key === name)?.line ?? '';
  return line.slice(line.indexOf(':') + 1).replace(/[\r\n]+/g, '').trim();
}

/**
 * The ids of a Message-ID, In-Reply-To or References field (RFC 5322 3.6.4)
 * with their brackets. Comments are dropped; the bare ids some mailers write get brackets.
 */
function messageIds(value: string): string[] {
  const uncommented = value.replace(/\([^()]*\)/g, ' ');
  return [...uncommented.matchAll(/<([^<>]*)>|[^\s<>,]+@[^\s<>,]+/g)]
    .map((m) => (m[1] ?? m[0]).replace(/\s+/g, ''))
    .filter(Boolean)
    .map((id) => clean(`<${id}>`));
}

function threadIdOf(root: string): string {
  if (root.length <= MAX_THREAD_ID_LENGTH) return root;
  return `<${createHash('sha256').update(root).digest('hex')}@thread.invalid>`;
}

/** Every mailbox of address headers, the members of groups included. */
function mailboxes(header: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  const flatten = (list: EmailAddress[]): EmailAddress[] => list.flatMap((a) => (a.group ? flatten(a.group) : [a]));
  return [header ?? []].flat().flatMap((h) => flatten(h.value));
}

function addressList(header: AddressObject | AddressObject[] | undefined): string {
  return clean(mailboxes(header).map((a) => a.address?.toLowerCase() ?? '').filter(Boolean).join(', '));
}

/** As mailparser reads a date, but null instead of now when there is none or it is not a date a database can hold. */
function dateOf(value: string): Date | null {
  if (!value) return null;
  const date = new Date(value);
  const year = date.getUTCFullYear();
  return Number.isFinite(date.getTime()) && year >= 1 && year <= 9999 ? date : null;
}

// What mailparser counts as text rather than an attachment (its textTypes),
// so the flag means what it meant when the summary came from a full parse.
const TEXT_TYPES = new Set(['text/plain', 'text/html', 'message/delivery-status']);

/** An inline text part (mailparser's rules: a text type, disposition inline or none). */
function isBodyText(node: MimeNode): boolean {
  const disposition = node.disposition?.type;
  return TEXT_TYPES.has(node.contentType) && (disposition === undefined || disposition === 'inline');
}

/**
 * Any part that is not body text, except an embedded one: a part with a
 * Content-ID inside multipart/related that is not marked as an attachment
 * (an image the HTML shows). A message/rfc822 part counts whole.
 */
function hasAttachments(node: MimeNode, inRelated: boolean): boolean {
  if (node.contentType.startsWith('multipart/')) {
    const related = inRelated || node.contentType === 'multipart/related';
    return (node.children ?? []).some((child) => hasAttachments(child, related));
  }
  if (isBodyText(node)) return false;
  return !(inRelated && node.id) || node.disposition?.type === 'attachment';
}

/** The body text parts in order, not looking into attached messages. */
function bodyTexts(node: MimeNode, into: MimeNode[] = []): MimeNode[] {
  if (node.contentType.startsWith('multipart/')) for (const child of node.children ?? []) bodyTexts(child, into);
  else if (isBodyText(node)) into.push(node);
  return into;
}

/** The start of the text parts; of the first HTML part, as text, when they have none. */
function previewOf(raw: Buffer, structure: MimeNode): string {
  const parts = bodyTexts(structure);
  let text = '';
  for (const part of parts.filter((p) => p.contentType !== 'text/html')) {
    if (text.length >= PREVIEW_SOURCE) break;
    text += (text ? '\n' : '') + decodeTextPart(raw, part, PREVIEW_SOURCE - text.length);
  }
  const html = parts.find((p) => p.contentType === 'text/html');
  if (!text.trim() && html) text = htmlToText(decodeTextPart(raw, html, HTML_PREVIEW_SOURCE));
  const collapsed = collapsedStart(text.slice(0, PREVIEW_SOURCE), PREVIEW_LENGTH * 2).trim();
  return codePoints(collapsed.slice(0, PREVIEW_LENGTH * 2), PREVIEW_LENGTH).trimEnd();
}

/**
 * The runs of white space that are not already one space: replacing these by
 * one space gives what replacing every run would, without a piece per word
 * (most runs in text are one space).
 */
const NOT_ONE_SPACE = /[^\S ]\s*| \s+/g;

/**
 * The start of `text` cleaned, each run of white space as one space, without
 * the white space it starts with; longer than `length` unless that is all of
 * it. Collapsing a prefix gives a prefix of the whole collapsed, so only what
 * the preview needs is collapsed: collapsing the whole source was a tenth of
 * the bytes allocated per inbound message (issue 12).
 */
function collapsedStart(text: string, length: number): string {
  for (let source = length * 2; ; source *= 4) {
    const collapsed = clean(text.slice(0, source)).replace(NOT_ONE_SPACE, ' ').trimStart();
    if (collapsed.length > length || source >= text.length) return collapsed;
  }
}

/** The first `count` code points of `text`, never cutting a surrogate pair (as Array.from counts them). */
function codePoints(text: string, count: number): string {
  let end = 0;
  for (let n = 0; n < count && end < text.length; n++) {
    const unit = text.charCodeAt(end);
    end += unit >= 0xd800 && unit <= 0xdbff && end + 1 < text.length && (text.charCodeAt(end + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return text.slice(0, end);
}

/** PostgreSQL text cannot hold NUL, and no other control character is worth keeping. */
function clean(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

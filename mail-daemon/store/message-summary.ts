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
import { simpleParser } from 'mailparser';
import type { AddressObject, EmailAddress, ParsedMail, SimpleParserOptions } from 'mailparser';
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

const PARSER_OPTIONS: SimpleParserOptions = {
  maxHeadSize: 2 * MAX_HEADER_BYTES,
  // The header alone is parsed: there is no body to convert.
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  keepCidLinks: true,
  checksumAlgo: false,
};

/** `structure` is the message's MIME tree when the caller has it already. */
export async function summarizeMessage(raw: Buffer, structure: MimeNode = parseMimeStructure(raw)): Promise<MessageSummary> {
  const parsed = await parse(headerOf(raw, structure));
  return { ...summaryOf(parsed), preview: previewOf(raw, structure), hasAttachments: hasAttachments(structure, false) };
}

async function parse(header: Buffer): Promise<ParsedMail | null> {
  try {
    return await simpleParser(header, PARSER_OPTIONS);
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

function summaryOf(mail: ParsedMail | null): Omit<MessageSummary, 'preview' | 'hasAttachments'> {
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
function headerValue(mail: ParsedMail, name: string): string {
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
  const collapsed = clean(text.slice(0, PREVIEW_SOURCE)).replace(/\s+/g, ' ').trim();
  // Cut at code points, never inside a surrogate pair.
  return Array.from(collapsed.slice(0, PREVIEW_LENGTH * 2)).slice(0, PREVIEW_LENGTH).join('').trimEnd();
}

/** PostgreSQL text cannot hold NUL, and no other control character is worth keeping. */
function clean(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

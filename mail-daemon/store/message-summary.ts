// The columns of a Message row that listings, search and threading read,
// worked out once at delivery. The field names are the column names: the
// summary is spread into the row as it is.
import { createHash, randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { AddressObject, EmailAddress, ParsedMail, SimpleParserOptions } from 'mailparser';
import { MAX_PARTS } from './mime-structure.ts';

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
/** Longer HTML is not converted whole; only its start is, for the preview. */
const MAX_HTML_TO_CONVERT = 1_000_000;
const HTML_PREVIEW_SOURCE = 100_000;
/** A longer thread id is hashed: it is indexed, and a PostgreSQL index entry is limited to about 2.7 kB. */
const MAX_THREAD_ID_LENGTH = 250;

const PARSER_OPTIONS: SimpleParserOptions = {
  maxHtmlLengthToParse: MAX_HTML_TO_CONVERT,
  // The message was accepted already; its parts are limited where the MIME structure limits them.
  maxChildNodes: MAX_PARTS,
  maxHeadSize: 16 * 1024 * 1024,
  // Nothing below is used here.
  skipTextToHtml: true,
  skipImageLinks: true,
  keepCidLinks: true,
  checksumAlgo: false,
};

export async function summarizeMessage(raw: Buffer): Promise<MessageSummary> {
  const parsed = (await parse(raw)) ?? (await parse(headerSection(raw)));
  return summaryOf(parsed);
}

async function parse(raw: Buffer): Promise<ParsedMail | null> {
  try {
    return await simpleParser(raw, PARSER_OPTIONS);
  } catch {
    return null;
  }
}

/** The header alone, for when the whole message is beyond the parser (too many parts, say). */
function headerSection(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i !== -1);
  return raw.subarray(0, ends.length > 0 ? Math.min(...ends) + 1 : raw.length);
}

async function summaryOf(mail: ParsedMail | null): Promise<MessageSummary> {
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
    preview: mail ? await previewOf(mail) : '',
    hasAttachments: mail?.attachments.some((a) => !a.related || a.contentDisposition === 'attachment') ?? false,
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

async function previewOf(mail: ParsedMail): Promise<string> {
  let text = mail.text ?? '';
  if (!text.trim() && typeof mail.html === 'string' && mail.html.length > MAX_HTML_TO_CONVERT) {
    // Too long to convert whole: the start of it is enough for a preview.
    const start = Buffer.from(`Content-Type: text/html; charset=utf-8\r\n\r\n${mail.html.slice(0, HTML_PREVIEW_SOURCE)}`);
    text = (await parse(start))?.text ?? '';
  }
  const collapsed = clean(text.slice(0, PREVIEW_LENGTH * 20)).replace(/\s+/g, ' ').trim();
  // Cut at code points, never inside a surrogate pair.
  return Array.from(collapsed.slice(0, PREVIEW_LENGTH * 2)).slice(0, PREVIEW_LENGTH).join('').trimEnd();
}

/** PostgreSQL text cannot hold NUL, and no other control character is worth keeping. */
function clean(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

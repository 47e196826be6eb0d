// A message as delivery stores it, worked out from its bytes alone: CRLF line
// ends, the key it is stored under, its MIME structure and summary. No
// database here: the preparation thread (delivery/preparation-thread.ts) runs
// this module without the database's client and drivers in its memory.
import { createHash } from 'node:crypto';
import { parseMimeStructure, type MimeNode } from './mime-structure.ts';
import { summarizeMessage, type MessageSummary } from './message-summary.ts';
import type { PreparedText } from './full-text-search.ts';

export interface PreparedContent {
  hash: string;
  raw: Buffer;
  size: number;
  structure: string;
  /**
   * Its envelope and search fields (contentFields) are not written in the
   * delivery's transaction but after it (deferred-text-index.ts), and worked
   * out there.
   */
  fieldsLater?: boolean;
}

/**
 * The message with every bare LF turned into CRLF (RFC 5322 2.3): stored mail
 * always has CRLF line ends, so the sizes IMAP and POP3 announce are the bytes
 * they send. A message that already uses CRLF is returned as it is.
 */
export function withCrlf(raw: Buffer): Buffer {
  let bare = 0;
  for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) if (i === 0 || raw[i - 1] !== 13) bare++;
  if (bare === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + bare);
  let from = 0;
  let to = 0;
  for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) {
    if (i > 0 && raw[i - 1] === 13) continue;
    to += raw.copy(out, to, from, i);
    out[to++] = 13;
    from = i;
  }
  raw.copy(out, to, from);
  return out;
}

/** The key a message's bytes (with CRLF line ends) are stored under. */
export function contentHash(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/**
 * Hashes and parses the MIME structure once, outside any transaction. The
 * envelope and search fields are worked out where they are written
 * (contentFields): in the daemon on the delivery thread, after the answer
 * on SQLite, not on the thread that reads and checks mail.
 */
export function prepareContent(input: Buffer): PreparedContent {
  const raw = withCrlf(input);
  const structure = parseMimeStructure(raw);
  return { hash: contentHash(raw), raw, size: raw.length, structure: JSON.stringify(structure) };
}

/** Parsing done once per message, before the transaction. */
export interface PreparedMessage {
  content: PreparedContent;
  summary: MessageSummary;
  /**
   * For full-text search: worked out by the delivery writer (withSearchText)
   * when left out; null: not indexed at delivery, the first search that needs
   * it indexes the message.
   */
  text?: PreparedText | null;
}

export async function prepareMessage(raw: Buffer): Promise<PreparedMessage> {
  const content = prepareContent(raw);
  return { content, summary: await summarizeMessage(content.raw, JSON.parse(content.structure) as MimeNode) };
}

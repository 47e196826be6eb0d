// Raw message content, stored once per sha256 and shared by every copy.
import { createHash } from 'node:crypto';
import type { Tx } from './transaction.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { runInTx, type Steps } from './sql-steps.ts';
import { messageEnvelope } from './envelope.ts';
import { headerBytes, parseMimeStructure } from './mime-structure.ts';
import { splitHeaderFields } from './header-fields.ts';
import { searchFieldsJson } from './search-fields.ts';

export interface PreparedContent {
  hash: string;
  raw: Buffer;
  size: number;
  structure: string;
  /** JSON of the IMAP ENVELOPE (store/envelope.ts). */
  envelope: string;
  /** JSON of the fields SEARCH reads most (store/search-fields.ts). */
  searchFields: string;
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

/** Hashes and parses the MIME structure once, outside any transaction. */
export function prepareContent(input: Buffer): PreparedContent {
  const raw = withCrlf(input);
  const structure = parseMimeStructure(raw);
  const header = headerBytes(raw, structure);
  return {
    hash: contentHash(raw),
    raw,
    size: raw.length,
    structure: JSON.stringify(structure),
    envelope: JSON.stringify(messageEnvelope(header)),
    searchFields: searchFieldsJson(splitHeaderFields(header)),
  };
}

/** Inserts the content, its envelope and search fields unless the same bytes are already stored. */
export function* contentSteps(content: PreparedContent): Steps<void> {
  yield Prisma.sql`INSERT INTO "MessageContent" ("hash", "raw", "size", "structure", "createdAt")
    VALUES (${content.hash}, ${content.raw}, ${content.size}, ${content.structure}, ${new Date()})
    ON CONFLICT ("hash") DO NOTHING`;
  yield Prisma.sql`INSERT INTO "MessageEnvelope" ("hash", "envelope") VALUES (${content.hash}, ${content.envelope}) ON CONFLICT ("hash") DO NOTHING`;
  yield Prisma.sql`INSERT INTO "MessageSearchFields" ("hash", "fields") VALUES (${content.hash}, ${content.searchFields}) ON CONFLICT ("hash") DO NOTHING`;
}

export function storeContent(tx: Tx, content: PreparedContent): Promise<void> {
  return runInTx(tx, contentSteps(content));
}

/** Deletes contents that no message and no queue entry points at any more (their envelopes go with them, by cascade). */
export function* collectUnusedContentSteps(hashes: Iterable<string>): Steps<void> {
  const unique = [...new Set(hashes)];
  for (let i = 0; i < unique.length; i += 500) {
    yield Prisma.sql`DELETE FROM "MessageContent" WHERE "hash" IN (${Prisma.join(unique.slice(i, i + 500))})
      AND NOT EXISTS (SELECT 1 FROM "Message" m WHERE m."contentHash" = "MessageContent"."hash")
      AND NOT EXISTS (SELECT 1 FROM "QueueMessage" q WHERE q."contentHash" = "MessageContent"."hash")`;
  }
}

export function collectUnusedContent(tx: Tx, hashes: Iterable<string>): Promise<void> {
  return runInTx(tx, collectUnusedContentSteps(hashes));
}

/** Prisma returns Bytes as a Uint8Array; wrap it without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

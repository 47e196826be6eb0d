// Raw message content, stored once per sha256 and shared by every copy.
import type { Tx } from './transaction.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { runInTx, withoutRows, type Steps } from './sql-steps.ts';
import { envelopeOfFields } from './envelope.ts';
import { headerBytes, type MimeNode } from './mime-structure.ts';
import { splitHeaderFields } from './header-fields.ts';
import { searchFieldsJson } from './search-fields.ts';
import { driverReaderFor } from './driver-reads.ts';
import { StoreError } from './errors.ts';
import type { Database } from '../../prisma/database.ts';
import type { PreparedContent } from './prepared-message.ts';

/** A content's JSON of its IMAP ENVELOPE (store/envelope.ts) and of the fields SEARCH reads most (store/search-fields.ts). */
export interface ContentFields {
  envelope: string;
  searchFields: string;
}

export function contentFields(raw: Buffer, structure: string): ContentFields {
  // Split once for both.
  const fields = splitHeaderFields(headerBytes(raw, JSON.parse(structure) as MimeNode));
  return { envelope: JSON.stringify(envelopeOfFields(fields)), searchFields: searchFieldsJson(fields) };
}

/**
 * Contents longer than this keep their first CONTENT_PIECE bytes in
 * MessageContent.raw and the rest in MessageContentChunk rows of this size
 * (schema.prisma): a statement that binds a blob copies it, and SQLite copies
 * it again while building the row, so a 50 MB message stored whole cost 100 MB
 * more than its bytes while it was written (issue 11's hostile bench); in
 * pieces, 2 MiB.
 */
export const CONTENT_PIECE = 1024 * 1024;

/** Inserts the content, its envelope and search fields (unless left for later: fieldsLater) unless the same bytes are already stored. */
export function* contentSteps(content: PreparedContent): Steps<void> {
  const { hash, raw } = content;
  const insert = Prisma.sql`INSERT INTO "MessageContent" ("hash", "raw", "size", "structure", "createdAt")
    VALUES (${hash}, ${raw.subarray(0, CONTENT_PIECE)}, ${content.size}, ${content.structure}, ${new Date()})
    ON CONFLICT ("hash") DO NOTHING`;
  // A content in one piece needs no answer (on PostgreSQL, one round trip less: sql-steps.ts withoutRows).
  if (raw.length <= CONTENT_PIECE) yield withoutRows(insert);
  // Views of the received bytes, not copies; bytes already stored are not written again.
  else if ((yield Prisma.sql`${insert} RETURNING "hash"`).length > 0)
    for (let seq = 1; seq * CONTENT_PIECE < raw.length; seq++)
      yield withoutRows(Prisma.sql`INSERT INTO "MessageContentChunk" ("hash", "seq", "bytes") VALUES (${hash}, ${seq}, ${raw.subarray(seq * CONTENT_PIECE, (seq + 1) * CONTENT_PIECE)})`);
  if (!content.fieldsLater) yield* contentFieldsSteps(hash, contentFields(raw, content.structure));
}

/**
 * The content's envelope and search fields, unless stored already. Both are
 * worked out again from the header where their row is missing
 * (bulk-reads.ts), so rows written after the delivery's commit, or never
 * (the process killed in between), lose nothing.
 */
export function* contentFieldsSteps(hash: string, { envelope, searchFields }: ContentFields): Steps<void> {
  yield withoutRows(Prisma.sql`INSERT INTO "MessageEnvelope" ("hash", "envelope") VALUES (${hash}, ${envelope}) ON CONFLICT ("hash") DO NOTHING`);
  yield withoutRows(Prisma.sql`INSERT INTO "MessageSearchFields" ("hash", "fields") VALUES (${hash}, ${searchFields}) ON CONFLICT ("hash") DO NOTHING`);
}

/** Pieces read per query: a few MiB at a time, never a second copy of the whole message. */
const PIECES_PER_READ = 4;

/**
 * The whole content from its stored "raw" and "size" columns: every reader
 * of content bytes goes through here, since a content over CONTENT_PIECE keeps
 * only its first piece in "raw". The other pieces are copied into one buffer
 * as they are read.
 */
export async function wholeContent(database: Database, hash: string, first: Uint8Array, size: number): Promise<Buffer> {
  if (first.length >= size) return asBuffer(first);
  const whole = Buffer.allocUnsafe(size);
  let at = asBuffer(first).copy(whole, 0);
  const reader = driverReaderFor(database);
  for (let seq = 1; at < size; seq += PIECES_PER_READ) {
    const rows = await reader.rows<{ bytes: Uint8Array }>(Prisma.sql`SELECT "bytes" FROM "MessageContentChunk"
      WHERE "hash" = ${hash} AND "seq" >= ${seq} AND "seq" < ${seq + PIECES_PER_READ} ORDER BY "seq"`);
    // Gone meanwhile: its last message was expunged since its row was read.
    if (rows.length === 0) throw new StoreError('NONEXISTENT', 'message content is missing');
    for (const row of rows) at += asBuffer(row.bytes).copy(whole, at);
  }
  return whole;
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

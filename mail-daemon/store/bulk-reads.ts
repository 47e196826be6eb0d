// Reads of many messages at once, for protocols that list or fetch a whole
// mailbox (IMAP FETCH, SEARCH, SELECT and STATUS). Callers pass content
// hashes of messages they already read through the store's ownership checks
// (listMessageStates and the like), or a mailbox they already found under the
// account.
//   loadContents: the raw bytes and MIME trees of many messages in one query
//     (getMessageContent reads one message in two queries);
//   loadHeaders: the same with only the start of the raw bytes, enough for the
//     message's header (BODY[HEADER.FIELDS ...]);
//   loadEnvelopes: the stored envelopes (MessageEnvelope), with the header
//     for contents stored before envelopes were;
//   loadSearchFields: the stored search fields (MessageSearchFields);
//   mailboxCounts: the numbers of STATUS and SELECT.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { wholeContent } from './content.ts';
import type { MailStore } from './context.ts';
import type { MimeNode } from './mime-structure.ts';
import { driverReaderFor } from './driver-reads.ts';

export interface LoadedContent {
  raw: Buffer;
  structure: MimeNode;
  /** The stored ENVELOPE as JSON (loadEnvelopes); without it ENVELOPE is worked out from the header. */
  envelope?: string;
}

/**
 * Contents by hash. Callers pass hashes of messages they already read through
 * the store's ownership checks (listMessages), so no account check is needed here.
 */
export async function loadContents(store: MailStore, hashes: string[]): Promise<Map<string, LoadedContent>> {
  const unique = [...new Set(hashes)];
  const out = new Map<string, LoadedContent>();
  for (let i = 0; i < unique.length; i += 100) {
    const rows = await store.database.prisma.messageContent.findMany({
      where: { hash: { in: unique.slice(i, i + 100) } },
      select: { hash: true, raw: true, size: true, structure: true },
    });
    for (const row of rows) out.set(row.hash, { raw: await wholeContent(store.database, row.hash, row.raw, row.size), structure: JSON.parse(row.structure) as MimeNode });
  }
  return out;
}

/** Bytes read for a header; a message whose header is longer is read whole. */
const HEADER_PREFIX_BYTES = 16 * 1024;

/**
 * Contents by hash with `raw` cut after the top-level header: only
 * headerBytes(raw, structure) of the result may be used. A FETCH of
 * envelopes or header fields then reads a few kB per message instead of all of it.
 */
export async function loadHeaders(store: MailStore, hashes: string[]): Promise<Map<string, LoadedContent>> {
  const unique = [...new Set(hashes)];
  const out = new Map<string, LoadedContent>();
  const longer: string[] = [];
  const prisma = store.database.prisma;
  // Where the body starts, from the stored MIME tree, and the bytes before it
  // (in hex: the SQLite adapter cannot type a blob that an expression returns).
  const [bodyStart, head] =
    store.database.engine === 'postgres'
      ? [
          Prisma.sql`(("structure"::json)->>'bodyStart')::int`,
          Prisma.sql`encode(substring("raw" from 1 for least((("structure"::json)->>'bodyStart')::int, ${HEADER_PREFIX_BYTES})), 'hex')`,
        ]
      : [Prisma.sql`json_extract("structure", '$.bodyStart')`, Prisma.sql`hex(substr("raw", 1, min(json_extract("structure", '$.bodyStart'), ${HEADER_PREFIX_BYTES})))`];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await prisma.$queryRaw<{ hash: string; bodyStart: number | bigint; head: string }[]>`
      SELECT "hash", ${bodyStart} AS "bodyStart", ${head} AS "head" FROM "MessageContent" WHERE "hash" IN (${Prisma.join(unique.slice(i, i + 500))})`;
    for (const row of rows) {
      const raw = Buffer.from(row.head, 'hex');
      if (Number(row.bodyStart) > raw.length) longer.push(row.hash);
      // Only the root's header is ever read from this node (see above), so its offsets are all it needs.
      else out.set(row.hash, { raw, structure: { start: 0, bodyStart: raw.length } as MimeNode });
    }
  }
  if (longer.length > 0) for (const [hash, content] of await loadContents(store, longer)) out.set(hash, content);
  return out;
}

/** One text column of a content's small table (MessageEnvelope, MessageSearchFields) by hash; hashes without a row are left out. */
async function contentColumn(store: MailStore, table: 'MessageEnvelope' | 'MessageSearchFields', column: 'envelope' | 'fields', hashes: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(hashes)];
  const out = new Map<string, string>();
  // On the driver, with the hashes as one parameter, so the statement is the same for any number.
  const reader = driverReaderFor(store.database);
  const [from, value] = [Prisma.raw(`"${table}"`), Prisma.raw(`"${column}"`)];
  for (let i = 0; i < unique.length; i += 1000) {
    const chunk = unique.slice(i, i + 1000);
    const rows = await reader.arrays(
      store.database.engine === 'postgres'
        ? Prisma.sql`SELECT "hash", ${value} FROM ${from} WHERE "hash" = ANY(${chunk}::text[])`
        : Prisma.sql`SELECT "hash", ${value} FROM ${from} WHERE "hash" IN (SELECT "value" FROM json_each(${JSON.stringify(chunk)}))`,
    );
    for (const [hash, text] of rows) out.set(String(hash), String(text));
  }
  return out;
}

/** The stored search fields (search-fields.ts) by hash, as JSON; contents stored before them are left out. */
export function loadSearchFields(store: MailStore, hashes: string[]): Promise<Map<string, string>> {
  return contentColumn(store, 'MessageSearchFields', 'fields', hashes);
}

/** The stored envelopes (MessageEnvelope) by hash, as JSON; contents stored before them are left out. */
export function loadEnvelopeJson(store: MailStore, hashes: string[]): Promise<Map<string, string>> {
  return contentColumn(store, 'MessageEnvelope', 'envelope', hashes);
}

/** Envelopes by hash, for a FETCH that needs nothing else of the content. */
export async function loadEnvelopes(store: MailStore, hashes: string[]): Promise<Map<string, LoadedContent>> {
  const unique = [...new Set(hashes)];
  const out = new Map<string, LoadedContent>();
  for (const [hash, envelope] of await loadEnvelopeJson(store, unique)) out.set(hash, envelopeContent(envelope));
  const older = unique.filter((hash) => !out.has(hash));
  if (older.length > 0) for (const [hash, content] of await loadHeaders(store, older)) out.set(hash, content);
  return out;
}

const EMPTY = Buffer.alloc(0);
const NO_STRUCTURE = { start: 0, bodyStart: 0 } as MimeNode;

/** A content known by its stored envelope alone (loadEnvelopes, or a listing that brought it). */
export function envelopeContent(envelope: string): LoadedContent {
  return { raw: EMPTY, structure: NO_STRUCTURE, envelope };
}

/** Content read at once is bounded by bytes too, so that a FETCH of big messages holds a few, not a hundred. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/** Splits messages into runs whose contents add up to at most MAX_BATCH_BYTES (one message at least), and of at most `maxCount` messages. */
export function* byContentSize<T extends { size: number }>(messages: T[], maxCount = Infinity): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (batch.length > 0 && (bytes + message.size > MAX_BATCH_BYTES || batch.length >= maxCount)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(message);
    bytes += message.size;
  }
  if (batch.length > 0) yield batch;
}

export interface MailboxCounts {
  messages: number;
  unseen: number;
  deleted: number;
  size: number;
  /** UID of the first unseen message, for SELECT's UNSEEN (RFC 3501 7.1). */
  firstUnseenUid: number | null;
}

/** Counts for a mailbox the caller already found under the account. */
export async function mailboxCounts(store: MailStore, mailboxId: number): Promise<MailboxCounts> {
  const message = store.database.prisma.message;
  const [all, unseen, deleted, firstUnseen] = await Promise.all([
    message.aggregate({ where: { mailboxId }, _count: { _all: true }, _sum: { size: true } }),
    message.count({ where: { mailboxId, seen: false } }),
    message.count({ where: { mailboxId, deleted: true } }),
    message.findFirst({ where: { mailboxId, seen: false }, orderBy: { uid: 'asc' }, select: { uid: true } }),
  ]);
  return { messages: all._count._all, unseen, deleted, size: all._sum.size ?? 0, firstUnseenUid: firstUnseen?.uid ?? null };
}

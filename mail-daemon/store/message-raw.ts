// The raw bytes of several messages in one query, for readers that stream
// many messages in a row (POP3 RETR read-ahead). Like getMessageContent, it
// only returns messages of mailboxes the account owns. On the driver
// (driver-reads.ts): through Prisma, its relation query and row mapping cost
// more than the bytes of a 10 kB message. On PostgreSQL through binary COPY
// (postgres-binary-copy.ts): the bytes as stored, where a query's result
// would carry them as text that the server encodes and we decode.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { wholeContent } from './content.ts';
import type { MailStore } from './context.ts';
import { driverReaderFor } from './driver-reads.ts';

interface RawRow {
  id: number;
  hash: string;
  /** The first piece of the content (content.ts): all of it unless the content is over CONTENT_PIECE. */
  raw: Uint8Array;
  size: number;
}

/** Raw bytes by message row id; ids that are gone or not the account's are absent from the map. */
export async function getRawContents(store: MailStore, accountId: number, messageIds: number[]): Promise<Map<number, Buffer>> {
  if (messageIds.length === 0) return new Map();
  // The ids as one value, so the statement is the same for any number.
  const ids =
    store.database.engine === 'postgres'
      ? Prisma.sql`"m"."id" = ANY(${messageIds}::int[])`
      : Prisma.sql`"m"."id" IN (SELECT "value" FROM json_each(${JSON.stringify(messageIds)}))`;
  const statement = Prisma.sql`
    SELECT "m"."id", "c"."hash", "c"."raw", "c"."size" FROM "Message" "m"
    JOIN "Mailbox" "b" ON "b"."id" = "m"."mailboxId"
    JOIN "MessageContent" "c" ON "c"."hash" = "m"."contentHash"
    WHERE ${ids} AND "b"."accountId" = ${accountId}`;
  const reader = driverReaderFor(store.database);
  const rows: RawRow[] = reader.binaryRows
    ? (await reader.binaryRows(statement)).map(([id, hash, raw, size]) => ({
        // int4 and text as binary COPY writes them: 4 bytes big-endian, UTF-8.
        id: id!.readInt32BE(0),
        hash: hash!.toString('latin1'),
        raw: raw!,
        size: size!.readInt32BE(0),
      }))
    : await reader.rows<RawRow>(statement);
  return new Map(
    await Promise.all(rows.map(async (row) => [Number(row.id), await wholeContent(store.database, row.hash, row.raw, Number(row.size))] as const)),
  );
}

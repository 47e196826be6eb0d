// The raw bytes of several messages in one query, for readers that stream
// many messages in a row (POP3 RETR read-ahead). Like getMessageContent, it
// only returns messages of mailboxes the account owns. On the driver
// (driver-reads.ts): through Prisma, its relation query and row mapping cost
// more than the bytes of a 10 kB message.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { wholeContent } from './content.ts';
import type { MailStore } from './context.ts';
import { driverReaderFor } from './driver-reads.ts';

/** Raw bytes by message row id; ids that are gone or not the account's are absent from the map. */
export async function getRawContents(store: MailStore, accountId: number, messageIds: number[]): Promise<Map<number, Buffer>> {
  if (messageIds.length === 0) return new Map();
  // The ids as one parameter, so the statement is the same for any number.
  const ids =
    store.database.engine === 'postgres'
      ? Prisma.sql`"m"."id" = ANY(${messageIds}::int[])`
      : Prisma.sql`"m"."id" IN (SELECT "value" FROM json_each(${JSON.stringify(messageIds)}))`;
  // PostgreSQL sends bytea as hex, which pg decodes at about 1 µs a kB;
  // base64 is a third shorter and Buffer decodes it (newlines included) ten times faster.
  const raw = store.database.engine === 'postgres' ? Prisma.sql`encode("c"."raw", 'base64')` : Prisma.sql`"c"."raw"`;
  const rows = await driverReaderFor(store.database).rows<{ id: number; hash: string; raw: Uint8Array | string; size: number }>(Prisma.sql`
    SELECT "m"."id", "c"."hash", ${raw} AS "raw", "c"."size" FROM "Message" "m"
    JOIN "Mailbox" "b" ON "b"."id" = "m"."mailboxId"
    JOIN "MessageContent" "c" ON "c"."hash" = "m"."contentHash"
    WHERE ${ids} AND "b"."accountId" = ${accountId}`);
  return new Map(
    await Promise.all(
      rows.map(async (row) => {
        const first = typeof row.raw === 'string' ? Buffer.from(row.raw, 'base64') : row.raw;
        return [Number(row.id), await wholeContent(store.database, row.hash, first, Number(row.size))] as const;
      }),
    ),
  );
}

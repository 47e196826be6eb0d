// The raw bytes of several messages in one query, for readers that stream
// many messages in a row (POP3 RETR read-ahead). Like getMessageContent, it
// only returns messages of mailboxes the account owns.
import { asBuffer } from './content.ts';
import type { MailStore } from './context.ts';

/** Raw bytes by message row id; ids that are gone or not the account's are absent from the map. */
export async function getRawContents(store: MailStore, accountId: number, messageIds: number[]): Promise<Map<number, Buffer>> {
  if (messageIds.length === 0) return new Map();
  const rows = await store.database.prisma.message.findMany({
    where: { id: { in: messageIds }, mailbox: { accountId } },
    select: { id: true, content: { select: { raw: true } } },
  });
  return new Map(rows.map((row) => [row.id, asBuffer(row.content.raw)]));
}

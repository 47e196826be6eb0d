// What IMAP SORT and THREAD read of each message (RFC 5256): the columns
// worked out at delivery (decoded subject, sent date, message ids) and the
// internal date and size, and nothing else of the row, for every message of
// a mailbox from a UID on. A message's values never change once delivered,
// so callers may keep them.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from './context.ts';
import { asDate, driverReaderFor } from './driver-reads.ts';
import { StoreError } from './errors.ts';

export interface SortFields {
  uid: number;
  internalDate: Date;
  sentDate: Date | null;
  size: number;
  subject: string;
  messageId: string;
  inReplyTo: string;
  /** Ids with brackets, one space between them. */
  references: string;
  contentHash: string;
}

export async function listSortFields(store: MailStore, accountId: number, mailboxId: number, fromUid: number): Promise<SortFields[]> {
  // On the driver, as arrays (a whole mailbox the first time: driver-reads.ts), the owner in the
  // same statement: no row is no such mailbox, one without a message none from that UID on.
  const rows = await driverReaderFor(store.database).arrays(Prisma.sql`
    SELECT b."accountId", m."uid", m."internalDate", m."sentDate", m."size", m."subject", m."messageId", m."inReplyTo", m."references", m."contentHash"
    FROM "Mailbox" b LEFT JOIN "Message" m ON m."mailboxId" = b."id" AND m."uid" >= ${fromUid}
    WHERE b."id" = ${mailboxId} ORDER BY m."uid"`);
  if (rows.length === 0 || Number(rows[0][0]) !== accountId) throw new StoreError('NONEXISTENT', 'no such mailbox');
  const out: SortFields[] = [];
  for (const [, uid, internalDate, sentDate, size, subject, messageId, inReplyTo, references, contentHash] of rows) {
    if (uid === null) continue;
    out.push({
      uid: Number(uid),
      internalDate: asDate(internalDate)!,
      sentDate: asDate(sentDate),
      size: Number(size),
      subject: String(subject),
      messageId: String(messageId),
      inReplyTo: String(inReplyTo),
      references: String(references),
      contentHash: String(contentHash),
    });
  }
  return out;
}

// What IMAP SORT and THREAD read of each message (RFC 5256): the columns
// worked out at delivery (decoded subject, sent date, message ids) and the
// internal date and size, and nothing else of the row, for every message of
// a mailbox from a UID on. A message's values never change once delivered,
// so callers may keep them.
import type { MailStore } from './context.ts';
import { getOwnedMailbox } from './mailboxes.ts';

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
  const prisma = store.database.prisma;
  await getOwnedMailbox(prisma, accountId, mailboxId);
  return prisma.message.findMany({
    where: { mailboxId, uid: { gte: fromUid } },
    orderBy: { uid: 'asc' },
    select: { uid: true, internalDate: true, sentDate: true, size: true, subject: true, messageId: true, inReplyTo: true, references: true, contentHash: true },
  });
}

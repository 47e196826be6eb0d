// Removing messages from a mailbox: IMAP EXPUNGE and UID EXPUNGE (only
// \Deleted ones), POP3 DELE at QUIT and "delete forever" (any). The removed
// UIDs are remembered with their modseq for QRESYNC VANISHED (RFC 7162 3.2.10).
import type { Mailbox } from '../../prisma/generated/sqlite/client.ts';
import type { StoreChange } from './change-bus.ts';
import { collectUnusedContent } from './content.ts';
import { mutate, type MailStore } from './context.ts';
import { getOwnedMailbox } from './mailboxes.ts';
import { chargeQuota } from './quota.ts';
import type { Tx } from './transaction.ts';
import { selectionOf, uidConditions, type UidSelection } from './uid-set.ts';

export interface RemoveOptions {
  /** Only messages flagged \Deleted (IMAP EXPUNGE); false removes any. */
  onlyDeleted: boolean;
  uids?: UidSelection | number[];
}

/** Removes messages inside an open transaction; returns the removed UIDs in order. */
export async function removeMessages(tx: Tx, mailbox: Mailbox, options: RemoveOptions, changes: StoreChange[]): Promise<number[]> {
  const victims: { id: number; uid: number; size: number; contentHash: string }[] = [];
  for (const condition of uidConditions(selectionOf(options.uids ?? 'all'))) {
    victims.push(
      ...(await tx.message.findMany({
        where: { mailboxId: mailbox.id, ...(options.onlyDeleted ? { deleted: true } : {}), ...condition },
        select: { id: true, uid: true, size: true, contentHash: true },
      })),
    );
  }
  if (victims.length === 0) return [];
  const { highestModseq: modseq } = await tx.mailbox.update({
    where: { id: mailbox.id },
    data: { highestModseq: { increment: 1 } },
    select: { highestModseq: true },
  });
  const ids = victims.map((v) => v.id);
  for (let i = 0; i < ids.length; i += 500) {
    await tx.message.deleteMany({ where: { id: { in: ids.slice(i, i + 500) } } });
  }
  await tx.expungedMessage.createMany({ data: victims.map((v) => ({ mailboxId: mailbox.id, uid: v.uid, modseq })) });
  await chargeQuota(tx, mailbox.accountId, -victims.reduce((sum, v) => sum + v.size, 0), false);
  await collectUnusedContent(tx, victims.map((v) => v.contentHash));
  changes.push({ accountId: mailbox.accountId, mailboxId: mailbox.id, kind: 'messages-removed', modseq });
  return victims.map((v) => v.uid).sort((a, b) => a - b);
}

export async function expungeMessages(
  store: MailStore,
  accountId: number,
  mailboxId: number,
  options: RemoveOptions = { onlyDeleted: true },
): Promise<number[]> {
  return mutate(store, async (tx, changes) => {
    const mailbox = await getOwnedMailbox(tx, accountId, mailboxId);
    return removeMessages(tx, mailbox, options, changes);
  });
}

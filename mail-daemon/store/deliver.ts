// Delivery of one message to one or more local mailboxes in one transaction:
// the raw bytes are stored once, each mailbox gets the next UID and a new
// modseq. SMTP delivery, IMAP APPEND, the web app (Sent, Drafts) and notices
// all come through here.
import type { Tx } from './transaction.ts';
import { mutate, type MailStore } from './context.ts';
import { prepareContent, storeContent, type PreparedContent } from './content.ts';
import { flagsToColumns } from './flags.ts';
import { summarizeMessage, type MessageSummary } from './message-summary.ts';
import { prepareMessageText, storeMessageText, type PreparedText } from './full-text-search.ts';
import type { MimeNode } from './mime-structure.ts';
import { chargeQuota } from './quota.ts';
import { StoreError } from './errors.ts';
import { INBOX } from './mailboxes.ts';
import type { Mailbox } from '../../prisma/generated/sqlite/client.ts';

export interface DeliveryTarget {
  accountId: number;
  /** A mailbox id (ownership is checked), else a special use such as "\\Junk", else INBOX. */
  mailboxId?: number;
  specialUse?: string;
  flags?: string[];
}

export interface DeliveryOptions {
  internalDate?: Date;
  /** Refuse with OVERQUOTA instead of going over (IMAP APPEND, the web app). */
  enforceQuota?: boolean;
}

export interface DeliveredCopy {
  accountId: number;
  mailboxId: number;
  mailboxName: string;
  uid: number;
  uidValidity: number;
  modseq: number;
  messageId: number;
}

/** Parsing done once per message, before the transaction. */
export interface PreparedMessage {
  content: PreparedContent;
  summary: MessageSummary;
  /** For full-text search; left out, the first search that needs it indexes the message. */
  text?: PreparedText;
}

export async function prepareMessage(raw: Buffer): Promise<PreparedMessage> {
  const content = prepareContent(raw);
  return { content, summary: await summarizeMessage(raw), text: prepareMessageText(content.raw, JSON.parse(content.structure) as MimeNode) };
}

async function resolveMailbox(tx: Tx, target: DeliveryTarget): Promise<Mailbox> {
  if (target.mailboxId !== undefined) {
    const mailbox = await tx.mailbox.findUnique({ where: { id: target.mailboxId } });
    if (!mailbox || mailbox.accountId !== target.accountId) throw new StoreError('NONEXISTENT', 'no such mailbox');
    return mailbox;
  }
  const special = target.specialUse
    ? await tx.mailbox.findFirst({ where: { accountId: target.accountId, specialUse: target.specialUse } })
    : null;
  const mailbox = special ?? (await tx.mailbox.findUnique({ where: { accountId_name: { accountId: target.accountId, name: INBOX } } }));
  if (!mailbox) throw new StoreError('NONEXISTENT', `account ${target.accountId} has no INBOX`);
  return mailbox;
}

/** Takes the next UID and modseq of a mailbox; the row stays locked until commit. */
export async function allocateUids(tx: Tx, mailboxId: number, count: number): Promise<{ firstUid: number; modseq: number; uidValidity: number }> {
  const mailbox = await tx.mailbox.update({
    where: { id: mailboxId },
    data: { uidNext: { increment: count }, highestModseq: { increment: 1 } },
    select: { uidNext: true, highestModseq: true, uidValidity: true },
  });
  return { firstUid: mailbox.uidNext - count, modseq: mailbox.highestModseq, uidValidity: mailbox.uidValidity };
}

export async function deliverMessage(
  store: MailStore,
  message: Buffer | PreparedMessage,
  targets: DeliveryTarget[],
  options: DeliveryOptions = {},
): Promise<DeliveredCopy[]> {
  if (targets.length === 0) return [];
  const prepared = Buffer.isBuffer(message) ? await prepareMessage(message) : message;
  const { content, summary } = prepared;
  const internalDate = options.internalDate ?? new Date();
  return mutate(store, async (tx, changes) => {
    // First statement is a write: SQLite takes the write lock here.
    await storeContent(tx, content);
    if (prepared.text) await storeMessageText(tx, store.database.engine, content.hash, prepared.text);
    const resolved = await Promise.all(targets.map(async (t) => ({ target: t, mailbox: await resolveMailbox(tx, t) })));
    // One copy per mailbox, and mailboxes locked in id order so that two
    // deliveries to the same mailboxes cannot deadlock on PostgreSQL.
    const byMailbox = new Map<number, (typeof resolved)[number]>();
    for (const entry of resolved) if (!byMailbox.has(entry.mailbox.id)) byMailbox.set(entry.mailbox.id, entry);
    const ordered = [...byMailbox.values()].sort((a, b) => a.mailbox.id - b.mailbox.id);
    const copies: DeliveredCopy[] = [];
    for (const { target, mailbox } of ordered) {
      const { firstUid, modseq, uidValidity } = await allocateUids(tx, mailbox.id, 1);
      const row = await tx.message.create({
        data: {
          mailboxId: mailbox.id,
          uid: firstUid,
          modseq,
          contentHash: content.hash,
          ...flagsToColumns(target.flags ?? []),
          internalDate,
          size: content.size,
          ...summary,
        },
        select: { id: true },
      });
      await chargeQuota(tx, target.accountId, content.size, options.enforceQuota ?? false);
      changes.push({ accountId: target.accountId, mailboxId: mailbox.id, kind: 'messages-added', modseq });
      copies.push({
        accountId: target.accountId,
        mailboxId: mailbox.id,
        mailboxName: mailbox.name,
        uid: firstUid,
        uidValidity,
        modseq,
        messageId: row.id,
      });
    }
    return copies;
  });
}

// Delivery of one message to one or more local mailboxes in one transaction
// (or of several, all or none, for MULTIAPPEND): the raw bytes are stored
// once, each mailbox gets the next UID and a new modseq. SMTP delivery, IMAP
// APPEND, the web app (Sent, Drafts) and notices all come through here. The
// transaction is a list of SQL steps that the delivery writer runs on the
// driver itself and commits together with the other deliveries that are
// ready at the same time (delivery-writer.ts).
import type { Tx } from './transaction.ts';
import type { MailStore } from './context.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Engine } from '../../prisma/database.ts';
import { contentSteps } from './content.ts';
import { prepareMessage, type PreparedContent, type PreparedMessage } from './prepared-message.ts';
import { flagsToColumns } from './flags.ts';
import { messageTextSteps, prepareMessageText, type PreparedText } from './full-text-search.ts';
import type { MimeNode } from './mime-structure.ts';
import { chargeQuotaSteps, crossedWarning } from './quota.ts';
import { quotaWarningMessage } from './quota-warning.ts';
import { StoreError } from './errors.ts';
import { INBOX, recordKeywordsSteps } from './mailboxes.ts';
import type { StoreChange } from './change-bus.ts';
import { insertInto, runInTx, type Row, type Steps } from './sql-steps.ts';
import { deliveryWriterFor } from './delivery-writer.ts';
import { deliveryLogSteps, type DeliveryLogEntry } from '../delivery/delivery-log.ts';

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
  /** A delivery log line written in the same transaction (and the same fsync). */
  log?: DeliveryLogEntry;
}

export interface DeliveredCopy {
  accountId: number;
  mailboxId: number;
  mailboxName: string;
  uid: number;
  uidValidity: number;
  modseq: number;
  messageId: number;
  /** This copy took the account past 90% of its quota. */
  quotaWarning?: boolean;
}

/**
 * The message with its search text, worked out where the delivery writer
 * runs, before its transaction: on SQLite in the daemon that is the delivery
 * thread, so the text's extraction and terms (7% of the main thread's time
 * with 10 SMTP sessions, issue 12) leave the thread that reads and checks mail.
 */
export function withSearchText(prepared: PreparedMessage): PreparedMessage {
  if (prepared.text !== undefined) return prepared;
  return { ...prepared, text: prepareMessageText(prepared.content.raw, JSON.parse(prepared.content.structure) as MimeNode) };
}

/** Takes the next UID and modseq of a mailbox; the row stays locked until commit. */
export function* allocateUidsSteps(mailboxId: number, count: number): Steps<{ firstUid: number; modseq: number; uidValidity: number }> {
  const [mailbox] = yield Prisma.sql`UPDATE "Mailbox" SET "uidNext" = "uidNext" + ${count}, "highestModseq" = "highestModseq" + 1
    WHERE "id" = ${mailboxId} RETURNING "uidNext", "highestModseq", "uidValidity"`;
  if (!mailbox) throw new StoreError('NONEXISTENT', 'no such mailbox');
  return { firstUid: Number(mailbox.uidNext) - count, modseq: Number(mailbox.highestModseq), uidValidity: Number(mailbox.uidValidity) };
}

export function allocateUids(tx: Tx, mailboxId: number, count: number): Promise<{ firstUid: number; modseq: number; uidValidity: number }> {
  return runInTx(tx, allocateUidsSteps(mailboxId, count));
}

const MAILBOX_COLUMNS = Prisma.raw('"id", "accountId", "name"');

function* resolveMailbox(target: DeliveryTarget): Steps<Row> {
  if (target.mailboxId !== undefined) {
    const [mailbox] = yield Prisma.sql`SELECT ${MAILBOX_COLUMNS} FROM "Mailbox" WHERE "id" = ${target.mailboxId}`;
    if (!mailbox || Number(mailbox.accountId) !== target.accountId) throw new StoreError('NONEXISTENT', 'no such mailbox');
    return mailbox;
  }
  const [special] = target.specialUse
    ? yield Prisma.sql`SELECT ${MAILBOX_COLUMNS} FROM "Mailbox" WHERE "accountId" = ${target.accountId} AND "specialUse" = ${target.specialUse} ORDER BY "id" LIMIT 1`
    : [];
  const [mailbox] = special ? [special] : yield Prisma.sql`SELECT ${MAILBOX_COLUMNS} FROM "Mailbox" WHERE "accountId" = ${target.accountId} AND "name" = ${INBOX}`;
  if (!mailbox) throw new StoreError('NONEXISTENT', `account ${target.accountId} has no INBOX`);
  return mailbox;
}

/** A message ready for deliverySteps: prepared, with where it goes. */
export interface PreparedDelivery {
  prepared: PreparedMessage;
  targets: DeliveryTarget[];
  options: DeliveryOptions;
}

/** A delivery's writes before its copies: its log line, and its content and text unless they are stored already. */
export function* deliveryWritesSteps(engine: Engine, prepared: PreparedMessage, targets: DeliveryTarget[], options: DeliveryOptions): Steps<void> {
  if (options.log) yield* deliveryLogSteps(options.log);
  if (targets.length === 0) return;
  yield* contentSteps(prepared.content);
  if (prepared.text) yield* messageTextSteps(engine, prepared.content.hash, prepared.text);
}

/** A copy's Message columns but its mailbox, UID and modseq. */
export function messageColumns(prepared: PreparedMessage, flags: string[], internalDate: Date): Record<string, unknown> {
  const { content, summary } = prepared;
  return { contentHash: content.hash, ...flagsToColumns(flags), internalDate, size: content.size, ...summary };
}

/** One delivery's transaction, as SQL steps; `changes` gets what to broadcast after the commit. */
export function* deliverySteps(engine: Engine, prepared: PreparedMessage, targets: DeliveryTarget[], options: DeliveryOptions, changes: StoreChange[]): Steps<DeliveredCopy[]> {
  const { content } = prepared;
  const internalDate = options.internalDate ?? new Date();
  const copies: DeliveredCopy[] = [];
  yield* deliveryWritesSteps(engine, prepared, targets, options);
  if (targets.length === 0) return copies;
  const resolved: { target: DeliveryTarget; mailbox: Row }[] = [];
  for (const target of targets) resolved.push({ target, mailbox: yield* resolveMailbox(target) });
  // One copy per mailbox, and mailboxes locked in id order so that two
  // deliveries to the same mailboxes cannot deadlock on PostgreSQL.
  const byMailbox = new Map<number, (typeof resolved)[number]>();
  for (const entry of resolved) if (!byMailbox.has(Number(entry.mailbox.id))) byMailbox.set(Number(entry.mailbox.id), entry);
  const ordered = [...byMailbox.values()].sort((a, b) => Number(a.mailbox.id) - Number(b.mailbox.id));
  for (const { target, mailbox } of ordered) {
    const mailboxId = Number(mailbox.id);
    const { firstUid: uid, modseq, uidValidity } = yield* allocateUidsSteps(mailboxId, 1);
    yield* recordKeywordsSteps(mailboxId, target.flags ?? []);
    const [row] = yield insertInto('Message', { mailboxId, uid, modseq, ...messageColumns(prepared, target.flags ?? [], internalDate) }, '"id"');
    const usage = yield* chargeQuotaSteps(target.accountId, content.size, options.enforceQuota ?? false);
    changes.push({ accountId: target.accountId, mailboxId, kind: 'messages-added', modseq });
    const quotaWarning = usage !== null && crossedWarning(usage, content.size);
    copies.push({ accountId: target.accountId, mailboxId, mailboxName: String(mailbox.name), uid, uidValidity, modseq, messageId: Number(row.id), quotaWarning });
  }
  return copies;
}

export async function deliverMessage(
  store: MailStore,
  message: Buffer | PreparedMessage,
  targets: DeliveryTarget[],
  options: DeliveryOptions = {},
): Promise<DeliveredCopy[]> {
  if (targets.length === 0 && !options.log) return [];
  const [copies] = await deliverMessages(store, [{ message, targets, options }]);
  return copies;
}

export interface MessageDelivery {
  message: Buffer | PreparedMessage;
  targets: DeliveryTarget[];
  options?: DeliveryOptions;
}

/**
 * Several messages in one transaction, all or none (IMAP MULTIAPPEND, RFC
 * 3502 6.3.11): each is a delivery as above, and an enforced quota is charged
 * message by message, so it holds for their sum. The copies, per message.
 */
export async function deliverMessages(store: MailStore, deliveries: MessageDelivery[]): Promise<DeliveredCopy[][]> {
  const messages: PreparedDelivery[] = [];
  for (const { message, targets, options } of deliveries) {
    messages.push({ prepared: Buffer.isBuffer(message) ? await prepareMessage(message) : message, targets, options: options ?? {} });
  }
  const copies = await deliveryWriterFor(store).write(messages);
  // Whatever the path (SMTP, IMAP APPEND, the web app), the owner hears once when the mailbox passes 90%.
  for (const copy of copies.flat()) {
    // The delivery itself is committed: a failed warning must not make the caller report a failure.
    if (copy.quotaWarning) await deliverMessage(store, await quotaWarningMessage(store, copy.accountId), [{ accountId: copy.accountId }]).catch(() => undefined);
  }
  return copies;
}

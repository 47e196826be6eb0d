// Reading messages: listings for IMAP, POP3 and the web app, and the raw bytes
// with their MIME structure. Every read names the account, so one user's ids
// never open another user's mail.
import { Prisma, type Message } from '../../prisma/generated/sqlite/client.ts';
import { wholeContent } from './content.ts';
import type { MailStore } from './context.ts';
import { StoreError } from './errors.ts';
import { columnsToFlags, type FlagColumns } from './flags.ts';
import { getOwnedMailbox } from './mailboxes.ts';
import type { MimeNode } from './mime-structure.ts';
import { inRanges, selectionOf, spanOf, uidConditions, type UidSelection } from './uid-set.ts';
import { asBoolean, asDate, driverReaderFor } from './driver-reads.ts';
import { changedSinceCondition } from './flag-change-log.ts';

export type StoredMessage = Message & { flags: string[] };

/** What IMAP FETCH, STORE and change reports need of a message: no header summary. */
export type MessageState = Pick<Message, 'id' | 'uid' | 'modseq' | 'contentHash' | 'internalDate' | 'size'> & { flags: string[] };

const STATE_COLUMNS = {
  id: true,
  uid: true,
  modseq: true,
  contentHash: true,
  internalDate: true,
  size: true,
  seen: true,
  answered: true,
  flagged: true,
  deleted: true,
  draft: true,
  keywords: true,
} as const;

function withFlags<T extends FlagColumns>(row: T): T & { flags: string[] } {
  return { ...row, flags: columnsToFlags(row) };
}

/** What IMAP SEARCH matches against in a row: the state and the decoded subject. */
export type SearchRow = MessageState & Pick<Message, 'subject'>;

export interface ListOptions {
  uids?: UidSelection | number[];
  /** Only messages changed after this modseq (CONDSTORE CHANGEDSINCE). */
  changedSince?: number;
}

async function findInMailbox<T extends { uid: number } & FlagColumns>(
  store: MailStore,
  accountId: number,
  mailboxId: number,
  options: ListOptions,
  select: typeof STATE_COLUMNS | undefined,
): Promise<(T & { flags: string[] })[]> {
  const prisma = store.database.prisma;
  await getOwnedMailbox(prisma, accountId, mailboxId);
  const rows: T[] = [];
  for (const condition of uidConditions(selectionOf(options.uids ?? 'all'))) {
    rows.push(
      ...((await prisma.message.findMany({
        where: { mailboxId, ...condition, ...(options.changedSince !== undefined ? { modseq: { gt: options.changedSince } } : {}) },
        orderBy: { uid: 'asc' },
        ...(select ? { select } : {}),
      })) as unknown as T[]),
    );
  }
  return rows.sort((a, b) => a.uid - b.uid).map(withFlags);
}

/** Messages of a mailbox in UID order, with their header summary. */
export function listMessages(store: MailStore, accountId: number, mailboxId: number, options: ListOptions = {}): Promise<StoredMessage[]> {
  return findInMailbox<Message>(store, accountId, mailboxId, options, undefined);
}

/**
 * What a listing can bring along from the content's own small table, in the
 * same statement (one index lookup per row, no second read by hash): the
 * stored ENVELOPE (MessageEnvelope) for FETCH. Null where the content has no
 * such row (stored before the table was); absent where the listing went
 * through Prisma.
 */
export interface ContentExtras {
  envelope?: string | null;
}

export interface DriverListOptions extends ListOptions {
  envelope?: boolean;
  /**
   * With changedSince: the caller knows every message below this UID, so the
   * changed ones among them are found from the flag change records
   * (flag-change-log.ts) rather than by reading every message's modseq.
   */
  knownUidNext?: number;
}

/**
 * The same without the header summary: reading a few columns is what makes a
 * FETCH of every message's flags cheap. A selection within one span of UIDs
 * (a FETCH batch, "1:*", CHANGEDSINCE) is read on the driver (driver-reads.ts)
 * in one statement of a fixed shape; a scattered one through Prisma.
 */
export async function listMessageStates(store: MailStore, accountId: number, mailboxId: number, options: DriverListOptions = {}): Promise<(MessageState & ContentExtras)[]> {
  return (
    (await listOnDriver(store, accountId, mailboxId, options)) ??
    findInMailbox<Omit<MessageState, 'flags'> & FlagColumns>(store, accountId, mailboxId, options, STATE_COLUMNS)
  );
}

/** A span's rows on the driver, with the envelope if asked for; null when the selection is too scattered for one span. */
async function listOnDriver(store: MailStore, accountId: number, mailboxId: number, options: DriverListOptions): Promise<(MessageState & ContentExtras)[] | null> {
  const selection = selectionOf(options.uids ?? 'all');
  const span = spanOf(selection);
  if (span === null) return null;
  const reader = driverReaderFor(store.database);
  // Only the conditions given, so that the planner reads only the rows they name.
  const uids = selection === 'all' ? Prisma.empty : Prisma.sql` AND m."uid" >= ${span[0]} AND m."uid" <= ${span[1]}`;
  const { changedSince, knownUidNext } = options;
  const changed =
    changedSince === undefined
      ? Prisma.empty
      : knownUidNext === undefined
        ? Prisma.sql` AND m."modseq" > ${changedSince}`
        : Prisma.sql` AND ${await changedSinceCondition(store, mailboxId, changedSince, knownUidNext, 'm')}`;
  // LEFT JOINs on the contents' primary keys: at most one row each, none for older contents.
  const [envelope, envelopeJoin] = options.envelope
    ? [Prisma.sql`, e."envelope"`, Prisma.sql` LEFT JOIN "MessageEnvelope" e ON e."hash" = m."contentHash"`]
    : [Prisma.empty, Prisma.empty];
  // As arrays, in this order: half the cost of an object per row for a whole mailbox. The
  // mailbox's owner comes in the same statement (a round trip less on PostgreSQL): no row
  // is no such mailbox, one row without a message an empty selection.
  const rows = await reader.arrays(Prisma.sql`
    SELECT b."accountId", m."id", m."uid", m."modseq", m."contentHash", m."internalDate", m."size", m."seen", m."answered", m."flagged", m."deleted", m."draft", m."keywords"${envelope}
    FROM "Mailbox" b LEFT JOIN "Message" m ON m."mailboxId" = b."id"${uids}${changed}${envelopeJoin}
    WHERE b."id" = ${mailboxId} ORDER BY m."uid"`);
  if (rows.length === 0 || Number(rows[0][0]) !== accountId) throw new StoreError('NONEXISTENT', 'no such mailbox');
  const wanted = selection === 'all' ? null : selection;
  const out: (MessageState & ContentExtras)[] = [];
  for (const row of rows) {
    if (row[1] === null) continue;
    const uid = Number(row[2]);
    if (wanted && !inRanges(wanted, uid)) continue;
    const [, , , modseq, contentHash, internalDate, size, seen, answered, flagged, deleted, draft, keywords] = row;
    const message: MessageState & ContentExtras = {
      id: Number(row[1]),
      uid,
      modseq: Number(modseq),
      contentHash: String(contentHash),
      internalDate: asDate(internalDate)!,
      size: Number(size),
      flags: columnsToFlags({
        seen: asBoolean(seen),
        answered: asBoolean(answered),
        flagged: asBoolean(flagged),
        deleted: asBoolean(deleted),
        draft: asBoolean(draft),
        keywords: String(keywords ?? ''),
      }),
    };
    if (options.envelope) message.envelope = (row[13] as string | null) ?? null;
    out.push(message);
  }
  return out;
}

/** What tells one message from another when mail is copied in again (mailctl import): its bytes' hash, Message-ID and size. */
export type MessageIdentity = Pick<Message, 'contentHash' | 'messageId' | 'size'>;

export async function listMessageIdentities(store: MailStore, accountId: number, mailboxId: number): Promise<MessageIdentity[]> {
  await getOwnedMailbox(store.database.prisma, accountId, mailboxId);
  return store.database.prisma.message.findMany({ where: { mailboxId }, select: { contentHash: true, messageId: true, size: true } });
}

/** One message by its row id, if the account owns it. */
export async function getMessage(store: MailStore, accountId: number, messageId: number): Promise<StoredMessage> {
  const row = await store.database.prisma.message.findUnique({ where: { id: messageId }, include: { mailbox: { select: { accountId: true } } } });
  if (!row || row.mailbox.accountId !== accountId) throw new StoreError('NONEXISTENT', 'no such message');
  const { mailbox: _mailbox, ...message } = row;
  return withFlags(message);
}

export interface MessageContentView {
  raw: Buffer;
  structure: MimeNode;
}

/** Raw bytes and MIME tree of a message the account owns. */
export async function getMessageContent(store: MailStore, accountId: number, messageId: number): Promise<MessageContentView> {
  const message = await getMessage(store, accountId, messageId);
  const content = await store.database.prisma.messageContent.findUnique({ where: { hash: message.contentHash }, select: { raw: true, size: true, structure: true } });
  if (!content) throw new StoreError('NONEXISTENT', 'message content is missing');
  return {
    raw: await wholeContent(store.database, message.contentHash, content.raw, content.size),
    structure: JSON.parse(content.structure) as MimeNode,
  };
}

/** UIDs expunged after a modseq, for QRESYNC VANISHED (EARLIER). */
export async function expungedSince(store: MailStore, accountId: number, mailboxId: number, modseq: number): Promise<number[]> {
  await getOwnedMailbox(store.database.prisma, accountId, mailboxId);
  const rows = await store.database.prisma.expungedMessage.findMany({ where: { mailboxId, modseq: { gt: modseq } }, select: { uid: true } });
  return [...new Set(rows.map((r) => r.uid))].sort((a, b) => a - b);
}

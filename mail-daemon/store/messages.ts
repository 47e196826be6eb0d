// Reading messages: listings for IMAP, POP3 and the web app, and the raw bytes
// with their MIME structure. Every read names the account, so one user's ids
// never open another user's mail.
import { Prisma, type Message } from '../../prisma/generated/sqlite/client.ts';
import { asBuffer } from './content.ts';
import type { MailStore } from './context.ts';
import { StoreError } from './errors.ts';
import { columnsToFlags, type FlagColumns } from './flags.ts';
import { getOwnedMailbox } from './mailboxes.ts';
import type { MimeNode } from './mime-structure.ts';
import { selectionOf, uidConditions, type UidRange, type UidSelection } from './uid-set.ts';
import { driverReaderFor } from './driver-reads.ts';

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

const SEARCH_COLUMNS = { ...STATE_COLUMNS, subject: true } as const;

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
  select: typeof STATE_COLUMNS | typeof SEARCH_COLUMNS | undefined,
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
 * The same without the header summary: reading a few columns is what makes a
 * FETCH of every message's flags cheap. A selection within one span of UIDs
 * (a FETCH batch, "1:*", CHANGEDSINCE) is read on the driver (driver-reads.ts)
 * in one statement of a fixed shape; a scattered one through Prisma.
 */
export async function listMessageStates(store: MailStore, accountId: number, mailboxId: number, options: ListOptions = {}): Promise<MessageState[]> {
  const selection = selectionOf(options.uids ?? 'all');
  const span = spanOf(selection);
  if (span === null) return findInMailbox<Omit<MessageState, 'flags'> & FlagColumns>(store, accountId, mailboxId, options, STATE_COLUMNS);
  const reader = driverReaderFor(store.database);
  const [owner] = await reader.rows<{ accountId: number }>(Prisma.sql`SELECT "accountId" FROM "Mailbox" WHERE "id" = ${mailboxId}`);
  if (!owner || Number(owner.accountId) !== accountId) throw new StoreError('NONEXISTENT', 'no such mailbox');
  // Only the conditions given, so that the planner takes the (mailboxId, modseq) index for CHANGEDSINCE.
  const uids = selection === 'all' ? Prisma.empty : Prisma.sql` AND "uid" >= ${span[0]} AND "uid" <= ${span[1]}`;
  const changed = options.changedSince === undefined ? Prisma.empty : Prisma.sql` AND "modseq" > ${options.changedSince}`;
  const rows = await reader.rows<Row>(Prisma.sql`
    SELECT "id", "uid", "modseq", "contentHash", "internalDate", "size", "seen", "answered", "flagged", "deleted", "draft", "keywords"
    FROM "Message" WHERE "mailboxId" = ${mailboxId}${uids}${changed} ORDER BY "uid"`);
  const wanted = selection === 'all' ? null : selection;
  const out: MessageState[] = [];
  for (const row of rows) {
    const uid = Number(row.uid);
    if (wanted && !inRanges(wanted, uid)) continue;
    const columns = {
      id: Number(row.id),
      uid,
      modseq: Number(row.modseq),
      contentHash: String(row.contentHash),
      internalDate: row.internalDate instanceof Date ? row.internalDate : new Date(String(row.internalDate)),
      size: Number(row.size),
      seen: Boolean(Number(row.seen)),
      answered: Boolean(Number(row.answered)),
      flagged: Boolean(Number(row.flagged)),
      deleted: Boolean(Number(row.deleted)),
      draft: Boolean(Number(row.draft)),
      keywords: String(row.keywords ?? ''),
    };
    out.push(withFlags(columns));
  }
  return out;
}

type Row = Record<string, unknown>;

/** UIDs are stored as 32-bit signed integers (PostgreSQL integer): none is above this. */
const MAX_STORED_UID = 2 ** 31 - 1;

/** Reading a span with at most this many UIDs outside the selection beats a query per range. */
const SPAN_SLACK = 1000;

/** The one span of UIDs to read for a selection, or null when it is too scattered for one. */
function spanOf(selection: UidSelection): UidRange | null {
  if (selection === 'all') return [1, MAX_STORED_UID];
  if (selection.length === 0) return [1, 0];
  const first = Math.min(selection[0][0], MAX_STORED_UID);
  const last = Math.min(selection[selection.length - 1][1], MAX_STORED_UID);
  const selected = selection.reduce((sum, [low, high]) => sum + high - low + 1, 0);
  return last - first + 1 - selected <= Math.max(SPAN_SLACK, selected) ? [first, last] : null;
}

/** Whether a UID is in sorted, merged ranges (binary search). */
function inRanges(ranges: UidRange[], uid: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (uid < ranges[mid][0]) high = mid - 1;
    else if (uid > ranges[mid][1]) low = mid + 1;
    else return true;
  }
  return false;
}

/** The same with the subject: what SEARCH reads of every message. */
export function listSearchRows(store: MailStore, accountId: number, mailboxId: number, options: ListOptions = {}): Promise<SearchRow[]> {
  return findInMailbox<Omit<SearchRow, 'flags'> & FlagColumns>(store, accountId, mailboxId, options, SEARCH_COLUMNS);
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
  const content = await store.database.prisma.messageContent.findUnique({ where: { hash: message.contentHash } });
  if (!content) throw new StoreError('NONEXISTENT', 'message content is missing');
  return {
    raw: asBuffer(content.raw),
    structure: JSON.parse(content.structure) as MimeNode,
  };
}

/** UIDs expunged after a modseq, for QRESYNC VANISHED (EARLIER). */
export async function expungedSince(store: MailStore, accountId: number, mailboxId: number, modseq: number): Promise<number[]> {
  await getOwnedMailbox(store.database.prisma, accountId, mailboxId);
  const rows = await store.database.prisma.expungedMessage.findMany({ where: { mailboxId, modseq: { gt: modseq } }, select: { uid: true } });
  return [...new Set(rows.map((r) => r.uid))].sort((a, b) => a - b);
}

// Reading messages: listings for IMAP, POP3 and the web app, and the raw bytes
// with their MIME structure. Every read names the account, so one user's ids
// never open another user's mail.
import type { Message } from '../../prisma/generated/sqlite/client.ts';
import { asBuffer } from './content.ts';
import type { MailStore } from './context.ts';
import { StoreError } from './errors.ts';
import { columnsToFlags, type FlagColumns } from './flags.ts';
import { getOwnedMailbox } from './mailboxes.ts';
import type { MimeNode } from './mime-structure.ts';
import { selectionOf, uidConditions, type UidSelection } from './uid-set.ts';

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

/** The same without the header summary: reading a few columns is what makes a FETCH of every message's flags cheap. */
export function listMessageStates(store: MailStore, accountId: number, mailboxId: number, options: ListOptions = {}): Promise<MessageState[]> {
  return findInMailbox<Omit<MessageState, 'flags'> & FlagColumns>(store, accountId, mailboxId, options, STATE_COLUMNS);
}

/** The same with the subject: what SEARCH reads of every message. */
export function listSearchRows(store: MailStore, accountId: number, mailboxId: number, options: ListOptions = {}): Promise<SearchRow[]> {
  return findInMailbox<Omit<SearchRow, 'flags'> & FlagColumns>(store, accountId, mailboxId, options, SEARCH_COLUMNS);
}

/** The UIDs of a mailbox in order: IMAP's message sequence numbers start from this. */
export async function listUids(store: MailStore, accountId: number, mailboxId: number): Promise<number[]> {
  await getOwnedMailbox(store.database.prisma, accountId, mailboxId);
  const rows = await store.database.prisma.message.findMany({ where: { mailboxId }, select: { uid: true }, orderBy: { uid: 'asc' } });
  return rows.map((r) => r.uid);
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

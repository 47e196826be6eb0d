// The web app's message list: one folder, newest first, in pages. The cursor
// is the (internalDate, id) of the last row shown, and each page is a range
// read on the @@index([mailboxId, internalDate]) index, so page 500 costs what
// page 1 costs (no OFFSET). Grouped by conversation, a thread appears once,
// at its newest message in the folder, with its size and unread count over
// all of the account's folders (the replies in Sent belong to it too).
import type { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';
import { getOwnedMailbox } from '../store/mailboxes.ts';
import { StoreError } from '../store/errors.ts';

export interface MessageSummaryRow {
  id: number;
  mailboxId: number;
  uid: number;
  threadId: string;
  subject: string;
  fromName: string;
  fromAddress: string;
  toAddresses: string;
  preview: string;
  /** ISO 8601, the time the message arrived. */
  date: string;
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
  hasAttachments: boolean;
  size: number;
  /** Grouped by conversation: messages in the thread, and unread ones among them. */
  threadCount?: number;
  threadUnread?: number;
}

export interface MessagePage {
  messages: MessageSummaryRow[];
  /** Pass back to get the next page; null at the end. */
  nextCursor: string | null;
}

export interface PageOptions {
  cursor?: string | null;
  limit?: number;
  threads?: boolean;
  /** By arrival date; newest first unless asked. */
  order?: Order;
}

export type Order = 'newest' | 'oldest';

export const SUMMARY_SELECT = {
  id: true,
  mailboxId: true,
  uid: true,
  threadId: true,
  subject: true,
  fromName: true,
  fromAddress: true,
  toAddresses: true,
  preview: true,
  internalDate: true,
  seen: true,
  flagged: true,
  answered: true,
  draft: true,
  deleted: true,
  hasAttachments: true,
  size: true,
} satisfies Prisma.MessageSelect;

type SummarySource = Prisma.MessageGetPayload<{ select: typeof SUMMARY_SELECT }>;

export function toSummaryRow(row: SummarySource): MessageSummaryRow {
  const { internalDate, deleted: _deleted, ...rest } = row;
  return { ...rest, date: internalDate.toISOString() };
}

export const MAX_PAGE = 200;

export function encodeCursor(row: { internalDate: Date; id: number }): string {
  return Buffer.from(`${row.internalDate.getTime()}:${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { date: Date; id: number } {
  const match = /^(-?\d{1,15}):(\d{1,12})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new StoreError('INVALID', 'bad cursor');
  return { date: new Date(Number(match[1])), id: Number(match[2]) };
}

/** Rows strictly after the cursor in (internalDate, id) order, descending for newest first. */
export function afterCursor(cursor: string | null | undefined, order: Order = 'newest'): Prisma.MessageWhereInput {
  if (!cursor) return {};
  const { date, id } = decodeCursor(cursor);
  const beyond = order === 'newest' ? 'lt' : 'gt';
  return { OR: [{ internalDate: { [beyond]: date } }, { internalDate: date, id: { [beyond]: id } }] };
}

export const NEWEST_FIRST: Prisma.MessageOrderByWithRelationInput[] = [{ internalDate: 'desc' }, { id: 'desc' }];
const OLDEST_FIRST: Prisma.MessageOrderByWithRelationInput[] = [{ internalDate: 'asc' }, { id: 'asc' }];
const orderBy = (order: Order) => (order === 'newest' ? NEWEST_FIRST : OLDEST_FIRST);

export async function listMessagePage(store: MailStore, accountId: number, mailboxId: number, options: PageOptions = {}): Promise<MessagePage> {
  const prisma = store.database.prisma;
  await getOwnedMailbox(prisma, accountId, mailboxId);
  const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE);
  const order = options.order ?? 'newest';
  if (!options.threads) {
    const rows = await prisma.message.findMany({
      where: { mailboxId, ...afterCursor(options.cursor, order) },
      orderBy: orderBy(order),
      take: limit + 1,
      select: SUMMARY_SELECT,
    });
    const page = rows.slice(0, limit);
    return { messages: page.map(toSummaryRow), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
  }
  return listThreadPage(store, accountId, mailboxId, options.cursor ?? null, limit, order);
}

/**
 * Reads the folder in batches and keeps a message only when no newer message
 * of its thread is in the folder; so each thread shows once, at its newest
 * message, however the pages fall.
 */
async function listThreadPage(store: MailStore, accountId: number, mailboxId: number, cursor: string | null, limit: number, order: Order): Promise<MessagePage> {
  const prisma = store.database.prisma;
  const kept: MessageSummaryRow[] = [];
  let position = cursor;
  let exhausted = false;
  while (kept.length < limit && !exhausted) {
    const batchSize = limit * 2;
    const rows = await prisma.message.findMany({
      where: { mailboxId, ...afterCursor(position, order) },
      orderBy: orderBy(order),
      take: batchSize,
      select: SUMMARY_SELECT,
    });
    exhausted = rows.length < batchSize;
    const threadIds = [...new Set(rows.map((r) => r.threadId))];
    const members = await prisma.message.findMany({
      where: { threadId: { in: threadIds }, mailbox: { accountId } },
      select: { id: true, mailboxId: true, threadId: true, internalDate: true, seen: true },
    });
    const newestHere = new Map<string, { internalDate: Date; id: number }>();
    const stats = new Map<string, { count: number; unread: number }>();
    for (const m of members) {
      const s = stats.get(m.threadId) ?? { count: 0, unread: 0 };
      s.count++;
      if (!m.seen) s.unread++;
      stats.set(m.threadId, s);
      if (m.mailboxId !== mailboxId) continue;
      const best = newestHere.get(m.threadId);
      if (!best || m.internalDate > best.internalDate || (m.internalDate.getTime() === best.internalDate.getTime() && m.id > best.id)) newestHere.set(m.threadId, m);
    }
    for (const row of rows) {
      position = encodeCursor(row);
      if (newestHere.get(row.threadId)?.id !== row.id) continue;
      const s = stats.get(row.threadId)!;
      kept.push({ ...toSummaryRow(row), threadCount: s.count, threadUnread: s.unread });
      if (kept.length === limit) {
        exhausted = exhausted && row === rows[rows.length - 1];
        break;
      }
    }
  }
  return { messages: kept, nextCursor: exhausted ? null : position };
}

/** Every message of a conversation in the account's folders, oldest first (the thread view). */
export async function listThread(store: MailStore, accountId: number, threadId: string): Promise<MessageSummaryRow[]> {
  const rows = await store.database.prisma.message.findMany({
    where: { threadId, mailbox: { accountId } },
    orderBy: [{ internalDate: 'asc' }, { id: 'asc' }],
    select: SUMMARY_SELECT,
    take: 500,
  });
  return rows.map(toSummaryRow);
}

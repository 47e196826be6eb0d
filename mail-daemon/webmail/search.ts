// The web app's search: from, to, subject, body text, a date range,
// has-attachment, unread and flagged, over one folder or all of the account's, newest
// first in pages like the message list. Body words go through the database's
// full-text index (searchMessageText); the other criteria are columns of the
// Message row filled at delivery. The answer names the words to highlight.
import type { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';
import { searchMessageText } from '../store/full-text-search.ts';
import { getOwnedMailbox, listMailboxes } from '../store/mailboxes.ts';
import { StoreError } from '../store/errors.ts';
import { parseSearchQuery } from './search-query.ts';
import { afterCursor, decodeCursor, encodeCursor, MAX_PAGE, NEWEST_FIRST, SUMMARY_SELECT, toSummaryRow, type MessagePage } from './message-list.ts';

export interface SearchCriteria {
  /** One folder; every folder of the account when left out. */
  mailboxId?: number;
  from?: string;
  to?: string;
  subject?: string;
  /** Words anywhere in the message (header and body), through the full-text index. */
  text?: string;
  since?: Date;
  before?: Date;
  hasAttachment?: boolean;
  /** true: unread only; false: read only. */
  unread?: boolean;
  flagged?: boolean;
}

export interface SearchPage extends MessagePage {
  /** Words the view highlights. */
  highlight: string[];
}

/** Text hits taken per round; the other criteria then pick among them. */
const TEXT_PAGE = 500;

export async function searchMessages(
  store: MailStore,
  accountId: number,
  criteria: SearchCriteria,
  options: { cursor?: string | null; limit?: number } = {},
): Promise<SearchPage> {
  const prisma = store.database.prisma;
  if (criteria.mailboxId !== undefined) await getOwnedMailbox(prisma, accountId, criteria.mailboxId);
  const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE);
  const contains = (value: string): Prisma.StringFilter =>
    // SQLite's LIKE is case-insensitive already; the types are the SQLite client's, which has no mode.
    store.database.engine === 'postgres' ? ({ contains: value, mode: 'insensitive' } as Prisma.StringFilter) : { contains: value };
  const and: Prisma.MessageWhereInput[] = [
    criteria.mailboxId !== undefined ? { mailboxId: criteria.mailboxId } : { mailbox: { accountId } },
    afterCursor(options.cursor),
  ];
  const from = criteria.from?.trim();
  if (from) and.push({ OR: [{ fromAddress: contains(from.toLowerCase()) }, { fromName: contains(from) }] });
  const to = criteria.to?.trim().toLowerCase();
  if (to) and.push({ OR: [{ toAddresses: contains(to) }, { ccAddresses: contains(to) }] });
  const subject = criteria.subject?.trim();
  if (subject) and.push({ subject: contains(subject) });
  if (criteria.since) and.push({ internalDate: { gte: criteria.since } });
  if (criteria.before) and.push({ internalDate: { lt: criteria.before } });
  if (criteria.hasAttachment) and.push({ hasAttachments: true });
  if (criteria.unread !== undefined) and.push({ seen: !criteria.unread });
  if (criteria.flagged) and.push({ flagged: true });

  const text = criteria.text?.trim();
  const take = limit + 1;
  let rows: Awaited<ReturnType<typeof prisma.message.findMany<{ select: typeof SUMMARY_SELECT }>>>;
  if (!text) {
    rows = await prisma.message.findMany({ where: { AND: and }, orderBy: NEWEST_FIRST, take, select: SUMMARY_SELECT });
  } else {
    rows = await newestWithText(store, accountId, criteria.mailboxId, text, and, take, options.cursor ? decodeCursor(options.cursor) : undefined);
  }
  const page = rows.slice(0, limit);
  return {
    messages: page.map(toSummaryRow),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    highlight: [text, subject, from].filter((w): w is string => Boolean(w)).flatMap((w) => w.split(/\s+/)).filter((w) => w.length > 1),
  };
}

/** Names that in: takes besides a folder's own (Gmail's in:spam, in:anywhere). */
const IN_SPECIAL: Record<string, string | null> = {
  inbox: '\\Inbox', sent: '\\Sent', drafts: '\\Drafts', trash: '\\Trash', junk: '\\Junk', spam: '\\Junk', archive: '\\Archive', anywhere: null, all: null,
};

/**
 * A query typed in the search box (search-query.ts), over the account's
 * folders; in:folder names one by its name (any case) or its role.
 */
export async function searchByQuery(store: MailStore, accountId: number, query: string, options: { cursor?: string | null; limit?: number } = {}): Promise<SearchPage> {
  const { folder, after, ...rest } = parseSearchQuery(query);
  let mailboxId: number | undefined;
  if (folder !== undefined) {
    const wanted = folder.toLowerCase();
    const special = IN_SPECIAL[wanted];
    if (special !== null) {
      const mailboxes = await listMailboxes(store, accountId);
      const found = mailboxes.find((m) => m.name.toLowerCase() === wanted) ?? mailboxes.find((m) => special !== undefined && m.specialUse === special);
      if (!found) throw new StoreError('NONEXISTENT', `There is no folder named ${folder}.`);
      mailboxId = found.id;
    }
  }
  return searchMessages(store, accountId, { ...rest, since: after, mailboxId }, options);
}

type Where = Prisma.MessageWhereInput[];

/**
 * The newest `take` messages that hold the text and meet the other criteria:
 * the text search's hits come newest first a page at a time, and each page
 * is narrowed by the other criteria, so a common word costs a page or two,
 * not every message it is in.
 */
async function newestWithText(store: MailStore, accountId: number, mailboxId: number | undefined, text: string, and: Where, take: number, before?: { date: Date; id: number }) {
  const rows: Awaited<ReturnType<typeof newestAmong>> = [];
  for (;;) {
    const hits = await searchMessageText(store, accountId, { mailboxId, query: text, newest: { limit: TEXT_PAGE, before } });
    if (hits.length > 0) rows.push(...(await newestAmong(store, and, hits.map((h) => h.messageId), take - rows.length)));
    if (rows.length >= take || hits.length < TEXT_PAGE) return rows;
    const last = hits[hits.length - 1];
    before = { date: last.internalDate, id: last.messageId };
  }
}

/** The newest `take` of some ids (at most TEXT_PAGE, well under every engine's limit of bound parameters) that meet the other criteria. */
function newestAmong(store: MailStore, and: Where, ids: number[], take: number) {
  return store.database.prisma.message.findMany({ where: { AND: [...and, { id: { in: ids } }] }, orderBy: NEWEST_FIRST, take, select: SUMMARY_SELECT });
}

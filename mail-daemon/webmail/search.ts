// The web app's search: from, to, subject, body text, a date range,
// has-attachment and unread, over one folder or all of the account's, newest
// first in pages like the message list. Body words go through the database's
// full-text index (searchMessageText); the other criteria are columns of the
// Message row filled at delivery. The answer names the words to highlight.
import type { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';
import { searchMessageText } from '../store/full-text-search.ts';
import { getOwnedMailbox } from '../store/mailboxes.ts';
import { afterCursor, encodeCursor, MAX_PAGE, NEWEST_FIRST, SUMMARY_SELECT, toSummaryRow, type MessagePage } from './message-list.ts';

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
  unread?: boolean;
}

export interface SearchPage extends MessagePage {
  /** Words the view highlights. */
  highlight: string[];
}

/** Up to this many text hits are looked up by id; more are picked out of the folder read newest first. */
const FEW_HITS = 2000;
/** Bound parameters per statement stay well under every engine's limit. */
const ID_CHUNK = 500;
const SCAN_BATCH = 1000;

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
  if (criteria.unread) and.push({ seen: false });

  const text = criteria.text?.trim();
  const take = limit + 1;
  let rows: Awaited<ReturnType<typeof prisma.message.findMany<{ select: typeof SUMMARY_SELECT }>>>;
  if (!text) {
    rows = await prisma.message.findMany({ where: { AND: and }, orderBy: NEWEST_FIRST, take, select: SUMMARY_SELECT });
  } else {
    const hits = new Set((await searchMessageText(store, accountId, { mailboxId: criteria.mailboxId, query: text })).map((h) => h.messageId));
    rows = hits.size <= FEW_HITS ? await newestAmong(store, and, [...hits], take) : await newestScanning(store, and, hits, take);
  }
  const page = rows.slice(0, limit);
  return {
    messages: page.map(toSummaryRow),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
    highlight: [text, subject, from].filter((w): w is string => Boolean(w)).flatMap((w) => w.split(/\s+/)).filter((w) => w.length > 1),
  };
}

type Where = Prisma.MessageWhereInput[];

/** The newest `take` of a few ids that meet the other criteria: each chunk's newest, then the newest of all. */
async function newestAmong(store: MailStore, and: Where, ids: number[], take: number) {
  const rows = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    rows.push(...(await store.database.prisma.message.findMany({
      where: { AND: [...and, { id: { in: ids.slice(i, i + ID_CHUNK) } }] },
      orderBy: NEWEST_FIRST,
      take,
      select: SUMMARY_SELECT,
    })));
  }
  return rows.sort((a, b) => b.internalDate.getTime() - a.internalDate.getTime() || b.id - a.id).slice(0, take);
}

/**
 * Many hits: read the rows that meet the other criteria newest first (the
 * date index) and keep the hits; with more than FEW_HITS of them this stops
 * after a few batches however large the folder.
 */
async function newestScanning(store: MailStore, and: Where, hits: Set<number>, take: number) {
  const kept = [];
  let cursor: string | null = null;
  for (;;) {
    const batch = await store.database.prisma.message.findMany({
      where: { AND: [...and, afterCursor(cursor)] },
      orderBy: NEWEST_FIRST,
      take: SCAN_BATCH,
      select: SUMMARY_SELECT,
    });
    for (const row of batch) {
      if (hits.has(row.id)) kept.push(row);
      if (kept.length === take) return kept;
    }
    if (batch.length < SCAN_BATCH) return kept;
    cursor = encodeCursor(batch[batch.length - 1]);
  }
}

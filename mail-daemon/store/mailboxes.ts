// Mailboxes (folders) of an account: hierarchical names with "/" as the
// delimiter, the special-use folders every account starts with (RFC 6154),
// and the UIDVALIDITY rule: a mailbox created again under an old name gets a
// new UIDVALIDITY, taken from the account's counter.
import type { Mailbox } from '../../prisma/generated/sqlite/client.ts';
import { mutate, type MailStore } from './context.ts';
import { StoreError } from './errors.ts';
import type { StoreChange } from './change-bus.ts';
import type { Tx } from './transaction.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { runInTx, type Steps } from './sql-steps.ts';
import { removeMessages } from './expunge.ts';
import { moveAllMessages } from './copy-move.ts';
import { driverReaderFor } from './driver-reads.ts';

export const DELIMITER = '/';
export const INBOX = 'INBOX';

export const DEFAULT_MAILBOXES: { name: string; specialUse: string }[] = [
  { name: INBOX, specialUse: '\\Inbox' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Archive', specialUse: '\\Archive' },
];

const MAX_NAME_LENGTH = 1000;
export const MAX_MAILBOX_KEYWORDS = 1000;
const MAX_SEGMENT_LENGTH = 255;

/** Checks a mailbox name and returns it normalized ("inbox" in any case is INBOX). */
export function normalizeMailboxName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new StoreError('INVALID', 'mailbox name is empty');
  if (name.length > MAX_NAME_LENGTH) throw new StoreError('INVALID', 'mailbox name is too long');
  // Control characters and the IMAP LIST wildcards never belong in a stored name.
  if (/[\x00-\x1f\x7f*%]/.test(name)) throw new StoreError('INVALID', 'mailbox name contains a forbidden character');
  const segments = name.split(DELIMITER);
  if (segments.some((s) => s.length === 0)) throw new StoreError('INVALID', 'mailbox name has an empty level');
  if (segments.some((s) => s.length > MAX_SEGMENT_LENGTH)) throw new StoreError('INVALID', 'mailbox name level is too long');
  if (segments[0].toUpperCase() === INBOX) segments[0] = INBOX;
  return segments.join(DELIMITER);
}

/** The names above `name` in the hierarchy, outermost first: "a/b/c" gives ["a", "a/b"]. */
export function parentNames(name: string): string[] {
  const segments = name.split(DELIMITER);
  return segments.slice(1).map((_, i) => segments.slice(0, i + 1).join(DELIMITER));
}

async function nextUidValidity(tx: Tx, accountId: number): Promise<number> {
  const account = await tx.account.update({
    where: { id: accountId },
    data: { nextUidValidity: { increment: 1 } },
    select: { nextUidValidity: true },
  });
  return account.nextUidValidity - 1;
}

async function insertMailbox(tx: Tx, accountId: number, name: string, specialUse: string | null, subscribe = false): Promise<Mailbox> {
  const mailbox = await tx.mailbox.create({
    data: { accountId, name, specialUse, uidValidity: await nextUidValidity(tx, accountId) },
  });
  if (subscribe) await tx.subscription.upsert({ where: { accountId_name: { accountId, name } }, create: { accountId, name }, update: {} });
  return mailbox;
}

/** Creates the six folders of a new account (inside the account's creating transaction). */
export async function createDefaultMailboxes(tx: Tx, accountId: number): Promise<void> {
  // Start the counter from the clock so that an account deleted and created
  // again does not hand out its old UIDVALIDITY values either.
  await tx.account.update({
    where: { id: accountId },
    data: { nextUidValidity: Math.floor(Date.now() / 1000) % 2_000_000_000 },
  });
  // They start subscribed, so that clients showing subscribed folders only see them.
  for (const { name, specialUse } of DEFAULT_MAILBOXES) await insertMailbox(tx, accountId, name, specialUse, true);
}

export async function listMailboxes(store: MailStore, accountId: number): Promise<Mailbox[]> {
  return store.database.prisma.mailbox.findMany({ where: { accountId }, orderBy: { name: 'asc' } });
}

export async function findMailbox(store: MailStore, accountId: number, name: string): Promise<Mailbox | null> {
  return store.database.prisma.mailbox.findUnique({
    where: { accountId_name: { accountId, name: normalizeMailboxName(name) } },
  });
}

/** The mailbox with this id if `accountId` owns it; NONEXISTENT otherwise, so ids of others reveal nothing. */
export async function getOwnedMailbox(db: Pick<Tx, 'mailbox'>, accountId: number, mailboxId: number): Promise<Mailbox> {
  const mailbox = await db.mailbox.findUnique({ where: { id: mailboxId } });
  if (!mailbox || mailbox.accountId !== accountId) throw new StoreError('NONEXISTENT', 'no such mailbox');
  return mailbox;
}

/** What a session with the mailbox selected checks between commands; null once the mailbox is gone. */
export interface MailboxSyncState {
  /** RFC 7162: whether anything changed. */
  highestModseq: number;
  /** Every keyword used in the mailbox (RFC 3501 7.2.6 FLAGS). */
  keywords: string[];
  /** UIDs above this are \\Recent for whoever claims them (claimRecent). */
  recentUid: number;
}

/** Read between every two commands of every IMAP session with a mailbox selected: on the driver (driver-reads.ts). */
export async function mailboxSyncState(store: MailStore, accountId: number, mailboxId: number): Promise<MailboxSyncState | null> {
  const [row] = await driverReaderFor(store.database).rows<{ highestModseq: number; keywords: string; recentUid: number }>(
    Prisma.sql`SELECT "highestModseq", "keywords", "recentUid" FROM "Mailbox" WHERE "id" = ${mailboxId} AND "accountId" = ${accountId}`,
  );
  return row ? { highestModseq: Number(row.highestModseq), keywords: keywordList(String(row.keywords)), recentUid: Number(row.recentUid) } : null;
}

/**
 * RFC 3501 2.3.2: a message is \\Recent in exactly one session, the first to
 * learn of it. A session that sees UIDs up to `upToUid` claims them by moving
 * the mailbox's recentUid there, compare-and-set, so that two sessions (in
 * this daemon or another) never claim the same ones. `knownRecentUid` is the
 * value the caller last read: recentUid only grows, so when that already
 * covers `upToUid` there is nothing to claim and no query. Returns the
 * recentUid before the claim: the UIDs above it, up to `upToUid`, are this
 * session's.
 */
export async function claimRecent(store: MailStore, mailboxId: number, knownRecentUid: number, upToUid: number): Promise<number> {
  const prisma = store.database.prisma;
  let seen = knownRecentUid;
  while (seen < upToUid) {
    const { count } = await prisma.mailbox.updateMany({ where: { id: mailboxId, recentUid: seen }, data: { recentUid: upToUid } });
    if (count === 1) return seen;
    const row = await prisma.mailbox.findUnique({ where: { id: mailboxId }, select: { recentUid: true } });
    if (!row) break;
    seen = row.recentUid;
  }
  return upToUid;
}

/** STATUS RECENT: the messages no session has claimed yet. */
export async function unclaimedRecentCount(store: MailStore, mailbox: Pick<Mailbox, 'id' | 'recentUid'>): Promise<number> {
  return store.database.prisma.message.count({ where: { mailboxId: mailbox.id, uid: { gt: mailbox.recentUid } } });
}

export function keywordList(column: string): string[] {
  return column ? column.split(' ') : [];
}

/**
 * Adds the keywords among `flags` to the mailbox's list, inside the
 * transaction that gives them to messages. Run it after the statement that
 * locks the mailbox row (its modseq or UID update), so that two transactions
 * adding keywords cannot both miss the other's.
 */
export function* recordKeywordsSteps(mailboxId: number, flags: Iterable<string>): Steps<void> {
  const given = [...flags].filter((f) => !f.startsWith('\\'));
  if (given.length === 0) return;
  const [row] = yield Prisma.sql`SELECT "keywords" FROM "Mailbox" WHERE "id" = ${mailboxId}`;
  const before = keywordList(String(row?.keywords ?? ''));
  const list = [...before];
  const known = new Set(list.map((k) => k.toLowerCase()));
  for (const keyword of given) {
    if (known.has(keyword.toLowerCase())) continue;
    known.add(keyword.toLowerCase());
    list.push(keyword);
  }
  if (list.length === before.length) return;
  // Every session is sent the whole list in FLAGS: it may not grow without bound.
  if (list.length > MAX_MAILBOX_KEYWORDS) throw new StoreError('LIMIT', `At most ${MAX_MAILBOX_KEYWORDS} keywords in one mailbox`);
  yield Prisma.sql`UPDATE "Mailbox" SET "keywords" = ${list.join(' ')} WHERE "id" = ${mailboxId}`;
}

export function recordKeywords(tx: Tx, mailboxId: number, flags: Iterable<string>): Promise<void> {
  return runInTx(tx, recordKeywordsSteps(mailboxId, flags));
}

export async function findSpecialUseMailbox(db: Pick<Tx, 'mailbox'>, accountId: number, specialUse: string): Promise<Mailbox | null> {
  return db.mailbox.findFirst({ where: { accountId, specialUse } });
}

/**
 * Creates a mailbox and any missing parents (RFC 3501 6.3.3). IMAP CREATE does
 * not subscribe (the client does, if it wants); the web app's new folders are
 * subscribed so that mail clients showing subscribed folders see them.
 */
export async function createMailbox(store: MailStore, accountId: number, name: string, options: { subscribe?: boolean } = {}): Promise<Mailbox> {
  const normalized = normalizeMailboxName(name);
  return mutate(store, async (tx, changes) => {
    const existing = await tx.mailbox.findUnique({ where: { accountId_name: { accountId, name: normalized } } });
    if (existing) throw new StoreError('ALREADYEXISTS', `mailbox ${normalized} already exists`);
    for (const parent of parentNames(normalized)) {
      const found = await tx.mailbox.findUnique({ where: { accountId_name: { accountId, name: parent } } });
      if (!found) await insertMailbox(tx, accountId, parent, null);
    }
    const mailbox = await insertMailbox(tx, accountId, normalized, null, options.subscribe);
    changes.push({ accountId, kind: 'mailboxes-changed' });
    return mailbox;
  });
}

function childrenWhere(accountId: number, name: string) {
  return { accountId, name: { startsWith: name + DELIMITER } };
}

/**
 * Deletes a mailbox and its messages. INBOX cannot be deleted. A mailbox with
 * children is refused unless `recursive` (the web app's "delete folder").
 */
export async function deleteMailbox(store: MailStore, accountId: number, name: string, options: { recursive?: boolean } = {}): Promise<void> {
  const normalized = normalizeMailboxName(name);
  if (normalized === INBOX) throw new StoreError('CANNOT', 'INBOX cannot be deleted');
  await mutate(store, async (tx, changes) => {
    const mailbox = await tx.mailbox.findUnique({ where: { accountId_name: { accountId, name: normalized } } });
    if (!mailbox) throw new StoreError('NONEXISTENT', `no mailbox ${normalized}`);
    const children = await tx.mailbox.findMany({ where: childrenWhere(accountId, normalized) });
    if (children.length > 0 && !options.recursive) {
      throw new StoreError('HASCHILDREN', `mailbox ${normalized} has child mailboxes`);
    }
    for (const doomed of [...children, mailbox]) {
      await removeMessages(tx, doomed, { onlyDeleted: false }, changes);
      await tx.mailbox.delete({ where: { id: doomed.id } });
    }
    changes.push({ accountId, kind: 'mailboxes-changed' });
  });
}

/**
 * Renames a mailbox with its children, keeping UIDVALIDITY. Renaming INBOX
 * moves its messages to a new mailbox and leaves INBOX empty (RFC 3501 6.3.5).
 */
export async function renameMailbox(store: MailStore, accountId: number, from: string, to: string): Promise<Mailbox> {
  const source = normalizeMailboxName(from);
  const target = normalizeMailboxName(to);
  if (target === INBOX) throw new StoreError('CANNOT', 'cannot rename to INBOX');
  // RFC 9051 6.3.6: renaming to a name that exists (its own included) is ALREADYEXISTS.
  if (target === source) throw new StoreError('ALREADYEXISTS', `mailbox ${target} already exists`);
  if (target.startsWith(source + DELIMITER)) throw new StoreError('CANNOT', 'cannot rename a mailbox into itself');
  return mutate(store, async (tx, changes) => {
    const mailbox = await tx.mailbox.findUnique({ where: { accountId_name: { accountId, name: source } } });
    if (!mailbox) throw new StoreError('NONEXISTENT', `no mailbox ${source}`);
    if (await tx.mailbox.findUnique({ where: { accountId_name: { accountId, name: target } } })) {
      throw new StoreError('ALREADYEXISTS', `mailbox ${target} already exists`);
    }
    for (const parent of parentNames(target)) {
      const found = await tx.mailbox.findUnique({ where: { accountId_name: { accountId, name: parent } } });
      if (!found) await insertMailbox(tx, accountId, parent, null);
    }
    changes.push({ accountId, kind: 'mailboxes-changed' });
    if (source === INBOX) {
      const created = await insertMailbox(tx, accountId, target, null);
      await moveAllMessages(tx, mailbox, created, changes);
      return created;
    }
    const children = await tx.mailbox.findMany({ where: childrenWhere(accountId, source) });
    for (const child of children) {
      const name = target + child.name.slice(source.length);
      await tx.mailbox.update({ where: { id: child.id }, data: { name } });
      await moveSubscription(tx, accountId, child.name, name);
    }
    await moveSubscription(tx, accountId, source, target);
    return tx.mailbox.update({ where: { id: mailbox.id }, data: { name: target } });
  });
}

/** A renamed mailbox keeps its subscription under the new name. */
async function moveSubscription(tx: Tx, accountId: number, from: string, to: string): Promise<void> {
  const { count } = await tx.subscription.deleteMany({ where: { accountId, name: from } });
  if (count > 0) await tx.subscription.upsert({ where: { accountId_name: { accountId, name: to } }, create: { accountId, name: to }, update: {} });
}

/** Subscribed names in order; a deleted mailbox's name stays until unsubscribed (RFC 3501 6.3.9). */
export async function listSubscriptions(store: MailStore, accountId: number): Promise<string[]> {
  const rows = await store.database.prisma.subscription.findMany({ where: { accountId }, orderBy: { name: 'asc' }, select: { name: true } });
  return rows.map((r) => r.name);
}

/** Only an existing mailbox can be subscribed; a subscribed name can always be unsubscribed. */
export async function setSubscribed(store: MailStore, accountId: number, name: string, subscribed: boolean): Promise<void> {
  const normalized = normalizeMailboxName(name);
  await mutate(store, async (tx, changes: StoreChange[]) => {
    const where = { accountId_name: { accountId, name: normalized } };
    if (subscribed) {
      if (!(await tx.mailbox.findUnique({ where }))) throw new StoreError('NONEXISTENT', `no mailbox ${normalized}`);
      await tx.subscription.upsert({ where, create: { accountId, name: normalized }, update: {} });
    } else {
      const { count } = await tx.subscription.deleteMany({ where: { accountId, name: normalized } });
      if (count === 0 && !(await tx.mailbox.findUnique({ where }))) throw new StoreError('NONEXISTENT', `no mailbox ${normalized}`);
    }
    changes.push({ accountId, kind: 'mailboxes-changed' });
  });
}

// What selecting a mailbox needs (RFC 3501 6.3.1: its UIDs for EXISTS and
// the sequence numbers, the first unseen message, UIDNEXT, HIGHESTMODSEQ),
// kept in memory per mailbox so that a SELECT does not read every message
// again. Dovecot keeps the same in its index files.
//
// The snapshot is checked against the mailbox row on every use: the caller
// reads that row anyway (to find the mailbox by name), and its
// highestModseq goes up with every change (delivery, flags, expunge, in any
// process), so an equal modseq and UIDVALIDITY mean nothing changed. When it
// differs, only the messages changed and expunged since the snapshot's modseq
// are read (flag-change-log.ts, and ExpungedMessage's [mailboxId, modseq]
// index), whichever process made the change; the change bus need not have
// arrived yet.
//
// Changes committed between the reads are applied too, and again by the next
// refresh: applying a change twice leaves the same state (insert when absent,
// remove when present), so the snapshot never misses one. The reads run on
// the driver (driver-reads.ts).
//
// The change bus (local changes at once, other processes' by LISTEN/NOTIFY or
// polling) brings a kept snapshot up to date in the background, so the next
// SELECT after another session's STORE or delivery usually finds it current,
// as Dovecot's sessions find its index updated by the one that changed it.
//
// The index keeps each message's flags and modseq too (a few words per
// message), so that IMAP SEARCH (messageFlagStates) checked the same way
// reads no message row for flag keys.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Database } from '../../prisma/database.ts';
import type { MailStore } from './context.ts';
import { driverReaderFor } from './driver-reads.ts';
import { changedSinceCondition } from './flag-change-log.ts';
import type { StoreChange } from './change-bus.ts';
import { asBoolean } from './driver-reads.ts';
import { StoreError } from './errors.ts';
import { columnsToFlags } from './flags.ts';

/** What a mailbox row gives: whatever the snapshot is checked against. */
export interface MailboxVersion {
  id: number;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
}

export interface MailboxSnapshot {
  /** Ascending; the caller's own copy. */
  uids: number[];
  firstUnseenUid: number | null;
  /** Above every UID in the snapshot. */
  uidNext: number;
  highestModseq: number;
}

/** A message's flags as the index has them: shared and frozen, never to be changed by the reader. */
export interface MessageFlagState {
  modseq: number;
  flags: string[];
}

const SEEN = 1;
/** The system flags' lists without keywords, by their bits (seen, answered, flagged, deleted, draft). */
const SYSTEM_FLAG_LISTS = Array.from({ length: 32 }, (_, bits) =>
  Object.freeze(columnsToFlags({ seen: !!(bits & 1), answered: !!(bits & 2), flagged: !!(bits & 4), deleted: !!(bits & 8), draft: !!(bits & 16), keywords: '' })),
);

class MailboxIndex {
  uids: number[] = [];
  /** Beside uids, position for position: each message's modseq and system flags (bits as SYSTEM_FLAG_LISTS). */
  private modseqs: number[] = [];
  private bits: number[] = [];
  /** The keywords of the messages that have any, as stored (space-separated). */
  private readonly keywords = new Map<number, string>();
  highestModseq = 0;
  uidNext = 1;

  constructor(readonly uidValidity: number) {}

  private position(uid: number): number {
    let low = 0;
    let high = this.uids.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.uids[mid] < uid) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  put(row: FlagRow): void {
    const uid = Number(row.uid);
    const last = this.uids[this.uids.length - 1];
    let at = this.uids.length;
    if (last === undefined || uid > last) {
      this.uids.push(uid);
      this.modseqs.push(0);
      this.bits.push(0);
    } else {
      at = this.position(uid);
      if (this.uids[at] !== uid) {
        this.uids.splice(at, 0, uid);
        this.modseqs.splice(at, 0, 0);
        this.bits.splice(at, 0, 0);
      }
    }
    this.modseqs[at] = Number(row.modseq);
    this.bits[at] =
      (asBoolean(row.seen) ? SEEN : 0) | (asBoolean(row.answered) ? 2 : 0) | (asBoolean(row.flagged) ? 4 : 0) | (asBoolean(row.deleted) ? 8 : 0) | (asBoolean(row.draft) ? 16 : 0);
    const keywords = String(row.keywords ?? '');
    if (keywords) this.keywords.set(uid, keywords);
    else this.keywords.delete(uid);
  }

  remove(uid: number): void {
    const at = this.position(uid);
    if (this.uids[at] === uid) {
      this.uids.splice(at, 1);
      this.modseqs.splice(at, 1);
      this.bits.splice(at, 1);
    }
    this.keywords.delete(uid);
  }

  /** A message's modseq and flags; undefined when it is not in the mailbox. */
  stateOf(uid: number): MessageFlagState | undefined {
    const at = this.position(uid);
    if (this.uids[at] !== uid) return undefined;
    const system = SYSTEM_FLAG_LISTS[this.bits[at]] as string[];
    const keywords = this.keywords.get(uid);
    return { modseq: this.modseqs[at], flags: keywords ? Object.freeze([...system, ...keywords.split(' ')]) as string[] : system };
  }

  snapshot(version: MailboxVersion): MailboxSnapshot {
    let firstUnseenUid: number | null = null;
    for (let i = 0; i < this.uids.length && firstUnseenUid === null; i++) if (!(this.bits[i] & SEEN)) firstUnseenUid = this.uids[i];
    const uidNext = Math.max(version.uidNext, (this.uids[this.uids.length - 1] ?? 0) + 1);
    return { uids: this.uids.slice(), firstUnseenUid, uidNext, highestModseq: version.highestModseq };
  }
}

/** Mailboxes kept per process at most; the least recently selected go first. */
const MAX_MAILBOXES = 2000;

interface Slot {
  index?: MailboxIndex;
  /** The refresh under way: one at a time per mailbox. */
  busy: Promise<unknown>;
  /** A refresh from the change bus is queued. */
  queued?: boolean;
  /** Refreshes queued or under way (the index is changing while any is). */
  pending: number;
}

const slotsByDatabase = new WeakMap<Database, Map<number, Slot>>();

type FlagRow = Record<'uid' | 'modseq' | 'seen' | 'answered' | 'flagged' | 'deleted' | 'draft' | 'keywords', unknown>;
const FLAG_COLUMNS = Prisma.sql`"uid", "modseq", "seen", "answered", "flagged", "deleted", "draft", "keywords"`;

async function refresh(store: MailStore, slot: Slot, version: MailboxVersion): Promise<MailboxIndex> {
  const reader = driverReaderFor(store.database);
  let index = slot.index;
  if (!index || index.uidValidity !== version.uidValidity) {
    index = new MailboxIndex(version.uidValidity);
    index.highestModseq = version.highestModseq;
    const rows = await reader.rows<FlagRow>(Prisma.sql`SELECT ${FLAG_COLUMNS} FROM "Message" WHERE "mailboxId" = ${version.id} ORDER BY "uid"`);
    for (const row of rows) index.put(row);
  } else if (index.highestModseq !== version.highestModseq) {
    const since = index.highestModseq;
    index.highestModseq = version.highestModseq;
    // Every message above the last UID kept is new to the index.
    const changedSince = await changedSinceCondition(store, version.id, since, (index.uids[index.uids.length - 1] ?? 0) + 1);
    const changed = await reader.rows<FlagRow>(Prisma.sql`
      SELECT ${FLAG_COLUMNS} FROM "Message" WHERE "mailboxId" = ${version.id} AND ${changedSince} ORDER BY "uid"`);
    const gone = await reader.rows<{ uid: number | bigint }>(Prisma.sql`
      SELECT "uid" FROM "ExpungedMessage" WHERE "mailboxId" = ${version.id} AND "modseq" > ${since}`);
    for (const row of changed) index.put(row);
    for (const row of gone) index.remove(Number(row.uid));
  }
  slot.index = index;
  return index;
}

/** Runs a refresh after the one under way; a failed one leaves the index to be loaded whole. */
function queueRefresh(store: MailStore, slot: Slot, version: () => Promise<MailboxVersion | null>): Promise<MailboxIndex | null> {
  slot.pending++;
  const run = slot.busy
    .catch(() => undefined)
    .then(version)
    .then((current) => (current ? refresh(store, slot, current) : null))
    .finally(() => slot.pending--);
  slot.busy = run.catch(() => {
    slot.index = undefined;
  });
  return run;
}

/** Keeps the snapshots of this store's database up to date from its change bus. */
function followChanges(store: MailStore, slots: Map<number, Slot>): void {
  const listener = (change: StoreChange) => {
    const slot = change.mailboxId === undefined ? undefined : slots.get(change.mailboxId);
    if (!slot?.index || slot.queued || (change.modseq !== undefined && change.modseq <= slot.index.highestModseq)) return;
    slot.queued = true;
    const mailboxId = change.mailboxId!;
    setImmediate(() => {
      slot.queued = false;
      void queueRefresh(store, slot, async () => {
        const version = await readVersion(store, mailboxId);
        if (!version) slots.delete(mailboxId);
        return version && version.version;
      }).catch(() => undefined);
    });
  };
  // Without the bus (it failed to start), SELECT still checks every snapshot against the row.
  store.bus.subscribe(listener).catch(() => undefined);
}

/** A mailbox's row as the index is checked against, and its owner; null when there is no such mailbox. */
async function readVersion(store: MailStore, mailboxId: number): Promise<{ accountId: number; version: MailboxVersion } | null> {
  const [row] = await driverReaderFor(store.database).rows<Record<string, unknown>>(
    Prisma.sql`SELECT "accountId", "uidValidity", "uidNext", "highestModseq" FROM "Mailbox" WHERE "id" = ${mailboxId}`,
  );
  if (!row) return null;
  const version = { id: mailboxId, uidValidity: Number(row.uidValidity), uidNext: Number(row.uidNext), highestModseq: Number(row.highestModseq) };
  return { accountId: Number(row.accountId), version };
}

/** The mailbox's index brought up to `version` (or later). */
async function currentIndex(store: MailStore, version: MailboxVersion): Promise<MailboxIndex> {
  let slots = slotsByDatabase.get(store.database);
  if (!slots) {
    slotsByDatabase.set(store.database, (slots = new Map()));
    followChanges(store, slots);
  }
  let slot = slots.get(version.id);
  if (slot) slots.delete(version.id);
  else slot = { busy: Promise.resolve(), pending: 0 };
  // Most recently used last, so that the first is the one to drop.
  slots.set(version.id, slot);
  if (slots.size > MAX_MAILBOXES) slots.delete(slots.keys().next().value!);
  // Already at this version, and not changing: no turn in the queue behind other sessions' refreshes.
  const index = slot.index;
  if (index && slot.pending === 0 && index.uidValidity === version.uidValidity && index.highestModseq === version.highestModseq) return index;
  return (await queueRefresh(store, slot, async () => version))!;
}

/** The snapshot of a mailbox the caller found under the account, as of the row it read (or later). */
export async function mailboxSnapshot(store: MailStore, version: MailboxVersion): Promise<MailboxSnapshot> {
  return (await currentIndex(store, version)).snapshot(version);
}

/**
 * Each message's modseq and flags as the store has them now (the mailbox row
 * read now, and what changed since the index's modseq): undefined for a UID
 * no longer in the mailbox. The lookup reads the live index: call it before
 * the next await.
 */
export async function messageFlagStates(store: MailStore, accountId: number, mailboxId: number): Promise<(uid: number) => MessageFlagState | undefined> {
  const current = await readVersion(store, mailboxId);
  if (!current || current.accountId !== accountId) throw new StoreError('NONEXISTENT', 'no such mailbox');
  const index = await currentIndex(store, current.version);
  return (uid) => index.stateOf(uid);
}

/**
 * Of `uids`, those whose modseq is above `since` (RFC 7162 3.1.4 CHANGEDSINCE,
 * 3.2.5.2 QRESYNC), or that the index does not have, from the index checked
 * as messageFlagStates does: no message row has an index on its modseq
 * (flag-change-log.ts), and the index has them all.
 */
export async function uidsChangedSince(store: MailStore, accountId: number, mailboxId: number, uids: number[], since: number): Promise<number[]> {
  const stateOf = await messageFlagStates(store, accountId, mailboxId);
  return uids.filter((uid) => (stateOf(uid)?.modseq ?? Infinity) > since);
}

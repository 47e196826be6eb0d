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
// are read (the [mailboxId, modseq] indexes), whichever process made the
// change; the change bus need not have arrived yet.
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
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Database } from '../../prisma/database.ts';
import type { MailStore } from './context.ts';
import { driverReaderFor } from './driver-reads.ts';
import type { StoreChange } from './change-bus.ts';

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

class MailboxIndex {
  uids: number[] = [];
  readonly unseen = new Set<number>();
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

  put(uid: number, seen: boolean): void {
    const last = this.uids[this.uids.length - 1];
    if (last === undefined || uid > last) this.uids.push(uid);
    else {
      const at = this.position(uid);
      if (this.uids[at] !== uid) this.uids.splice(at, 0, uid);
    }
    if (seen) this.unseen.delete(uid);
    else this.unseen.add(uid);
  }

  remove(uid: number): void {
    const at = this.position(uid);
    if (this.uids[at] === uid) this.uids.splice(at, 1);
    this.unseen.delete(uid);
  }

  snapshot(version: MailboxVersion): MailboxSnapshot {
    let firstUnseenUid: number | null = null;
    for (const uid of this.unseen) if (firstUnseenUid === null || uid < firstUnseenUid) firstUnseenUid = uid;
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
}

const slotsByDatabase = new WeakMap<Database, Map<number, Slot>>();

type SeenRow = { uid: number | bigint; seen: boolean | number | bigint };

async function refresh(store: MailStore, slot: Slot, version: MailboxVersion): Promise<MailboxIndex> {
  const reader = driverReaderFor(store.database);
  let index = slot.index;
  if (!index || index.uidValidity !== version.uidValidity) {
    index = new MailboxIndex(version.uidValidity);
    index.highestModseq = version.highestModseq;
    const rows = await reader.rows<SeenRow>(Prisma.sql`SELECT "uid", "seen" FROM "Message" WHERE "mailboxId" = ${version.id} ORDER BY "uid"`);
    for (const row of rows) index.put(Number(row.uid), Boolean(Number(row.seen)));
  } else if (index.highestModseq !== version.highestModseq) {
    const since = index.highestModseq;
    index.highestModseq = version.highestModseq;
    const changed = await reader.rows<SeenRow>(Prisma.sql`
      SELECT "uid", "seen" FROM "Message" WHERE "mailboxId" = ${version.id} AND "modseq" > ${since} ORDER BY "uid"`);
    const gone = await reader.rows<{ uid: number | bigint }>(Prisma.sql`
      SELECT "uid" FROM "ExpungedMessage" WHERE "mailboxId" = ${version.id} AND "modseq" > ${since}`);
    for (const row of changed) index.put(Number(row.uid), Boolean(Number(row.seen)));
    for (const row of gone) index.remove(Number(row.uid));
  }
  slot.index = index;
  return index;
}

/** Runs a refresh after the one under way; a failed one leaves the index to be loaded whole. */
function queueRefresh(store: MailStore, slot: Slot, version: () => Promise<MailboxVersion | null>): Promise<MailboxIndex | null> {
  const run = slot.busy
    .catch(() => undefined)
    .then(version)
    .then((current) => (current ? refresh(store, slot, current) : null));
  slot.busy = run.catch(() => {
    slot.index = undefined;
  });
  return run;
}

/** Keeps the snapshots of this store's database up to date from its change bus. */
function followChanges(store: MailStore, slots: Map<number, Slot>): void {
  const reader = driverReaderFor(store.database);
  const listener = (change: StoreChange) => {
    const slot = change.mailboxId === undefined ? undefined : slots.get(change.mailboxId);
    if (!slot?.index || slot.queued || (change.modseq !== undefined && change.modseq <= slot.index.highestModseq)) return;
    slot.queued = true;
    const mailboxId = change.mailboxId!;
    setImmediate(() => {
      slot.queued = false;
      void queueRefresh(store, slot, async () => {
        const [row] = await reader.rows<Record<string, unknown>>(
          Prisma.sql`SELECT "uidValidity", "uidNext", "highestModseq" FROM "Mailbox" WHERE "id" = ${mailboxId}`,
        );
        if (!row) {
          slots.delete(mailboxId);
          return null;
        }
        return { id: mailboxId, uidValidity: Number(row.uidValidity), uidNext: Number(row.uidNext), highestModseq: Number(row.highestModseq) };
      }).catch(() => undefined);
    });
  };
  // Without the bus (it failed to start), SELECT still checks every snapshot against the row.
  store.bus.subscribe(listener).catch(() => undefined);
}

/** The snapshot of a mailbox the caller found under the account, as of the row it read (or later). */
export async function mailboxSnapshot(store: MailStore, version: MailboxVersion): Promise<MailboxSnapshot> {
  let slots = slotsByDatabase.get(store.database);
  if (!slots) {
    slotsByDatabase.set(store.database, (slots = new Map()));
    followChanges(store, slots);
  }
  let slot = slots.get(version.id);
  if (slot) slots.delete(version.id);
  else slot = { busy: Promise.resolve() };
  // Most recently used last, so that the first is the one to drop.
  slots.set(version.id, slot);
  if (slots.size > MAX_MAILBOXES) slots.delete(slots.keys().next().value!);
  const index = await queueRefresh(store, slot, async () => version);
  return index!.snapshot(version);
}

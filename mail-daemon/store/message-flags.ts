// Changing flags (IMAP STORE, the web app's read/flag buttons, POP3 RETR
// marking \Seen). Each changed message gets the mailbox's new modseq;
// with unchangedSince (RFC 7162 3.1.3) a message modified after that modseq is
// left alone and reported back.
//
// One transaction on the driver (driver-transaction.ts), not Prisma's: on
// PostgreSQL a STORE of 1,000 messages was 3 to 6 times Dovecot's time, most
// of it Prisma's cost per statement and its row mapping. The mailbox row is
// locked first, so that concurrent changes to one mailbox take turns and none
// writes flags it read before another's commit (SQLite's BEGIN IMMEDIATE
// already makes every writer take turns).
import type { Engine } from '../../prisma/database.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { StoreChange } from './change-bus.ts';
import type { MailStore } from './context.ts';
import { asBoolean } from './driver-reads.ts';
import { inList, uidCondition } from './driver-conditions.ts';
import { driverWriterFor } from './driver-transaction.ts';
import { StoreError } from './errors.ts';
import { applyFlagChange, columnsToFlags, flagsToColumns, normalizeFlags, sameFlags } from './flags.ts';
import { oldestFlagChange, recordFlagChangeSteps } from './flag-change-log.ts';
import { recordKeywordsSteps } from './mailboxes.ts';
import { withoutRows, type Steps } from './sql-steps.ts';
import { selectionOf, type UidSelection } from './uid-set.ts';
import { trainAfterAction, verdictOfKeywords, type Verdict } from '../spam/training.ts';

export interface FlagUpdate {
  uid: number;
  flags: string[];
  modseq: number;
}

export interface SetFlagsResult {
  /** Messages whose flags changed, with their new flags. */
  updated: FlagUpdate[];
  /** UIDs refused because they changed after unchangedSince. */
  modified: number[];
}

interface FlagChange {
  accountId: number;
  mailboxId: number;
  selection: UidSelection;
  mode: 'set' | 'add' | 'remove';
  flags: string[];
  unchangedSince?: number;
}

/** What the junk filter learns after the commit: content hashes by verdict. */
type Training = Record<Verdict, string[]>;

function* setFlagsSteps(engine: Engine, change: FlagChange, changes: StoreChange[], training: Training): Steps<SetFlagsResult> {
  const { accountId, mailboxId, mode, flags } = change;
  const lock = engine === 'postgres' ? Prisma.sql` FOR UPDATE` : Prisma.empty;
  const [mailbox] = yield Prisma.sql`SELECT "highestModseq", ${oldestFlagChange(mailboxId)} AS "oldestChange" FROM "Mailbox"
    WHERE "id" = ${mailboxId} AND "accountId" = ${accountId}${lock}`;
  if (!mailbox) throw new StoreError('NONEXISTENT', 'no such mailbox');
  const uids = uidCondition(engine, Prisma.sql`"uid"`, change.selection);
  const rows = yield Prisma.sql`SELECT "id", "uid", "modseq", "seen", "answered", "flagged", "deleted", "draft", "keywords", "contentHash"
    FROM "Message" WHERE "mailboxId" = ${mailboxId} AND ${uids.sql}`;
  const modified: number[] = [];
  const pending: { id: number; uid: number; flags: string[] }[] = [];
  for (const row of rows) {
    const uid = Number(row.uid);
    if (!uids.keeps(uid)) continue;
    if (change.unchangedSince !== undefined && Number(row.modseq) > change.unchangedSince) {
      modified.push(uid);
      continue;
    }
    const current = columnsToFlags({
      seen: asBoolean(row.seen),
      answered: asBoolean(row.answered),
      flagged: asBoolean(row.flagged),
      deleted: asBoolean(row.deleted),
      draft: asBoolean(row.draft),
      keywords: String(row.keywords ?? ''),
    });
    const next = applyFlagChange(current, mode, flags);
    if (sameFlags(current, next)) continue;
    pending.push({ id: Number(row.id), uid, flags: next });
    const verdict = verdictOfKeywords(current, next);
    if (verdict) training[verdict].push(String(row.contentHash));
  }
  modified.sort((a, b) => a - b);
  if (pending.length === 0) return { updated: [], modified };
  const modseq = Number(mailbox.highestModseq) + 1;
  yield withoutRows(Prisma.sql`UPDATE "Mailbox" SET "highestModseq" = ${modseq} WHERE "id" = ${mailboxId}`);
  if (mode !== 'remove') yield* recordKeywordsSteps(mailboxId, flags);
  // One UPDATE per distinct resulting flag set: "+FLAGS \Seen" on 1:* is one statement.
  const groups = new Map<string, { columns: ReturnType<typeof flagsToColumns>; ids: number[] }>();
  for (const item of pending) {
    const columns = flagsToColumns(item.flags);
    const key = JSON.stringify(columns);
    const group = groups.get(key) ?? { columns, ids: [] };
    group.ids.push(item.id);
    groups.set(key, group);
  }
  for (const { columns, ids } of groups.values()) {
    const { seen, answered, flagged, deleted, draft, keywords } = columns;
    yield withoutRows(Prisma.sql`UPDATE "Message" SET "seen" = ${seen}, "answered" = ${answered}, "flagged" = ${flagged}, "deleted" = ${deleted},
      "draft" = ${draft}, "keywords" = ${keywords}, "modseq" = ${modseq} WHERE ${inList(engine, Prisma.sql`"id"`, ids, 'int')}`);
  }
  const oldest = mailbox.oldestChange === null ? null : Number(mailbox.oldestChange);
  yield* recordFlagChangeSteps(engine, mailboxId, modseq, pending.map((p) => p.uid), oldest);
  changes.push({ accountId, mailboxId, kind: 'flags-changed', modseq });
  return { updated: pending.map((p) => ({ uid: p.uid, flags: p.flags, modseq })).sort((a, b) => a.uid - b.uid), modified };
}

export async function setFlags(
  store: MailStore,
  accountId: number,
  mailboxId: number,
  uids: UidSelection | number[],
  mode: 'set' | 'add' | 'remove',
  flags: string[],
  options: { unchangedSince?: number } = {},
): Promise<SetFlagsResult> {
  normalizeFlags(flags); // refuse bad flags before opening a transaction
  const change: FlagChange = { accountId, mailboxId, selection: selectionOf(uids), mode, flags, unchangedSince: options.unchangedSince };
  // $Junk / $NotJunk set here train the junk filter after the commit.
  let training: Training = { spam: [], ham: [] };
  let changes: StoreChange[] = [];
  const result = await driverWriterFor(store.database).transaction(function* () {
    training = { spam: [], ham: [] };
    changes = [];
    const value = yield* setFlagsSteps(store.database.engine, change, changes, training);
    yield* store.bus.recordSteps(changes);
    return value;
  });
  store.bus.published(changes);
  await trainAfterAction(store, accountId, training.spam, 'spam');
  await trainAfterAction(store, accountId, training.ham, 'ham');
  return result;
}

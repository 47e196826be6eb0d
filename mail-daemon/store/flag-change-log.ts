// What changed in a mailbox since a modseq, without an index on
// Message.modseq: with one, a STORE wrote a new entry into each of Message's
// 7 indexes for every message (PostgreSQL: a non-HOT update), about 18 ms of
// a STORE of 1,000 messages; with no index on the flags it changes, the new
// row versions stay in their pages and no index is written (schema.prisma).
// Instead each flag change (message-flags.ts) records its UIDs as ranges
// under its modseq (FlagChange), and a session catching up (selected-mailbox,
// mailbox-snapshot) reads the messages in those ranges and those above the
// UIDs it knows: any other message changed since was added since, and
// messages are added with rising UIDs. RFC 7162 3.1: a message's modseq is
// that of its last change, so the rows read are kept only if their modseq is
// above the one asked about.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Engine } from '../../prisma/database.ts';
import type { MailStore } from './context.ts';
import { inList } from './driver-conditions.ts';
import { driverReaderFor } from './driver-reads.ts';
import { withoutRows, type Steps } from './sql-steps.ts';
import { MAX_STORED_UID, rangesOf } from './uid-set.ts';

/** Changes of the last this many modseqs are kept; older ones go once the oldest is twice as old. */
export const KEPT_MODSEQS = 1000;

/** Past this many UIDs changed, the messages are read whole, filtered by modseq. */
const MAX_LISTED_UIDS = 10_000;

/**
 * Records that the flags of `uids` changed at `modseq`, in the transaction of
 * the change. `oldest`: the modseq of the mailbox's oldest record, if any;
 * when it is 2 × KEPT_MODSEQS old, the records of modseqs up to KEPT_MODSEQS
 * ago are replaced by one range of every UID at that modseq, which sends a
 * session that far behind to read its whole mailbox.
 */
export function* recordFlagChangeSteps(engine: Engine, mailboxId: number, modseq: number, uids: number[], oldest: number | null): Steps<void> {
  const ranges = rangesOf(uids);
  yield withoutRows(
    engine === 'postgres'
      ? Prisma.sql`INSERT INTO "FlagChange" ("mailboxId", "modseq", "firstUid", "lastUid")
          SELECT ${mailboxId}, ${modseq}, r."first", r."last" FROM unnest(${ranges.map((r) => r[0])}::int[], ${ranges.map((r) => r[1])}::int[]) AS r("first", "last")`
      : Prisma.sql`INSERT INTO "FlagChange" ("mailboxId", "modseq", "firstUid", "lastUid")
          SELECT ${mailboxId}, ${modseq}, json_extract("value", '$[0]'), json_extract("value", '$[1]') FROM json_each(${JSON.stringify(ranges)})`,
  );
  if (oldest === null || modseq - oldest < 2 * KEPT_MODSEQS) return;
  const forgotten = modseq - KEPT_MODSEQS;
  yield withoutRows(Prisma.sql`DELETE FROM "FlagChange" WHERE "mailboxId" = ${mailboxId} AND "modseq" <= ${forgotten}`);
  yield withoutRows(Prisma.sql`INSERT INTO "FlagChange" ("mailboxId", "modseq", "firstUid", "lastUid") VALUES (${mailboxId}, ${forgotten}, 1, ${MAX_STORED_UID})`);
}

/** The modseq of a mailbox's oldest record, as a column of a statement that reads the mailbox row. */
export const oldestFlagChange = (mailboxId: number): Prisma.Sql =>
  Prisma.sql`(SELECT min("modseq") FROM "FlagChange" WHERE "mailboxId" = ${mailboxId})`;

/**
 * A condition on a Message row (its columns unqualified, or qualified by
 * `alias`) that keeps the messages changed after `since`, for a reader that
 * knows the mailbox's UIDs below `knownUidNext`: those in the ranges
 * recorded since, and those from `knownUidNext` on. One read of the records
 * (FlagChange's primary key), so the statement then reads only those rows.
 */
export async function changedSinceCondition(store: MailStore, mailboxId: number, since: number, knownUidNext: number, alias = ''): Promise<Prisma.Sql> {
  const column = (name: string) => Prisma.raw(alias ? `${alias}."${name}"` : `"${name}"`);
  const modseq = Prisma.sql`${column('modseq')} > ${since}`;
  const records = await driverReaderFor(store.database).arrays(Prisma.sql`
    SELECT "firstUid", "lastUid" FROM "FlagChange" WHERE "mailboxId" = ${mailboxId} AND "modseq" > ${since}`);
  const uids: number[] = [];
  for (const [first, last] of records) {
    // UIDs from knownUidNext on are read anyway.
    const high = Math.min(Number(last), knownUidNext - 1);
    if (high - Number(first) + 1 + uids.length > MAX_LISTED_UIDS) return modseq;
    for (let uid = Number(first); uid <= high; uid++) uids.push(uid);
  }
  const listed = [...new Set(uids)];
  // Each engine reads only those rows by the (mailboxId, uid) index given its own shape of
  // condition: PostgreSQL the OR of both (a BitmapOr), SQLite a list of UIDs (with an OR,
  // it reads every message of the mailbox).
  const uid = column('uid');
  if (store.database.engine === 'postgres') {
    const inListed = listed.length > 0 ? Prisma.sql`${inList('postgres', uid, listed, 'int')} OR ` : Prisma.empty;
    return Prisma.sql`(${inListed}${uid} >= ${knownUidNext}) AND ${modseq}`;
  }
  return Prisma.sql`${uid} IN (SELECT "value" FROM json_each(${JSON.stringify(listed)})
    UNION ALL SELECT "uid" FROM "Message" WHERE "mailboxId" = ${mailboxId} AND "uid" >= ${knownUidNext}) AND ${modseq}`;
}

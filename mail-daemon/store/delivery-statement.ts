// PostgreSQL: a whole batch of deliveries as one statement, so one round trip
// and one commit (in autocommit: the statement is its transaction). Each
// statement of the step-by-step transaction (delivery-batch.ts) is a round
// trip, 7 for one delivery on one SMTP session, most of its time on a loaded
// machine (issue 12). The same writes, as data-modifying WITH clauses:
// - each delivery's log line, content and text: its own steps (deliver.ts
//   deliveryWritesSteps), which only write;
// - the copies: each target's mailbox resolved as resolveMailbox does, the
//   mailboxes locked in id order (as deliverySteps, against deadlocks), the
//   UIDs and modseqs of each mailbox taken at once for all its copies, in
//   delivery order; the rows as deliverySteps writes them (messageColumns);
//   the quota charged per account, and one notice per delivery.
// It takes the common deliveries (one message, no keywords, the quota not
// enforced, a content in one piece, one copy per account); the others go step
// by step. A statement that fails commits nothing: the batch then goes step
// by step, where each delivery gets its own outcome (a mailbox gone leaves a
// copy without one, which the NOT NULL of "mailboxId" refuses).
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { postgresChangeNotice, type StoreChange } from './change-bus.ts';
import { deliveryWritesSteps, messageColumns, type DeliveredCopy } from './deliver.ts';
import type { DeliveryRequest, Outcome } from './delivery-batch.ts';
import { INBOX } from './mailboxes.ts';
import { crossedWarning } from './quota.ts';
import { writesOnly, type Row } from './sql-steps.ts';
import { unprepared } from './driver-statements.ts';

// Batches of up to this many deliveries run as prepared statements (their
// texts differ by size: a few dozen kept); larger ones are planned each time.
const PREPARED_BATCH = 8;

export interface BatchStatement {
  statement: Prisma.Sql;
  /** Each request's outcome from the statement's rows. */
  outcomes(rows: Row[]): Outcome[];
}

interface Copy {
  request: number;
  accountId: number;
  mailboxId: number | null;
  specialUse: string | null;
  row: Record<string, unknown>;
}

/** The batch as one statement, or null when one of its deliveries needs the steps. */
export function batchStatement(origin: string, requests: DeliveryRequest[]): BatchStatement | null {
  const writes: Prisma.Sql[] = [];
  const copies: Copy[] = [];
  for (const [request, deliveries] of requests.entries()) {
    if (deliveries.length !== 1) return null;
    const [{ prepared, targets, options }] = deliveries;
    if (targets.length === 0 || options.enforceQuota) return null;
    if (new Set(targets.map((t) => t.accountId)).size !== targets.length) return null;
    if (targets.some((t) => (t.flags ?? []).some((flag) => !flag.startsWith('\\')))) return null;
    const written = writesOnly(deliveryWritesSteps('postgres', prepared, targets, options));
    if (!written) return null;
    writes.push(...written);
    const internalDate = options.internalDate ?? new Date();
    for (const target of targets) {
      let row: Record<string, unknown>;
      try {
        row = messageColumns(prepared, target.flags ?? [], internalDate);
      } catch {
        // A flag the steps refuse: they give the delivery its error.
        return null;
      }
      copies.push({ request, accountId: target.accountId, mailboxId: target.mailboxId ?? null, specialUse: target.specialUse ?? null, row });
    }
  }
  const columns = Object.keys(copies[0].row);
  const column = (name: string) => Prisma.raw(`"${name}"`);
  const held = writes.map((write, i) => Prisma.sql`${column(`write${i}`)} AS (${write})`);
  const statement = Prisma.sql`WITH ${Prisma.join(held, ', ')}${held.length > 0 ? Prisma.raw(', ') : Prisma.empty}
    "target" AS (
      SELECT e.ord, (e.j->>'request')::int AS "request", (e.j->>'accountId')::int AS "accountId", e.j->'row' AS "row",
        CASE WHEN jsonb_typeof(e.j->'mailboxId') = 'number'
          THEN (SELECT b."id" FROM "Mailbox" b WHERE b."id" = (e.j->>'mailboxId')::int AND b."accountId" = (e.j->>'accountId')::int)
          ELSE COALESCE(
            (SELECT b."id" FROM "Mailbox" b WHERE b."accountId" = (e.j->>'accountId')::int AND b."specialUse" = e.j->>'specialUse' ORDER BY b."id" LIMIT 1),
            (SELECT b."id" FROM "Mailbox" b WHERE b."accountId" = (e.j->>'accountId')::int AND b."name" = ${INBOX}))
        END AS "mailboxId"
      FROM jsonb_array_elements(${JSON.stringify(copies)}::jsonb) WITH ORDINALITY AS e(j, ord)),
    "lockedMailbox" AS (SELECT b."id" FROM "Mailbox" b WHERE b."id" IN (SELECT "mailboxId" FROM "target") ORDER BY b."id" FOR UPDATE),
    "counted" AS (SELECT "mailboxId", count(*)::int AS n FROM "target" GROUP BY "mailboxId"),
    "allocated" AS (
      UPDATE "Mailbox" b SET "uidNext" = b."uidNext" + c.n, "highestModseq" = b."highestModseq" + c.n
      FROM "counted" c WHERE b."id" = c."mailboxId" AND b."id" IN (SELECT "id" FROM "lockedMailbox")
      RETURNING b."id", b."name", b."uidValidity", b."uidNext" - c.n AS "firstUid", b."highestModseq" - c.n AS "modseqBefore"),
    "placed" AS (
      SELECT t.ord, t."request", t."accountId", t."row", a."id" AS "mailboxId", a."name", a."uidValidity",
        a."firstUid" + (row_number() OVER w)::int - 1 AS "uid", a."modseqBefore" + (row_number() OVER w)::int AS "modseq"
      FROM "target" t LEFT JOIN "allocated" a ON a."id" = t."mailboxId"
      WINDOW w AS (PARTITION BY t."mailboxId" ORDER BY t.ord)),
    "inserted" AS (
      INSERT INTO "Message" ("mailboxId", "uid", "modseq", ${Prisma.raw(columns.map((c) => `"${c}"`).join(', '))})
      SELECT p."mailboxId", p."uid", p."modseq", ${Prisma.raw(columns.map((c) => `m."${c}"`).join(', '))}
      FROM "placed" p CROSS JOIN LATERAL jsonb_populate_record(NULL::"Message", p."row") m
      RETURNING "id", "mailboxId", "uid"),
    "lockedAccount" AS (SELECT a."id" FROM "Account" a WHERE a."id" IN (SELECT "accountId" FROM "target") ORDER BY a."id" FOR UPDATE),
    "charged" AS (
      UPDATE "Account" a SET "usedBytes" = a."usedBytes" + s."bytes"
      FROM (SELECT "accountId", sum(("row"->>'size')::bigint) AS "bytes" FROM "placed" GROUP BY "accountId") s
      WHERE a."id" = s."accountId" AND a."id" IN (SELECT "id" FROM "lockedAccount")
      RETURNING a."id", a."usedBytes", a."quotaBytes", s."bytes"),
    "notified" AS (
      SELECT ${postgresChangeNotice(origin, Prisma.sql`json_agg(json_build_object('accountId', "accountId", 'mailboxId', "mailboxId", 'kind', 'messages-added', 'modseq', "modseq") ORDER BY "mailboxId")`)}
      FROM "placed" GROUP BY "request")
    SELECT p."request", p."accountId", p."mailboxId", p."name", p."uid", p."uidValidity", p."modseq", i."id" AS "messageId",
      c."usedBytes", c."quotaBytes", c."bytes", (SELECT count(*) FROM "notified") AS "notices"
    FROM "placed" p JOIN "inserted" i ON i."mailboxId" = p."mailboxId" AND i."uid" = p."uid" JOIN "charged" c ON c."id" = p."accountId"
    ORDER BY p.ord`;
  return { statement: requests.length > PREPARED_BATCH ? unprepared(statement) : statement, outcomes: (rows) => outcomesOf(requests, copies, rows) };
}

function outcomesOf(requests: DeliveryRequest[], copies: Copy[], rows: Row[]): Outcome[] {
  if (rows.length !== copies.length) throw new Error(`the delivery statement stored ${rows.length} copies of ${copies.length}`);
  // Each account's usage before the batch; then copy by copy, as the steps charge it.
  const used = new Map<number, bigint>();
  for (const row of rows) used.set(Number(row.accountId), BigInt(row.usedBytes as string) - BigInt(row.bytes as string));
  const delivered: DeliveredCopy[][] = requests.map(() => []);
  for (const [i, row] of rows.entries()) {
    const accountId = Number(row.accountId);
    const size = Number(copies[i].row.size);
    const usage = { usedBytes: Number(used.get(accountId)! + BigInt(size)), quotaBytes: Number(row.quotaBytes) };
    used.set(accountId, used.get(accountId)! + BigInt(size));
    delivered[Number(row.request)].push({
      accountId,
      mailboxId: Number(row.mailboxId),
      mailboxName: String(row.name),
      uid: Number(row.uid),
      uidValidity: Number(row.uidValidity),
      modseq: Number(row.modseq),
      messageId: Number(row.messageId),
      quotaWarning: crossedWarning(usage, size),
    });
  }
  return delivered.map((list) => {
    // In mailbox order, as the steps deliver them.
    list.sort((a, b) => a.mailboxId - b.mailboxId);
    const changes: StoreChange[] = list.map((c) => ({ accountId: c.accountId, mailboxId: c.mailboxId, kind: 'messages-added', modseq: c.modseq }));
    return { ok: true, copies: [list], changes };
  });
}

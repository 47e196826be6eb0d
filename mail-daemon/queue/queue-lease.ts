// Taking queue entries to work on. A runner holds an entry by writing its
// lease token and an expiry; other runners (in this daemon or another one on
// the same PostgreSQL) skip held entries until the lease runs out, so a
// message is never handed to two runners at once, and an entry whose runner
// died becomes due again when the lease expires.
//
// The cap on deliveries per destination domain holds across all runners on
// the database: a claim counts the held entries per domain and passes over
// domains at the cap. Claims run one at a time (an advisory lock on
// PostgreSQL, the single writer on SQLite) so that the count a claim reads is
// still true when it writes its leases.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Engine } from '../../prisma/database.ts';
import type { MailStore } from '../store/context.ts';
import { driverWriterFor } from '../store/driver-transaction.ts';
import type { Steps } from '../store/sql-steps.ts';

export interface ClaimOptions {
  /** Written to leaseOwner; unique per claim so that renew and release only touch our own. */
  token: string;
  leaseMs: number;
  limit: number;
  /** Entries held at once (by all runners) with pending recipients at one domain. */
  perDomain?: number;
  /** Domains this runner cannot take more of right now, whatever the count says. */
  busyDomains?: string[];
  now?: Date;
}

// pg_advisory_xact_lock key for "a claim is running"; any constant will do.
const CLAIM_LOCK = 0x6d61696c71;

/** Domains with `perDomain` or more held entries that still have recipients pending there. */
function* domainsAtCapacity(now: Date, perDomain: number): Steps<string[]> {
  // From the held entries (a few, by the leaseUntil index), not from every pending recipient.
  const rows = yield Prisma.sql`SELECT r."domain" FROM "QueueRecipient" r
    WHERE r."queueId" IN (SELECT "id" FROM "QueueMessage" WHERE "leaseUntil" > ${now}) AND r."status" = 'pending'
    GROUP BY r."domain" HAVING count(DISTINCT r."queueId") >= ${perDomain}`;
  return rows.map((r) => String(r.domain));
}

// Straight on the driver (store/driver-transaction.ts): a claim runs each
// time deliveries end, so Prisma's millisecond per statement counted.
function* claimSteps(engine: Engine, options: ClaimOptions, now: Date): Steps<number[]> {
  const leaseUntil = new Date(now.getTime() + options.leaseMs);
  // SQLite: the transaction began IMMEDIATE, holding the write lock.
  if (engine === 'postgres') yield Prisma.sql`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`;
  const atCapacity = options.perDomain ? yield* domainsAtCapacity(now, options.perDomain) : [];
  const busy = [...new Set([...(options.busyDomains ?? []), ...atCapacity])];
  const notBusy = busy.length > 0 ? Prisma.sql`AND r."domain" NOT IN (${Prisma.join(busy)})` : Prisma.empty;
  // PostgreSQL: SKIP LOCKED passes over rows another transaction is
  // changing (a runner recording its outcome) instead of waiting for them.
  const rows = yield Prisma.sql`
    UPDATE "QueueMessage" SET "leaseOwner" = ${options.token}, "leaseUntil" = ${leaseUntil}
    WHERE "id" IN (
      SELECT q."id" FROM "QueueMessage" q
      WHERE q."nextAttemptAt" <= ${now}
        AND (q."leaseUntil" IS NULL OR q."leaseUntil" < ${now})
        AND EXISTS (SELECT 1 FROM "QueueRecipient" r WHERE r."queueId" = q."id" AND r."status" = 'pending' ${notBusy})
      ORDER BY q."nextAttemptAt", q."id"
      LIMIT ${options.limit}${engine === 'postgres' ? Prisma.raw(' FOR UPDATE SKIP LOCKED') : Prisma.empty})
    RETURNING "id"`;
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** Takes up to `limit` due entries, oldest due first; returns their ids. */
export async function claimDueEntries(store: MailStore, options: ClaimOptions): Promise<number[]> {
  if (options.limit <= 0) return [];
  const now = options.now ?? new Date();
  // A lease lost in a power cut only makes the entry due again, as its expiry would.
  return driverWriterFor(store.database).transaction(() => claimSteps(store.database.engine, options, now), { durable: false });
}

/** Extends our lease; false when it is no longer ours (it expired and another runner took it). */
export async function renewLease(store: MailStore, id: number, token: string, leaseMs: number): Promise<boolean> {
  const result = await store.database.prisma.queueMessage.updateMany({
    where: { id, leaseOwner: token },
    data: { leaseUntil: new Date(Date.now() + leaseMs) },
  });
  return result.count === 1;
}

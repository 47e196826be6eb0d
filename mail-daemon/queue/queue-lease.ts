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
import type { MailStore } from '../store/context.ts';
import { runTransaction, type Tx } from '../store/transaction.ts';

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
async function domainsAtCapacity(tx: Tx, now: Date, perDomain: number): Promise<string[]> {
  const held = await tx.queueRecipient.findMany({
    where: { status: 'pending', queue: { leaseUntil: { gt: now } } },
    select: { domain: true, queueId: true },
    distinct: ['domain', 'queueId'],
  });
  const counts = new Map<string, number>();
  for (const { domain } of held) counts.set(domain, (counts.get(domain) ?? 0) + 1);
  return [...counts].filter(([, n]) => n >= perDomain).map(([domain]) => domain);
}

/** Takes up to `limit` due entries, oldest due first; returns their ids. */
export async function claimDueEntries(store: MailStore, options: ClaimOptions): Promise<number[]> {
  if (options.limit <= 0) return [];
  const now = options.now ?? new Date();
  const leaseUntil = new Date(now.getTime() + options.leaseMs);
  const engine = store.database.engine;

  return runTransaction(store.database, async (tx) => {
    if (engine === 'postgres') await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`;
    // SQLite: a first write takes the write lock, so claims queue up here.
    else await tx.queueMessage.updateMany({ where: { id: -1 }, data: { leaseOwner: null } });
    const atCapacity = options.perDomain ? await domainsAtCapacity(tx, now, options.perDomain) : [];
    const busy = [...new Set([...(options.busyDomains ?? []), ...atCapacity])];

    if (engine === 'postgres') {
      // SKIP LOCKED: rows another transaction is changing (a runner
      // recording its outcome) are passed over instead of waited for.
      const notBusy = busy.length > 0 ? Prisma.sql`AND r."domain" NOT IN (${Prisma.join(busy)})` : Prisma.empty;
      const rows = await tx.$queryRaw<{ id: number }[]>`
        UPDATE "QueueMessage" SET "leaseOwner" = ${options.token}, "leaseUntil" = ${leaseUntil}
        WHERE "id" IN (
          SELECT q."id" FROM "QueueMessage" q
          WHERE q."nextAttemptAt" <= ${now}
            AND (q."leaseUntil" IS NULL OR q."leaseUntil" < ${now})
            AND EXISTS (SELECT 1 FROM "QueueRecipient" r WHERE r."queueId" = q."id" AND r."status" = 'pending' ${notBusy})
          ORDER BY q."nextAttemptAt", q."id"
          LIMIT ${options.limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING "id"`;
      return rows.map((r) => r.id).sort((a, b) => a - b);
    }

    const free = { OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] };
    const candidates = await tx.queueMessage.findMany({
      where: {
        nextAttemptAt: { lte: now },
        ...free,
        recipients: { some: { status: 'pending', ...(busy.length > 0 ? { domain: { notIn: busy } } : {}) } },
      },
      orderBy: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
      take: options.limit,
      select: { id: true },
    });
    if (candidates.length === 0) return [];
    await tx.queueMessage.updateMany({
      where: { id: { in: candidates.map((c) => c.id) }, nextAttemptAt: { lte: now }, ...free },
      data: { leaseOwner: options.token, leaseUntil },
    });
    const claimed = await tx.queueMessage.findMany({ where: { leaseOwner: options.token }, select: { id: true }, orderBy: { id: 'asc' } });
    return claimed.map((c) => c.id);
  });
}

/** Extends our lease; false when it is no longer ours (it expired and another runner took it). */
export async function renewLease(store: MailStore, id: number, token: string, leaseMs: number): Promise<boolean> {
  const result = await store.database.prisma.queueMessage.updateMany({
    where: { id, leaseOwner: token },
    data: { leaseUntil: new Date(Date.now() + leaseMs) },
  });
  return result.count === 1;
}

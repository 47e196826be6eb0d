// Taking queue entries to work on. A runner holds an entry by writing its
// lease token and an expiry; other runners (in this daemon or another one on
// the same PostgreSQL) skip held entries until the lease runs out, so a
// message is never handed to two runners at once, and an entry whose runner
// died becomes due again when the lease expires.
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';

export interface ClaimOptions {
  /** Written to leaseOwner; unique per claim so that renew and release only touch our own. */
  token: string;
  leaseMs: number;
  limit: number;
  /** Entries whose every pending recipient is at one of these domains are left for later. */
  busyDomains?: string[];
  now?: Date;
}

/** Takes up to `limit` due entries, oldest due first; returns their ids. */
export async function claimDueEntries(store: MailStore, options: ClaimOptions): Promise<number[]> {
  if (options.limit <= 0) return [];
  const now = options.now ?? new Date();
  const leaseUntil = new Date(now.getTime() + options.leaseMs);
  const busy = options.busyDomains ?? [];
  const { prisma, engine } = store.database;

  if (engine === 'postgres') {
    // SKIP LOCKED: runners claiming at the same moment pass over each other's
    // rows instead of queueing behind them, and the outer UPDATE re-checks
    // nothing it did not lock itself.
    const notBusy = busy.length > 0 ? Prisma.sql`AND r."domain" NOT IN (${Prisma.join(busy)})` : Prisma.empty;
    const rows = await prisma.$queryRaw<{ id: number }[]>`
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

  // SQLite has one writer at a time, so one conditional UPDATE is atomic: a
  // row another runner took in between no longer matches the WHERE.
  const candidates = await prisma.queueMessage.findMany({
    where: {
      nextAttemptAt: { lte: now },
      OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
      recipients: { some: { status: 'pending', ...(busy.length > 0 ? { domain: { notIn: busy } } : {}) } },
    },
    orderBy: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
    take: options.limit,
    select: { id: true },
  });
  if (candidates.length === 0) return [];
  await prisma.queueMessage.updateMany({
    where: {
      id: { in: candidates.map((c) => c.id) },
      nextAttemptAt: { lte: now },
      OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
    },
    data: { leaseOwner: options.token, leaseUntil },
  });
  const claimed = await prisma.queueMessage.findMany({ where: { leaseOwner: options.token }, select: { id: true }, orderBy: { id: 'asc' } });
  return claimed.map((c) => c.id);
}

/** Extends our lease; false when it is no longer ours (it expired and another runner took it). */
export async function renewLease(store: MailStore, id: number, token: string, leaseMs: number): Promise<boolean> {
  const result = await store.database.prisma.queueMessage.updateMany({
    where: { id, leaseOwner: token },
    data: { leaseUntil: new Date(Date.now() + leaseMs) },
  });
  return result.count === 1;
}

// Greylisting (off unless GREYLIST=true): the first attempt of a (client
// network, envelope sender, recipient) triple gets a temporary failure, and
// a retry after GREYLIST_DELAY passes; real servers retry (RFC 5321 4.5.4.1),
// much bulk spamware does not. The client network is the /24 (IPv4) or /64
// (IPv6), so a sender's pool of outgoing servers counts as one. A triple that
// passed is remembered for PASSED_KEPT, one that never came back for a day.
import { isIP } from 'node:net';
import type { MailStore } from '../store/context.ts';
import { clientKey } from '../dns/ip-address.ts';

const PASSED_KEPT_MS = 36 * 86_400_000;
const UNPASSED_KEPT_MS = 86_400_000;

export function clientNetwork(ip: string): string {
  const address = ip.replace(/^::ffff:/i, '');
  return isIP(address) === 4 ? `${address.split('.').slice(0, 3).join('.')}.0/24` : clientKey(address);
}

const PRUNE_EVERY_MS = 60_000;
const lastPruned = new WeakMap<MailStore, number>();

/**
 * Clears out old entries, so the table stays small: a triple that never came
 * back after a day, one that passed after PASSED_KEPT. At most once a minute
 * (on a first contact), since the rows it reads grow with the senders kept.
 */
async function pruneGreylist(store: MailStore, now: Date): Promise<void> {
  if (now.getTime() - (lastPruned.get(store) ?? -Infinity) < PRUNE_EVERY_MS) return;
  lastPruned.set(store, now.getTime());
  const before = (ms: number) => new Date(now.getTime() - ms);
  // passedAt is never before firstSeen, so both are found by firstSeen's index.
  await store.database.prisma.greylistEntry.deleteMany({
    where: {
      OR: [
        { passedAt: null, firstSeen: { lt: before(UNPASSED_KEPT_MS) } },
        { firstSeen: { lt: before(PASSED_KEPT_MS) }, passedAt: { lt: before(PASSED_KEPT_MS) } },
      ],
    },
  });
}

/** Remaining wait in milliseconds (0: passes). */
export async function greylistWait(store: MailStore, delayMs: number, triple: { ip: string; mailFrom: string; rcptTo: string }, now = new Date()): Promise<number> {
  const key = `${clientNetwork(triple.ip)} ${triple.mailFrom.toLowerCase()} ${triple.rcptTo.toLowerCase()}`.slice(0, 1000);
  const prisma = store.database.prisma;
  const entry = await prisma.greylistEntry.findUnique({ where: { key } });
  const expired = entry && now.getTime() - (entry.passedAt ?? entry.firstSeen).getTime() > (entry.passedAt ? PASSED_KEPT_MS : UNPASSED_KEPT_MS);
  if (!entry || expired) {
    await prisma.greylistEntry.upsert({ where: { key }, create: { key, firstSeen: now }, update: { firstSeen: now, passedAt: null } });
    await pruneGreylist(store, now);
    return delayMs;
  }
  if (entry.passedAt) return 0;
  const waited = now.getTime() - entry.firstSeen.getTime();
  if (waited < delayMs) return delayMs - waited;
  await prisma.greylistEntry.update({ where: { key }, data: { passedAt: now } });
  return 0;
}

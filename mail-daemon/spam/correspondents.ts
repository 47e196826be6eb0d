// Sender reputation: the addresses an account has sent mail to. Mail from one
// of them is no first contact, which the junk filter weighs (and which keeps a
// reply to the user's own mail out of Junk).
import type { MailStore } from '../store/context.ts';

const MAX_RECORDED = 100;

export async function recordCorrespondents(store: MailStore, accountId: number, addresses: string[]): Promise<void> {
  const now = new Date();
  for (const address of [...new Set(addresses.map((a) => a.toLowerCase()))].slice(0, MAX_RECORDED)) {
    await store.database.prisma.correspondent.upsert({
      where: { accountId_address: { accountId, address } },
      create: { accountId, address, lastSentAt: now },
      update: { lastSentAt: now },
    });
  }
}

export async function isCorrespondent(store: MailStore, accountId: number, addresses: string[]): Promise<boolean> {
  const wanted = addresses.filter(Boolean).map((a) => a.toLowerCase());
  if (wanted.length === 0) return false;
  const found = await store.database.prisma.correspondent.findFirst({ where: { accountId, address: { in: wanted } }, select: { address: true } });
  return found !== null;
}

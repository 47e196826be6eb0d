// The addresses an account may send as: its own, and every alias that
// delivers to it on a verified domain (an alias under an unverified claim is
// not the domain's). Submission and webmail both check the envelope sender
// and the From: header against this list.
import type { MailStore } from '../store/context.ts';

export async function senderAddresses(store: MailStore, accountId: number): Promise<Set<string>> {
  const prisma = store.database.prisma;
  const account = await prisma.account.findUnique({ where: { id: accountId }, select: { address: true } });
  if (!account) return new Set();
  const aliases = await prisma.aliasTarget.findMany({ where: { target: account.address, alias: { domain: { verified: true } } }, select: { alias: { select: { address: true } } } });
  return new Set([account.address, ...aliases.map((a) => a.alias.address)]);
}

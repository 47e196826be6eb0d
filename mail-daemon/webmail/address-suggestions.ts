// Address suggestions for the composer: the people the account has had mail
// from (name and address as they wrote them), the addresses it has sent to,
// and the mailboxes and aliases of its own domain (a company directory, as
// Gmail's), whose address or name starts with what is typed.
import type { MailStore } from '../store/context.ts';

export interface AddressSuggestion {
  name: string;
  address: string;
}

const SCAN = 200;

export async function suggestAddresses(store: MailStore, accountId: number, typed: string, limit = 10): Promise<AddressSuggestion[]> {
  const prefix = typed.trim().toLowerCase();
  if (prefix.length < 1 || prefix.length > 200) return [];
  const prisma = store.database.prisma;
  const insensitive = store.database.engine === 'postgres' ? { mode: 'insensitive' as const } : {};
  const own = await prisma.account.findUnique({ where: { id: accountId }, select: { address: true, domainId: true } });
  const [senders, sent, colleagues, aliases] = await Promise.all([
    prisma.message.findMany({
      where: { mailbox: { accountId }, OR: [{ fromAddress: { startsWith: prefix } }, { fromName: { startsWith: typed.trim(), ...insensitive } }] },
      distinct: ['fromAddress'],
      select: { fromAddress: true, fromName: true },
      orderBy: { fromAddress: 'asc' },
      take: SCAN,
    }),
    prisma.message.findMany({
      where: { mailbox: { accountId, specialUse: '\\Sent' }, OR: [{ toAddresses: { contains: prefix } }, { ccAddresses: { contains: prefix } }] },
      select: { toAddresses: true, ccAddresses: true },
      orderBy: { internalDate: 'desc' },
      take: SCAN,
    }),
    prisma.account.findMany({
      where: { domainId: own?.domainId ?? -1, disabled: false, OR: [{ address: { startsWith: prefix } }, { displayName: { startsWith: typed.trim(), ...insensitive } }] },
      select: { address: true, displayName: true },
      orderBy: { address: 'asc' },
      take: limit,
    }),
    prisma.alias.findMany({ where: { domainId: own?.domainId ?? -1, address: { startsWith: prefix } }, select: { address: true }, orderBy: { address: 'asc' }, take: limit }),
  ]);
  const found = new Map<string, AddressSuggestion>();
  for (const s of senders) if (s.fromAddress) found.set(s.fromAddress, { name: s.fromName, address: s.fromAddress });
  for (const m of sent) {
    for (const address of `${m.toAddresses}, ${m.ccAddresses}`.split(', ')) {
      if (address.startsWith(prefix) && !found.has(address)) found.set(address, { name: '', address });
    }
  }
  for (const c of colleagues) if (!found.get(c.address)?.name) found.set(c.address, { name: c.displayName, address: c.address });
  for (const a of aliases) if (!found.has(a.address)) found.set(a.address, { name: '', address: a.address });
  found.delete(own?.address ?? '');
  return [...found.values()].sort((a, b) => (a.address < b.address ? -1 : 1)).slice(0, limit);
}

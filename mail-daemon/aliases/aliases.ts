// Aliases: one hosted address delivering to one or more targets, local
// accounts or external addresses (which are forwarded through the queue).
import type { MailStore } from '../store/context.ts';
import { runTransaction } from '../store/transaction.ts';
import { parseAddress } from '../accounts/addresses.ts';
import { ValidationError } from '../errors/validation-error.ts';

export interface AliasView {
  id: number;
  address: string;
  targets: string[];
}

export async function addAlias(store: MailStore, address: string, targets: string[]): Promise<AliasView> {
  const alias = parseAddress(address);
  if (targets.length === 0) throw new ValidationError('targets', 'Give at least one target address.');
  const normalizedTargets = [...new Set(targets.map((t) => parseAddress(t, 'targets').address))];
  if (normalizedTargets.includes(alias.address)) throw new ValidationError('targets', 'An alias cannot point at itself.');
  return runTransaction(store.database, async (tx) => {
    const domain = await tx.domain.findUnique({ where: { name: alias.domain } });
    if (!domain) throw new ValidationError('address', `The domain ${alias.domain} is not hosted here.`);
    if ((await tx.alias.findUnique({ where: { address: alias.address } })) || (await tx.account.findUnique({ where: { address: alias.address } }))) {
      throw new ValidationError('address', `The address ${alias.address} is already taken.`);
    }
    const created = await tx.alias.create({
      data: { address: alias.address, domainId: domain.id, targets: { create: normalizedTargets.map((target) => ({ target })) } },
      include: { targets: true },
    });
    return { id: created.id, address: created.address, targets: created.targets.map((t) => t.target) };
  });
}

export async function listAliases(store: MailStore, domain?: string): Promise<AliasView[]> {
  const rows = await store.database.prisma.alias.findMany({
    where: domain ? { domain: { name: domain.trim().toLowerCase() } } : {},
    include: { targets: { orderBy: { id: 'asc' } } },
    orderBy: { address: 'asc' },
  });
  return rows.map((r) => ({ id: r.id, address: r.address, targets: r.targets.map((t) => t.target) }));
}

export async function removeAlias(store: MailStore, address: string): Promise<void> {
  const { address: normalized } = parseAddress(address);
  const result = await store.database.prisma.alias.deleteMany({ where: { address: normalized } });
  if (result.count === 0) throw new ValidationError('address', `There is no alias ${normalized}.`);
}

// Who administers a domain: platform admins (every domain), the domain's own
// accounts with role "domain_admin", and accounts listed in DomainAdmin (the
// user who added it, say, whose address is on another domain).
import type { Domain } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';
import { runTransaction } from '../store/transaction.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { requireAccount } from '../accounts/accounts.ts';
import { requireDomain } from './domains.ts';

export interface Administrator {
  id: number;
  role: string;
  domainId: number;
}

export async function administeredDomains(store: MailStore, admin: Administrator): Promise<Domain[]> {
  const prisma = store.database.prisma;
  if (admin.role === 'admin') return prisma.domain.findMany({ orderBy: { name: 'asc' } });
  return prisma.domain.findMany({
    where: {
      OR: [{ admins: { some: { accountId: admin.id } } }, ...(admin.role === 'domain_admin' ? [{ id: admin.domainId }] : [])],
    },
    orderBy: { name: 'asc' },
  });
}

export async function administers(store: MailStore, admin: Administrator, domain: Pick<Domain, 'id'>): Promise<boolean> {
  if (admin.role === 'admin') return true;
  if (admin.role === 'domain_admin' && admin.domainId === domain.id) return true;
  const row = await store.database.prisma.domainAdmin.findUnique({ where: { domainId_accountId: { domainId: domain.id, accountId: admin.id } } });
  return row !== null;
}

export async function addDomainAdmin(store: MailStore, domainId: number, accountId: number): Promise<void> {
  await store.database.prisma.domainAdmin.upsert({
    where: { domainId_accountId: { domainId, accountId } },
    create: { domainId, accountId },
    update: {},
  });
}

/**
 * A domain's own administrators, by address: its accounts with role
 * "domain_admin" and the accounts listed in DomainAdmin. Platform admins
 * administer every domain and are not counted.
 */
export async function listDomainAdmins(store: MailStore, domainName: string): Promise<string[]> {
  const domain = await requireDomain(store, domainName);
  const rows = await store.database.prisma.account.findMany({
    where: { OR: [{ domainId: domain.id, role: 'domain_admin' }, { administers: { some: { domainId: domain.id } } }] },
    select: { address: true },
    orderBy: { address: 'asc' },
  });
  return rows.map((r) => r.address);
}

/**
 * Who reads a domain's postmaster@ and abuse@ when no account or alias has
 * that name: its own administrators, else the platform admins. Disabled
 * accounts are left out.
 */
export async function roleAddressReaders(store: MailStore, domainId: number): Promise<{ id: number; address: string }[]> {
  const prisma = store.database.prisma;
  const own = await prisma.account.findMany({
    where: { disabled: false, OR: [{ domainId, role: 'domain_admin' }, { administers: { some: { domainId } } }] },
    select: { id: true, address: true },
    orderBy: { id: 'asc' },
  });
  if (own.length > 0) return own;
  return prisma.account.findMany({ where: { disabled: false, role: 'admin' }, select: { id: true, address: true }, orderBy: { id: 'asc' } });
}

/** Makes an existing account (of any hosted domain) an administrator of the domain. */
export async function grantDomainAdmin(store: MailStore, domainName: string, address: string): Promise<void> {
  const domain = await requireDomain(store, domainName);
  const account = await requireAccount(store, address);
  await addDomainAdmin(store, domain.id, account.id);
}

/** Takes the domain away from one of its administrators; the last one stays. */
export async function revokeDomainAdmin(store: MailStore, domainName: string, address: string): Promise<void> {
  const domain = await requireDomain(store, domainName);
  const account = await requireAccount(store, address);
  const admins = await listDomainAdmins(store, domain.name);
  if (!admins.includes(account.address)) throw new ValidationError('address', `${account.address} is not an administrator of ${domain.name}.`);
  if (admins.length === 1) throw new ValidationError('address', `${account.address} is the last administrator of ${domain.name}; add another one first.`);
  await runTransaction(store.database, async (tx) => {
    await tx.domainAdmin.deleteMany({ where: { domainId: domain.id, accountId: account.id } });
    if (account.domainId === domain.id && account.role === 'domain_admin') await tx.account.update({ where: { id: account.id }, data: { role: 'user' } });
  });
}

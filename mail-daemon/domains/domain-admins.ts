// Who administers a domain: platform admins (every domain), the domain's own
// accounts with role "domain_admin", and accounts listed in DomainAdmin (the
// user who added it, say, whose address is on another domain).
import type { Domain } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';

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

// A signed-in account adds a domain (the web's "Add domain"). A platform
// admin's domain is verified at once and takes over an unverified claim on
// the name; anyone else's is a claim that administers the domain but cannot
// use it for mail until its ownership TXT record is found, and gives way
// after UNVERIFIED_DOMAIN_EXPIRY (domains.ts).
import type { Domain } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';
import type { AccountView } from '../accounts/accounts.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { addDomain } from './domains.ts';
import { addDomainAdmin } from './domain-admins.ts';

// Unexpired claims one user may have waiting at once.
export const MAX_CLAIMS_PER_USER = 5;

export async function addDomainAs(store: MailStore, account: Pick<AccountView, 'id' | 'role'>, name: string, claimExpiryMs: number): Promise<Domain> {
  const platformAdmin = account.role === 'admin';
  if (!platformAdmin) {
    const waiting = await store.database.prisma.domain.count({
      where: { verified: false, createdAt: { gt: new Date(Date.now() - claimExpiryMs) }, admins: { some: { accountId: account.id } } },
    });
    if (waiting >= MAX_CLAIMS_PER_USER) throw new ValidationError('domain', `Verify your other domains first (at most ${MAX_CLAIMS_PER_USER} waiting).`);
  }
  const domain = await addDomain(store, name, { verified: platformAdmin, claimExpiryMs });
  if (!platformAdmin) await addDomainAdmin(store, domain.id, account.id);
  return domain;
}

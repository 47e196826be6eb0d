// What the navigation needs to know about the signed-in account, read on the
// server: the Domains entry is for those who administer a domain, Platform
// for platform admins.
import type { AccountView } from '@/mail-daemon/accounts/accounts.ts';
import { administeredDomains } from '@/mail-daemon/domains/domain-admins.ts';
import type { MailStore } from '@/mail-daemon/store/context.ts';

export interface NavAccount {
  address: string;
  platformAdmin: boolean;
  domainAdmin: boolean;
}

export async function navAccount(store: MailStore, account: AccountView): Promise<NavAccount> {
  const platformAdmin = account.role === 'admin';
  const domainAdmin = platformAdmin || account.role === 'domain_admin' || (await administeredDomains(store, account)).length > 0;
  return { address: account.address, platformAdmin, domainAdmin };
}

// Accounts for store tests, made through the same domain functions as mailctl.
import type { MailStore } from '../../mail-daemon/store/context.ts';
import { addDomain } from '../../mail-daemon/domains/domains.ts';
import { createAccount, type AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { findMailbox } from '../../mail-daemon/store/mailboxes.ts';

export const TEST_PASSWORD = 'correct horse battery';

export async function addTestAccounts(store: MailStore, domain: string, localParts: string[]): Promise<AccountView[]> {
  await addDomain(store, domain, { verified: true });
  const accounts: AccountView[] = [];
  for (const localPart of localParts) {
    accounts.push(await createAccount(store, { address: `${localPart}@${domain}`, password: TEST_PASSWORD }));
  }
  return accounts;
}

export async function inboxOf(store: MailStore, accountId: number) {
  const inbox = await findMailbox(store, accountId, 'INBOX');
  if (!inbox) throw new Error('account has no INBOX');
  return inbox;
}

// Accounts made from the web: the first-run setup (primary domain and the
// platform admin) and public signup on domains that allow it. Both go
// through createAccount, like mailctl, and send the welcome message.
import type { MailStore } from '../store/context.ts';
import { deliverMessage } from '../store/deliver.ts';
import { addDomain } from '../domains/domains.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { createAccount, type AccountView } from './accounts.ts';
import { isReservedLocalPart, normalizeDomainName, parseAddress } from './addresses.ts';

/** True until a platform admin exists; the web app sends every page to setup until then. */
export async function needsSetup(store: MailStore): Promise<boolean> {
  return (await store.database.prisma.account.count({ where: { role: 'admin' } })) === 0;
}

export interface SetupInput {
  domain: string;
  localPart: string;
  password: string;
  displayName?: string;
}

export async function runFirstSetup(store: MailStore, input: SetupInput): Promise<AccountView> {
  if (!(await needsSetup(store))) throw new ValidationError('domain', 'The platform is already set up; sign in instead.');
  const domainName = normalizeDomainName(input.domain);
  const { address } = parseAddress(`${input.localPart}@${domainName}`, 'localPart');
  const prisma = store.database.prisma;
  // The primary domain may exist already (added with mailctl before the first start).
  if (!(await prisma.domain.findUnique({ where: { name: domainName } }))) await addDomain(store, domainName, { verified: true });
  const account = await createAccount(store, { address, password: input.password, displayName: input.displayName, role: 'admin' });
  await sendWelcome(store, account);
  return account;
}

export async function signupDomains(store: MailStore): Promise<string[]> {
  const rows = await store.database.prisma.domain.findMany({
    where: { signupOpen: true, verified: true, disabled: false },
    select: { name: true },
    orderBy: { name: 'asc' },
  });
  return rows.map((r) => r.name);
}

export interface SignupInput {
  localPart: string;
  domain: string;
  password: string;
  displayName?: string;
}

export async function signUp(store: MailStore, input: SignupInput): Promise<AccountView> {
  const domain = await store.database.prisma.domain.findUnique({ where: { name: String(input.domain ?? '').trim().toLowerCase() } });
  if (!domain || !domain.signupOpen || !domain.verified || domain.disabled) throw new ValidationError('domain', 'Signup is not open on this domain.');
  const { address, localPart } = parseAddress(`${input.localPart}@${domain.name}`, 'localPart');
  if (isReservedLocalPart(localPart)) throw new ValidationError('localPart', `"${localPart}" is reserved; choose another name.`);
  let account: AccountView;
  try {
    account = await createAccount(store, { address, password: input.password, displayName: input.displayName });
  } catch (error) {
    // createAccount names the address field; signup's form calls it localPart.
    if (error instanceof ValidationError && error.field === 'address') throw new ValidationError('localPart', error.message);
    throw error;
  }
  await sendWelcome(store, account);
  return account;
}

export function welcomeMessage(account: Pick<AccountView, 'address' | 'displayName'>, now = new Date()): Buffer {
  const domain = account.address.split('@')[1];
  const lines = [
    `From: Mail <postmaster@${domain}>`,
    `To: ${account.displayName ? `"${account.displayName.replace(/["\\]/g, '')}" ` : ''}<${account.address}>`,
    'Subject: Welcome to your new mailbox',
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <welcome-${now.getTime()}-${Math.random().toString(36).slice(2)}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello${account.displayName ? ` ${account.displayName}` : ''},`,
    '',
    `your address ${account.address} is ready. Read your mail on the web, or set`,
    'up a mail client with the settings on the Settings page (IMAP, POP3, SMTP).',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

export async function sendWelcome(store: MailStore, account: Pick<AccountView, 'id' | 'address' | 'displayName'>): Promise<void> {
  await deliverMessage(store, welcomeMessage(account), [{ accountId: account.id }]);
}

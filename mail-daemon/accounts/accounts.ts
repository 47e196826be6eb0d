// Accounts: creation with the default folders in one transaction, password
// changes, listing, removal, and password checks for every login path.
import type { Account } from '../../prisma/generated/sqlite/client.ts';
import { mutate, type MailStore } from '../store/context.ts';
import type { StoreChange } from '../store/change-bus.ts';
import type { Tx } from '../store/transaction.ts';
import { createDefaultMailboxes } from '../store/mailboxes.ts';
import { removeMessages } from '../store/expunge.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { parseAddress } from './addresses.ts';
import { checkPasswordStrength, hashPassword, verifyAgainstDecoy, verifyPassword } from './passwords.ts';
import { appPasswordExists, matchAppPassword } from './app-passwords.ts';
import { credentialCache, passwordHashStamp, type CachedCredential } from './credential-cache.ts';

export type Role = 'admin' | 'domain_admin' | 'user';
export const ROLES: Role[] = ['admin', 'domain_admin', 'user'];

/** An account as the rest of the platform sees it: never with its password hash. */
export type AccountView = Omit<Account, 'passwordHash'>;

export function publicAccount(account: Account): AccountView {
  const { passwordHash: _hash, ...rest } = account;
  return rest;
}

export interface CreateAccountInput {
  address: string;
  password: string;
  displayName?: string;
  role?: Role;
  quotaBytes?: number;
}

export const DEFAULT_QUOTA_BYTES = 5 * 1024 ** 3;

export async function createAccount(store: MailStore, input: CreateAccountInput): Promise<AccountView> {
  const { address, domain } = parseAddress(input.address);
  checkPasswordStrength(input.password, address);
  const role = input.role ?? 'user';
  if (!ROLES.includes(role)) throw new ValidationError('role', `Unknown role "${role}".`);
  if (input.quotaBytes !== undefined) checkQuota(input.quotaBytes);
  const passwordHash = await hashPassword(input.password);
  const account = await mutate(store, async (tx, changes) => {
    const domainRow = await tx.domain.findUnique({ where: { name: domain } });
    if (!domainRow) throw new ValidationError('address', `The domain ${domain} is not hosted here.`);
    if ((await tx.account.findUnique({ where: { address } })) || (await tx.alias.findUnique({ where: { address } }))) {
      throw new ValidationError('address', `The address ${address} is already taken.`);
    }
    const created = await tx.account.create({
      data: {
        address,
        domainId: domainRow.id,
        passwordHash,
        displayName: (input.displayName ?? '').trim().slice(0, 200),
        role,
        quotaBytes: BigInt(input.quotaBytes ?? DEFAULT_QUOTA_BYTES),
      },
    });
    await createDefaultMailboxes(tx, created.id);
    changes.push({ accountId: created.id, kind: 'mailboxes-changed' });
    return created;
  });
  return publicAccount(account);
}

export async function findAccount(store: MailStore, address: string): Promise<AccountView | null> {
  const account = await store.database.prisma.account.findUnique({ where: { address: parseAddress(address).address } });
  return account ? publicAccount(account) : null;
}

export async function requireAccount(store: MailStore, address: string): Promise<AccountView> {
  const account = await findAccount(store, address);
  if (!account) throw new ValidationError('address', `There is no account ${parseAddress(address).address}.`);
  return account;
}

export async function setPassword(store: MailStore, address: string, password: string): Promise<void> {
  const account = await requireAccount(store, address);
  checkPasswordStrength(password, account.address);
  await store.database.prisma.account.update({ where: { id: account.id }, data: { passwordHash: await hashPassword(password) } });
  credentialCache.forgetAccount(account.id);
}

function checkQuota(quotaBytes: number): void {
  if (!(Number.isSafeInteger(quotaBytes) && quotaBytes > 0)) throw new ValidationError('quota', 'The quota must be a positive number of bytes.');
}

/**
 * Sets an account's storage quota (the web's domain page and mailctl). A
 * quota below what the mailbox holds is allowed: new mail is refused until
 * the user deletes some, as with any full mailbox.
 */
export async function setAccountQuota(store: MailStore, address: string, quotaBytes: number): Promise<AccountView> {
  checkQuota(quotaBytes);
  const account = await requireAccount(store, address);
  return publicAccount(await store.database.prisma.account.update({ where: { id: account.id }, data: { quotaBytes: BigInt(quotaBytes) } }));
}

/** Disables (suspends) or enables an account: a disabled one logs in nowhere (mayUseAccount). */
export async function setAccountDisabled(store: MailStore, accountId: number, disabled: boolean): Promise<void> {
  await store.database.prisma.account.update({ where: { id: accountId }, data: { disabled } });
  credentialCache.forgetAccount(accountId);
}

export async function listAccounts(store: MailStore, domain?: string): Promise<AccountView[]> {
  const where = domain ? { domain: { name: domain.trim().toLowerCase() } } : {};
  const rows = await store.database.prisma.account.findMany({ where, orderBy: { address: 'asc' }, omit: { passwordHash: true } });
  return rows;
}

/** Deletes an account with all its mail, inside the caller's transaction. */
export async function deleteAccountWithMail(tx: Tx, accountId: number, changes: StoreChange[]): Promise<void> {
  const mailboxes = await tx.mailbox.findMany({ where: { accountId } });
  for (const mailbox of mailboxes) await removeMessages(tx, mailbox, { onlyDeleted: false }, changes);
  await tx.account.delete({ where: { id: accountId } });
}

/** Deletes an account with all its mail. */
export async function removeAccount(store: MailStore, address: string): Promise<void> {
  const account = await requireAccount(store, address);
  await mutate(store, (tx, changes) => deleteAccountWithMail(tx, account.id, changes));
}

/**
 * Whether an account may log in and use mail: neither it nor its domain is
 * disabled, and its domain is verified (until its ownership record is found,
 * a domain's accounts are somebody's claim, not its owner's).
 */
export function mayUseAccount(account: { disabled: boolean; domain: { disabled: boolean; verified: boolean } }): boolean {
  return !account.disabled && !account.domain.disabled && account.domain.verified;
}

export interface AuthenticateOptions {
  /**
   * "mail" (IMAP, POP3, SMTP AUTH; the default): the main password or an app
   * password, and only an app password once two-factor sign-in is on, since
   * mail clients cannot ask for the second factor. "web": the main password
   * only; the web asks for the second factor itself.
   */
  purpose?: 'mail' | 'web';
}

/**
 * The account if the password is right and it may be used (mayUseAccount);
 * null otherwise, taking the same time whether or not it exists.
 */
export async function authenticate(store: MailStore, address: string, password: string, options: AuthenticateOptions = {}): Promise<AccountView | null> {
  let normalized: string;
  try {
    normalized = parseAddress(address).address;
  } catch {
    return verifyAgainstDecoy(password).then(() => null);
  }
  const account = await store.database.prisma.account.findUnique({
    where: { address: normalized },
    include: { domain: { select: { disabled: true, verified: true } }, twoFactor: { select: { enabled: true } } },
  });
  if (!account) return verifyAgainstDecoy(password).then(() => null);
  const purpose = options.purpose ?? 'mail';
  const mainPasswordAllowed = purpose === 'web' || !account.twoFactor?.enabled;
  const credential = await verifyCredential(store, account, normalized, password, purpose, mainPasswordAllowed);
  if (!credential) return null;
  if (!mayUseAccount(account)) return null;
  const { domain: _domain, twoFactor: _twoFactor, ...row } = account;
  return publicAccount(row);
}

/**
 * What the password is for the account: its main password (argon2) or one of
 * its app passwords; null when neither. Mail logins go through the credential
 * cache, whose entry counts only while it still matches the account's row.
 */
async function verifyCredential(
  store: MailStore,
  account: Pick<Account, 'id' | 'passwordHash'>,
  loginName: string,
  password: string,
  purpose: 'mail' | 'web',
  mainPasswordAllowed: boolean,
): Promise<CachedCredential | null> {
  if (purpose === 'mail') {
    const cached = credentialCache.find(loginName, password);
    if (cached && cached.accountId === account.id) {
      const stillValid =
        cached.kind === 'password'
          ? mainPasswordAllowed && cached.stamp === passwordHashStamp(account.passwordHash)
          : await appPasswordExists(store, account.id, cached.appPasswordId);
      if (stillValid) return cached;
    }
  }
  let credential: CachedCredential | null = null;
  if (mainPasswordAllowed && (await verifyPassword(account.passwordHash, password))) {
    credential = { accountId: account.id, kind: 'password', stamp: passwordHashStamp(account.passwordHash) };
  } else if (purpose === 'mail') {
    const appPasswordId = await matchAppPassword(store, account.id, password);
    if (appPasswordId !== null) credential = { accountId: account.id, kind: 'app-password', appPasswordId };
  }
  if (credential && purpose === 'mail') credentialCache.remember(loginName, password, credential);
  return credential;
}

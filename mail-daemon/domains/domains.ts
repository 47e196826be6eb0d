// Hosted domains: adding one generates its DKIM key and ownership token.
//
// A domain added by a user who is not a platform admin is a claim until its
// ownership TXT record is found: its accounts and aliases cannot log in, send
// or receive (accounts.ts mayUseAccount, resolve-recipient.ts,
// sender-addresses.ts). A claim never blocks the owner: a platform admin (the
// web as one, or mailctl) takes the domain over at once, and anyone may once
// the claim is older than UNVERIFIED_DOMAIN_EXPIRY. Taking over deletes what
// the claimant made there, since none of it ever was the domain's.
import { randomBytes } from 'node:crypto';
import type { Domain } from '../../prisma/generated/sqlite/client.ts';
import { mutate, type MailStore } from '../store/context.ts';
import { runTransaction } from '../store/transaction.ts';
import { normalizeDomainName, parseAddress } from '../accounts/addresses.ts';
import { deleteAccountWithMail } from '../accounts/accounts.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { generateDkimKey } from './dkim.ts';

export interface AddDomainOptions {
  /** Platform admins (and mailctl) add domains without the DNS proof, and take over unverified claims. */
  verified?: boolean;
  signupOpen?: boolean;
  /** UNVERIFIED_DOMAIN_EXPIRY: an unverified claim older than this gives way to anyone; without it, only to a platform admin. */
  claimExpiryMs?: number;
}

/** Whether an existing domain row gives way to this addition. */
function givesWay(existing: Domain, options: AddDomainOptions, now: number): boolean {
  if (existing.verified) return false;
  if (options.verified) return true;
  return options.claimExpiryMs !== undefined && now - existing.createdAt.getTime() >= options.claimExpiryMs;
}

/** Deletes an unverified claim with the accounts (and their mail) and aliases made under it. */
async function dropClaim(store: MailStore, claim: Domain): Promise<void> {
  await mutate(store, async (tx, changes) => {
    const current = await tx.domain.findUnique({ where: { id: claim.id } });
    // Verified meanwhile: the claimant proved ownership after all.
    if (!current || current.verified) return;
    for (const account of await tx.account.findMany({ where: { domainId: claim.id }, select: { id: true } })) {
      await deleteAccountWithMail(tx, account.id, changes);
    }
    await tx.alias.deleteMany({ where: { domainId: claim.id } });
    await tx.domain.delete({ where: { id: claim.id } });
  });
}

export async function addDomain(store: MailStore, name: string, options: AddDomainOptions = {}): Promise<Domain> {
  const domainName = normalizeDomainName(name);
  const prisma = store.database.prisma;
  const existing = await prisma.domain.findUnique({ where: { name: domainName } });
  if (existing) {
    if (!givesWay(existing, options, Date.now())) throw new ValidationError('domain', `The domain ${domainName} is already hosted here.`);
    await dropClaim(store, existing);
  }
  const key = await generateDkimKey();
  try {
    return await prisma.domain.create({
      data: {
        name: domainName,
        verified: options.verified ?? false,
        verifyToken: randomBytes(16).toString('hex'),
        dkimSelector: key.selector,
        dkimPrivateKey: key.privateKey,
        dkimPublicKey: key.publicKey,
        signupOpen: options.signupOpen ?? false,
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw new ValidationError('domain', `The domain ${domainName} is already hosted here.`);
    throw error;
  }
}

export async function findDomain(store: MailStore, name: string): Promise<Domain | null> {
  return store.database.prisma.domain.findUnique({ where: { name: normalizeDomainName(name) } });
}

export async function requireDomain(store: MailStore, name: string, field = 'domain'): Promise<Domain> {
  const domain = await findDomain(store, name);
  if (!domain) throw new ValidationError(field, `The domain ${normalizeDomainName(name)} is not hosted here.`);
  return domain;
}

export interface DomainListing extends Domain {
  accountCount: number;
  aliasCount: number;
}

export async function listDomains(store: MailStore): Promise<DomainListing[]> {
  const rows = await store.database.prisma.domain.findMany({
    orderBy: { name: 'asc' },
    include: { _count: { select: { accounts: true, aliases: true } } },
  });
  return rows.map(({ _count, ...domain }) => ({ ...domain, accountCount: _count.accounts, aliasCount: _count.aliases }));
}

export interface DomainSettings {
  /** Anyone may sign up for an address here (once the domain is verified). */
  signupOpen?: boolean;
  /** Where mail for unknown addresses goes; null or empty: it is rejected. */
  catchAllTarget?: string | null;
}

/** A domain admin's settings; a setting left out stays as it is. */
export async function updateDomainSettings(store: MailStore, domainId: number, settings: DomainSettings): Promise<void> {
  const target = settings.catchAllTarget?.trim();
  const catchAllTarget = settings.catchAllTarget === undefined ? undefined : target ? parseAddress(target, 'catchAllTarget').address : null;
  await store.database.prisma.domain.update({ where: { id: domainId }, data: { signupOpen: settings.signupOpen, catchAllTarget } });
}

/** Platform admins: a suspended domain receives no mail and its accounts cannot sign in. */
export async function setDomainSuspended(store: MailStore, domainId: number, suspended: boolean): Promise<void> {
  await store.database.prisma.domain.update({ where: { id: domainId }, data: { disabled: suspended } });
}

/** The domain's ownership record was found in its DNS (the DNS page's check). */
export async function markDomainVerified(store: MailStore, domainId: number): Promise<void> {
  await store.database.prisma.domain.update({ where: { id: domainId }, data: { verified: true } });
}

/** Removes a domain that no longer has accounts or aliases (mail is never dropped by accident). */
export async function removeDomain(store: MailStore, name: string): Promise<void> {
  const domain = await requireDomain(store, name);
  await runTransaction(store.database, async (tx) => {
    const [accounts, aliases] = await Promise.all([
      tx.account.count({ where: { domainId: domain.id } }),
      tx.alias.count({ where: { domainId: domain.id } }),
    ]);
    if (accounts + aliases > 0) {
      throw new ValidationError('domain', `The domain ${domain.name} still has ${accounts} account(s) and ${aliases} alias(es); remove them first.`);
    }
    await tx.domain.delete({ where: { id: domain.id } });
  });
}

/** Replaces the DKIM key; the old selector's record can be removed once the new one is published. */
export async function rotateDkimKey(store: MailStore, name: string): Promise<Domain> {
  const domain = await requireDomain(store, name);
  const key = await generateDkimKey();
  // The selector names the minute; a second rotation within it must not
  // reuse the published name of an older key.
  if (domain.dkimSelector.startsWith(key.selector)) key.selector += randomBytes(2).toString('hex');
  return store.database.prisma.domain.update({
    where: { id: domain.id },
    data: { dkimSelector: key.selector, dkimPrivateKey: key.privateKey, dkimPublicKey: key.publicKey },
  });
}

// Web sign-ins kept on the server. next-auth 4 signs a JWT for the
// Credentials provider and would accept it until it expires, whatever
// happened since; the JWT here carries the id of one of these rows, and a
// session lasts only while its row does. Signing out deletes the row, so a
// copied cookie stops working at once.
import { createHash, randomBytes } from 'node:crypto';
import type { MailStore } from '../store/context.ts';
import { mayUseAccount, publicAccount, type AccountView } from './accounts.ts';

/**
 * A short digest of the account's password hash, kept in the session: when
 * the password changes (by its owner or an admin's reset), sessions made with
 * the old one no longer match and end.
 */
function passwordStamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('hex').slice(0, 16);
}

/** The stamp of the account's password now, for a session being made. */
export async function currentPasswordStamp(store: MailStore, accountId: number): Promise<string> {
  const { passwordHash } = await store.database.prisma.account.findUniqueOrThrow({ where: { id: accountId }, select: { passwordHash: true } });
  return passwordStamp(passwordHash);
}

/**
 * The account a web session signs in, read afresh on each request: null when
 * the session's row has ended, the account is gone, suspended or on a
 * suspended or unverified domain, or its password changed since (stamp).
 */
export async function webSessionUser(store: MailStore, session: { accountId: number; sessionId: unknown; stamp: unknown }): Promise<AccountView | null> {
  if ((await webSessionAccount(store, session.sessionId)) !== session.accountId) return null;
  const account = await store.database.prisma.account.findUnique({
    where: { id: session.accountId },
    include: { domain: { select: { disabled: true, verified: true } } },
  });
  if (!account || !mayUseAccount(account) || session.stamp !== passwordStamp(account.passwordHash)) return null;
  const { domain: _domain, ...row } = account;
  return publicAccount(row);
}

/** Starts a session for the account, valid for `lifetimeMs`; returns its id (256 random bits). */
export async function startWebSession(store: MailStore, accountId: number, lifetimeMs: number): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  const now = Date.now();
  const prisma = store.database.prisma;
  // Sessions that ran out without a sign-out are swept here, where they are made.
  await prisma.webSession.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
  await prisma.webSession.create({ data: { id, accountId, expiresAt: new Date(now + lifetimeMs) } });
  return id;
}

/** The session's account id, or null when it ended (signed out, expired, never existed). */
export async function webSessionAccount(store: MailStore, id: unknown): Promise<number | null> {
  if (typeof id !== 'string' || !id) return null;
  const session = await store.database.prisma.webSession.findUnique({ where: { id }, select: { accountId: true, expiresAt: true } });
  return session && session.expiresAt.getTime() > Date.now() ? session.accountId : null;
}

export async function endWebSession(store: MailStore, id: unknown): Promise<void> {
  if (typeof id !== 'string' || !id) return;
  await store.database.prisma.webSession.deleteMany({ where: { id } });
}

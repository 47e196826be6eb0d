// Web sign-ins kept on the server. next-auth 4 signs a JWT for the
// Credentials provider and would accept it until it expires, whatever
// happened since; the JWT here carries the id of one of these rows, and a
// session lasts only while its row does. Signing out deletes the row, so a
// copied cookie stops working at once.
import { randomBytes } from 'node:crypto';
import type { MailStore } from '../store/context.ts';

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

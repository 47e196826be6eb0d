// App passwords: one per mail client, for IMAP, POP3 and SMTP. An account with
// two-factor sign-in uses only these in mail clients (its main password keeps
// working on the web, with the second factor). They are 128-bit random
// strings, so a SHA-256 looked up directly is enough: there is nothing to
// guess that a slow hash would protect.
import { createHash, randomBytes } from 'node:crypto';
import type { MailStore } from '../store/context.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { credentialCache } from './credential-cache.ts';

export interface AppPasswordView {
  id: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export const MAX_APP_PASSWORDS = 50;

export function hashAppPassword(password: string): string {
  // Spaces and case are for reading it aloud; they do not count.
  return createHash('sha256').update(password.replace(/\s+/g, '').toLowerCase()).digest('hex');
}

/** Four groups of six lower-case letters, e.g. "abcdef ghijkl ...": about 112 bits. */
function newAppPassword(): string {
  // The modulo bias of 256 % 26 costs well under a bit over 24 letters.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz';
  const bytes = randomBytes(24);
  const letters = [...bytes].map((b) => alphabet[b % 26]);
  return [0, 6, 12, 18].map((i) => letters.slice(i, i + 6).join('')).join(' ');
}

/** Creates an app password; the plain text is returned only this once. */
export async function createAppPassword(store: MailStore, accountId: number, name: string): Promise<{ id: number; password: string }> {
  const label = String(name ?? '').trim();
  if (!label) throw new ValidationError('name', 'Name the client this password is for.');
  if (label.length > 100) throw new ValidationError('name', 'Use at most 100 characters.');
  const prisma = store.database.prisma;
  const existing = await prisma.appPassword.findMany({ where: { accountId }, select: { name: true } });
  if (existing.length >= MAX_APP_PASSWORDS) throw new ValidationError('name', `At most ${MAX_APP_PASSWORDS} app passwords; revoke one first.`);
  if (existing.some((p) => p.name.toLowerCase() === label.toLowerCase())) throw new ValidationError('name', `There is already an app password named "${label}".`);
  const password = newAppPassword();
  const row = await prisma.appPassword.create({ data: { accountId, name: label, hash: hashAppPassword(password) } });
  credentialCache.forgetAccount(accountId);
  return { id: row.id, password };
}

export async function listAppPasswords(store: MailStore, accountId: number): Promise<AppPasswordView[]> {
  return store.database.prisma.appPassword.findMany({
    where: { accountId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, createdAt: true, lastUsedAt: true },
  });
}

export async function revokeAppPassword(store: MailStore, accountId: number, id: number): Promise<void> {
  const result = await store.database.prisma.appPassword.deleteMany({ where: { id, accountId } });
  if (result.count === 0) throw new ValidationError('id', 'There is no such app password.');
  credentialCache.forgetAccount(accountId);
}

/** The id of the account's app password that `password` is (noting its use), or null. */
export async function matchAppPassword(store: MailStore, accountId: number, password: string): Promise<number | null> {
  const prisma = store.database.prisma;
  const row = await prisma.appPassword.findUnique({ where: { hash: hashAppPassword(password) } });
  if (!row || row.accountId !== accountId) return null;
  await prisma.appPassword.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return row.id;
}

/** Whether an app password matched before is still there (not revoked). */
export async function appPasswordExists(store: MailStore, accountId: number, id: number): Promise<boolean> {
  return (await store.database.prisma.appPassword.count({ where: { id, accountId } })) > 0;
}

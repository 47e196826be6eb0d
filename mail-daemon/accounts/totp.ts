// TOTP two-factor sign-in for the web (RFC 6238: 30-second steps, 6 digits,
// SHA-1, which is what authenticator apps implement). Setup stores a secret;
// it counts only once the user has typed a valid code from it.
import * as OTPAuth from 'otpauth';
import type { MailStore } from '../store/context.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { looksLikeRecoveryCode, useRecoveryCode } from './recovery-codes.ts';

const PERIOD = 30;
// One step either side, for clocks that drift (RFC 6238 5.2).
const WINDOW = 1;

function totpFor(secret: string, label = 'account'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: 'Mail', label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: OTPAuth.Secret.fromBase32(secret) });
}

/** The time step a code belongs to, or null when it is not valid now. */
export function codeStep(secret: string, code: string, now = Date.now()): number | null {
  const token = String(code ?? '').replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secret).validate({ token, timestamp: now, window: WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD) + delta;
}

/** The current code of a secret (for tests and for showing during setup). */
export function currentCode(secret: string, now = Date.now()): string {
  return totpFor(secret).generate({ timestamp: now });
}

export async function twoFactorEnabled(store: MailStore, accountId: number): Promise<boolean> {
  const row = await store.database.prisma.twoFactor.findUnique({ where: { accountId }, select: { enabled: true } });
  return row?.enabled ?? false;
}

/** Starts (or restarts) setup: a new secret, not enabled yet. */
export async function startTwoFactorSetup(store: MailStore, accountId: number, address: string): Promise<{ secret: string; uri: string }> {
  if (await twoFactorEnabled(store, accountId)) throw new ValidationError('code', 'Two-factor sign-in is already on.');
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await store.database.prisma.twoFactor.upsert({
    where: { accountId },
    create: { accountId, secret },
    update: { secret, enabled: false, lastUsedStep: 0 },
  });
  return { secret, uri: totpFor(secret, address).toString() };
}

export async function pendingTwoFactorSecret(store: MailStore, accountId: number): Promise<string | null> {
  const row = await store.database.prisma.twoFactor.findUnique({ where: { accountId } });
  return row && !row.enabled ? row.secret : null;
}

/**
 * Checks a code and marks its step used, so that one code signs in once.
 * The update is conditional on the step, so two requests with the same code
 * cannot both pass.
 */
export async function verifyTwoFactorCode(store: MailStore, accountId: number, code: string, now = Date.now()): Promise<boolean> {
  const prisma = store.database.prisma;
  const row = await prisma.twoFactor.findUnique({ where: { accountId } });
  if (!row) return false;
  const step = codeStep(row.secret, code, now);
  if (step === null || step <= row.lastUsedStep) return false;
  const result = await prisma.twoFactor.updateMany({ where: { accountId, lastUsedStep: { lt: step } }, data: { lastUsedStep: step } });
  return result.count === 1;
}

/** The second step of a web sign-in: the current TOTP code, or one of the recovery codes (used up). */
export async function verifySignInCode(store: MailStore, accountId: number, code: string, now = Date.now()): Promise<boolean> {
  return looksLikeRecoveryCode(code) ? useRecoveryCode(store, accountId, code) : verifyTwoFactorCode(store, accountId, code, now);
}

/** Turns two-factor sign-in on once a code from the new secret is right. */
export async function confirmTwoFactor(store: MailStore, accountId: number, code: string): Promise<void> {
  const row = await store.database.prisma.twoFactor.findUnique({ where: { accountId } });
  if (!row) throw new ValidationError('code', 'Start the setup first.');
  if (row.enabled) throw new ValidationError('code', 'Two-factor sign-in is already on.');
  if (!(await verifyTwoFactorCode(store, accountId, code))) throw new ValidationError('code', 'That code is not valid; type the current one from your app.');
  await store.database.prisma.twoFactor.update({ where: { accountId }, data: { enabled: true } });
}

export async function disableTwoFactor(store: MailStore, accountId: number): Promise<void> {
  await store.database.prisma.$transaction([
    store.database.prisma.twoFactor.deleteMany({ where: { accountId } }),
    store.database.prisma.recoveryCode.deleteMany({ where: { accountId } }),
  ]);
}

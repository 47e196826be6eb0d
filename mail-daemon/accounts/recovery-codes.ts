// Recovery codes for two-factor sign-in: ten one-time codes that the user
// asks for once it is on (again to replace them), shown once and kept as
// argon2id hashes. Sign-in takes one wherever it takes a TOTP code.
import { randomInt } from 'node:crypto';
import type { MailStore } from '../store/context.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export const RECOVERY_CODE_COUNT = 10;
// No 0/o, 1/l/i: the codes are read off paper.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

function newCode(): string {
  let code = '';
  for (let i = 0; i < 10; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** What a typed code is compared as: lower case, without spaces or dashes. */
function normalize(code: string): string {
  return String(code ?? '').toLowerCase().replace(/[\s-]+/g, '');
}

/** Whether a typed code has the shape of a recovery code rather than a TOTP code. */
export function looksLikeRecoveryCode(code: string): boolean {
  return /^[a-z0-9]{10}$/.test(normalize(code)) && !/^\d+$/.test(normalize(code));
}

/** Makes a new set of codes for the account, replacing any it had; returns them for showing once. */
export async function replaceRecoveryCodes(store: MailStore, accountId: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  const hashes = await Promise.all(codes.map((code) => hashPassword(normalize(code))));
  await store.database.prisma.$transaction([
    store.database.prisma.recoveryCode.deleteMany({ where: { accountId } }),
    store.database.prisma.recoveryCode.createMany({ data: hashes.map((codeHash) => ({ accountId, codeHash })) }),
  ]);
  return codes;
}

export async function unusedRecoveryCodes(store: MailStore, accountId: number): Promise<number> {
  return store.database.prisma.recoveryCode.count({ where: { accountId, usedAt: null } });
}

/**
 * Uses up a recovery code: true when it matches one not used before. The
 * update is conditional on the code being unused, so two requests with the
 * same code cannot both pass.
 */
export async function useRecoveryCode(store: MailStore, accountId: number, typed: string): Promise<boolean> {
  const code = normalize(typed);
  if (!looksLikeRecoveryCode(code)) return false;
  const prisma = store.database.prisma;
  for (const row of await prisma.recoveryCode.findMany({ where: { accountId, usedAt: null } })) {
    if (!(await verifyPassword(row.codeHash, code))) continue;
    const result = await prisma.recoveryCode.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
    return result.count === 1;
  }
  return false;
}

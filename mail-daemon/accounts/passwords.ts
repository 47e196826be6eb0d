// Password hashing (argon2id, OWASP parameters) and the strength rule used by
// every place that sets a password.
import { createHash } from 'node:crypto';
import argon2 from 'argon2';
import { ValidationError } from '../errors/validation-error.ts';

const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

// Checks running now, by what they check: the same hash and password arriving
// at once (a client opening 20 connections with one login) cost one argon2
// run of 19 MiB, not one per connection. Each caller still gets the answer,
// and a wrong password still counts with the login limiter once per attempt.
const running = new Map<string, Promise<boolean>>();

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  const key = createHash('sha256').update(hash).update('\0').update(password).digest('base64url');
  let check = running.get(key);
  if (!check) {
    check = argon2
      .verify(hash, password)
      .catch(() => false)
      .finally(() => running.delete(key));
    running.set(key, check);
  }
  return check;
}

// A hash to verify against when the account does not exist, so that a wrong
// address takes as long as a wrong password.
let decoy: Promise<string> | undefined;
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword('decoy password that matches nothing');
  await verifyPassword(await decoy, password);
  return false;
}

const COMMON = new Set(['password', 'password1', '12345678', '123456789', '1234567890', 'qwertyuiop', 'iloveyou', 'letmein1', 'changeme', 'welcome1', 'abcdefgh', 'passw0rd']);

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

export function checkPasswordStrength(password: string, address?: string, field = 'password'): void {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(field, `Use at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) throw new ValidationError(field, `Use at most ${MAX_PASSWORD_LENGTH} characters.`);
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || /^(.)\1+$/.test(password)) throw new ValidationError(field, 'This password is too easy to guess.');
  const localPart = address?.split('@')[0]?.toLowerCase();
  if (localPart && localPart.length >= 3 && lower.includes(localPart)) {
    throw new ValidationError(field, 'The password must not contain your address.');
  }
}

// Verified mail credentials kept a short time, as Dovecot's auth cache does
// (auth_cache_ttl), so that a client that reconnects every minute does not
// pay argon2 on each login. Only successes are kept: a wrong password always
// takes the full check and counts with the login limiter.
//
// - The key is an HMAC, with a secret drawn at start and never stored, of
//   the login name and the password: a memory dump gives no password and no
//   hash to guess offline.
// - An entry holds what the password matched: a stamp of the account's
//   password hash, or the id of an app password. authenticate() reads the
//   account row on every login anyway, and a hit counts only while that
//   stamp is still the row's (and the app password still exists), so a
//   password changed by the web app, mailctl or another daemon on the same
//   PostgreSQL makes the old one fail at once, in every process.
// - The domain functions that change credentials (password change, app
//   password added or revoked, account disabled) also drop the account's
//   entries in this process.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export type CachedCredential = { accountId: number; kind: 'password'; stamp: string } | { accountId: number; kind: 'app-password'; appPasswordId: number };

type Entry = CachedCredential & { expiresAt: number };

/** Entries kept at most, so that logins with many passwords cannot grow memory without bound. */
const MAX_ENTRIES = 100_000;

export const DEFAULT_AUTH_CACHE_TTL_MS = 60_000;

/** What an entry remembers of a password hash: enough to see it changed, nothing to attack. */
export function passwordHashStamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url');
}

export class CredentialCache {
  private readonly secret = randomBytes(32);
  private readonly entries = new Map<string, Entry>();

  constructor(public ttlMs = DEFAULT_AUTH_CACHE_TTL_MS) {}

  private key(loginName: string, password: string): string {
    return createHmac('sha256', this.secret).update(loginName).update('\0').update(password).digest('base64url');
  }

  /** The credential this login name and password were last verified as, if that was less than the TTL ago. */
  find(loginName: string, password: string): CachedCredential | undefined {
    if (this.ttlMs <= 0) return undefined;
    const key = this.key(loginName, password);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  remember(loginName: string, password: string, credential: CachedCredential): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.dropExpired();
    // Still full: the oldest entry goes (a Map keeps insertion order).
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(this.key(loginName, password), { ...credential, expiresAt: Date.now() + this.ttlMs });
  }

  /** Drops what is known of an account: its credentials just changed. */
  forgetAccount(accountId: number): void {
    for (const [key, entry] of this.entries) if (entry.accountId === accountId) this.entries.delete(key);
  }

  private dropExpired(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

/** The process's cache; the daemon sets its TTL from AUTH_CACHE_TTL at start. */
export const credentialCache = new CredentialCache();

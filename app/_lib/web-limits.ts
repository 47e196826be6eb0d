// Rate limits of the web process: sign-in shares the daemon's login limiter
// (its failures are in the database); signups are counted in this process's
// memory (they reset on restart; several web servers limit each their own).
// The client address is what mail-daemon/startup/web-server.ts put in X-Forwarded-For: the socket's
// address, or the value a reverse proxy in front set.
import { isIP } from 'node:net';
import { headers } from 'next/headers';
import { loadConfig } from '@/mail-daemon/config/config.ts';
import { LoginLimiter } from '@/mail-daemon/accounts/login-limiter.ts';
import { SignupLimiter } from '@/mail-daemon/accounts/signup-limiter.ts';
import type { MailStore } from '@/mail-daemon/store/context.ts';

const cache = globalThis as typeof globalThis & { __webLoginLimiter?: LoginLimiter; __webSignupLimiter?: SignupLimiter };

/** Failed web sign-ins count with those of SMTP, IMAP and POP3 (LOGIN_* settings). */
export function webLoginLimiter(store: MailStore): LoginLimiter {
  cache.__webLoginLimiter ??= new LoginLimiter(store.database, loadConfig().login, (line) => console.log(`web: ${line}`));
  return cache.__webLoginLimiter;
}

/** Signups (successful or not) per client address: 5 an hour. */
export function signupLimiter(): SignupLimiter {
  cache.__webSignupLimiter ??= new SignupLimiter(Number(process.env.SIGNUP_LIMIT_PER_HOUR || 5));
  return cache.__webSignupLimiter;
}

/**
 * The client's address from X-Forwarded-For, which web-server.ts sets from
 * the socket, or with TRUST_PROXY keeps from the proxy in front. A proxy
 * appends the address it saw to whatever the client sent, so the last entry
 * is the one to trust; the ones before it are the client's own words.
 */
export function clientAddressOf(forwardedFor: string | string[] | null | undefined): string {
  const value = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const last = value?.split(',').at(-1)?.trim() ?? '';
  return isIP(last) ? last : 'unknown';
}

export async function clientAddress(): Promise<string> {
  return clientAddressOf((await headers()).get('x-forwarded-for'));
}

export function minutesText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

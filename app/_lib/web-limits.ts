// Rate limits of the web process, kept in its memory like the daemon's (they
// reset on restart; a platform with several web servers limits per server).
// The client address is what mail-daemon/startup/web-server.ts put in X-Forwarded-For: the socket's
// address, or the value a reverse proxy in front set.
import { headers } from 'next/headers';
import { LoginLimiter } from '@/mail-daemon/accounts/login-limiter.ts';

const cache = globalThis as typeof globalThis & { __webLoginLimiter?: LoginLimiter; __webSignupLimiter?: LoginLimiter };

/** Failed web sign-ins: 10 per account and 20 per address in 15 minutes, then a lockout. */
export function webLoginLimiter(): LoginLimiter {
  cache.__webLoginLimiter ??= new LoginLimiter();
  return cache.__webLoginLimiter;
}

/** Signups (successful or not) per client address: 5 an hour. */
export function signupLimiter(): LoginLimiter {
  cache.__webSignupLimiter ??= new LoginLimiter({ perIp: Number(process.env.SIGNUP_LIMIT_PER_HOUR || 5), perAccount: Number.MAX_SAFE_INTEGER, windowMs: 3600_000 });
  return cache.__webSignupLimiter;
}

export function clientAddressOf(forwardedFor: string | string[] | null | undefined): string {
  const value = Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor;
  return value?.split(',')[0]?.trim() || 'unknown';
}

export async function clientAddress(): Promise<string> {
  return clientAddressOf((await headers()).get('x-forwarded-for'));
}

export function minutesText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

// One login check for every protocol: rate limit, then password.
import type { MailStore } from '../store/context.ts';
import { authenticate, type AccountView, type AuthenticateOptions } from './accounts.ts';
import type { LoginLimiter } from './login-limiter.ts';

export type LoginResult =
  | { ok: true; account: AccountView }
  | { ok: false; reason: 'rate-limited'; retryAfterMs: number }
  | { ok: false; reason: 'bad-credentials' };

export async function checkLogin(
  store: MailStore,
  limiter: LoginLimiter,
  address: string,
  password: string,
  ip: string,
  options: AuthenticateOptions = {},
): Promise<LoginResult> {
  const wait = limiter.blockedFor(ip, address);
  if (wait > 0) return { ok: false, reason: 'rate-limited', retryAfterMs: wait };
  const account = await authenticate(store, address, password, options);
  if (!account) {
    limiter.recordFailure(ip, address);
    return { ok: false, reason: 'bad-credentials' };
  }
  limiter.recordSuccess(address);
  return { ok: true, account };
}

// One login check for every protocol: the shared rate limit (with its delay
// for clients that keep failing), then the password, then one log line for
// each failure.
import { setTimeout as sleep } from 'node:timers/promises';
import type { MailStore } from '../store/context.ts';
import { authenticate, type AccountView, type AuthenticateOptions } from './accounts.ts';
import type { LoginAttempt, LoginLimiter } from './login-limiter.ts';
import { MAX_PASSWORD_LENGTH } from './passwords.ts';

export type LoginResult =
  | { ok: true; account: AccountView }
  | { ok: false; reason: 'rate-limited'; retryAfterMs: number }
  | { ok: false; reason: 'bad-credentials' };

export async function checkLogin(
  store: MailStore,
  limiter: LoginLimiter,
  attempt: LoginAttempt,
  password: string,
  options: AuthenticateOptions = {},
): Promise<LoginResult> {
  // From the decision to the recorded failure, in the client's turn (login-limiter.ts CHECKS_AT_ONCE).
  const done = await limiter.turn(attempt.client);
  try {
    const decision = await limiter.decide(attempt);
    if (!decision.allowed) {
      limiter.logFailure(attempt, 'rate-limited');
      return { ok: false, reason: 'rate-limited', retryAfterMs: decision.retryAfterMs };
    }
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    // No account has a longer password (passwords.ts): a longer one fails unhashed.
    const account = password.length > MAX_PASSWORD_LENGTH ? null : await authenticate(store, attempt.account, password, options);
    if (!account) {
      await recordLoginFailure(limiter, attempt);
      return { ok: false, reason: 'bad-credentials' };
    }
    return { ok: true, account };
  } finally {
    done();
  }
}

/** A failed check after the password (e.g. a wrong second factor on the web) counts like a wrong password. */
export async function recordLoginFailure(limiter: LoginLimiter, attempt: LoginAttempt, reason = 'bad-credentials'): Promise<void> {
  limiter.logFailure(attempt, reason);
  await limiter.recordFailure(attempt);
}

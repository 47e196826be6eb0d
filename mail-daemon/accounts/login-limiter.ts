// The one limit on password guessing, for every login path (web sign-in,
// SMTP AUTH, IMAP, POP3). Failures are rows in the database, so the web
// process, the daemon and several daemons on one PostgreSQL share them, and a
// restart forgets nothing.
//
// - A client address that keeps failing is slowed (each answer waits longer),
//   then refused until its failures leave the window.
// - An account under attack is throttled, not locked: once it has many
//   failures, only clients that have failed lately are refused, so its owner,
//   from an address with no failures, still logs in.
import { isIP } from 'node:net';
import type { Database } from '../../prisma/database.ts';
import { normalizeLoginName } from './login-name.ts';
import { clientKey } from '../dns/ip-address.ts';
import { loginFailed } from '../metrics/metrics.ts';

export interface LoginLimits {
  /** How long a failure counts, in milliseconds. */
  windowMs: number;
  /** Failures from one client after which each of its attempts waits. */
  slowAfter: number;
  /** The wait per failure past slowAfter, in milliseconds. */
  delayStepMs: number;
  /** Failures from one client after which it is refused. */
  blockAfter: number;
  /** Failures on one account (from anywhere) after which clients that failed are refused for it. */
  accountThrottleAfter: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, slowAfter: 5, delayStepMs: 1000, blockAfter: 20, accountThrottleAfter: 10 };

export type LoginDecision = { allowed: true; delayMs: number } | { allowed: false; retryAfterMs: number };

/** Where a login came from, for the limit and the log. */
export interface LoginAttempt {
  /** "web", "smtp", "imap" or "pop3". */
  service: string;
  /** The client's IP address. */
  client: string;
  /** The login name as typed. */
  account: string;
}

// Pruning of old rows runs at most this often per process.
const PRUNE_EVERY_MS = 60_000;

// Password checks of one client (clientKey) at once in this process; its
// others wait their turn. A failure is recorded after its check, so checks
// that all began together would each pass decide() before any was recorded:
// a burst of parallel guesses got past blockAfter. Waiting, each asks afresh
// and sees the failures before it. Mail clients open a few connections at
// once (Thunderbird up to five), so a few run together.
const CHECKS_AT_ONCE = 4;

export class LoginLimiter {
  private lastPrune = 0;
  private readonly checking = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(
    private readonly database: Database,
    readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly log: (line: string) => void = console.log,
  ) {}

  /** Waits for the client's turn to have a password checked; call the result when the check is over. */
  async turn(client: string): Promise<() => void> {
    const key = clientKey(client);
    const checks = this.checking.get(key) ?? { running: 0, waiting: [] };
    this.checking.set(key, checks);
    // A slot freed goes straight to the next waiting check, so `running` counts it on.
    if (checks.running < CHECKS_AT_ONCE) checks.running += 1;
    else await new Promise<void>((resolve) => checks.waiting.push(resolve));
    return () => {
      const next = checks.waiting.shift();
      if (next) return next();
      checks.running -= 1;
      if (checks.running === 0 && this.checking.get(key) === checks) this.checking.delete(key);
    };
  }

  /** Recent failure times, newest first, at most `limit` of them. */
  private async recent(where: { client: string } | { account: string }, since: Date, limit: number): Promise<number[]> {
    const rows = await this.database.prisma.loginFailure.findMany({
      where: { ...where, createdAt: { gt: since } },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: { createdAt: true },
    });
    return rows.map((r) => r.createdAt.getTime());
  }

  async decide(attempt: LoginAttempt, now = Date.now()): Promise<LoginDecision> {
    const { windowMs, slowAfter, delayStepMs, blockAfter, accountThrottleAfter } = this.limits;
    const since = new Date(now - windowMs);
    const [byClient, byAccount] = await Promise.all([
      this.recent({ client: clientKey(attempt.client) }, since, blockAfter),
      this.recent({ account: normalizeLoginName(attempt.account) }, since, accountThrottleAfter),
    ]);
    // The wait until the oldest failure that still counts leaves the window.
    const until = (times: number[]) => Math.max(1, times[times.length - 1] + windowMs - now);
    if (byClient.length >= blockAfter) return { allowed: false, retryAfterMs: until(byClient) };
    if (byAccount.length >= accountThrottleAfter && byClient.length > 0) {
      return { allowed: false, retryAfterMs: Math.min(until(byClient.slice(0, 1)), until(byAccount)) };
    }
    const past = byClient.length - slowAfter + 1;
    return { allowed: true, delayMs: past > 0 ? past * delayStepMs : 0 };
  }

  /** Counts a wrong password against the client and the account. */
  async recordFailure(attempt: LoginAttempt, now = Date.now()): Promise<void> {
    const prisma = this.database.prisma;
    await prisma.loginFailure.create({
      data: { client: clientKey(attempt.client), account: normalizeLoginName(attempt.account), createdAt: new Date(now) },
    });
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await prisma.loginFailure.deleteMany({ where: { createdAt: { lt: new Date(now - this.limits.windowMs) } } });
    }
  }

  /**
   * The one log line of a failed login, for the operator and fail2ban
   * (mail-daemon/fail2ban/filter.d/mailplatform.conf matches it). It carries
   * its own UTC time, for a log file without one; the account comes last and
   * quoted, so nothing a client types can pose as the client address.
   */
  logFailure(attempt: LoginAttempt, reason: string, now = Date.now()): void {
    const plain = attempt.client.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const client = isIP(plain) ? plain : 'unknown';
    loginFailed(attempt.service);
    this.log(`${new Date(now).toISOString()} login failed: service=${attempt.service} client=${client} reason=${reason} account=${JSON.stringify(normalizeLoginName(attempt.account))}`);
  }
}

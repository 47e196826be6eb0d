// Failed logins are limited per client IP and per account, for every login
// path (SMTP AUTH, IMAP, POP3, the web). Counts live in the process's memory:
// they reset on restart, which is acceptable for slowing down guessing.
export interface LoginLimits {
  /** Failures allowed from one IP within the window. */
  perIp: number;
  /** Failures allowed for one account within the window, from anywhere. */
  perAccount: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perIp: 20, perAccount: 10, windowMs: 15 * 60_000 };

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {}

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => now - t < this.limits.windowMs);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }

  /** Milliseconds until another attempt is allowed, or 0 when allowed now. */
  blockedFor(ip: string, account: string, now = Date.now()): number {
    const byIp = this.recent(`ip:${ip}`, now);
    const byAccount = this.recent(`account:${account.toLowerCase()}`, now);
    const waits: number[] = [];
    if (byIp.length >= this.limits.perIp) waits.push(byIp[byIp.length - this.limits.perIp] + this.limits.windowMs - now);
    if (byAccount.length >= this.limits.perAccount) waits.push(byAccount[byAccount.length - this.limits.perAccount] + this.limits.windowMs - now);
    return waits.length ? Math.max(1, Math.max(...waits)) : 0;
  }

  recordFailure(ip: string, account: string, now = Date.now()): void {
    for (const key of [`ip:${ip}`, `account:${account.toLowerCase()}`]) {
      this.failures.set(key, [...this.recent(key, now), now]);
    }
  }

  recordSuccess(account: string): void {
    this.failures.delete(`account:${account.toLowerCase()}`);
  }
}

// The command rate limit of one IMAP session (issue 5, Robustness): a token
// bucket. A client may send a burst of commands at once, then on average
// `perSecond`; beyond that its commands wait, so a flood of cheap commands
// costs the server no more than a client working at the rate. Waiting rather
// than refusing keeps real clients (which pipeline at most a few dozen
// commands) working, and the reader stays paused meanwhile, so the flood
// backs up in the client's socket, not in our memory.

export interface CommandRate {
  perSecond: number;
  burst: number;
}

export const DEFAULT_COMMAND_RATE: CommandRate = { perSecond: 200, burst: 1000 };

export class CommandRateLimiter {
  private tokens: number;
  private updated = Date.now();

  constructor(private readonly rate: CommandRate = DEFAULT_COMMAND_RATE) {
    this.tokens = rate.burst;
  }

  /** Takes one command's token; returns how long to wait before running it (0: at once). */
  take(now = Date.now()): number {
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.updated) / 1000) * this.rate.perSecond);
    this.updated = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate.perSecond) * 1000);
  }
}

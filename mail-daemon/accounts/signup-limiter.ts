// Signups per client address and hour, counted in the web process's memory
// (a restart forgets them; signup is slow to abuse in bulk anyway since each
// one needs a solved form).
export class SignupLimiter {
  private readonly times = new Map<string, number[]>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 3600_000,
  ) {}

  private recent(client: string, now: number): number[] {
    const times = (this.times.get(client) ?? []).filter((t) => now - t < this.windowMs);
    if (times.length === 0) this.times.delete(client);
    else this.times.set(client, times);
    return times;
  }

  /** Milliseconds until another signup is allowed, or 0 when allowed now. */
  blockedFor(client: string, now = Date.now()): number {
    const times = this.recent(client, now);
    return times.length >= this.perWindow ? Math.max(1, times[times.length - this.perWindow] + this.windowMs - now) : 0;
  }

  record(client: string, now = Date.now()): void {
    this.times.set(client, [...this.recent(client, now), now]);
  }
}

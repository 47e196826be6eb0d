// Signups per client (an IPv4 address, or an IPv6 /64: clientKey) and hour,
// counted in the web process's memory (a restart forgets them; signup is slow
// to abuse in bulk anyway since each one needs a solved form).
import { clientKey } from '../dns/ip-address.ts';
import { dropOldest } from '../limits/oldest-first.ts';

// Clients kept before the ones with no signup in the window are swept out;
// past it even with all of them recent, the oldest go, so memory stays bounded.
const MAX_CLIENTS = 10_000;

export class SignupLimiter {
  private readonly times = new Map<string, number[]>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 3600_000,
    private readonly maxClients = MAX_CLIENTS,
  ) {}

  private recent(client: string, now: number): number[] {
    const times = (this.times.get(client) ?? []).filter((t) => now - t < this.windowMs);
    if (times.length === 0) this.times.delete(client);
    else this.times.set(client, times);
    return times;
  }

  /** Milliseconds until another signup from the address is allowed, or 0 when allowed now. */
  blockedFor(address: string, now = Date.now()): number {
    const times = this.recent(clientKey(address), now);
    return times.length >= this.perWindow ? Math.max(1, times[times.length - this.perWindow] + this.windowMs - now) : 0;
  }

  record(address: string, now = Date.now()): void {
    const client = clientKey(address);
    const times = [...this.recent(client, now), now];
    if (!this.times.has(client) && this.times.size >= this.maxClients) this.sweep(now);
    this.times.set(client, times);
  }

  /** Clients whose signups are all out of the window go; then, past nine tenths of the bound, the longest known. */
  private sweep(now: number): void {
    for (const [client, times] of this.times) if (times.every((t) => now - t >= this.windowMs)) this.times.delete(client);
    dropOldest(this.times, this.maxClients);
  }
}

// At most N deliveries at once to one destination domain from this daemon,
// so that a big mailing does not open hundreds of connections to one
// provider (which would throttle or block us), while other domains go on.
// The claim (queue-lease.ts) keeps the same cap over all daemons; this one
// covers what a claim cannot see: the batches of one entry, and entries with
// recipients at several domains.
export class DomainLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(readonly perDomain: number) {}

  /** Domains with every slot taken, for the claim to pass over. */
  busyDomains(): string[] {
    return [...this.active].filter(([, n]) => n >= this.perDomain).map(([domain]) => domain);
  }

  /** Waits for a slot; false when `signal` aborted first. */
  async acquire(domain: string, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return false;
    if ((this.active.get(domain) ?? 0) < this.perDomain) {
      this.active.set(domain, (this.active.get(domain) ?? 0) + 1);
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const queue = this.waiting.get(domain) ?? [];
      this.waiting.set(domain, queue);
      const grant = () => {
        signal?.removeEventListener('abort', cancel);
        resolve(true);
      };
      const cancel = () => {
        queue.splice(queue.indexOf(grant), 1);
        if (queue.length === 0 && this.waiting.get(domain) === queue) this.waiting.delete(domain);
        resolve(false);
      };
      queue.push(grant);
      signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  release(domain: string): void {
    const queue = this.waiting.get(domain);
    const next = queue?.shift();
    if (queue?.length === 0) this.waiting.delete(domain);
    // The slot passes straight to the next waiter.
    if (next) return next();
    const n = (this.active.get(domain) ?? 1) - 1;
    if (n <= 0) this.active.delete(domain);
    else this.active.set(domain, n);
  }
}

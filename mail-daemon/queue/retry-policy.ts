// When to try a deferred message again, when to warn its sender and when to
// give up (RFC 5321 4.5.4.1: retry at growing intervals, give up after days).
// Times are measured from when the message was queued.

export interface RetryPolicy {
  /** Waits before the 1st, 2nd, ... retry; the last one repeats. */
  retrySchedule: number[];
  warnAfter: number;
  giveUpAfter: number;
}

export interface DeferredEntry {
  createdAt: Date;
  /** Attempts made before the one that was just deferred. */
  attempts: number;
  delayNotified: boolean;
}

export type RetryPlan =
  | { giveUp: true }
  | { giveUp: false; nextAttemptAt: Date; sendDelayNotice: boolean; willRetryUntil: Date };

export function planRetry(entry: DeferredEntry, policy: RetryPolicy, now: Date): RetryPlan {
  const created = entry.createdAt.getTime();
  const giveUpAt = created + policy.giveUpAfter;
  if (now.getTime() >= giveUpAt) return { giveUp: true };
  const warnAt = created + policy.warnAfter;
  const sendDelayNotice = !entry.delayNotified && now.getTime() >= warnAt;
  const schedule = policy.retrySchedule;
  let next = now.getTime() + schedule[Math.min(entry.attempts, schedule.length - 1)];
  // Try again when the warning is due, so that the notice goes out on time
  // and says how things stand then, and try once more at the deadline.
  if (!entry.delayNotified && !sendDelayNotice) next = Math.min(next, warnAt);
  next = Math.min(next, giveUpAt);
  return { giveUp: false, nextAttemptAt: new Date(next), sendDelayNotice, willRetryUntil: new Date(giveUpAt) };
}

// The outbound queue runner, a daemon service without a listener. It takes
// due entries with a lease (queue-lease.ts), delivers each entry's pending
// recipients domain by domain (mail-routes.ts, smtp-delivery.ts) with a cap
// per domain, and records the outcome per recipient: delivered, failed (5xx,
// null MX, no such domain: bounced at once) or still pending (4xx, no
// connection: retried on the schedule of retry-policy.ts, with one delay
// notice and a bounce when it gives up). Every outcome is a DeliveryLog row.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { SHUTDOWN_GRACE_MS, type DaemonContext, type Service } from '../startup/services.ts';
import type { MailStore } from '../store/context.ts';
import { createMailResolver, DNS_CACHE_MAX_MS, type MailResolver } from '../dns/resolver.ts';
import { findMailRoute } from './mail-routes.ts';
import { deliverOverSmtp, type RecipientResult } from './smtp-delivery.ts';
import { SmtpSessionCache } from './smtp-session-cache.ts';
import { claimDueEntries, renewLease } from './queue-lease.ts';
import { AttemptRecorder, loadClaimedEntries, type QueueEntry } from './queue-entries.ts';
import { planRetry, type RetryPlan } from './retry-policy.ts';
import { DomainLimiter } from './domain-limiter.ts';
import { onQueued } from './queue-wakeup.ts';
import { headerBlock, headerValue, type NoticeRecipient } from './delivery-status-notice.ts';
import { notifySender } from './notify-sender.ts';
import { deliveriesEnded } from '../metrics/metrics.ts';

export interface OutboundQueueOptions {
  /** Port of the receiving servers; default QUEUE_SMTP_PORT (25). */
  port?: number;
  /** How often to look for due entries that nobody announced in this process. */
  pollIntervalMs?: number;
  /** How long a claimed entry stays ours without renewal; renewed every third of it. */
  leaseMs?: number;
  /** Messages in delivery at once. */
  maxConcurrent?: number;
  /** Deliveries at once to one destination domain, over all daemons sharing the database. */
  perDomain?: number;
  /** On stop, how long in-flight deliveries may finish before they are abandoned. */
  stopGraceMs?: number;
  connectionTimeoutMs?: number;
  socketTimeoutMs?: number;
  /** Source address of outgoing connections; default LISTEN_HOST when it is one address. */
  localAddress?: string;
  resolver?: MailResolver;
}

const RECIPIENTS_PER_TRANSACTION = 100;
// MX and address answers are kept for their TTL (dns/resolver.ts), so a queue
// sending to one destination does not ask per message.

function defaultLocalAddress(listenHost: string): string | undefined {
  return isIP(listenHost) !== 0 && listenHost !== '0.0.0.0' && listenHost !== '::' ? listenHost : undefined;
}

export function outboundQueue(options: OutboundQueueOptions = {}): Service {
  return async (context) => {
    const runner = new QueueRunner(context, options);
    runner.start();
    return { name: 'outbound queue', addresses: [], stop: () => runner.stop() };
  };
}

interface Job {
  controller: AbortController;
  done: Promise<void>;
  leaseLost: boolean;
}

class LeaseLost extends Error {}

export class QueueRunner {
  readonly id = randomBytes(6).toString('hex');
  private readonly store: MailStore;
  private readonly resolver: MailResolver;
  private readonly limiter: DomainLimiter;
  /** Sessions kept open between messages to the same host. */
  private readonly sessions = new SmtpSessionCache();
  private readonly recorder: AttemptRecorder;
  private readonly jobs = new Map<number, Job>();
  private readonly settings: Required<Omit<OutboundQueueOptions, 'localAddress' | 'resolver'>> & { localAddress?: string };
  private claimSeq = 0;
  private claiming: Promise<void> | null = null;
  private claimAgain = false;
  private claimFailingSince = 0;
  private stopping = false;
  private pollTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;

  constructor(
    private readonly context: DaemonContext,
    options: OutboundQueueOptions,
  ) {
    this.store = context.store;
    this.resolver = options.resolver ?? createMailResolver(context.config.dnsServers, { cacheMs: DNS_CACHE_MAX_MS });
    this.settings = {
      port: options.port ?? context.config.queue.smtpPort,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      leaseMs: options.leaseMs ?? 10 * 60_000,
      maxConcurrent: options.maxConcurrent ?? context.config.queue.concurrency,
      perDomain: options.perDomain ?? context.config.queue.destinationConcurrency,
      stopGraceMs: options.stopGraceMs ?? SHUTDOWN_GRACE_MS,
      connectionTimeoutMs: options.connectionTimeoutMs ?? 30_000,
      socketTimeoutMs: options.socketTimeoutMs ?? 5 * 60_000,
      localAddress: options.localAddress ?? defaultLocalAddress(context.config.listenHost),
    };
    this.limiter = new DomainLimiter(this.settings.perDomain);
    this.recorder = new AttemptRecorder(this.store.database);
  }

  start(): void {
    this.unsubscribe = onQueued(() => this.poke());
    const poll = () => {
      this.poke();
      this.pollTimer = setTimeout(poll, this.settings.pollIntervalMs);
    };
    poll();
  }

  /** Claims due entries now (or right after the claim in progress). */
  poke(): void {
    if (this.stopping) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claimAndStart()
      .then(() => {
        this.claimFailingSince = 0;
      })
      .catch((error) => {
        // While the database is away, say so once a minute, not every poll.
        const now = Date.now();
        if (now - this.claimFailingSince < 60_000) return;
        this.claimFailingSince = now;
        this.context.log(`outbound queue: claiming failed: ${error?.message ?? error}`);
      })
      .finally(() => {
        this.claiming = null;
        if (this.claimAgain) {
          this.claimAgain = false;
          this.poke();
        }
      });
  }

  private async claimAndStart(): Promise<void> {
    const free = this.settings.maxConcurrent - this.jobs.size;
    if (free <= 0) return;
    const token = `${this.context.config.hostname}/${this.id}/${++this.claimSeq}`;
    const ids = await claimDueEntries(this.store, {
      token,
      leaseMs: this.settings.leaseMs,
      limit: free,
      perDomain: this.settings.perDomain,
      busyDomains: this.limiter.busyDomains(),
    });
    // Entries another runner took back meanwhile (our lease expired) are not ours to deliver.
    for (const entry of await loadClaimedEntries(this.store.database, ids, token)) this.startJob(entry, token);
    // A full batch: more may be due.
    if (ids.length === free && !this.stopping) this.claimAgain = true;
  }

  private startJob(entry: QueueEntry, token: string): void {
    const { id } = entry;
    const controller = new AbortController();
    const job: Job = { controller, leaseLost: false, done: Promise.resolve() };
    const heartbeat = setInterval(() => {
      renewLease(this.store, id, token, this.settings.leaseMs)
        .then((held) => {
          if (held) return;
          // Another runner has it now: stop before we deliver twice.
          job.leaseLost = true;
          controller.abort();
        })
        .catch(() => undefined); // the next beat tries again
    }, Math.max(50, this.settings.leaseMs / 3));
    this.jobs.set(id, job);
    job.done = this.processEntry(entry, token, job)
      .catch((error) => {
        if (error instanceof LeaseLost) this.context.log(`outbound queue: entry ${id}: lease lost, outcome left to its new holder`);
        // The lease expires and the entry is tried again.
        else this.context.log(`outbound queue: entry ${id}: ${error?.stack ?? error}`);
      })
      .finally(() => {
        clearInterval(heartbeat);
        this.jobs.delete(id);
        this.poke();
      });
  }

  private async processEntry(entry: QueueEntry, token: string, job: Job): Promise<void> {
    const { raw } = entry;
    // One transaction per domain and per 100 recipients: RFC 5321 4.5.3.1.8
    // obliges servers to take 100 RCPTs, not more.
    const batches: { domain: string; recipients: string[] }[] = [];
    for (const r of entry.recipients) {
      const open = batches.findLast((b) => b.domain === r.domain);
      if (open && open.recipients.length < RECIPIENTS_PER_TRANSACTION) open.recipients.push(r.address);
      else batches.push({ domain: r.domain, recipients: [r.address] });
    }
    const results = (
      await Promise.all(batches.map((b) => this.deliverToDomain(b.domain, b.recipients, entry.mailFrom, raw, job.controller.signal)))
    ).flat();
    if (job.leaseLost) throw new LeaseLost();
    await this.record(entry, token, results);
  }

  private async deliverToDomain(domain: string, recipients: string[], mailFrom: string, raw: Buffer, signal: AbortSignal): Promise<RecipientResult[]> {
    const abandoned = () =>
      recipients.map((address) => ({ address, outcome: 'abandoned' as const, status: '4.3.2', detail: 'abandoned: the queue stopped', reply: null, remoteMta: null }));
    if (!(await this.limiter.acquire(domain, signal))) return abandoned();
    try {
      const route = await findMailRoute(this.resolver, domain);
      if (signal.aborted) return abandoned();
      if (route.kind !== 'hosts') {
        const outcome = route.kind === 'permanent' ? ('failed' as const) : ('deferred' as const);
        return recipients.map((address) => ({ address, outcome, status: route.status, detail: route.reason, reply: null, remoteMta: null }));
      }
      return await deliverOverSmtp(route.hosts, { from: mailFrom, recipients }, raw, {
        port: this.settings.port,
        heloName: this.context.config.hostname,
        localAddress: this.settings.localAddress,
        connectionTimeoutMs: this.settings.connectionTimeoutMs,
        socketTimeoutMs: this.settings.socketTimeoutMs,
        signal,
        sessions: this.sessions,
      });
    } finally {
      this.limiter.release(domain);
    }
  }

  /** Tells the sender what failed or is late, then writes the attempt's outcome and releases the lease. */
  private async record(entry: QueueEntry, token: string, results: RecipientResult[]): Promise<void> {
    const { raw } = entry;
    const now = new Date();
    const { queue: policy } = this.context.config;
    const stopped = results.some((r) => r.outcome === 'abandoned');
    const deferred = results.filter((r) => r.outcome === 'deferred');
    // Stopping: keep what was settled, leave the rest due for the next start.
    const plan: RetryPlan | null = deferred.length > 0 && !stopped ? planRetry(entry, policy, now) : null;
    const gaveUp: RecipientResult[] = plan?.giveUp
      ? deferred.map((r) => ({
          ...r,
          outcome: 'failed',
          // RFC 3463 X.4.7: delivery time expired.
          status: '5.4.7',
          detail: `gave up after ${Math.round((now.getTime() - entry.createdAt.getTime()) / 1000)} s; last error: ${r.detail}`,
        }))
      : [];
    const final = new Map(results.map((r) => [r.address, r]));
    for (const r of gaveUp) final.set(r.address, r);
    const outcomes = [...final.values()];
    const lastError = deferred.at(-1)?.detail ?? null;
    const messageId = headerValue(headerBlock(raw), 'message-id');

    // Notices go out before the outcome is written, while the lease is still
    // ours: a crash in between sends a notice twice rather than never, as
    // mail prefers a duplicate to a loss. (Writing both in one transaction
    // needs a delivery function that joins the caller's transaction.)
    const bounced = outcomes.filter((r) => r.outcome === 'failed');
    const notice = (r: RecipientResult, action: NoticeRecipient['action']): NoticeRecipient => ({
      address: r.address,
      action,
      status: r.status,
      detail: r.detail,
      reply: r.reply,
      remoteMta: r.remoteMta?.replace(/ \[.*\]$/, '') ?? null,
      lastAttemptAt: now,
    });
    const common = { hostname: this.context.config.hostname, sender: entry.mailFrom, original: raw, arrivalDate: entry.createdAt, queueId: entry.id, now };
    const notices: Parameters<typeof notifySender>[1][] = [];
    if (bounced.length > 0) notices.push({ ...common, kind: 'bounce', recipients: bounced.map((r) => notice(r, 'failed')) });
    if (plan && !plan.giveUp && plan.sendDelayNotice) {
      notices.push({ ...common, kind: 'delay', willRetryUntil: plan.willRetryUntil, recipients: deferred.map((r) => notice(r, 'delayed')) });
    }
    if (notices.length > 0 && entry.mailFrom !== '') {
      if (!(await renewLease(this.store, entry.id, token, this.settings.leaseMs))) throw new LeaseLost();
      for (const input of notices) {
        await notifySender(this.store, input).catch((error) =>
          this.context.log(`outbound queue: entry ${entry.id}: ${input.kind} notice failed: ${error?.message ?? error}`),
        );
      }
    }

    const retry = plan && !plan.giveUp ? { nextAttemptAt: plan.nextAttemptAt, delayNotified: entry.delayNotified || plan.sendDelayNotice } : null;
    const held = await this.recorder.record({ entry, token, now, retry, stopped, lastError, outcomes, messageId });
    if (!held) throw new LeaseLost();

    for (const r of outcomes) this.context.log(`outbound queue: entry ${entry.id}: <${r.address}> ${r.outcome} (${r.status} ${r.detail})`);
    const counted = (outcome: RecipientResult['outcome']) => outcomes.filter((r) => r.outcome === outcome).length;
    deliveriesEnded('delivered', counted('delivered'), { route: 'remote', since: entry.createdAt });
    deliveriesEnded('deferred', counted('deferred'));
    deliveriesEnded('bounced', counted('failed'));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.pollTimer);
    this.unsubscribe?.();
    await this.claiming;
    const running = () => Promise.all([...this.jobs.values()].map((j) => j.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([running(), new Promise((resolve) => (timer = setTimeout(resolve, this.settings.stopGraceMs)))]);
    clearTimeout(timer);
    // What is still running is abandoned: settled recipients are recorded,
    // the rest stay pending (or, if even that fails, the lease expires).
    for (const job of this.jobs.values()) job.controller.abort();
    await running();
    await this.recorder.flushed();
    this.sessions.close();
  }
}

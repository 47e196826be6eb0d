// The daemon's metrics, all in one registry: each counter is defined here
// once and bumped by the code where its event already happens (the
// connection gate, the login limiter, delivery and the queue), so there is no
// second bookkeeping. They count this process only: with several daemons on
// one PostgreSQL each reports its own, and Prometheus sums them. What is
// shared (queue, database size) is read from the database at each scrape
// (database-gauges.ts). Served by metrics-service.ts when METRICS_PORT is set.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
const registers = [metricsRegistry];

export type ConnectionService = 'smtp' | 'imap' | 'pop3';
export type DeliveryOutcome = 'delivered' | 'deferred' | 'bounced' | 'rejected';
export type DeliveryRoute = 'local' | 'remote';
/** The steps of a delivery, in their order (mail_delivery_stage_seconds). */
export const DELIVERY_STAGES = ['checks', 'preparation', 'filters', 'commit'] as const;
export type DeliveryStage = (typeof DELIVERY_STAGES)[number];

const connectionsOpen = new Gauge({ name: 'mail_connections_open', help: 'Connections open now, per service (SMTP counts ports 25, 587 and 465).', labelNames: ['service'], registers });
const connectionsTotal = new Counter({ name: 'mail_connections_total', help: 'Connections accepted since start, per service, refused ones included.', labelNames: ['service'], registers });
const deliveries = new Counter({
  name: 'mail_deliveries_total',
  help: 'Deliveries per recipient by outcome: delivered (into a mailbox here, or accepted by the remote server), deferred (a queue attempt failed temporarily), bounced (the queue gave up), rejected (a message refused with 5xx at the end of SMTP DATA).',
  labelNames: ['outcome'],
  registers,
});
const deliveryDuration = new Histogram({
  name: 'mail_delivery_duration_seconds',
  help: 'Time to deliver one recipient: local, from the end of DATA (or the queue notice) to the commit; remote, from acceptance into the queue to the remote server\'s 250.',
  labelNames: ['route'],
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400, 86_400],
  registers,
});
const deliveryStages = new Histogram({
  name: 'mail_delivery_stage_seconds',
  help: "Time each step of a delivery took, refused or not, where a slow 250 after DATA waits: checks (SPF, DKIM, DMARC and ARC, the sender proof of hosted domains, and Rspamd; port 25 only), then for every delivery (port 25, submission, the webmail, vacation replies) preparation (parsing, with the junk filter's tokens), filters (junk filter, rules, routing, quota) and commit (until its local copies and queue entries are stored durably). Vacation replies and the log line after the commit fall in no step.",
  labelNames: ['stage'],
  // Down to 50 µs (a filter step on a quiet machine), up to a DNS check that waits for its timeouts (3 s a try, dns/resolver.ts).
  buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 5, 10, 30, 60],
  registers,
});
const messagesPrepared = new Counter({
  name: 'mail_messages_prepared_total',
  help: 'Messages parsed for delivery by the daemon, per thread: "thread" (the preparation thread, while several come in at once) or "main".',
  labelNames: ['thread'],
  registers,
});
const loginFailures = new Counter({ name: 'mail_login_failures_total', help: 'Failed logins per service (wrong credentials, blocked or throttled clients).', labelNames: ['service'], registers });
export const queueMessages = new Gauge({ name: 'mail_queue_messages', help: 'Messages waiting in the outbound queue (all daemons on the database).', registers });
export const queueOldestAge = new Gauge({ name: 'mail_queue_oldest_age_seconds', help: 'Age of the oldest message in the outbound queue, 0 when it is empty.', registers });
export const databaseSize = new Gauge({ name: 'mail_database_size_bytes', help: 'Size of the database (SQLite: pages in use times page size; PostgreSQL: pg_database_size).', registers });
new Gauge({
  name: 'mail_process_uptime_seconds',
  help: 'Seconds since this daemon process started.',
  registers,
  collect() {
    this.set(process.uptime());
  },
});

// Every series exists from the start at 0, so a rate() sees the first event.
for (const service of ['smtp', 'imap', 'pop3'] as const) {
  connectionsOpen.set({ service }, 0);
  connectionsTotal.inc({ service }, 0);
  loginFailures.inc({ service }, 0);
}
for (const outcome of ['delivered', 'deferred', 'bounced', 'rejected'] as const) deliveries.inc({ outcome }, 0);
for (const route of ['local', 'remote'] as const) deliveryDuration.zero({ route });
for (const stage of DELIVERY_STAGES) deliveryStages.zero({ stage });

let processMetrics = false;
/** Adds Node's process metrics (process_resident_memory_bytes, process_start_time_seconds, ...) once, in the daemon only. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

export function connectionOpened(service: ConnectionService): void {
  connectionsTotal.inc({ service });
  connectionsOpen.inc({ service });
}

export function connectionClosed(service: ConnectionService): void {
  connectionsOpen.dec({ service });
}

export function connectionDropped(service: ConnectionService): void {
  connectionsTotal.inc({ service });
}

export function loginFailed(service: string): void {
  loginFailures.inc({ service });
}

/** `count` recipients reached `outcome`; delivered ones also give their time since `since`. */
export function deliveriesEnded(outcome: DeliveryOutcome, count: number, delivered?: { route: DeliveryRoute; since: Date | number }): void {
  if (count === 0) return;
  deliveries.inc({ outcome }, count);
  if (outcome === 'delivered' && delivered) {
    const seconds = Math.max(0, (Date.now() - Number(delivered.since)) / 1000);
    for (let i = 0; i < count; i++) deliveryDuration.observe({ route: delivered.route }, seconds);
  }
}

/** Runs a step of a delivery, its time counted whether it succeeds or fails (a refusal or a failed commit is what keeps a client waiting too). */
export async function deliveryStage<T>(stage: DeliveryStage, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await step();
  } finally {
    deliveryStages.observe({ stage }, (performance.now() - started) / 1000);
  }
}

export function messagePrepared(thread: 'thread' | 'main'): void {
  messagesPrepared.inc({ thread });
}

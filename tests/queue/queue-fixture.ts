// A daemon running only the outbound queue, with its DNS answered by a test
// DNS server and its receiving servers on loopback addresses at one high port.
import { afterEach } from 'node:test';
import { simpleParser } from 'mailparser';
import type { Engine } from '../../prisma/database.ts';
import { loadConfig } from '../../mail-daemon/config/config.ts';
import { startDaemon, type RunningDaemon } from '../../mail-daemon/startup/daemon.ts';
import { enqueueMessage } from '../../mail-daemon/queue/enqueue.ts';
import { signalQueued } from '../../mail-daemon/queue/queue-wakeup.ts';
import { outboundQueue, type OutboundQueueOptions } from '../../mail-daemon/queue/outbound-queue.ts';
import type { MailStore } from '../../mail-daemon/store/context.ts';
import { asBuffer } from '../../mail-daemon/store/content.ts';
import { listMessages } from '../../mail-daemon/store/messages.ts';
import { bodyBytes, parseMimeStructure } from '../../mail-daemon/store/mime-structure.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type DnsZone, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { startReceivingServer, type ReceivingOptions, type ReceivingServer } from './receiving-smtp.ts';

export interface QueueFixture {
  daemon: TestDaemon;
  store: MailStore;
  dns: TestDnsServer;
  /** The port every receiving server of this fixture listens on. */
  port: number;
  /** alice@example.test, a local account. */
  aliceId: number;
  env: Record<string, string>;
  queueOptions: OutboundQueueOptions;
  servers: ReceivingServer[];
  receive(host: string, options?: ReceivingOptions): Promise<ReceivingServer>;
  /** Another daemon (queue only) on the same database, stopped by dispose(). */
  startAnotherDaemon(options?: OutboundQueueOptions): Promise<RunningDaemon>;
  dispose(): Promise<void>;
}

let nextSubnet = 0;

/** A /24 of loopback addresses per fixture, so fixtures never share a receiving address. */
export function loopbackSubnet(): string {
  nextSubnet++;
  return `127.${(process.pid % 200) + 20}.${nextSubnet}`;
}

export const BASE_ENV = {
  QUEUE_RETRY_SCHEDULE: '1s',
  QUEUE_WARN_AFTER: '1h',
  QUEUE_GIVE_UP_AFTER: '2h',
};

export async function startQueueFixture(
  engine: Engine,
  zone: DnsZone,
  settings: { env?: Record<string, string>; queue?: OutboundQueueOptions; withQueue?: boolean } = {},
): Promise<QueueFixture> {
  const dns = await startTestDnsServer(zone);
  const port = 20_000 + Math.floor(Math.random() * 40_000);
  const env = { ...BASE_ENV, DNS_SERVERS: dns.address, ...settings.env };
  const queueOptions: OutboundQueueOptions = { port, pollIntervalMs: 100, connectionTimeoutMs: 3000, socketTimeoutMs: 10_000, ...settings.queue };
  const daemon = await startTestDaemon(engine, settings.withQueue === false ? [] : [outboundQueue(queueOptions)], env);
  const store = daemon.context.store;
  const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
  const servers: ReceivingServer[] = [];
  const others: RunningDaemon[] = [];
  return {
    daemon,
    store,
    dns,
    port,
    aliceId: alice.id,
    env,
    queueOptions,
    servers,
    async receive(host, options) {
      const server = await startReceivingServer(host, port, options);
      servers.push(server);
      return server;
    },
    async startAnotherDaemon(options = {}) {
      const config = loadConfig({
        ...(process.env as Record<string, string>),
        DATA_DIR: daemon.dataDir,
        DATABASE_URL: daemon.database.url,
        MAIL_HOSTNAME: 'mail.example.test',
        LISTEN_HOST: '127.0.0.1',
        ...env,
      } as unknown as NodeJS.ProcessEnv);
      const other = await startDaemon(config, [outboundQueue({ ...queueOptions, ...options })], () => undefined);
      others.push(other);
      return other;
    },
    async dispose() {
      for (const other of others) await other.stop();
      await daemon.dispose();
      for (const server of servers) await server.close();
      await dns.close();
    },
  };
}

/** For a describe block: starts fixtures, each disposed after its test. */
export function queueFixtures(): (...args: Parameters<typeof startQueueFixture>) => Promise<QueueFixture> {
  let current: QueueFixture | undefined;
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return async (...args) => (current = await startQueueFixture(...args));
}

export async function queueMessage(
  store: MailStore,
  fields: { from?: string; to: string[]; subject?: string; mailFrom?: string },
): Promise<{ id: number; raw: Buffer }> {
  const from = fields.mailFrom ?? fields.from ?? 'alice@example.test';
  // The To: header names a few; the envelope carries them all.
  const raw = buildMessage({ from: fields.from ?? from, to: fields.to.slice(0, 3).join(', '), subject: fields.subject ?? 'Outbound' });
  const id = await enqueueMessage(store, { message: raw, mailFrom: from, recipients: fields.to });
  signalQueued();
  return { id, raw };
}

export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function inboxRaw(store: MailStore, accountId: number): Promise<Buffer[]> {
  const inbox = await inboxOf(store, accountId);
  const messages = await listMessages(store, accountId, inbox.id);
  const contents = await store.database.prisma.messageContent.findMany({ where: { hash: { in: messages.map((m) => m.contentHash) } } });
  const byHash = new Map(contents.map((c) => [c.hash, asBuffer(c.raw)]));
  return messages.map((m) => byHash.get(m.contentHash)!);
}

export interface ParsedNotice {
  subject: string;
  from: string;
  reportType: string;
  human: string;
  /** The per-message fields, then one map per recipient (RFC 3464 2.2). */
  perMessage: Map<string, string>;
  perRecipient: Map<string, string>[];
  originalHeaders: string;
}

function statusFields(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}

/** A delivery status notification taken apart with mailparser. */
export async function parseNotice(raw: Buffer): Promise<ParsedNotice> {
  const parsed = await simpleParser(raw);
  const contentType = parsed.headers.get('content-type') as { value: string; params: Record<string, string> };
  // mailparser shows message/delivery-status as text; the parts come from the
  // MIME tree instead.
  const parts = parseMimeStructure(raw).children ?? [];
  const part = (type: string) => parts.find((p) => p.contentType === type);
  const [human, status, headers] = [part('text/plain'), part('message/delivery-status'), part('text/rfc822-headers')];
  if (!human || !status || !headers) throw new Error(`not a delivery status notification: parts ${parts.map((p) => p.contentType)}`);
  const [perMessage, ...perRecipient] = bodyBytes(raw, status)
    .toString('utf8')
    .trim()
    .split(/\r?\n\r?\n/)
    .map(statusFields);
  return {
    subject: parsed.subject ?? '',
    from: parsed.from?.value[0]?.address ?? '',
    reportType: `${contentType.value}; ${contentType.params['report-type']}`,
    human: bodyBytes(raw, human).toString('utf8'),
    perMessage,
    perRecipient,
    originalHeaders: bodyBytes(raw, headers).toString('utf8'),
  };
}

// The Prometheus endpoint of a real daemon process (mail-daemon/startup/
// main.ts) on 127.0.12.1: real SMTP (nodemailer), IMAP (imapflow) and POP3
// (Python's poplib) traffic, with a failed login on SMTP and IMAP, a message
// too big (rejected), one to a domain whose MX refuses connections (deferred)
// and one to a domain that does not exist (bounced, whose notice is delivered
// here). curl scrapes /metrics before and after; a strict reader of the text
// format checks every line, and each number moves by exactly what was done.
// On PostgreSQL a second daemon on the same database reports its own process
// counters (none moved) and the same queue.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { openDatabase } from '../../prisma/database.ts';
import { loadConfig, ConfigError } from '../../mail-daemon/config/config.ts';
import { createMailStore, closeMailStore } from '../../mail-daemon/store/context.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { startMainDaemon, type MainDaemon } from '../support/daemon-main.ts';
import { parseExposition, type Exposition } from '../support/prometheus-text.ts';

const HOST = '127.0.12.1';
const ALICE = 'alice@metrics.test';

/** A port on the unused 127.0.12.2 that nothing listens on: the remote MX that refuses. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.12.2', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function curl(url: string): { status: string; body: string } {
  const out = execFileSync('curl', ['-sS', '-w', '\n%{http_code}', url], { encoding: 'utf8' });
  const cut = out.lastIndexOf('\n');
  return { body: out.slice(0, cut), status: out.slice(cut + 1) };
}

function scrape(daemon: MainDaemon): Exposition {
  const { status, body } = curl(`http://${HOST}:${daemon.port('metrics')}/metrics`);
  assert.equal(status, '200');
  return parseExposition(body);
}

function value(exposition: Exposition, key: string): number {
  const found = exposition.samples.get(key);
  assert.notEqual(found, undefined, `no series ${key}`);
  return found!;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200 && !condition(); i++) await new Promise((wake) => setTimeout(wake, 100));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

function daemonEnv(dataDir: string, database: TestDatabase, dns: TestDnsServer, queuePort: number, listenHost = HOST): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    MAIL_HOSTNAME: 'mail.metrics.test',
    LISTEN_HOST: listenHost,
    SMTP_PORT: 'off',
    SUBMISSION_PORT: '0',
    SUBMISSIONS_PORT: 'off',
    POP3_PORT: '0',
    POP3S_PORT: 'off',
    IMAP_PORT: '0',
    IMAPS_PORT: 'off',
    METRICS_PORT: '0',
    METRICS_HOST: listenHost,
    ALLOW_PLAINTEXT_LOOPBACK: 'true',
    DNS_SERVERS: dns.address,
    QUEUE_SMTP_PORT: String(queuePort),
    MAX_MESSAGE_SIZE: '100000',
    // The failed logins must not slow the good ones.
    LOGIN_SLOW_AFTER: '50',
    LOGIN_BLOCK_AFTER: '100',
  };
}

describe('METRICS_PORT and METRICS_HOST', () => {
  it('are off by default, on loopback when on, and validated', () => {
    assert.deepEqual(loadConfig({ MAIL_HOSTNAME: 'mail.metrics.test' }).metrics, { port: null, host: '127.0.0.1' });
    assert.deepEqual(loadConfig({ MAIL_HOSTNAME: 'mail.metrics.test', METRICS_PORT: '9154' }).metrics, { port: 9154, host: '127.0.0.1' });
    assert.throws(
      () => loadConfig({ MAIL_HOSTNAME: 'mail.metrics.test', METRICS_PORT: '99999', METRICS_HOST: 'everywhere' }),
      (error: ConfigError) =>
        error.problems.includes('METRICS_PORT must be a port number 0-65535 or "off", got "99999"') &&
        error.problems.includes('METRICS_HOST must be an IP address (e.g. 0.0.0.0 or ::) or "localhost", got "everywhere"'),
    );
  });
});

for (const engine of ENGINES) {
  describe(`/metrics of a daemon on ${engine}`, () => {
    let database: TestDatabase;
    let dns: TestDnsServer;
    let dataDir: string;
    let daemon: MainDaemon;
    let queuePort: number;

    before(async () => {
      database = await createTestDatabase(engine);
      const store = createMailStore(await openDatabase(database.url));
      await addTestAccounts(store, 'metrics.test', ['alice']);
      await closeMailStore(store);
      queuePort = await closedPort();
      dns = await startTestDnsServer({ 'refusing.test': { MX: [{ priority: 10, exchange: 'mx.refusing.test' }] }, 'mx.refusing.test': { A: ['127.0.12.2'] } }, HOST);
      dataDir = mkdtempSync(join(tmpdir(), 'mail-metrics-'));
      daemon = await startMainDaemon(daemonEnv(dataDir, database, dns, queuePort), ['submission', 'imap', 'pop3', 'metrics']);
    });
    after(async () => {
      if (daemon) assert.equal(await daemon.stop(), 0, daemon.output());
      await dns?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('answers only /metrics, in the text format', () => {
      const other = curl(`http://${HOST}:${daemon.port('metrics')}/`);
      assert.equal(other.status, '404');
      const head = execFileSync('curl', ['-sSI', `http://${HOST}:${daemon.port('metrics')}/metrics`], { encoding: 'utf8' });
      assert.match(head, /^content-type: text\/plain; version=0\.0\.4; charset=utf-8\r?$/im);
      const first = scrape(daemon);
      for (const name of ['mail_connections_open', 'mail_queue_messages', 'mail_queue_oldest_age_seconds', 'mail_database_size_bytes', 'mail_process_uptime_seconds', 'process_resident_memory_bytes']) {
        assert.equal(first.types.get(name), 'gauge', name);
      }
      for (const name of ['mail_connections_total', 'mail_deliveries_total', 'mail_login_failures_total']) assert.equal(first.types.get(name), 'counter', name);
      assert.equal(first.types.get('mail_delivery_duration_seconds'), 'histogram');
    });

    it('counts connections, deliveries by outcome, failed logins, latency and the queue exactly', { timeout: 300_000 }, async () => {
      const before = scrape(daemon);
      const moved = (now: Exposition, key: string) => value(now, key) - value(before, key);
      const submission = { host: HOST, port: daemon.port('submission'), auth: { user: ALICE, pass: TEST_PASSWORD } };

      // SMTP: five connections: a delivery here, one deferred, one bounced, one too big, one wrong password.
      await sendWithNodemailer(submission, { from: ALICE, to: [ALICE] }, buildMessage({ from: ALICE, to: ALICE, subject: 'local' }));
      await sendWithNodemailer(submission, { from: ALICE, to: ['bob@refusing.test'] }, buildMessage({ from: ALICE, to: 'bob@refusing.test', subject: 'deferred' }));
      await sendWithNodemailer(submission, { from: ALICE, to: ['carol@nowhere.test'] }, buildMessage({ from: ALICE, to: 'carol@nowhere.test', subject: 'bounced' }));
      await assert.rejects(
        sendWithNodemailer(submission, { from: ALICE, to: [ALICE] }, buildMessage({ from: ALICE, to: ALICE, subject: 'too big', body: 'x'.repeat(150_000) })),
        (error: { responseCode?: number }) => error.responseCode === 552,
      );
      await assert.rejects(sendWithNodemailer({ ...submission, auth: { user: ALICE, pass: 'wrong password' } }, { from: ALICE, to: [ALICE] }, 'x'), (error: { responseCode?: number }) => error.responseCode === 535);

      // The queue settles: the refusing MX defers, the missing domain bounces and its notice reaches alice.
      let settled = before;
      await until(() => {
        settled = scrape(daemon);
        return moved(settled, 'mail_deliveries_total{outcome="deferred"}') >= 1 && moved(settled, 'mail_deliveries_total{outcome="delivered"}') >= 2;
      }, 'the queue to defer one and bounce one');

      // IMAP: one failed login, and one session held open across a scrape.
      const wrong = new ImapFlow({ host: HOST, port: daemon.port('imap'), secure: false, tls: { rejectUnauthorized: false }, auth: { user: ALICE, pass: 'wrong password' }, logger: false });
      await assert.rejects(wrong.connect());
      const imap = new ImapFlow({ host: HOST, port: daemon.port('imap'), secure: false, tls: { rejectUnauthorized: false }, auth: { user: ALICE, pass: TEST_PASSWORD }, logger: false });
      await imap.connect();
      const inbox = await imap.status('INBOX', { messages: true });
      assert.equal(inbox && inbox.messages, 2, 'the local message and the bounce');
      await until(() => value(scrape(daemon), 'mail_connections_open{service="imap"}') === 1, 'the failed IMAP connection to close');
      const during = scrape(daemon);
      await imap.logout();

      // POP3 with Python's poplib.
      const pop = spawnSync('python3', ['-c', `import poplib,sys
p = poplib.POP3(sys.argv[1], int(sys.argv[2]))
p.user(sys.argv[3]); p.pass_(sys.argv[4])
print(p.stat()[0]); p.quit()`, HOST, String(daemon.port('pop3')), ALICE, TEST_PASSWORD], { encoding: 'utf8' });
      assert.equal(pop.status, 0, pop.stderr);
      assert.equal(pop.stdout.trim(), '2');

      await until(() => {
        const now = scrape(daemon);
        return value(now, 'mail_connections_open{service="imap"}') === 0 && value(now, 'mail_connections_open{service="pop3"}') === 0 && value(now, 'mail_connections_open{service="smtp"}') === 0;
      }, 'every connection to close');
      const after = scrape(daemon);

      assert.equal(value(during, 'mail_connections_open{service="imap"}'), 1);
      assert.equal(moved(after, 'mail_connections_total{service="smtp"}'), 5);
      assert.equal(moved(after, 'mail_connections_total{service="imap"}'), 2);
      assert.equal(moved(after, 'mail_connections_total{service="pop3"}'), 1);
      assert.equal(moved(after, 'mail_login_failures_total{service="smtp"}'), 1);
      assert.equal(moved(after, 'mail_login_failures_total{service="imap"}'), 1);
      assert.equal(moved(after, 'mail_login_failures_total{service="pop3"}'), 0);
      assert.equal(moved(after, 'mail_deliveries_total{outcome="delivered"}'), 2, 'the local message and the bounce notice');
      assert.equal(moved(after, 'mail_deliveries_total{outcome="deferred"}'), 1);
      assert.equal(moved(after, 'mail_deliveries_total{outcome="bounced"}'), 1);
      assert.equal(moved(after, 'mail_deliveries_total{outcome="rejected"}'), 1);
      assert.equal(moved(after, 'mail_delivery_duration_seconds_count{route="local"}'), 2);
      assert.equal(value(after, 'mail_delivery_duration_seconds_count{route="remote"}'), 0, 'nothing reached a remote server');
      assert.equal(value(after, 'mail_queue_messages'), 1, 'the deferred message waits');
      assert.ok(value(after, 'mail_queue_oldest_age_seconds') > 0);
      assert.ok(value(after, 'mail_database_size_bytes') > 100_000);
      assert.ok(value(after, 'process_resident_memory_bytes') > 10_000_000);
      assert.ok(value(after, 'mail_process_uptime_seconds') > 0);
      assert.ok(value(after, 'process_start_time_seconds') > 1_700_000_000);
    });

    if (engine === 'postgres') {
      it('a second daemon on the database reports its own counters and the same queue', { timeout: 180_000 }, async () => {
        const secondDir = mkdtempSync(join(tmpdir(), 'mail-metrics-2-'));
        const second = await startMainDaemon(daemonEnv(secondDir, database, dns, queuePort, '127.0.12.3'), ['submission', 'metrics']);
        try {
          const { status, body } = curl(`http://127.0.12.3:${second.port('metrics')}/metrics`);
          assert.equal(status, '200');
          const own = parseExposition(body);
          const first = scrape(daemon);
          assert.equal(value(own, 'mail_connections_total{service="smtp"}'), 0);
          assert.equal(value(own, 'mail_deliveries_total{outcome="delivered"}'), 0);
          assert.ok(value(first, 'mail_deliveries_total{outcome="delivered"}') >= 2);
          assert.equal(value(own, 'mail_queue_messages'), value(first, 'mail_queue_messages'));
          assert.equal(value(own, 'mail_queue_messages'), 1);
          assert.ok(value(own, 'mail_database_size_bytes') > 100_000);
        } finally {
          assert.equal(await second.stop(), 0, second.output());
          rmSync(secondDir, { recursive: true, force: true });
        }
      });
    }
  });
}

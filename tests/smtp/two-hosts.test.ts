// Two platform instances as two mail hosts on 127.0.0.12 and 127.0.0.13, both
// on port 25, found through a DNS server run by the test: mail submitted on
// one arrives at the other authenticated (SPF, DKIM, DMARC pass), and while
// the other is down the sender gets a delay notice, then a bounce, and the
// message is never delivered after it bounced.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { outboundQueue } from '../../mail-daemon/queue/outbound-queue.ts';
import { startDaemon, type RunningDaemon } from '../../mail-daemon/startup/daemon.ts';
import { dnsRecordsFor } from '../../mail-daemon/domains/dns-records.ts';
import { loadConfig } from '../../mail-daemon/config/config.ts';
import { listMessages, getMessageContent } from '../../mail-daemon/store/messages.ts';
import { findMailbox } from '../../mail-daemon/store/mailboxes.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';
import type { MailStore } from '../../mail-daemon/store/context.ts';

const HOST_A = '127.0.0.12';
const HOST_B = '127.0.0.13';

async function inbox(store: MailStore, account: AccountView) {
  const mailbox = (await findMailbox(store, account.id, 'INBOX'))!;
  return listMessages(store, account.id, mailbox.id);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('two mail hosts', () => {
  let dns: TestDnsServer;
  let a: TestDaemon;
  let b: TestDaemon;
  let bAgain: RunningDaemon | undefined;
  let alice: AccountView;
  let bob: AccountView;

  before(async () => {
    dns = await startTestDnsServer({
      'a.test': { MX: [{ priority: 10, exchange: 'mx.a.test' }], TXT: ['v=spf1 mx -all'] },
      'mx.a.test': { A: [HOST_A] },
      '_dmarc.a.test': { TXT: ['v=DMARC1; p=reject'] },
      'b.test': { MX: [{ priority: 10, exchange: 'mx.b.test' }], TXT: ['v=spf1 mx -all'] },
      'mx.b.test': { A: [HOST_B] },
      '_dmarc.b.test': { TXT: ['v=DMARC1; p=reject'] },
    });
    const common = { DNS_SERVERS: dns.address, SMTP_PORT: '25', QUEUE_RETRY_SCHEDULE: '1s', QUEUE_WARN_AFTER: '2s', QUEUE_GIVE_UP_AFTER: '5s' };
    a = await startTestDaemon('sqlite', [smtpService, outboundQueue({ pollIntervalMs: 200 })], { ...common, LISTEN_HOST: HOST_A, MAIL_HOSTNAME: 'mx.a.test' });
    b = await startTestDaemon('sqlite', [smtpService], { ...common, LISTEN_HOST: HOST_B, MAIL_HOSTNAME: 'mx.b.test' });
    [alice] = await addTestAccounts(a.context.store, 'a.test', ['alice']);
    [bob] = await addTestAccounts(b.context.store, 'b.test', ['bob']);
    for (const [daemon, name, host] of [[a, 'a.test', 'mx.a.test'], [b, 'b.test', 'mx.b.test']] as const) {
      const domain = (await daemon.context.store.database.prisma.domain.findUnique({ where: { name } }))!;
      const dkim = dnsRecordsFor(domain, loadConfig({ MAIL_HOSTNAME: host })).find((r) => r.purpose === 'DKIM')!;
      dns.zone[dkim.name] = { TXT: [dkim.value] };
    }
  });
  after(async () => {
    await a?.dispose();
    await bAgain?.stop();
    await (bAgain ? b.database.drop() : b?.dispose());
    await dns?.close();
  });

  async function submitFromAlice(subject: string) {
    const message = `From: Alice <alice@a.test>\r\nTo: Bob <bob@b.test>\r\nSubject: ${subject}\r\n\r\nHello from host A.\r\n`;
    await sendWithNodemailer({ host: HOST_A, port: a.port('submission'), auth: { user: 'alice@a.test', pass: TEST_PASSWORD } }, { from: 'alice@a.test', to: ['bob@b.test'] }, message);
  }

  it('delivers between the hosts with SPF, DKIM and DMARC passing', async () => {
    await submitFromAlice('Across hosts');
    const arrived = await waitFor('the message on host B', async () => (await inbox(b.context.store, bob)).find((m) => m.subject === 'Across hosts'));
    const { raw } = await getMessageContent(b.context.store, bob.id, arrived.id);
    const results = raw.toString('latin1');
    assert.match(results, /Authentication-Results: mx\.b\.test;[\s\S]*dkim=pass header\.i=@a\.test/);
    assert.match(results, /spf=pass[^;]*smtp\.mailfrom=alice@a\.test/);
    assert.match(results, /dmarc=pass[^;]*header\.from=a\.test/);
    assert.match(results, /Received: from mx\.a\.test \(\[127\.0\.0\.12\]\)/);
  });

  it('tells the sender of a delay, then bounces, and never delivers late', async () => {
    await b.stop();
    await submitFromAlice('While B is down');
    const delay = await waitFor('a delay notice', async () => (await inbox(a.context.store, alice)).find((m) => /delay/i.test(m.subject)));
    const bounce = await waitFor('a bounce', async () => (await inbox(a.context.store, alice)).find((m) => /undeliver|failure|returned/i.test(m.subject)));
    assert.ok(bounce.internalDate >= delay.internalDate);
    const notices = (await inbox(a.context.store, alice)).filter((m) => m.fromAddress.startsWith('mailer-daemon@'));
    assert.equal(notices.length, 2, 'exactly one delay notice and one bounce');
    const { raw } = await getMessageContent(a.context.store, alice.id, bounce.id);
    assert.match(raw.toString('latin1'), /Content-Type: message\/delivery-status/i);
    assert.match(raw.toString('latin1'), /Final-Recipient: rfc822; ?bob@b\.test/i);
    // The queue sends the bounce before it writes the outcome (outbound-queue.ts: a crash in between repeats a notice, never loses one).
    await waitFor('the bounced message to leave the queue', async () => ((await a.context.store.database.prisma.queueMessage.count()) === 0 ? true : undefined));

    bAgain = await startDaemon(b.context.config, [smtpService], () => undefined);
    await new Promise((r) => setTimeout(r, 2500));
    const received = (await inbox(bAgain.context.store, bob)).map((m) => m.subject);
    assert.deepEqual(received, ['Across hosts'], 'the bounced message never arrives, the first one arrived once');
  });
});

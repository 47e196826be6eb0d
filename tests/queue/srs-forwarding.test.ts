// Forwarding to a remote address with SRS (issue 14 item 1), on loopback with
// a DNS server of the test: mail from alice@sender.test to carol@fwd.test
// (host A, 127.0.7.1), who forwards to bob@dest.test (host B, a second
// instance of ours on 127.0.7.2), arrives with an SRS0 sender of fwd.test
// and SPF passing at B; a bounce of a forward comes back to A's SRS address
// and A sends it on to the original sender (sender.test's server on
// 127.0.7.3); a forged or expired SRS address is refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { startReceivingServer, type ReceivingServer } from './receiving-smtp.ts';
import { waitFor } from './queue-fixture.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { outboundQueue } from '../../mail-daemon/queue/outbound-queue.ts';
import { setForwarding } from '../../mail-daemon/settings/account-settings.ts';
import { srsForward, srsReverse } from '../../mail-daemon/delivery/srs.ts';
import { findMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { listMessages, getMessageContent } from '../../mail-daemon/store/messages.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

const HOST_A = '127.0.7.1';
const HOST_B = '127.0.7.2';
const SENDER_MX = '127.0.7.3';
const SECRET = 'forwarding-secret-of-host-a';

describe('SRS: the SRS0/SRS1 scheme itself', () => {
  const keys = { secrets: ['current-secret-0123', 'previous-secret-0123'] };
  const day = new Date('2026-11-30T12:00:00Z');

  it('round-trips SRS0, ignoring case, and accepts the older secret', () => {
    const srs = srsForward(keys, 'Alice.Smith@Sender.test', 'fwd.test', day);
    assert.match(srs, /^SRS0=[\w-]{4}=[A-Z2-7]{2}=Sender\.test=Alice\.Smith@fwd\.test$/);
    assert.deepEqual(srsReverse(keys, srs.toLowerCase(), day), { kind: 'ok', address: 'alice.smith@sender.test' });
    const byOld = srsForward({ secrets: ['previous-secret-0123'] }, 'a@sender.test', 'fwd.test', day);
    assert.equal(srsReverse(keys, byOld, day).kind, 'ok');
  });

  it('wraps another forwarder\'s SRS0 as SRS1, whose bounce goes to that forwarder', () => {
    const first = srsForward({ secrets: ['first-forwarder-secret'] }, 'alice@sender.test', 'first.test', day);
    const second = srsForward(keys, first, 'fwd.test', day);
    assert.match(second, /^SRS1=[\w-]{4}=first\.test==[\w-]{4}=[A-Z2-7]{2}=sender\.test=alice@fwd\.test$/);
    assert.deepEqual(srsReverse(keys, second, day), { kind: 'ok', address: first });
    // A third hop keeps the first forwarder, signed anew.
    const third = srsForward({ secrets: ['third-secret-000000'] }, second, 'third.test', day);
    assert.match(third, /^SRS1=[\w-]{4}=first\.test==/);
    assert.deepEqual(srsReverse({ secrets: ['third-secret-000000'] }, third, day), { kind: 'ok', address: first });
  });

  it('refuses a wrong hash, an expired stamp and a malformed address', () => {
    const srs = srsForward(keys, 'alice@sender.test', 'fwd.test', day);
    assert.deepEqual(srsReverse({ secrets: ['someone-elses-secret'] }, srs, day), { kind: 'invalid', reason: 'SRS hash does not match' });
    assert.deepEqual(srsReverse(keys, srs, new Date(day.getTime() + 22 * 86_400_000)), { kind: 'invalid', reason: 'SRS address has expired' });
    assert.equal(srsReverse(keys, srs, new Date(day.getTime() + 21 * 86_400_000)).kind, 'ok');
    assert.equal(srsReverse(keys, 'SRS0=abcd@fwd.test', day).kind, 'invalid');
    assert.deepEqual(srsReverse(keys, 'alice@fwd.test', day), { kind: 'not-srs' });
  });
});

describe('SRS forwarding between hosts', () => {
  let dns: TestDnsServer;
  let a: TestDaemon;
  let b: TestDaemon;
  let senderMx: ReceivingServer;
  let bob: AccountView;

  before(async () => {
    dns = await startTestDnsServer({
      // The original sender's domain allows only 127.0.0.1, where the test client connects from.
      'sender.test': { MX: [{ priority: 10, exchange: 'mx.sender.test' }], TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
      'mx.sender.test': { A: [SENDER_MX] },
      'fwd.test': { MX: [{ priority: 10, exchange: 'mx.fwd.test' }], TXT: ['v=spf1 mx -all'] },
      'mx.fwd.test': { A: [HOST_A] },
      'dest.test': { MX: [{ priority: 10, exchange: 'mx.dest.test' }], TXT: ['v=spf1 mx -all'] },
      'mx.dest.test': { A: [HOST_B] },
    });
    const common = { DNS_SERVERS: dns.address, SMTP_PORT: '25', QUEUE_RETRY_SCHEDULE: '1s' };
    a = await startTestDaemon('sqlite', [smtpService, outboundQueue({ pollIntervalMs: 200 })], { ...common, LISTEN_HOST: HOST_A, MAIL_HOSTNAME: 'mx.fwd.test', SRS_SECRET: SECRET });
    b = await startTestDaemon('sqlite', [smtpService], { ...common, LISTEN_HOST: HOST_B, MAIL_HOSTNAME: 'mx.dest.test' });
    senderMx = await startReceivingServer(SENDER_MX, 25);
    const [carol, dave] = await addTestAccounts(a.context.store, 'fwd.test', ['carol', 'dave']);
    await setForwarding(a.context.store, carol, 'bob@dest.test', false);
    await setForwarding(a.context.store, dave, 'nobody@dest.test', false);
    [bob] = await addTestAccounts(b.context.store, 'dest.test', ['bob']);
  });
  after(async () => {
    await a?.dispose();
    await b?.dispose();
    await senderMx?.close();
    await dns?.close();
  });

  const sendToA = (to: string, subject: string) =>
    sendWithNodemailer({ host: HOST_A, port: 25 }, { from: 'alice@sender.test', to: [to] }, buildMessage({ from: 'alice@sender.test', to, subject }));

  it('forwards with an SRS0 sender of the forwarding domain, and SPF passes at the receiver', async () => {
    await sendToA('carol@fwd.test', 'Forward me');
    const inbox = (await findMailbox(b.context.store, bob.id, 'INBOX'))!;
    const arrived = await waitFor('the forward at host B', async () => (await listMessages(b.context.store, bob.id, inbox.id)).find((m) => m.subject === 'Forward me'), 20_000);
    const raw = (await getMessageContent(b.context.store, bob.id, arrived.id)).raw.toString('latin1');
    const returnPath = /^Return-Path: <([^>]*)>/m.exec(raw)![1];
    assert.match(returnPath, /^srs0=[\w-]{4}=[a-z2-7]{2}=sender\.test=alice@fwd\.test$/i);
    assert.match(raw, /spf=pass \(mx\.dest\.test: domain of srs0=\S+@fwd\.test designates 127\.0\.7\.1 as permitted sender\)/i);
    // A's log traces the message by its Received: id, from arrival to the forward's delivery.
    const receivedId = /by mx\.fwd\.test with \w+ id (\w+)/.exec(raw)![1];
    const trace = await waitFor('the outbound log line', async () => {
      const rows = await a.context.store.database.prisma.deliveryLog.findMany({ where: { receivedId }, orderBy: { id: 'asc' } });
      return rows.some((r) => r.kind === 'outbound') ? rows : undefined;
    }, 20_000);
    assert.deepEqual(trace.map((r) => [r.kind, r.rcptTo, r.status]), [['inbound', 'carol@fwd.test', 'queued'], ['outbound', 'bob@dest.test', 'delivered']]);
  });

  it('routes the bounce of a forward back to the original sender', async () => {
    await sendToA('dave@fwd.test', 'Forward me to nobody');
    const bounce = await waitFor('the bounce at sender.test', () => senderMx.received.find((r) => r.recipients.includes('alice@sender.test')), 20_000);
    assert.equal(bounce.mailFrom, '');
    assert.equal(bounce.remoteAddress.replace(/^::ffff:/, ''), HOST_A);
    const text = bounce.raw.toString('latin1');
    assert.match(text, /Final-Recipient: rfc822; ?nobody@dest\.test/i);
    assert.match(text, /Subject: Forward me to nobody/);
    const logged = await a.context.store.database.prisma.deliveryLog.findMany({ where: { rcptTo: { contains: 'srs0=' } } });
    assert.ok(logged.some((l) => l.kind === 'inbound' && l.mailFrom === ''), 'A took the bounce on its SRS address');
  });

  it('refuses forged and expired SRS addresses with 550 5.7.1', async () => {
    const forged = srsForward({ secrets: ['not-the-secret-of-a'] }, 'victim@sender.test', 'fwd.test');
    const expired = srsForward({ secrets: [SECRET] }, 'victim@sender.test', 'fwd.test', new Date(Date.now() - 30 * 86_400_000));
    for (const address of [forged, expired, 'SRS0=nonsense@fwd.test']) {
      await assert.rejects(
        sendWithNodemailer({ host: HOST_A, port: 25 }, { from: '', to: [address] }, buildMessage({ to: address, subject: 'spam via SRS' })),
        (error: Error & { response?: string }) => /^550 5\.7\.1 /.test(error.response ?? ''),
        address,
      );
    }
    const valid = srsForward({ secrets: [SECRET] }, 'victim@sender.test', 'fwd.test');
    const accepted = await sendWithNodemailer({ host: HOST_A, port: 25 }, { from: '', to: [valid] }, buildMessage({ to: valid, subject: 'a real bounce' }));
    assert.deepEqual(accepted.accepted, [valid]);
  });
});

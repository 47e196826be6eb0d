// Issue 11 section 6: an unauthenticated connection on 25 that used a hosted
// domain in MAIL FROM or From: reached the INBOX. Now it is refused with
// 550 5.7.1 unless SPF or DKIM passes for that domain, checked against a real
// DNS server on loopback; forwards (our DKIM signature intact) and bounces
// from <> still arrive.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../support/databases.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { signWithDomainKey } from '../../mail-daemon/domains/dkim-sign.ts';
import { dnsRecordsFor } from '../../mail-daemon/domains/dns-records.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

type SmtpFailure = Error & { response?: string };

for (const engine of ENGINES) {
  describe(`hosted domains as sender on port 25 on ${engine}`, () => {
    let daemon: TestDaemon;
    let dns: TestDnsServer;
    let alice: AccountView;

    const send = (from: string, headerFrom: string, message?: Buffer) =>
      sendWithNodemailer({ port: daemon.port('smtp') }, { from, to: ['alice@sec.test'] }, message ?? buildMessage({ from: headerFrom, to: 'alice@sec.test', subject: `from ${from || '<>'} as ${headerFrom}` }));
    const inbox = () => daemon.context.store.database.prisma.message.findMany({ where: { mailbox: { accountId: alice.id } }, select: { subject: true } });
    const refused = (e: SmtpFailure) => /^550 5\.7\.1 Sender domain sec\.test is hosted here/.test(e.response ?? '');

    before(async () => {
      // sec.test publishes SPF for another address and its DKIM key; spf.test lets 127.0.0.1 send.
      dns = await startTestDnsServer({ 'sec.test': { TXT: ['v=spf1 ip4:192.0.2.1 -all'] }, 'spf.test': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] } });
      daemon = await startTestDaemon(engine, [smtpService], { DNS_SERVERS: dns.address });
      [alice] = await addTestAccounts(daemon.context.store, 'sec.test', ['alice']);
      await addTestAccounts(daemon.context.store, 'spf.test', ['ceo']);
      const domain = (await daemon.context.store.database.prisma.domain.findUnique({ where: { name: 'sec.test' } }))!;
      const dkim = dnsRecordsFor(domain, daemon.context.config).find((r) => r.purpose === 'DKIM')!;
      dns.zone[dkim.name.replace(/\.$/, '')] = { TXT: [dkim.value] };
    });
    after(async () => {
      await daemon.dispose();
      await dns.close();
    });

    it('refuses our domain in MAIL FROM without SPF or DKIM pass', async () => {
      await assert.rejects(send('ceo@sec.test', 'CEO <ceo@sec.test>'), refused);
      await assert.rejects(send('CEO@Sec.Test', 'Someone <someone@remote.test>'), refused);
    });

    it('refuses our domain in From: behind a foreign envelope sender', async () => {
      await assert.rejects(send('bounce@remote.test', '"BigBank Security" <security@sec.test>'), refused);
      await assert.rejects(send('', 'Alice <alice@sec.test>'), refused, 'also with an empty envelope sender');
      assert.deepEqual(await inbox(), [], 'nothing reached the INBOX');
    });

    it('takes our domain when SPF passes for it', async () => {
      const sent = await send('ceo@spf.test', 'CEO <ceo@spf.test>');
      assert.deepEqual(sent.accepted, ['alice@sec.test']);
    });

    it('takes a forward of our own signed mail (SPF fails, DKIM passes), and a bounce from <>', async () => {
      const original = buildMessage({ from: 'Alice <alice@sec.test>', to: 'friend@elsewhere.test', subject: 'Forwarded back' });
      const signed = await signWithDomainKey(daemon.context.store, original, 'alice@sec.test');
      assert.deepEqual((await send('SRS0=abcd=XY=sec.test=alice@forwarder.test', 'alice@sec.test', signed)).accepted, ['alice@sec.test']);
      assert.deepEqual((await send('', 'Mail Delivery System <MAILER-DAEMON@remote.test>')).accepted, ['alice@sec.test']);
      assert.deepEqual((await inbox()).map((m) => m.subject).sort(), ['Forwarded back', 'from <> as Mail Delivery System <MAILER-DAEMON@remote.test>', 'from ceo@spf.test as CEO <ceo@spf.test>']);
    });
  });
}

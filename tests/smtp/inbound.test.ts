// The MX (port 25) with real clients: nodemailer's SMTP connection, a raw
// socket for exact transcripts, and DMARC checks against a test DNS server.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../support/databases.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { RawSmtp, sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { listMessages, getMessageContent } from '../../mail-daemon/store/messages.ts';
import { findSpecialUseMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { addAlias } from '../../mail-daemon/aliases/aliases.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

for (const engine of ENGINES) {
  describe(`SMTP inbound on ${engine}`, () => {
    let daemon: TestDaemon;
    let dns: TestDnsServer;
    let alice: AccountView, bob: AccountView;
    let port: number;

    before(async () => {
      dns = await startTestDnsServer({});
      daemon = await startTestDaemon(engine, [smtpService], { DNS_SERVERS: dns.address, MAX_MESSAGE_SIZE: '200000' });
      port = daemon.port('smtp');
      const store = daemon.context.store;
      [alice, bob] = await addTestAccounts(store, 'example.test', ['alice', 'bob']);
      await addAlias(store, 'team@example.test', ['alice@example.test', 'bob@example.test', 'friend@elsewhere.test']);
      await store.database.prisma.domain.update({ where: { name: 'example.test' }, data: { catchAllTarget: 'bob@example.test' } });
      await addTestAccounts(store, 'other.test', ['carol']);
    });
    after(async () => {
      await daemon.dispose();
      await dns.close();
    });

    async function newest(accountId: number, specialUse = '\\Inbox') {
      const mailbox = (await findSpecialUseMailbox(daemon.context.store.database.prisma, accountId, specialUse))!;
      const messages = await listMessages(daemon.context.store, accountId, mailbox.id);
      const last = messages[messages.length - 1];
      return { message: last, content: last && (await getMessageContent(daemon.context.store, accountId, last.id)) };
    }

    it('advertises the extensions of RFC 5321 and friends', async () => {
      const raw = await RawSmtp.open(port);
      assert.match(await raw.reply(), /^220 mail\.example\.test ESMTP/);
      const ehlo = await raw.command('EHLO client.remote.test');
      for (const ext of ['PIPELINING', 'SIZE 200000', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'STARTTLS']) {
        assert.match(ehlo, new RegExp(`^250[- ]${ext}$`, 'm'), `EHLO lists ${ext}`);
      }
      assert.doesNotMatch(ehlo, /AUTH/, 'the MX offers no AUTH');
      raw.close();
    });

    it('stores a message with Return-Path, Received and Authentication-Results, byte-exact otherwise', async () => {
      const original = buildMessage({ to: 'alice@example.test', subject: 'Inbound one', body: 'Line one\n.leading dot\n\u00e9t\u00e9\n' });
      const result = await sendWithNodemailer({ port }, { from: 'sender@remote.test', to: ['alice@example.test'] }, original);
      assert.deepEqual(result.accepted, ['alice@example.test']);
      assert.match(result.response, /^250 2\.\d\.0 /);
      const { message, content } = await newest(alice.id);
      assert.equal(message.subject, 'Inbound one');
      const text = content.raw.toString('utf8');
      assert.match(text, /^Return-Path: <sender@remote\.test>\r\nReceived: from client\.remote\.test \(\[127\.0\.0\.1\]\)\r\n\tby mail\.example\.test with ESMTPS? id /);
      assert.match(text, /\r\nAuthentication-Results: mail\.example\.test;/);
      assert.ok(content.raw.subarray(content.raw.length - original.length).equals(original), 'the sender\'s bytes follow the added fields unchanged');
    });

    it('refuses to relay and names unknown users at RCPT time', async () => {
      const raw = await RawSmtp.open(port);
      await raw.reply();
      await raw.command('EHLO client.remote.test');
      assert.match(await raw.command('MAIL FROM:<sender@remote.test>'), /^250 /);
      assert.match(await raw.command('RCPT TO:<someone@elsewhere.test>'), /^550 5\.7\.1 Relaying denied/);
      assert.match(await raw.command('RCPT TO:<carol@other.test>'), /^250 /);
      assert.match(await raw.command('RCPT TO:<nobody@other.test>'), /^550 5\.1\.1 No such user/);
      assert.match(await raw.command('RCPT TO:<not an address>'), /^5\d\d /);
      assert.match(await raw.command('QUIT'), /^221 /);
      raw.close();
    });

    it('expands multi-target aliases, forwards external targets through the queue, and uses the catch-all', async () => {
      const queuedBefore = await daemon.context.store.database.prisma.queueMessage.count();
      await sendWithNodemailer({ port }, { from: 'sender@remote.test', to: ['team@example.test'] }, buildMessage({ subject: 'To the team' }));
      assert.equal((await newest(alice.id)).message.subject, 'To the team');
      assert.equal((await newest(bob.id)).message.subject, 'To the team');
      const queued = await daemon.context.store.database.prisma.queueMessage.findMany({ include: { recipients: true }, orderBy: { id: 'desc' }, take: 1 });
      assert.equal(await daemon.context.store.database.prisma.queueMessage.count(), queuedBefore + 1);
      assert.deepEqual(queued[0].recipients.map((r) => r.address), ['friend@elsewhere.test']);
      await sendWithNodemailer({ port }, { from: 'sender@remote.test', to: ['whoever@example.test'] }, buildMessage({ subject: 'Caught' }));
      assert.equal((await newest(bob.id)).message.subject, 'Caught');
    });

    it('stores a message for several local recipients once', async () => {
      await sendWithNodemailer({ port }, { from: 'sender@remote.test', to: ['alice@example.test', 'bob@example.test', 'carol@other.test'] }, buildMessage({ subject: 'Three of us' }));
      const rows = await daemon.context.store.database.prisma.message.findMany({ where: { subject: 'Three of us' } });
      assert.equal(rows.length, 3);
      assert.equal(new Set(rows.map((r) => r.contentHash)).size, 1);
    });

    it('refuses an oversize message with 552 and keeps nothing', async () => {
      const before = await daemon.context.store.database.prisma.message.count();
      await assert.rejects(
        sendWithNodemailer({ port }, { from: 'sender@remote.test', to: ['alice@example.test'] }, buildMessage({ body: 'x'.repeat(250_000) })),
        (e: Error & { response?: string }) => /^552 /.test(e.response ?? ''),
      );
      const raw = await RawSmtp.open(port);
      await raw.reply();
      await raw.command('EHLO client.remote.test');
      assert.match(await raw.command('MAIL FROM:<sender@remote.test> SIZE=999999'), /^552 5\.3\.4/);
      raw.close();
      assert.equal(await daemon.context.store.database.prisma.message.count(), before);
    });

    it('answers a pipelined transaction in order', async () => {
      const raw = await RawSmtp.open(port);
      await raw.reply();
      await raw.command('EHLO client.remote.test');
      const body = buildMessage({ subject: 'Pipelined' }).toString('utf8');
      raw.write(`MAIL FROM:<sender@remote.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<ghost@example.invalid>\r\nDATA\r\n`);
      assert.match(await raw.reply(), /^250 /);
      assert.match(await raw.reply(), /^250 /);
      assert.match(await raw.reply(), /^550 5\.7\.1 /);
      assert.match(await raw.reply(), /^354 /);
      raw.write(`${body}\r\n.\r\n`);
      assert.match(await raw.reply(), /^250 2\.\d\.0 /);
      raw.close();
      assert.equal((await newest(alice.id)).message.subject, 'Pipelined');
    });

    it('limits recipients per message and the length of a command line', async () => {
      const raw = await RawSmtp.open(port);
      await raw.reply();
      await raw.command('EHLO client.remote.test');
      await raw.command('MAIL FROM:<sender@remote.test>');
      for (let i = 0; i < 100; i++) raw.write(`RCPT TO:<alice+${i}@example.test>\r\n`);
      for (let i = 0; i < 100; i++) await raw.reply();
      assert.match(await raw.command('RCPT TO:<bob@example.test>'), /^452 /);
      assert.match(await raw.command('RSET'), /^250 /);
      // An over-long line ends the session (smtp-server answers 421 and closes).
      raw.write(`NOOP ${'x'.repeat(10_000)}\r\n`);
      assert.match(await raw.reply(), /^(500|421) /);
      raw.close();
    });

    it('upgrades with STARTTLS', async () => {
      const result = await sendWithNodemailer({ port, requireTLS: true }, { from: 'sender@remote.test', to: ['alice@example.test'] }, buildMessage({ subject: 'Over TLS' }));
      assert.deepEqual(result.accepted, ['alice@example.test']);
      const { content } = await newest(alice.id);
      assert.match(content.raw.toString(), /with ESMTPS id/);
    });

    it('rejects mail that fails DMARC with p=reject and files p=quarantine in Junk', async () => {
      dns.zone['strict.test'] = { TXT: ['v=spf1 -all'] };
      dns.zone['_dmarc.strict.test'] = { TXT: ['v=DMARC1; p=reject'] };
      dns.zone['lenient.test'] = { TXT: ['v=spf1 -all'] };
      dns.zone['_dmarc.lenient.test'] = { TXT: ['v=DMARC1; p=quarantine'] };
      await assert.rejects(
        sendWithNodemailer({ port }, { from: 'ceo@strict.test', to: ['alice@example.test'] }, buildMessage({ from: 'ceo@strict.test', subject: 'Spoofed' })),
        (e: Error & { response?: string }) => /^550 5\.7\.1 .*DMARC/.test(e.response ?? ''),
      );
      await sendWithNodemailer({ port }, { from: 'news@lenient.test', to: ['alice@example.test'] }, buildMessage({ from: 'news@lenient.test', subject: 'Suspicious' }));
      const junk = await newest(alice.id, '\\Junk');
      assert.equal(junk.message.subject, 'Suspicious');
      assert.match(junk.content.raw.toString(), /dmarc=fail/);
      assert.notEqual((await newest(alice.id)).message.subject, 'Suspicious');
    });
  });
}

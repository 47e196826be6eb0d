// The outbound queue delivering to real SMTP servers on loopback, found
// through real DNS (the test DNS server): MX in preference order, A fallback,
// null MX, STARTTLS, per-recipient outcomes and bounces.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../support/databases.ts';
import { inboxRaw, loopbackSubnet, parseNotice, queueMessage, queueFixtures, waitFor } from './queue-fixture.ts';

for (const engine of ENGINES) {
  describe(`outbound delivery on ${engine}`, () => {
    const start = queueFixtures();

    function zoneFor(net: string) {
      return {
        'remote.test': { MX: [{ priority: 20, exchange: 'mx2.remote.test' }, { priority: 10, exchange: 'mx1.remote.test' }] },
        'mx1.remote.test': { A: [`${net}.2`] },
        'mx2.remote.test': { A: [`${net}.3`] },
        'plain.test': { A: [`${net}.4`] },
        'nullmx.test': { MX: [{ priority: 0, exchange: '.' }] },
        'broken.test': { servfail: true },
      };
    }

    it('delivers to the most preferred MX host over STARTTLS and empties the queue', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      const mx1 = await fixture.receive(`${net}.2`);
      const mx2 = await fixture.receive(`${net}.3`);
      const { id, raw } = await queueMessage(fixture.store, { to: ['bob@remote.test', 'carol@remote.test'], subject: 'to the MX' });
      const [reception] = await waitFor('a reception', () => mx1.received.length > 0 && mx1.received);
      assert.equal(mx2.received.length, 0);
      assert.equal(reception.mailFrom, 'alice@example.test');
      assert.deepEqual(reception.recipients, ['bob@remote.test', 'carol@remote.test']);
      assert.equal(reception.secure, true, 'STARTTLS was used');
      assert.deepEqual(reception.raw, raw);
      const prisma = fixture.store.database.prisma;
      await waitFor('the entry to leave the queue', async () => (await prisma.queueMessage.count({ where: { id } })) === 0);
      const log = await prisma.deliveryLog.findMany({ where: { queueId: id }, orderBy: { rcptTo: 'asc' } });
      assert.deepEqual(log.map((l) => [l.kind, l.rcptTo, l.status]), [
        ['outbound', 'bob@remote.test', 'delivered'],
        ['outbound', 'carol@remote.test', 'delivered'],
      ]);
      assert.match(log[0].detail, new RegExp(`mx1\\.remote\\.test \\[${net.replace(/\./g, '\\.')}\\.2\\]`));
      assert.equal(await prisma.messageContent.count(), 0, 'the delivered content is collected');
    });

    it('sends the next message to the same host over the open session, as Postfix does', async () => {
      const net = loopbackSubnet();
      // One delivery at a time to the domain, so each message finds the last one's session idle.
      const fixture = await start(engine, zoneFor(net), { queue: { perDomain: 1 } });
      const mx1 = await fixture.receive(`${net}.2`);
      const subjects = ['first', 'second', 'third'];
      for (const subject of subjects) await queueMessage(fixture.store, { to: ['bob@remote.test'], subject });
      const received = await waitFor('three receptions', () => mx1.received.length === 3 && mx1.received);
      assert.deepEqual(new Set(received.map((r) => r.session)).size, 1, 'one SMTP session carried all three');
      assert.equal(mx1.maxOpenSessions, 1);
      assert.ok(received.every((r) => r.secure), 'over STARTTLS, negotiated once');
    });

    it('sends at most 100 recipients per transaction', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      const mx1 = await fixture.receive(`${net}.2`);
      const recipients = Array.from({ length: 150 }, (_, i) => `user${i}@remote.test`);
      await queueMessage(fixture.store, { to: recipients });
      await waitFor('two transactions', () => mx1.received.length === 2);
      assert.deepEqual(mx1.received.map((r) => r.recipients.length).sort(), [100, 50]);
      assert.deepEqual(mx1.received.flatMap((r) => r.recipients).sort(), [...recipients].sort());
    });

    it('moves on to the next MX host when the first refuses connections', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      const mx2 = await fixture.receive(`${net}.3`); // nothing listens on .2
      await queueMessage(fixture.store, { to: ['bob@remote.test'] });
      const [reception] = await waitFor('a reception at the second MX', () => mx2.received.length > 0 && mx2.received);
      assert.deepEqual(reception.recipients, ['bob@remote.test']);
    });

    it('retries in plain text when the STARTTLS handshake fails (opportunistic TLS)', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      // A server that offers STARTTLS but only speaks TLS 1.0, which Node refuses.
      const mx1 = await fixture.receive(`${net}.2`, { server: { minVersion: 'TLSv1', maxVersion: 'TLSv1' } });
      await queueMessage(fixture.store, { to: ['bob@remote.test'] });
      const [reception] = await waitFor('a reception', () => mx1.received.length > 0 && mx1.received);
      assert.equal(reception.secure, false);
      assert.equal(mx1.received.length, 1);
    });

    it('falls back to the A record of a domain without MX', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      const host = await fixture.receive(`${net}.4`);
      await queueMessage(fixture.store, { to: ['dave@plain.test'] });
      const [reception] = await waitFor('a reception at the A host', () => host.received.length > 0 && host.received);
      assert.deepEqual(reception.recipients, ['dave@plain.test']);
      assert.ok(fixture.dns.queries.includes('plain.test MX'), 'asked for MX first');
      assert.ok(fixture.dns.queries.includes('plain.test A'));
    });

    it('bounces at once for a null MX (RFC 7505) without connecting anywhere', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      const { id } = await queueMessage(fixture.store, { to: ['eve@nullmx.test'], subject: 'to nowhere' });
      const [bounce] = await waitFor('a bounce in the Inbox', () => inboxRaw(fixture.store, fixture.aliceId).then((m) => m.length > 0 && m));
      const notice = await parseNotice(bounce);
      assert.equal(notice.perRecipient[0].get('final-recipient'), 'rfc822; eve@nullmx.test');
      assert.equal(notice.perRecipient[0].get('action'), 'failed');
      assert.equal(notice.perRecipient[0].get('status'), '5.1.10');
      await waitFor('the entry to leave the queue', async () => (await fixture.store.database.prisma.queueMessage.count({ where: { id } })) === 0);
      assert.ok(!fixture.dns.queries.some((q) => q.startsWith('nullmx.test A')), 'no address lookup after a null MX');
    });

    it('bounces a 5xx recipient at once with an RFC 3464 notice in the local sender\'s Inbox, and delivers the others', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      const mx1 = await fixture.receive(`${net}.2`, {
        rcptReply: (address) => (address === 'nobody@remote.test' ? '550 5.1.1 <nobody@remote.test>: no such user' : null),
      });
      const { id } = await queueMessage(fixture.store, { to: ['bob@remote.test', 'nobody@remote.test'], subject: 'half of it' });
      const [bounce] = await waitFor('a bounce in the Inbox', () => inboxRaw(fixture.store, fixture.aliceId).then((m) => m.length > 0 && m));
      assert.equal(mx1.received.length, 1);
      assert.deepEqual(mx1.received[0].recipients, ['bob@remote.test']);

      const notice = await parseNotice(bounce);
      assert.equal(notice.reportType, 'multipart/report; delivery-status');
      assert.equal(notice.from, 'MAILER-DAEMON@mail.example.test');
      assert.match(notice.subject, /Undelivered/);
      assert.match(notice.human, /nobody@remote\.test/);
      assert.equal(notice.perMessage.get('reporting-mta'), 'dns; mail.example.test');
      assert.ok(notice.perMessage.get('arrival-date'));
      assert.equal(notice.perRecipient.length, 1, 'only the failed recipient is reported');
      const failed = notice.perRecipient[0];
      assert.equal(failed.get('final-recipient'), 'rfc822; nobody@remote.test');
      assert.equal(failed.get('action'), 'failed');
      assert.equal(failed.get('status'), '5.1.1');
      assert.equal(failed.get('remote-mta'), 'dns; mx1.remote.test');
      assert.equal(failed.get('diagnostic-code'), 'smtp; 550 5.1.1 <nobody@remote.test>: no such user');
      assert.match(notice.originalHeaders, /^Subject: half of it\r?$/m);
      assert.doesNotMatch(notice.originalHeaders, /Hello there/, 'headers only, not the body');

      const prisma = fixture.store.database.prisma;
      await waitFor('the entry to leave the queue', async () => (await prisma.queueMessage.count({ where: { id } })) === 0);
      const log = await waitFor('three log rows', async () => {
        const rows = await prisma.deliveryLog.findMany({ where: { queueId: id }, orderBy: { id: 'asc' } });
        return rows.length === 3 && rows;
      });
      assert.deepEqual(log.map((l) => [l.kind, l.rcptTo, l.status]).sort(), [
        ['bounce', 'alice@example.test', 'delivered'],
        ['outbound', 'bob@remote.test', 'delivered'],
        ['outbound', 'nobody@remote.test', 'failed'],
      ]);
    });

    it('applies a refusal after DATA to the accepted recipients and keeps each RCPT refusal with its recipient', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      await fixture.receive(`${net}.2`, {
        rcptReply: (address) => (address === 'nobody@remote.test' ? '550 5.1.1 no such user' : null),
        beforeDataReply: () => '554 5.7.1 message refused as spam',
      });
      await queueMessage(fixture.store, { to: ['bob@remote.test', 'nobody@remote.test'] });
      const [bounce] = await waitFor('a bounce', () => inboxRaw(fixture.store, fixture.aliceId).then((m) => m.length > 0 && m));
      const notice = await parseNotice(bounce);
      const byRecipient = new Map(notice.perRecipient.map((f) => [f.get('final-recipient'), f]));
      assert.equal(byRecipient.get('rfc822; bob@remote.test')?.get('diagnostic-code'), 'smtp; 554 5.7.1 message refused as spam');
      assert.equal(byRecipient.get('rfc822; nobody@remote.test')?.get('status'), '5.1.1');
    });

    it('sends no notice about a message from the null sender <>', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      await fixture.receive(`${net}.2`, { rcptReply: () => '550 5.1.1 no such user' });
      const { id } = await queueMessage(fixture.store, { to: ['nobody@remote.test'], from: 'MAILER-DAEMON@mail.example.test', mailFrom: '' });
      const prisma = fixture.store.database.prisma;
      await waitFor('the entry to leave the queue', async () => (await prisma.queueMessage.count({ where: { id } })) === 0);
      const log = await prisma.deliveryLog.findMany();
      assert.deepEqual(log.map((l) => [l.kind, l.rcptTo, l.status]), [['outbound', 'nobody@remote.test', 'failed']]);
      assert.equal(await prisma.queueMessage.count(), 0, 'no notice queued');
      assert.equal(await prisma.message.count(), 0, 'no notice delivered');
    });

    it('sends the bounce for a remote sender through the queue, from <>', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, {
        ...zoneFor(net),
        'sender.test': { MX: [{ priority: 10, exchange: 'mx.sender.test' }] },
        'mx.sender.test': { A: [`${net}.5`] },
      });
      await fixture.receive(`${net}.2`, { rcptReply: () => '550 5.7.1 relaying denied' });
      const senderHost = await fixture.receive(`${net}.5`);
      await queueMessage(fixture.store, { to: ['bob@remote.test'], from: 'zoe@sender.test' });
      const [reception] = await waitFor('the bounce at the sender\'s MX', () => senderHost.received.length > 0 && senderHost.received);
      assert.equal(reception.mailFrom, '');
      assert.deepEqual(reception.recipients, ['zoe@sender.test']);
      const notice = await parseNotice(reception.raw);
      assert.equal(notice.perRecipient[0].get('status'), '5.7.1');
    });

    it('defers when the DNS fails and bounces when the domain does not exist', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      const broken = await queueMessage(fixture.store, { to: ['x@broken.test'] });
      const missing = await queueMessage(fixture.store, { to: ['y@missing.test'] });
      const prisma = fixture.store.database.prisma;
      const entry = await waitFor('a deferral', async () => {
        const e = await prisma.queueMessage.findUnique({ where: { id: broken.id } });
        return e && e.attempts > 0 && e;
      });
      assert.match(entry.lastError ?? '', /ESERVFAIL/);
      const [bounce] = await waitFor('the bounce for the missing domain', () => inboxRaw(fixture.store, fixture.aliceId).then((m) => m.length > 0 && m));
      await waitFor('the entry to leave the queue', async () => (await prisma.queueMessage.count({ where: { id: missing.id } })) === 0);
      assert.equal((await parseNotice(bounce)).perRecipient[0].get('status'), '5.1.2');
    });
  });
}

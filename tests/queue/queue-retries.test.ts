// Temporary failures: retried on the schedule, one delay notice, a bounce at
// the give-up time; with the schedule in seconds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../support/databases.ts';
import { inboxRaw, loopbackSubnet, parseNotice, queueMessage, queueFixtures, waitFor } from './queue-fixture.ts';

for (const engine of ENGINES) {
  describe(`outbound retries on ${engine}`, () => {
    const start = queueFixtures();

    const zoneFor = (net: string) => ({
      'remote.test': { MX: [{ priority: 10, exchange: 'mx.remote.test' }] },
      'mx.remote.test': { A: [`${net}.2`] },
    });

    it('retries a 4xx after the scheduled wait and then delivers, without notices', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net), { env: { QUEUE_RETRY_SCHEDULE: '1s,1h' } });
      const asked: number[] = [];
      const mx = await fixture.receive(`${net}.2`, {
        rcptReply: () => (asked.push(Date.now()) === 1 ? '451 4.7.1 greylisted, try again later' : null),
      });
      const { id } = await queueMessage(fixture.store, { to: ['bob@remote.test'] });
      await waitFor('the delivery', () => mx.received.length > 0, 10_000);
      assert.equal(asked.length, 2);
      const wait = asked[1] - asked[0];
      assert.ok(wait >= 900 && wait < 5000, `retried after ${wait} ms, schedule says 1 s`);
      const prisma = fixture.store.database.prisma;
      await waitFor('the entry to leave the queue', async () => (await prisma.queueMessage.count({ where: { id } })) === 0);
      const log = await prisma.deliveryLog.findMany({ where: { queueId: id }, orderBy: { id: 'asc' } });
      assert.deepEqual(log.map((l) => l.status), ['deferred', 'delivered']);
      assert.match(log[0].detail, /^4\.7\.1 .*greylisted/);
      assert.equal((await inboxRaw(fixture.store, fixture.aliceId)).length, 0);
    });

    it('keeps the per-recipient state: a deferred recipient is retried alone', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      let carolTries = 0;
      const mx = await fixture.receive(`${net}.2`, {
        rcptReply: (address) => (address === 'carol@remote.test' && ++carolTries === 1 ? '452 4.2.2 mailbox full' : null),
      });
      await queueMessage(fixture.store, { to: ['bob@remote.test', 'carol@remote.test'] });
      await waitFor('two receptions', () => mx.received.length === 2, 10_000);
      assert.deepEqual(mx.received.map((r) => r.recipients), [['bob@remote.test'], ['carol@remote.test']]);
    });

    it('sends one delay notice after QUEUE_WARN_AFTER and bounces after QUEUE_GIVE_UP_AFTER', async () => {
      const net = loopbackSubnet();
      // Nothing listens at the MX: every attempt fails to connect.
      const fixture = await start(engine, zoneFor(net), {
        env: { QUEUE_RETRY_SCHEDULE: '1s', QUEUE_WARN_AFTER: '2s', QUEUE_GIVE_UP_AFTER: '5s' },
      });
      const started = Date.now();
      const { id } = await queueMessage(fixture.store, { to: ['bob@remote.test'], subject: 'patience' });
      const [delayRaw] = await waitFor('the delay notice', () => inboxRaw(fixture.store, fixture.aliceId).then((m) => m.length > 0 && m), 10_000);
      const delayAt = Date.now() - started;
      assert.ok(delayAt >= 1900, `delay notice after ${delayAt} ms, warn after 2 s`);
      const delay = await parseNotice(delayRaw);
      assert.match(delay.subject, /Delayed/);
      assert.equal(delay.perRecipient[0].get('action'), 'delayed');
      assert.equal(delay.perRecipient[0].get('status'), '4.4.1');
      assert.ok(delay.perRecipient[0].get('will-retry-until'), 'Will-Retry-Until');
      assert.match(delay.originalHeaders, /^Subject: patience\r?$/m);

      const messages = await waitFor('the bounce', () => inboxRaw(fixture.store, fixture.aliceId).then((m) => m.length > 1 && m), 10_000);
      const bounceAt = Date.now() - started;
      assert.ok(bounceAt >= 4900, `bounce after ${bounceAt} ms, give up after 5 s`);
      const bounce = await parseNotice(messages[1]);
      assert.match(bounce.subject, /Undelivered/);
      assert.equal(bounce.perRecipient[0].get('action'), 'failed');
      assert.equal(bounce.perRecipient[0].get('status'), '5.4.7');

      const prisma = fixture.store.database.prisma;
      await waitFor('the entry to leave the queue', async () => (await prisma.queueMessage.count({ where: { id } })) === 0);
      // One notice of each kind, whatever the number of attempts in between.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await inboxRaw(fixture.store, fixture.aliceId)).length, 2);
      const kinds = (await prisma.deliveryLog.findMany({ where: { queueId: id } })).map((l) => `${l.kind} ${l.status}`);
      assert.equal(kinds.filter((k) => k === 'delay delivered').length, 1);
      assert.equal(kinds.filter((k) => k === 'bounce delivered').length, 1);
      assert.ok(kinds.filter((k) => k === 'outbound deferred').length >= 3, `attempts: ${kinds}`);
      assert.equal(kinds.filter((k) => k === 'outbound failed').length, 1);
    });
  });
}

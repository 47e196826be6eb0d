// The queue across restarts and across daemons: entries survive a stop (also
// one in the middle of a delivery), a dead runner's lease runs out, several
// runners on one database never deliver a message twice, and deliveries to
// one domain are capped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore } from '../support/databases.ts';
import { enqueueMessage } from '../../mail-daemon/queue/enqueue.ts';
import { claimDueEntries } from '../../mail-daemon/queue/queue-lease.ts';
import { retryQueueEntry } from '../../mail-daemon/queue/queue-admin.ts';
import { closeMailStore, createMailStore } from '../../mail-daemon/store/context.ts';
import { openDatabase } from '../../prisma/database.ts';
import { storeContent } from '../../mail-daemon/store/content.ts';
import { prepareContent } from '../../mail-daemon/store/prepared-message.ts';
import { runTransaction } from '../../mail-daemon/store/transaction.ts';
import { buildMessage } from '../support/messages.ts';
import { loopbackSubnet, queueMessage, queueFixtures, waitFor } from './queue-fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const engine of ENGINES) {
  describe(`outbound queue leases on ${engine}`, () => {
    const start = queueFixtures();

    const zoneFor = (net: string) => ({
      'remote.test': { MX: [{ priority: 10, exchange: 'mx.remote.test' }] },
      'mx.remote.test': { A: [`${net}.2`] },
      'other.test': { A: [`${net}.3`] },
    });

    it('survives a restart: an entry deferred before the stop is delivered after the start', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net));
      const { id } = await queueMessage(fixture.store, { to: ['bob@remote.test'] });
      const prisma = fixture.store.database.prisma;
      await waitFor('a failed attempt', async () => ((await prisma.queueMessage.findUnique({ where: { id } }))?.attempts ?? 0) > 0);
      await fixture.daemon.stop();

      const mx = await fixture.receive(`${net}.2`);
      const restarted = await fixture.startAnotherDaemon();
      await waitFor('the delivery after the restart', () => mx.received.length > 0, 10_000);
      await waitFor('the entry to leave the queue', async () => (await restarted.context.store.database.prisma.queueMessage.count()) === 0);
      await sleep(300);
      assert.equal(mx.received.length, 1);
    });

    it('a stop in the middle of a delivery abandons it and keeps the entry, which the next start delivers once', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net), { queue: { stopGraceMs: 200 } });
      let stall = true;
      let inData = false;
      const mx = await fixture.receive(`${net}.2`, {
        async beforeDataReply() {
          if (!stall) return null;
          inData = true;
          while (stall) await sleep(20);
          return '451 4.3.0 too late'; // the client is gone by now
        },
      });
      const { id } = await queueMessage(fixture.store, { to: ['bob@remote.test'] });
      await waitFor('the delivery to be in DATA', () => inData);
      // The server stalls until after the stop: a stop that waited for it would never return.
      await fixture.daemon.stop();
      stall = false;

      const restarted = await fixture.startAnotherDaemon();
      const prisma = restarted.context.store.database.prisma;
      const entry = await prisma.queueMessage.findUnique({ where: { id }, include: { recipients: true } });
      assert.ok(entry, 'the entry is still queued');
      assert.equal(entry.recipients[0].status, 'pending');
      await waitFor('the delivery after the restart', () => mx.received.length > 0, 10_000);
      await waitFor('the entry to leave the queue', async () => (await prisma.queueMessage.count()) === 0);
      await sleep(300);
      assert.equal(mx.received.length, 1);
    });

    it('queue retry brings a deferred entry forward, and leaves an entry being delivered to its runner', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net), { env: { QUEUE_RETRY_SCHEDULE: '1h' } });
      const { id } = await queueMessage(fixture.store, { to: ['bob@remote.test'] });
      const prisma = fixture.store.database.prisma;
      await waitFor('a failed attempt', async () => ((await prisma.queueMessage.findUnique({ where: { id } }))?.attempts ?? 0) > 0);
      const mx = await fixture.receive(`${net}.2`);
      await retryQueueEntry(fixture.store, id);
      await waitFor('the delivery after the retry', () => mx.received.length > 0, 5000);

      // Queued already held by another runner, in one transaction, so this runner never sees it free.
      const content = prepareContent(buildMessage({ to: 'carol@remote.test', subject: 'Held' }));
      const held = await runTransaction(fixture.store.database, async (tx) => {
        await storeContent(tx, content);
        return tx.queueMessage.create({
          data: {
            contentHash: content.hash,
            mailFrom: 'alice@example.test',
            leaseOwner: 'busy-daemon/1',
            leaseUntil: new Date(Date.now() + 60_000),
            nextAttemptAt: new Date(Date.now() + 3600_000),
            recipients: { create: [{ address: 'carol@remote.test', domain: 'remote.test' }] },
          },
        });
      });
      await retryQueueEntry(fixture.store, held.id);
      const entry = await prisma.queueMessage.findUnique({ where: { id: held.id } });
      assert.equal(entry?.leaseOwner, 'busy-daemon/1');
      assert.ok(entry!.nextAttemptAt.getTime() <= Date.now());
      await sleep(500);
      assert.equal(mx.received.length, 1, 'no second runner took the held entry');
    });

    it('waits for the lease of a runner that died, then delivers', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net), { withQueue: false });
      const mx = await fixture.receive(`${net}.2`);
      const { id } = await queueMessage(fixture.store, { to: ['bob@remote.test'] });
      const leaseUntil = new Date(Date.now() + 1500);
      await fixture.store.database.prisma.queueMessage.update({ where: { id }, data: { leaseOwner: 'dead-daemon/1', leaseUntil } });
      await fixture.startAnotherDaemon();
      await sleep(800);
      assert.equal(mx.received.length, 0, 'not while the lease holds');
      await waitFor('the delivery after the lease ran out', () => mx.received.length > 0, 10_000);
      assert.ok(mx.received[0].at >= leaseUntil.getTime());
    });

    it('two queue runners on one database deliver every message exactly once', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net), { withQueue: false, queue: { maxConcurrent: 3, perDomain: 10 } });
      const mx = await fixture.receive(`${net}.2`, { beforeDataReply: () => sleep(20).then(() => null) });
      const ids = new Set<number>();
      for (let i = 0; i < 30; i++) ids.add((await queueMessage(fixture.store, { to: ['bob@remote.test'], subject: `message ${i}` })).id);
      await Promise.all([fixture.startAnotherDaemon({ localAddress: `${net}.10` }), fixture.startAnotherDaemon({ localAddress: `${net}.11` })]);
      await waitFor('30 deliveries', () => mx.received.length >= 30, 30_000);
      await waitFor('the queue to empty', async () => (await fixture.store.database.prisma.queueMessage.count()) === 0);
      await sleep(500);
      const subjects = mx.received.map((r) => /^Subject: (.*)$/m.exec(r.raw.toString())![1].trim());
      assert.equal(subjects.length, 30, 'no message delivered twice');
      assert.equal(new Set(subjects).size, 30);
      const byRunner = new Set(mx.received.map((r) => r.remoteAddress));
      assert.deepEqual([...byRunner].sort(), [`${net}.10`, `${net}.11`], 'both runners delivered');
    });

    it('renews the lease of a delivery that outlasts it, so another runner does not take the entry', async () => {
      const net = loopbackSubnet();
      // A delivery of 4 s against a lease of 1.5 s, renewed every 0.5 s: a
      // lease of 0.6 s ran out once at load 13, when the runner stalled 0.4 s.
      const fixture = await start(engine, zoneFor(net), { withQueue: false, queue: { leaseMs: 1500 } });
      const mx = await fixture.receive(`${net}.2`, { beforeDataReply: () => sleep(4000).then(() => null) });
      await queueMessage(fixture.store, { to: ['bob@remote.test'] });
      await Promise.all([fixture.startAnotherDaemon(), fixture.startAnotherDaemon()]);
      await waitFor('the delivery', () => mx.received.length > 0, 10_000);
      await waitFor('the queue to empty', async () => (await fixture.store.database.prisma.queueMessage.count()) === 0);
      await sleep(1000);
      assert.equal(mx.received.length, 1);
    });

    it('keeps the per-domain cap over two runners on one database', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net), { withQueue: false, queue: { perDomain: 2, maxConcurrent: 10 } });
      let inData = 0;
      let maxInData = 0;
      const slow = await fixture.receive(`${net}.2`, {
        async beforeDataReply() {
          maxInData = Math.max(maxInData, ++inData);
          await sleep(200);
          inData--;
          return null;
        },
      });
      for (let i = 0; i < 8; i++) await queueMessage(fixture.store, { to: [`user${i}@remote.test`] });
      await Promise.all([fixture.startAnotherDaemon({ localAddress: `${net}.10` }), fixture.startAnotherDaemon({ localAddress: `${net}.11` })]);
      await waitFor('8 deliveries', () => slow.received.length === 8, 15_000);
      assert.equal(maxInData, 2, 'two deliveries at once to remote.test from both runners together');
    });

    it('caps the deliveries at once to one domain and lets other domains through', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zoneFor(net), { queue: { perDomain: 2, maxConcurrent: 10 } });
      let inData = 0;
      let maxInData = 0;
      const slow = await fixture.receive(`${net}.2`, {
        async beforeDataReply() {
          maxInData = Math.max(maxInData, ++inData);
          await sleep(300);
          inData--;
          return null;
        },
      });
      const other = await fixture.receive(`${net}.3`);
      for (let i = 0; i < 6; i++) await queueMessage(fixture.store, { to: [`user${i}@remote.test`] });
      await waitFor('the first slow delivery to start', () => inData > 0);
      await queueMessage(fixture.store, { to: ['someone@other.test'] });
      await waitFor('6 slow deliveries', () => slow.received.length === 6, 15_000);
      assert.equal(maxInData, 2, 'two deliveries at once to remote.test');
      assert.equal(other.received.length, 1);
      assert.ok(other.received[0].at < slow.received[5].at, 'other.test did not wait for remote.test');
    });
  });
}

describe('claiming due entries on postgres', () => {
  it('concurrent claims from several connections never hand out an entry twice', async () => {
    const store = await createTestStore('postgres');
    const others = await Promise.all([1, 2, 3].map(async () => createMailStore(await openDatabase(store.testDatabase.url))));
    try {
      const raw = buildMessage();
      for (let i = 0; i < 60; i++) await enqueueMessage(store, { message: raw, mailFrom: 'a@example.test', recipients: [`r${i}@remote.test`] });
      const stores = [store, ...others];
      const claims = await Promise.all(
        Array.from({ length: 24 }, (_, i) => claimDueEntries(stores[i % stores.length], { token: `runner-${i}`, leaseMs: 60_000, limit: 5 })),
      );
      const all = claims.flat();
      assert.equal(new Set(all).size, all.length, 'no entry claimed twice');
      assert.equal(all.length, 60, 'every entry claimed once');
      const owners = await store.database.prisma.queueMessage.findMany({ select: { id: true, leaseOwner: true } });
      for (const [i, ids] of claims.entries()) for (const id of ids) assert.equal(owners.find((o) => o.id === id)?.leaseOwner, `runner-${i}`);
    } finally {
      for (const other of others) await closeMailStore(other);
      await store.dispose();
    }
  });
});

// The delivery thread's search texts (deferred-text-index.ts) wait for a
// pause in deliveries and are then worked out and written a slice at a time;
// past 1000 waiting contents a slice is written at once, burst or not. The
// bytes of a waiting message are its own copy: the delivery thread hands the
// block they came in back to the main thread once the batch is answered.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore } from '../support/databases.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { prepareMessage } from '../../mail-daemon/store/prepared-message.ts';
import { sqliteBatches, type DeliveryRequest } from '../../mail-daemon/store/delivery-batch.ts';
import { DeferredTextIndex } from '../../mail-daemon/store/deferred-text-index.ts';
import { searchMessageText } from '../../mail-daemon/store/full-text-search.ts';
import { sqlitePath } from '../../prisma/database.ts';
import type { Steps } from '../../mail-daemon/store/sql-steps.ts';

/** A writer as the delivery thread's: its commits, and each transaction of texts counted. */
async function writer(count: number, body: (i: number) => string) {
  const store = await createTestStore('sqlite');
  const batches = sqliteBatches(sqlitePath(store.database.url), store.bus.origin);
  const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
  const transactions: number[] = [];
  const texts = new DeferredTextIndex((steps: Steps<void>) => {
    transactions.push(Date.now());
    return batches.run(steps);
  });
  const write = () => {
    texts.write();
    texts.continueLater(write);
  };
  const requests: DeliveryRequest[] = [];
  for (let i = 0; i < count; i++) requests.push([{ prepared: await prepareMessage(buildMessage({ subject: `message ${i}`, body: body(i) })), targets: [{ accountId: alice.id }], options: {} }]);
  const taken = texts.take(requests);
  for (const outcome of batches.commit(taken)) assert.ok(outcome.ok);
  texts.release(requests);
  const rows = async () => Number((await store.database.prisma.$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS "n" FROM "MessageText"`)[0].n);
  const allWritten = async () => {
    // A bound only so that a writer that stops fails the test instead of hanging it.
    for (const started = Date.now(); (await rows()) < count && Date.now() - started < 60_000; ) await new Promise((r) => setTimeout(r, 20));
  };
  return {
    store,
    alice,
    texts,
    write,
    requests,
    transactions,
    rows,
    allWritten,
    async close() {
      texts.close();
      batches.close();
      await store.dispose();
    },
  };
}

describe('search texts waiting on the delivery thread', () => {
  it('are written once deliveries pause, a slice of 100 at a time, from their own copy of the message', async () => {
    const run = await writer(250, (i) => `a note from ${i === 7 ? 'zanzibar' : 'nowhere'}\n`);
    try {
      const committed = Date.now();
      run.texts.afterCommit(run.write);
      // The blocks the messages came in go back to the main thread: what is kept must not depend on them.
      for (const [delivery] of run.requests) delivery.prepared.content.raw.fill(0);
      assert.equal(await run.rows(), 0, 'nothing written during the burst');
      await run.allWritten();
      assert.equal(await run.rows(), 250);
      assert.equal(run.transactions.length, 3, 'three slices');
      assert.ok(run.transactions[0] - committed >= 400, `the first slice after the pause (${run.transactions[0] - committed} ms)`);
      const hits = await searchMessageText(run.store, run.alice.id, { query: 'zanzibar' });
      assert.equal(hits.length, 1);
    } finally {
      await run.close();
    }
  });

  it('are written a slice at once when 1000 wait, and a big message is worked out at once', async () => {
    // 300 kB: past what is kept to be worked out later.
    const big = `${'filler words '.repeat(24_000)}\ntimbuktu\n`;
    const run = await writer(1000, (i) => (i === 0 ? big : `a note number ${i}\n`));
    try {
      run.texts.afterCommit(run.write);
      // The big one's bytes are not kept: it was worked out before the block could go back.
      run.requests[0][0].prepared.content.raw.fill(0);
      assert.equal(await run.rows(), 100, 'one slice at once');
      await run.allWritten();
      assert.equal((await searchMessageText(run.store, run.alice.id, { query: 'timbuktu' })).length, 1);
    } finally {
      await run.close();
    }
  });

  it('are not worked out nor written before their commit ends (a slice meanwhile would drop them)', async () => {
    const store = await createTestStore('sqlite');
    const batches = sqliteBatches(sqlitePath(store.database.url), store.bus.origin);
    try {
      const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      const texts = new DeferredTextIndex((steps: Steps<void>) => batches.run(steps));
      const requests: DeliveryRequest[] = [];
      for (let i = 0; i < 3; i++) requests.push([{ prepared: await prepareMessage(buildMessage({ subject: `message ${i}` })), targets: [{ accountId: alice.id }], options: {} }]);
      const taken = texts.take(requests);
      // A slice while the batch commits (PostgreSQL writes while a commit waits; SQLite while a busy database is tried again).
      await texts.write();
      for (const outcome of batches.commit(taken)) assert.ok(outcome.ok);
      texts.release(requests);
      await texts.write();
      const rows = Number((await store.database.prisma.$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS "n" FROM "MessageEnvelope"`)[0].n);
      assert.equal(rows, 3);
    } finally {
      batches.close();
      await store.dispose();
    }
  });

  it('written asynchronously (PostgreSQL), stop going on when deliveries come during a slice', async () => {
    // The writes are the test's own: each slice's promise settles when the test says.
    const slices: (() => void)[] = [];
    const texts = new DeferredTextIndex(() => new Promise<void>((resolve) => slices.push(resolve)), 'postgres');
    const requests: DeliveryRequest[] = [];
    for (let i = 0; i < 250; i++) requests.push([{ prepared: await prepareMessage(buildMessage({ subject: `message ${i}` })), targets: [{ accountId: 1 }], options: {} }]);
    texts.take(requests, true);
    const write = (): Promise<void> => Promise.resolve(texts.write()).then(() => texts.continueLater(write));
    const settle = async (i: number) => {
      slices[i]();
      await new Promise((r) => setTimeout(r, 100));
    };
    try {
      void write();
      // A delivery comes while the first slice is written: afterCommit decides what follows, not the slice.
      texts.cancelPause();
      await settle(0);
      assert.equal(slices.length, 1, 'no slice after one that met a delivery');
      // Without one meanwhile, the next slices follow by themselves.
      void write();
      await settle(1);
      assert.equal(slices.length, 3, 'the third slice follows the second');
      await settle(2);
      assert.equal(slices.length, 3, 'and none after the last');
    } finally {
      texts.close();
    }
  });

  it('are not kept past 64 MB (writes failing meanwhile): those left out are indexed by the search that needs them', async () => {
    const store = await createTestStore('sqlite');
    const batches = sqliteBatches(sqlitePath(store.database.url), store.bus.origin);
    try {
      const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      let failing = true;
      const texts = new DeferredTextIndex((steps: Steps<void>) => {
        if (failing) throw new Error('database is busy');
        return batches.run(steps);
      });
      // 300 messages of 250 kB: 75 MB, each small enough to be kept for later.
      const filler = 'filler words '.repeat(19_000);
      for (let i = 0; i < 300; i++) {
        const prepared = await prepareMessage(buildMessage({ subject: `message ${i}`, body: `${filler}
word${i}x
` }));
        const request: DeliveryRequest = [{ prepared, targets: [{ accountId: alice.id }], options: {} }];
        for (const outcome of batches.commit(texts.take([request]))) assert.ok(outcome.ok);
        texts.release([request]);
        assert.throws(() => texts.write(), /busy/);
      }
      failing = false;
      await texts.write(true);
      const rows = Number((await store.database.prisma.$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS "n" FROM "MessageText"`)[0].n);
      assert.ok(rows > 200 && rows < 300, `${rows} of 300 kept and written`);
      const [last] = await store.database.prisma.message.findMany({ where: { subject: 'message 299' }, select: { contentHash: true } });
      const indexed = async () => Number((await store.database.prisma.$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS "n" FROM "MessageText" WHERE "hash" = ${last.contentHash}`)[0].n);
      assert.equal(await indexed(), 0, 'the last one was left out');
      assert.equal((await searchMessageText(store, alice.id, { query: 'word299x' })).length, 1, 'and is found');
      assert.equal(await indexed(), 1, 'indexed by the search');
    } finally {
      batches.close();
      await store.dispose();
    }
  });
});

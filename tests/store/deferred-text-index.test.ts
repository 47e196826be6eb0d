// A delivery's search text is written after its commit, many in one
// transaction, once deliveries pause (in the daemon by the delivery thread;
// on PostgreSQL on the writer's second connection), and at the latest when
// the writer closes; a search before then still finds the message
// (it indexes what is missing).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore, ENGINES } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { closeDeliveryWriter, startDeliveryThread } from '../../mail-daemon/store/delivery-writer.ts';
import { searchMessageText } from '../../mail-daemon/store/full-text-search.ts';

const words = ['zanzibar', 'timbuktu', 'ouagadougou', 'reykjavik', 'ulaanbaatar'];

// Quiet: each delivery is the only one coming in, so it commits on the main
// thread's own connection (delivery-writer.ts), and the delivery thread
// writes its text afterwards.
const CASES = ENGINES.flatMap((engine) => [false, true].map((quiet) => ({ engine, quiet })));

for (const { engine, quiet } of CASES) {
  describe(`search text on the delivery thread on ${engine}${quiet ? ', of deliveries committed on the main thread while quiet' : ''}`, () => {
    it('is written by the thread, once, and every message is found before and after', async () => {
      const store = await createTestStore(engine);
      try {
        startDeliveryThread(store, () => quiet);
        const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
        const inbox = await inboxOf(store, alice.id);
        const texts = async () => Number((await store.database.prisma.$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS "n" FROM "MessageText"`)[0].n);
        const uids = [];
        for (const word of words) uids.push((await deliverMessage(store, buildMessage({ subject: word, body: `a note from ${word}\n` }), [{ accountId: alice.id }]))[0].uid);

        // At once, whether or not the thread has written the texts yet: a search indexes what it needs itself
        // (not while quiet: the texts written by the thread are the point there).
        if (!quiet) {
          const hits = await searchMessageText(store, alice.id, { mailboxId: inbox.id, query: words[2] });
          assert.deepEqual(hits.map((hit) => hit.uid), [uids[2]]);
        }

        // On SQLite the envelopes and search fields come with the texts (PostgreSQL's delivery statement writes them).
        const rowsOf = async (table: string) => Number((await store.database.prisma.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS "n" FROM "${table}"`))[0].n);
        const fieldRows = async () => Math.min(await rowsOf('MessageEnvelope'), await rowsOf('MessageSearchFields'));
        // Written by the thread once deliveries pause: the texts may all be there already (the search above indexed
        // them), the fields come with the thread's write (a bound only so that a broken thread fails the test instead of hanging it).
        const written = async () => (await texts()) >= words.length && (await fieldRows()) >= words.length;
        for (const started = Date.now(); !(await written()) && Date.now() - started < 60_000; ) await new Promise((r) => setTimeout(r, 20));
        assert.equal(await texts(), words.length, 'one text per content, none twice');
        for (const table of ['MessageEnvelope', 'MessageSearchFields']) assert.equal(await rowsOf(table), words.length, `one ${table} row per content`);
        for (const [i, word] of words.entries()) {
          assert.deepEqual((await searchMessageText(store, alice.id, { mailboxId: inbox.id, query: word })).map((hit) => hit.uid), [uids[i]]);
        }
      } finally {
        await closeDeliveryWriter(store.database);
        await store.dispose();
      }
    });
  });
}

describe('search text and fields on the delivery thread on sqlite, after a failed write', () => {
  it('are written again after a pause, without another delivery', async () => {
    const store = await createTestStore('sqlite');
    const prisma = store.database.prisma;
    try {
      startDeliveryThread(store, () => false);
      const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      // Every write of the thread fails while the trigger is there (as one would on a busy database, where the thread does not wait).
      await prisma.$executeRawUnsafe(`CREATE TRIGGER "failing" BEFORE INSERT ON "MessageEnvelope" BEGIN SELECT RAISE(ABORT, 'failing'); END`);
      for (const word of words.slice(0, 2)) await deliverMessage(store, buildMessage({ subject: word, body: `a note from ${word}\n` }), [{ accountId: alice.id }]);
      // Long past the pause after which the thread writes (500 ms): its write has failed.
      await new Promise((r) => setTimeout(r, 1500));
      const rows = async () => Number((await prisma.$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS "n" FROM "MessageEnvelope"`)[0].n);
      assert.equal(await rows(), 0);
      await prisma.$executeRawUnsafe(`DROP TRIGGER "failing"`);
      // Tried again with no delivery to set it off (a bound only so that a thread that never tries again fails the test instead of hanging it).
      for (const started = Date.now(); (await rows()) < 2 && Date.now() - started < 60_000; ) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await rows(), 2);
    } finally {
      await closeDeliveryWriter(store.database);
      await store.dispose();
    }
  });
});

describe('search text after the commit on PostgreSQL', () => {
  it('is written once deliveries pause, and when the writer closes, and every message is found', async () => {
    const store = await createTestStore('postgres');
    try {
      const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      const inbox = await inboxOf(store, alice.id);
      const texts = async () => Number((await store.database.prisma.$queryRaw<{ n: bigint }[]>`SELECT COUNT(*) AS "n" FROM "MessageText"`)[0].n);
      const uids = [];
      for (const word of words.slice(0, 3)) uids.push((await deliverMessage(store, buildMessage({ subject: word, body: `a note from ${word}\n` }), [{ accountId: alice.id }]))[0].uid);
      // Written once deliveries pause (a bound only so that a broken writer fails the test instead of hanging it).
      for (const started = Date.now(); (await texts()) < 3 && Date.now() - started < 60_000; ) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await texts(), 3, 'one text per content');
      // The last ones are written when the writer closes, without a pause.
      for (const word of words.slice(3)) uids.push((await deliverMessage(store, buildMessage({ subject: word, body: `a note from ${word}\n` }), [{ accountId: alice.id }]))[0].uid);
      await closeDeliveryWriter(store.database);
      assert.equal(await texts(), words.length);
      const indexed = await store.database.prisma.$queryRaw<{ n: bigint }[]>`SELECT COUNT(*) AS "n" FROM "MessageText" WHERE "terms" @@ to_tsquery('simple', ${words[4]})`;
      assert.equal(Number(indexed[0].n), 1, 'its terms are in the index');
      for (const [i, word] of words.entries()) {
        assert.deepEqual((await searchMessageText(store, alice.id, { mailboxId: inbox.id, query: word })).map((hit) => hit.uid), [uids[i]]);
      }
    } finally {
      await store.dispose();
    }
  });
});

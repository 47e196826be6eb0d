// In the daemon, a delivery that is the only message coming in commits on the
// main thread's own connection (delivery-writer.ts, quietCommits). SQLite:
// when another connection holds the write lock, it goes to the delivery
// thread instead, which commits it once the lock is free: the delivery
// succeeds, once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createTestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { closeDeliveryWriter, QUIET_CONNECTION_NAME, startDeliveryThread } from '../../mail-daemon/store/delivery-writer.ts';
import { sqlitePath } from '../../prisma/database.ts';

describe('a quiet SQLite delivery while another connection holds the write lock', () => {
  it('is committed by the delivery thread once the lock is free', async () => {
    const store = await createTestStore('sqlite');
    const blocker = new Database(sqlitePath(store.database.url));
    try {
      startDeliveryThread(store, () => true);
      const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      const inbox = await inboxOf(store, alice.id);
      // The first delivery waits for the thread to start; the next ones are quiet.
      await deliverMessage(store, buildMessage({ subject: 'first' }), [{ accountId: alice.id }]);
      await deliverMessage(store, buildMessage({ subject: 'second' }), [{ accountId: alice.id }]);

      blocker.exec('BEGIN IMMEDIATE');
      const third = deliverMessage(store, buildMessage({ subject: 'third' }), [{ accountId: alice.id }]);
      // Longer than the writer's retries of a busy delivery take at most (store/transaction.ts: about 1.1 s).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      blocker.exec('ROLLBACK');
      const [copy] = await third;
      assert.equal(copy.mailboxId, inbox.id);
      assert.equal(copy.uid, 3);
      const subjects = await store.database.prisma.message.findMany({ where: { mailboxId: inbox.id }, select: { subject: true }, orderBy: { uid: 'asc' } });
      assert.deepEqual(subjects.map((m) => m.subject), ['first', 'second', 'third']);
    } finally {
      blocker.close();
      await closeDeliveryWriter(store.database);
      await store.dispose();
    }
  });
});

describe('a quiet PostgreSQL delivery', () => {
  it("is committed on the main thread's own connection, in UID order with the thread's", async () => {
    const store = await createTestStore('postgres');
    let quiet = true;
    try {
      startDeliveryThread(store, () => quiet);
      const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      const inbox = await inboxOf(store, alice.id);
      // The first delivery waits for the thread to start; the next one is quiet, the last goes to the thread.
      await deliverMessage(store, buildMessage({ subject: 'first' }), [{ accountId: alice.id }]);
      const [second] = await deliverMessage(store, buildMessage({ subject: 'second' }), [{ accountId: alice.id }]);
      quiet = false;
      const [third] = await deliverMessage(store, buildMessage({ subject: 'third' }), [{ accountId: alice.id }]);
      assert.deepEqual([second.uid, third.uid], [2, 3]);
      const connections = await store.database.prisma.$queryRaw<{ n: bigint }[]>`SELECT COUNT(*) AS "n" FROM pg_stat_activity WHERE "datname" = current_database() AND "application_name" = ${QUIET_CONNECTION_NAME}`;
      assert.equal(Number(connections[0].n), 1, 'the main thread has its connection for quiet deliveries');
      const subjects = await store.database.prisma.message.findMany({ where: { mailboxId: inbox.id }, select: { subject: true }, orderBy: { uid: 'asc' } });
      assert.deepEqual(subjects.map((m) => m.subject), ['first', 'second', 'third']);
    } finally {
      await closeDeliveryWriter(store.database);
      await store.dispose();
    }
  });
});

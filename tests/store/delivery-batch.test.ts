// Deliveries that are ready at the same time commit together (delivery-writer.ts;
// on PostgreSQL as one statement, delivery-statement.ts): each still gets the
// copies, UIDs, modseqs, quota, flags, mailboxes and notices it would get alone,
// and one that fails fails alone. On SQLite and on PostgreSQL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage, prepareMessage, type DeliveryTarget, type PreparedMessage } from '../../mail-daemon/store/deliver.ts';
import { findMailbox, findSpecialUseMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { getQuota } from '../../mail-daemon/store/quota.ts';
import { StoreError } from '../../mail-daemon/store/errors.ts';
import type { StoreChange } from '../../mail-daemon/store/change-bus.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

for (const engine of ENGINES) {
  describe(`deliveries committed together on ${engine}`, () => {
    let store: TestStore;
    let alice: AccountView, bob: AccountView, carol: AccountView;

    before(async () => {
      store = await createTestStore(engine);
      [alice, bob, carol] = await addTestAccounts(store, 'example.test', ['alice', 'bob', 'carol']);
    });
    after(() => store.dispose());

    /** Prepared first, so that every delivery is handed to the writer in the same turn of the event loop. */
    const prepared = (count: number, subject: string) => Promise.all(Array.from({ length: count }, (_, i) => prepareMessage(buildMessage({ subject: `${subject} ${i}`, body: `body ${i}\n` }))));
    const deliverAll = (messages: PreparedMessage[], targets: (i: number) => DeliveryTarget[]) =>
      Promise.allSettled(messages.map((message, i) => deliverMessage(store, message, targets(i))));

    it('gives each delivery to several accounts its copies: special use, folder, flags, UIDs, modseqs and quota', async () => {
      const junk = (await findSpecialUseMailbox(store.database.prisma, bob.id, '\\Junk'))!;
      const archive = (await findSpecialUseMailbox(store.database.prisma, carol.id, '\\Archive'))!;
      const aliceInbox = await inboxOf(store, alice.id);
      const quotas = { alice: await getQuota(store, alice.id), bob: await getQuota(store, bob.id), carol: await getQuota(store, carol.id) };
      const messages = await prepared(6, 'together');
      const results = await deliverAll(messages, () => [{ accountId: alice.id }, { accountId: bob.id, specialUse: '\\Junk', flags: ['\\Seen'] }, { accountId: carol.id, mailboxId: archive.id, flags: ['\\Flagged'] }]);
      const copies = results.map((r) => (r.status === 'fulfilled' ? r.value : assert.fail(String(r.reason))));
      for (const [i, list] of copies.entries()) {
        // In mailbox order (the accounts, and so their mailboxes, were made in this order).
        assert.deepEqual(list.map((c) => [c.accountId, c.mailboxId, c.mailboxName]), [[alice.id, aliceInbox.id, 'INBOX'], [bob.id, junk.id, junk.name], [carol.id, archive.id, archive.name]], `delivery ${i}`);
      }
      const aliceUids = copies.map((list) => list[0].uid).sort((a, b) => a - b);
      assert.deepEqual(aliceUids, Array.from({ length: 6 }, (_, i) => aliceInbox.uidNext + i));
      assert.equal(new Set(copies.map((list) => list[0].modseq)).size, 6, 'every copy has a modseq of its own');
      const after = await findMailbox(store, alice.id, 'INBOX');
      assert.equal(after!.uidNext, aliceInbox.uidNext + 6);
      assert.equal(after!.highestModseq, Math.max(...copies.map((list) => list[0].modseq)));
      const bytes = messages.reduce((sum, m) => sum + m.content.size, 0);
      assert.equal((await getQuota(store, alice.id)).usedBytes, quotas.alice.usedBytes + bytes);
      assert.equal((await getQuota(store, bob.id)).usedBytes, quotas.bob.usedBytes + bytes);
      assert.equal((await getQuota(store, carol.id)).usedBytes, quotas.carol.usedBytes + bytes);
      const bobRows = await store.database.prisma.message.findMany({ where: { mailboxId: junk.id, subject: { startsWith: 'together' } } });
      assert.deepEqual(bobRows.map((r) => [r.seen, r.flagged]), Array(6).fill([true, false]));
      const carolRows = await store.database.prisma.message.findMany({ where: { mailboxId: archive.id, subject: { startsWith: 'together' } } });
      assert.deepEqual(carolRows.map((r) => [r.seen, r.flagged]), Array(6).fill([false, true]));
      for (const list of copies) {
        const row = await store.database.prisma.message.findUnique({ where: { id: list[0].messageId } });
        assert.equal(row!.uid, list[0].uid);
        assert.equal(row!.mailboxId, aliceInbox.id);
      }
    });

    it('fails a delivery to a mailbox the account does not own alone, storing nothing of it', async () => {
      const bobInbox = await inboxOf(store, bob.id);
      const aliceInbox = await inboxOf(store, alice.id);
      const messagesBefore = await store.database.prisma.message.count();
      const aliceQuota = await getQuota(store, alice.id);
      const messages = await prepared(5, 'one bad');
      const results = await deliverAll(messages, (i) => [i === 2 ? { accountId: alice.id, mailboxId: bobInbox.id } : { accountId: alice.id }]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const reason = (results[2] as PromiseRejectedResult).reason;
      assert.ok(reason instanceof StoreError && reason.code === 'NONEXISTENT', String(reason));
      const uids = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value[0].uid] : [])).sort((a, b) => a - b);
      assert.deepEqual(uids, Array.from({ length: 4 }, (_, i) => aliceInbox.uidNext + i), 'the failed delivery used up no UID');
      assert.equal(await store.database.prisma.message.count(), messagesBefore + 4);
      assert.equal(await store.database.prisma.messageContent.count({ where: { hash: messages[2].content.hash } }), 0);
      assert.equal((await getQuota(store, alice.id)).usedBytes, aliceQuota.usedBytes + messages.reduce((sum, m, i) => sum + (i === 2 ? 0 : m.content.size), 0));
    });

    it('warns once when the deliveries together take an account past 90% of its quota', async () => {
      const messages = await prepared(5, 'quota');
      const size = messages[0].content.size;
      const used = (await getQuota(store, carol.id)).usedBytes;
      // The third of five equal messages crosses 90%.
      const quotaBytes = Math.floor((used + 2.5 * size) / 0.9);
      await store.database.prisma.account.update({ where: { id: carol.id }, data: { quotaBytes: BigInt(quotaBytes) } });
      const results = await deliverAll(messages, () => [{ accountId: carol.id }]);
      const copies = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : assert.fail(String(r.reason))));
      assert.equal(copies.length, 5);
      assert.equal(copies.filter((c) => c.quotaWarning).length, 1, 'one copy crossed 90%');
      await store.database.prisma.account.update({ where: { id: carol.id }, data: { quotaBytes: 5n * 1024n ** 3n } });
    });

    it('tells listeners of every copy with its modseq, after the commit', async () => {
      const heard: StoreChange[] = [];
      const unsubscribe = await store.bus.subscribe((change) => heard.push(change));
      const messages = await prepared(4, 'heard');
      const results = await deliverAll(messages, () => [{ accountId: alice.id }, { accountId: bob.id }]);
      unsubscribe();
      const copies = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      assert.equal(copies.length, 8);
      assert.deepEqual(
        heard.map((c) => [c.kind, c.accountId, c.mailboxId, c.modseq]).sort(),
        copies.map((c) => ['messages-added', c.accountId, c.mailboxId, c.modseq]).sort(),
      );
    });
  });
}

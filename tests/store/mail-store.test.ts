// The store's invariants, on SQLite and on PostgreSQL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage, type DeliveryTarget } from '../../mail-daemon/store/deliver.ts';
import { prepareMessage, type PreparedMessage } from '../../mail-daemon/store/prepared-message.ts';
import { listMessages, getMessage, getMessageContent, expungedSince } from '../../mail-daemon/store/messages.ts';
import { setFlags } from '../../mail-daemon/store/message-flags.ts';
import { expungeMessages } from '../../mail-daemon/store/expunge.ts';
import { copyMessages, moveMessages } from '../../mail-daemon/store/copy-move.ts';
import { createMailbox, deleteMailbox, findMailbox, listMailboxes, renameMailbox, findSpecialUseMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { getQuota } from '../../mail-daemon/store/quota.ts';
import { StoreError } from '../../mail-daemon/store/errors.ts';
import type { StoreChange } from '../../mail-daemon/store/change-bus.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

for (const engine of ENGINES) {
  describe(`mail store on ${engine}`, () => {
    let store: TestStore;
    let alice: AccountView, bob: AccountView, carol: AccountView;

    before(async () => {
      store = await createTestStore(engine);
      [alice, bob, carol] = await addTestAccounts(store, 'example.test', ['alice', 'bob', 'carol']);
    });
    after(() => store.dispose());

    it('creates each account with its six special-use folders', async () => {
      const mailboxes = await listMailboxes(store, alice.id);
      assert.deepEqual(
        mailboxes.map((m) => [m.name, m.specialUse]).sort(),
        [['Archive', '\\Archive'], ['Drafts', '\\Drafts'], ['INBOX', '\\Inbox'], ['Junk', '\\Junk'], ['Sent', '\\Sent'], ['Trash', '\\Trash']],
      );
      assert.equal(new Set(mailboxes.map((m) => m.uidValidity)).size, 6, 'each mailbox has its own UIDVALIDITY');
    });

    it('keeps UIDs unique and increasing under 50 concurrent deliveries to one mailbox', async () => {
      const inbox = await inboxOf(store, carol.id);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => deliverMessage(store, buildMessage({ subject: `parallel ${i}`, body: `body ${i}\n` }), [{ accountId: carol.id }])),
      );
      const uids = results.map((r) => r[0].uid).sort((a, b) => a - b);
      assert.deepEqual(uids, Array.from({ length: 50 }, (_, i) => inbox.uidNext + i));
      const listed = await listMessages(store, carol.id, inbox.id);
      assert.equal(listed.length, 50);
      assert.deepEqual(listed.map((m) => m.uid), uids);
      const modseqs = results.map((r) => r[0].modseq);
      assert.equal(new Set(modseqs).size, 50, 'every delivery raised the modseq');
      const after = await findMailbox(store, carol.id, 'INBOX');
      assert.equal(after!.uidNext, uids[uids.length - 1] + 1);
      assert.equal(after!.highestModseq, Math.max(...modseqs));
    });

    it('stores a message to three recipients once', async () => {
      const raw = buildMessage({ subject: 'to three', body: 'shared content\n' });
      const copies = await deliverMessage(store, raw, [{ accountId: alice.id }, { accountId: bob.id }, { accountId: carol.id }]);
      assert.equal(copies.length, 3);
      const rows = await store.database.prisma.message.findMany({ where: { subject: 'to three' } });
      assert.equal(rows.length, 3);
      assert.equal(new Set(rows.map((r) => r.contentHash)).size, 1);
      assert.equal(await store.database.prisma.messageContent.count({ where: { hash: rows[0].contentHash } }), 1);
      const content = await getMessageContent(store, bob.id, copies[1].messageId);
      assert.ok(content.raw.equals(raw), 'the stored bytes are the delivered bytes');
      assert.equal(content.structure.contentType, 'text/plain');
      const message = await getMessage(store, alice.id, copies[0].messageId);
      assert.equal(message.subject, 'to three');
      assert.equal(message.fromAddress, 'sender@remote.test');
      assert.equal(message.size, raw.length);
    });

    it('leaves nothing half-written when a delivery fails', async () => {
      const before = {
        contents: await store.database.prisma.messageContent.count(),
        messages: await store.database.prisma.message.count(),
        quota: await getQuota(store, alice.id),
      };
      const bobInbox = await inboxOf(store, bob.id);
      // The second target names a mailbox that alice does not own: the whole delivery fails.
      await assert.rejects(
        deliverMessage(store, buildMessage({ subject: 'never stored' }), [{ accountId: alice.id }, { accountId: alice.id, mailboxId: bobInbox.id }]),
        (e: unknown) => e instanceof StoreError && e.code === 'NONEXISTENT',
      );
      assert.equal(await store.database.prisma.messageContent.count(), before.contents);
      assert.equal(await store.database.prisma.message.count(), before.messages);
      assert.deepEqual(await getQuota(store, alice.id), before.quota);
      const aliceInbox = await inboxOf(store, alice.id);
      const next = await deliverMessage(store, buildMessage({ subject: 'after failure' }), [{ accountId: alice.id }]);
      assert.equal(next[0].uid, aliceInbox.uidNext, 'the failed delivery used up no UID');
    });

    it('refuses a delivery over quota when asked to enforce it, and rolls back', async () => {
      await store.database.prisma.account.update({ where: { id: bob.id }, data: { quotaBytes: 1000n } });
      const before = await getQuota(store, bob.id);
      await assert.rejects(
        deliverMessage(store, buildMessage({ body: 'x'.repeat(2000) }), [{ accountId: bob.id }], { enforceQuota: true }),
        (e: unknown) => e instanceof StoreError && e.code === 'OVERQUOTA',
      );
      assert.deepEqual(await getQuota(store, bob.id), before);
      await store.database.prisma.account.update({ where: { id: bob.id }, data: { quotaBytes: 5n * 1024n ** 3n } });
    });

    it('never reuses a UID after expunge, and remembers expunged UIDs for QRESYNC', async () => {
      const inbox = await inboxOf(store, alice.id);
      const [first] = await deliverMessage(store, buildMessage({ subject: 'doomed' }), [{ accountId: alice.id }]);
      const usedBefore = (await getQuota(store, alice.id)).usedBytes;
      const flagged = await setFlags(store, alice.id, inbox.id, [first.uid], 'add', ['\\Deleted']);
      assert.equal(flagged.updated.length, 1);
      const removed = await expungeMessages(store, alice.id, inbox.id);
      assert.deepEqual(removed, [first.uid]);
      assert.ok((await getQuota(store, alice.id)).usedBytes < usedBefore, 'expunge frees quota');
      assert.deepEqual(await expungedSince(store, alice.id, inbox.id, first.modseq), [first.uid]);
      const [second] = await deliverMessage(store, buildMessage({ subject: 'next' }), [{ accountId: alice.id }]);
      assert.equal(second.uid, first.uid + 1);
    });

    it('raises the modseq on every flag change and honours UNCHANGEDSINCE', async () => {
      const inbox = await inboxOf(store, alice.id);
      const [delivered] = await deliverMessage(store, buildMessage({ subject: 'flags' }), [{ accountId: alice.id }]);
      const seen = await setFlags(store, alice.id, inbox.id, [delivered.uid], 'add', ['\\Seen', '$Forwarded']);
      assert.deepEqual(seen.updated[0].flags, ['\\Seen', '$Forwarded']);
      assert.ok(seen.updated[0].modseq > delivered.modseq);
      const noChange = await setFlags(store, alice.id, inbox.id, [delivered.uid], 'add', ['\\seen']);
      assert.deepEqual(noChange.updated, [], 'setting a flag that is already set changes nothing');
      const refused = await setFlags(store, alice.id, inbox.id, [delivered.uid], 'set', ['\\Flagged'], { unchangedSince: delivered.modseq });
      assert.deepEqual(refused.modified, [delivered.uid]);
      const replaced = await setFlags(store, alice.id, inbox.id, [delivered.uid], 'set', ['\\Flagged']);
      assert.deepEqual(replaced.updated[0].flags, ['\\Flagged']);
      assert.ok(replaced.updated[0].modseq > seen.updated[0].modseq);
      const changed = await listMessages(store, alice.id, inbox.id, { changedSince: seen.updated[0].modseq });
      assert.deepEqual(changed.map((m) => m.uid), [delivered.uid]);
      await assert.rejects(setFlags(store, alice.id, inbox.id, [delivered.uid], 'add', ['\\Bogus']));
    });

    it('copies and moves with COPYUID maps, sharing the content', async () => {
      const inbox = await inboxOf(store, alice.id);
      const archive = (await findSpecialUseMailbox(store.database.prisma, alice.id, '\\Archive'))!;
      const trash = (await findSpecialUseMailbox(store.database.prisma, alice.id, '\\Trash'))!;
      const [a] = await deliverMessage(store, buildMessage({ subject: 'copy me' }), [{ accountId: alice.id, flags: ['\\Flagged'] }]);
      const copied = await copyMessages(store, alice.id, inbox.id, [a.uid], archive.id);
      assert.equal(copied.uidValidity, archive.uidValidity);
      assert.equal(copied.uidMap.length, 1);
      assert.equal(copied.uidMap[0][0], a.uid);
      const [copy] = await listMessages(store, alice.id, archive.id, { uids: [copied.uidMap[0][1]] });
      assert.deepEqual(copy.flags, ['\\Flagged']);
      const moved = await moveMessages(store, alice.id, archive.id, [copy.uid], trash.id);
      assert.equal((await listMessages(store, alice.id, archive.id)).length, 0);
      const [inTrash] = await listMessages(store, alice.id, trash.id, { uids: [moved.uidMap[0][1]] });
      assert.equal(inTrash.subject, 'copy me');
      assert.equal(await store.database.prisma.messageContent.count({ where: { hash: inTrash.contentHash } }), 1);
    });

    it('gives a recreated mailbox a new UIDVALIDITY and renames INBOX by moving its mail', async () => {
      const created = await createMailbox(store, bob.id, 'Projects/2026');
      assert.ok(await findMailbox(store, bob.id, 'Projects'), 'CREATE makes the parent too');
      await assert.rejects(createMailbox(store, bob.id, 'Projects/2026'), (e: unknown) => (e as StoreError).code === 'ALREADYEXISTS');
      await assert.rejects(deleteMailbox(store, bob.id, 'Projects'), (e: unknown) => (e as StoreError).code === 'HASCHILDREN');
      await deleteMailbox(store, bob.id, 'Projects/2026');
      const again = await createMailbox(store, bob.id, 'Projects/2026');
      assert.notEqual(again.uidValidity, created.uidValidity);
      await assert.rejects(deleteMailbox(store, bob.id, 'INBOX'), (e: unknown) => (e as StoreError).code === 'CANNOT');
      await assert.rejects(createMailbox(store, bob.id, 'bad//name'), (e: unknown) => (e as StoreError).code === 'INVALID');

      const inbox = await inboxOf(store, bob.id);
      const before = (await listMessages(store, bob.id, inbox.id)).length;
      assert.ok(before > 0);
      const renamed = await renameMailbox(store, bob.id, 'INBOX', 'Old mail');
      assert.equal((await listMessages(store, bob.id, renamed.id)).length, before);
      assert.equal((await listMessages(store, bob.id, inbox.id)).length, 0);
      const kept = await renameMailbox(store, bob.id, 'Projects', 'Work');
      assert.equal(kept.uidValidity, (await findMailbox(store, bob.id, 'Work'))!.uidValidity);
      assert.ok(await findMailbox(store, bob.id, 'Work/2026'), 'children move with their parent');
    });

    it('never shows one account another account\'s mailbox or message', async () => {
      const bobInbox = await inboxOf(store, bob.id);
      const [bobMessage] = await deliverMessage(store, buildMessage({ subject: 'private' }), [{ accountId: bob.id }]);
      const denied = (e: unknown) => e instanceof StoreError && e.code === 'NONEXISTENT';
      await assert.rejects(listMessages(store, alice.id, bobInbox.id), denied);
      await assert.rejects(getMessage(store, alice.id, bobMessage.messageId), denied);
      await assert.rejects(getMessageContent(store, alice.id, bobMessage.messageId), denied);
      await assert.rejects(setFlags(store, alice.id, bobInbox.id, 'all', 'add', ['\\Seen']), denied);
      await assert.rejects(expungeMessages(store, alice.id, bobInbox.id, { onlyDeleted: false }), denied);
      const aliceInbox = await inboxOf(store, alice.id);
      await assert.rejects(copyMessages(store, alice.id, bobInbox.id, 'all', aliceInbox.id), denied);
      await assert.rejects(moveMessages(store, alice.id, aliceInbox.id, 'all', bobInbox.id), denied);
      assert.equal((await getMessage(store, bob.id, bobMessage.messageId)).subject, 'private');
    });

    it('tells listeners in the same process about changes after commit', async () => {
      const heard: string[] = [];
      const unsubscribe = await store.bus.subscribe((change) => heard.push(`${change.kind}:${change.accountId}`));
      await deliverMessage(store, buildMessage(), [{ accountId: carol.id }]);
      unsubscribe();
      assert.deepEqual(heard, [`messages-added:${carol.id}`]);
    });

    // Deliveries ready at the same time commit together (delivery-writer.ts; on
    // PostgreSQL as one statement, delivery-statement.ts): each still gets the
    // copies, UIDs, modseqs, quota, flags, mailboxes and notices it would get
    // alone, and one that fails fails alone.
    describe('deliveries committed together', () => {
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
  });
}

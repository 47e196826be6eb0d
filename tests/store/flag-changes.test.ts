// Flag changes (message-flags.ts) on both engines: concurrent changes to one
// mailbox take turns, so none is lost; selections of any shape reach exactly
// their messages.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { listMessages } from '../../mail-daemon/store/messages.ts';
import { setFlags } from '../../mail-daemon/store/message-flags.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

for (const engine of ENGINES) {
  describe(`flag changes on ${engine}`, () => {
    let store: TestStore;
    let alice: AccountView;
    let inboxId: number;
    let uids: number[];

    before(async () => {
      store = await createTestStore(engine);
      [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      inboxId = (await inboxOf(store, alice.id)).id;
      uids = [];
      for (let i = 0; i < 30; i++) uids.push((await deliverMessage(store, buildMessage({ subject: `m${i}` }), [{ accountId: alice.id }]))[0].uid);
    });
    after(() => store.dispose());

    it('keeps every one of 20 concurrent keyword additions to one message, each with its own modseq', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => setFlags(store, alice.id, inboxId, [uids[0]], 'add', [`$k${i}`])));
      const [message] = await listMessages(store, alice.id, inboxId, { uids: [uids[0]] });
      assert.deepEqual([...message.flags].sort(), Array.from({ length: 20 }, (_, i) => `$k${i}`).sort());
      const modseqs = results.map((r) => r.updated[0].modseq);
      assert.equal(new Set(modseqs).size, 20, 'each change got a modseq of its own');
      assert.equal(message.modseq, Math.max(...modseqs));
    });

    it('changes exactly the selected messages, in a span, scattered, or not there', async () => {
      const scattered = [uids[1], uids[5], uids[29]];
      const span = uids.slice(10, 20);
      assert.deepEqual((await setFlags(store, alice.id, inboxId, scattered, 'add', ['\\Seen'])).updated.map((u) => u.uid), scattered);
      assert.deepEqual((await setFlags(store, alice.id, inboxId, span, 'add', ['\\Flagged'])).updated.map((u) => u.uid), span);
      assert.deepEqual((await setFlags(store, alice.id, inboxId, [uids[29] + 1000, 2 ** 32 - 1], 'add', ['\\Seen'])).updated, []);
      const all = await listMessages(store, alice.id, inboxId);
      assert.deepEqual(all.filter((m) => m.flags.includes('\\Seen')).map((m) => m.uid), scattered);
      assert.deepEqual(all.filter((m) => m.flags.includes('\\Flagged')).map((m) => m.uid), span);
      const cleared = await setFlags(store, alice.id, inboxId, 'all', 'remove', ['\\Seen', '\\Flagged']);
      assert.deepEqual(cleared.updated.map((u) => u.uid), [...scattered, ...span].sort((a, b) => a - b));
    });

    it('refuses a mailbox of another account and changes nothing', async () => {
      const [bob] = await addTestAccounts(store, 'other.test', ['bob']);
      await assert.rejects(setFlags(store, bob.id, inboxId, 'all', 'add', ['\\Deleted']), { code: 'NONEXISTENT' });
      assert.ok((await listMessages(store, alice.id, inboxId)).every((m) => !m.flags.includes('\\Deleted')));
    });
  });
}

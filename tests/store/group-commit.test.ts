// Concurrent deliveries share a commit (group-commit.ts); one that fails must
// fail alone, and the others must still be stored, on both engines.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { listMessages } from '../../mail-daemon/store/messages.ts';
import { getQuota } from '../../mail-daemon/store/quota.ts';
import { StoreError } from '../../mail-daemon/store/errors.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

for (const engine of ENGINES) {
  describe(`group commit on ${engine}`, () => {
    let store: TestStore;
    let dave: AccountView, erin: AccountView;

    before(async () => {
      store = await createTestStore(engine);
      [dave, erin] = await addTestAccounts(store, 'example.test', ['dave', 'erin']);
      await store.database.prisma.account.update({ where: { id: erin.id }, data: { quotaBytes: 1000n } });
    });
    after(() => store.dispose());

    it('fails only the over-quota delivery among concurrent ones, and stores the rest', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          i === 7
            ? deliverMessage(store, buildMessage({ body: 'x'.repeat(2000) }), [{ accountId: erin.id }], { enforceQuota: true })
            : deliverMessage(store, buildMessage({ subject: `grouped ${i}` }), [{ accountId: dave.id }]),
        ),
      );
      const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [[i, o.reason] as const] : []));
      assert.equal(failed.length, 1);
      assert.equal(failed[0][0], 7);
      assert.ok(failed[0][1] instanceof StoreError && failed[0][1].code === 'OVERQUOTA');
      assert.equal((await getQuota(store, erin.id)).usedBytes, 0);
      const inbox = await inboxOf(store, dave.id);
      const listed = await listMessages(store, dave.id, inbox.id);
      assert.equal(listed.length, 19);
      const uids = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value[0].uid] : []));
      assert.deepEqual([...uids].sort((a, b) => a - b), listed.map((m) => m.uid));
    });
  });
}

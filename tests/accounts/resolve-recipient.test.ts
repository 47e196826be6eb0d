// Where mail for an address goes (aliases/resolve-recipient.ts), as RCPT TO
// asks it: an account (with its storage, read with it), a disabled one, an
// alias (its accounts without it), an unknown address, a domain not hosted
// here. On SQLite and on PostgreSQL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { resolveRecipient } from '../../mail-daemon/aliases/resolve-recipient.ts';
import { addAlias } from '../../mail-daemon/aliases/aliases.ts';
import { setAccountDisabled } from '../../mail-daemon/accounts/accounts.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

for (const engine of ENGINES) {
  describe(`recipients resolved on ${engine}`, () => {
    let store: TestStore;
    let alice: AccountView, bob: AccountView;

    before(async () => {
      store = await createTestStore(engine);
      [alice, bob] = await addTestAccounts(store, 'example.test', ['alice', 'bob']);
      await addAlias(store, 'team@example.test', ['alice@example.test', 'bob@example.test', 'carol@elsewhere.test']);
    });
    after(() => store.dispose());

    it('finds an account, in any case, with its storage as RCPT checks it', async () => {
      await store.database.prisma.account.update({ where: { id: alice.id }, data: { usedBytes: 1234n, quotaBytes: 5678n } });
      const usage = { usedBytes: 1234, quotaBytes: 5678 };
      assert.deepEqual(await resolveRecipient(store, 'alice@example.test'), { kind: 'ok', local: [{ accountId: alice.id, address: 'alice@example.test', usage }], external: [] });
      assert.deepEqual(await resolveRecipient(store, 'Alice@Example.TEST'), { kind: 'ok', local: [{ accountId: alice.id, address: 'alice@example.test', usage }], external: [] });
      await store.database.prisma.account.update({ where: { id: alice.id }, data: { usedBytes: 0n, quotaBytes: 5n * 1024n ** 3n } });
    });

    it('says a disabled account is disabled, and finds it again once enabled', async () => {
      await setAccountDisabled(store, bob.id, true);
      assert.deepEqual(await resolveRecipient(store, 'bob@example.test'), { kind: 'disabled' });
      // Through an alias, the disabled account is left out and the others stay.
      assert.deepEqual(await resolveRecipient(store, 'team@example.test'), { kind: 'ok', local: [{ accountId: alice.id, address: 'alice@example.test' }], external: ['carol@elsewhere.test'] });
      await setAccountDisabled(store, bob.id, false);
      assert.deepEqual((await resolveRecipient(store, 'bob@example.test')).kind, 'ok');
    });

    it('expands an alias to its accounts and external targets', async () => {
      assert.deepEqual(await resolveRecipient(store, 'team@example.test'), {
        kind: 'ok',
        local: [
          { accountId: alice.id, address: 'alice@example.test' },
          { accountId: bob.id, address: 'bob@example.test' },
        ],
        external: ['carol@elsewhere.test'],
      });
    });

    it('tells an unknown address on a hosted domain from a domain not hosted here', async () => {
      assert.deepEqual(await resolveRecipient(store, 'nobody@example.test'), { kind: 'unknown' });
      assert.deepEqual(await resolveRecipient(store, 'alice@elsewhere.test'), { kind: 'not-hosted' });
      assert.deepEqual(await resolveRecipient(store, 'not an address'), { kind: 'unknown' });
    });
  });
}

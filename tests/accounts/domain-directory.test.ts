// A domain's mailboxes and aliases a page at a time (domain-directory.ts), on
// both engines: counts, pages in address order, the last page clamped,
// search by address, display name (any case) and alias target, and nothing
// from another domain. The e2e test runs the page with 1,000 of each.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addDomain } from '../../mail-daemon/domains/domains.ts';
import { createAccount } from '../../mail-daemon/accounts/accounts.ts';
import { addAlias } from '../../mail-daemon/aliases/aliases.ts';
import { aliasPage, mailboxPage } from '../../mail-daemon/domains/domain-directory.ts';

const PASSWORD = 'a long secret for the directory';
const name = (i: number) => `user${String(i).padStart(3, '0')}`;

for (const engine of ENGINES) {
  describe(`domain directory (${engine})`, () => {
    let store: TestStore;
    let domainId = 0;
    before(async () => {
      store = await createTestStore(engine);
      domainId = (await addDomain(store, 'big.test', { verified: true })).id;
      await addDomain(store, 'other.test', { verified: true });
      for (let i = 0; i < 60; i += 6) {
        await Promise.all(Array.from({ length: 6 }, (_, j) => createAccount(store, { address: `${name(i + j)}@big.test`, password: PASSWORD, displayName: i + j === 42 ? 'Zoë Quartermaine' : '' })));
      }
      await createAccount(store, { address: 'user001@other.test', password: PASSWORD });
      for (let i = 0; i < 300; i++) await addAlias(store, `list${String(i).padStart(3, '0')}@big.test`, [i === 7 ? 'someone@far.example' : `${name(i % 60)}@big.test`]);
      await addAlias(store, 'list001@other.test', ['someone@far.example']);
    });
    after(() => store.dispose());

    it('pages mailboxes in address order with the total, clamping a page past the end', async () => {
      const first = await mailboxPage(store, domainId, { pageSize: 25 });
      assert.equal(first.total, 60);
      assert.deepEqual(first.rows.map((r) => r.address).slice(0, 2), ['user000@big.test', 'user001@big.test']);
      assert.equal(first.rows.length, 25);
      const last = await mailboxPage(store, domainId, { pageSize: 25, page: 2 });
      assert.deepEqual([last.page, last.rows.length, last.rows[9].address], [2, 10, 'user059@big.test']);
      const beyond = await mailboxPage(store, domainId, { pageSize: 25, page: 99 });
      assert.equal(beyond.page, 2);
      assert.equal((await mailboxPage(store, domainId, { page: -5 })).page, 0);
      assert.ok(!('passwordHash' in first.rows[0]));
    });

    it('searches mailboxes by address and display name, in any case', async () => {
      const byAddress = await mailboxPage(store, domainId, { search: 'USER05' });
      assert.deepEqual(byAddress.rows.map((r) => r.address), Array.from({ length: 10 }, (_, i) => `user05${i}@big.test`));
      const byName = await mailboxPage(store, domainId, { search: 'quarter' });
      assert.deepEqual(byName.rows.map((r) => r.address), ['user042@big.test']);
      assert.equal((await mailboxPage(store, domainId, { search: 'nobody' })).total, 0);
    });

    it('pages and searches aliases by address and target, this domain only', async () => {
      const first = await aliasPage(store, domainId);
      assert.equal(first.total, 300);
      assert.equal(first.rows.length, 50);
      assert.deepEqual(first.rows[0], { id: first.rows[0].id, address: 'list000@big.test', targets: ['user000@big.test'] });
      const far = await aliasPage(store, domainId, { search: 'far.example' });
      assert.deepEqual(far.rows.map((r) => r.address), ['list007@big.test']);
      assert.equal((await aliasPage(store, domainId, { search: 'list29' })).total, 10);
    });
  });
}

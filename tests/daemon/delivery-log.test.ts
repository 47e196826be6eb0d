// The delivery log that the admin's page searches (searchDeliveryLog), on
// both engines: newest first, by part of an address, message id or detail,
// by the whole Received: id in any case, status or kind, and at most as many
// lines as asked.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { logDelivery, searchDeliveryLog } from '../../mail-daemon/delivery/delivery-log.ts';

for (const engine of ENGINES) {
  describe(`delivery log on ${engine}`, () => {
    let store: TestStore;

    before(async () => {
      store = await createTestStore(engine);
      await logDelivery(store, { kind: 'inbound', mailFrom: 'alice@remote.test', rcptTo: 'bob@example.test', status: 'delivered', messageId: '<one@remote.test>', receivedId: 'AB12CD34' });
      await logDelivery(store, { kind: 'submission', mailFrom: 'bob@example.test', rcptTo: 'carol@far.test', status: 'queued', queueId: 7 });
      await logDelivery(store, { kind: 'outbound', mailFrom: 'bob@example.test', rcptTo: 'carol@far.test', status: 'deferred', detail: '451 4.7.1 greylisted', queueId: 7 });
    });
    after(() => store.dispose());

    const lines = async (query: string, limit = 10) => (await searchDeliveryLog(store, query, limit)).map((l) => `${l.kind} ${l.status}`);

    it('lists the newest first, at most as many as asked', async () => {
      assert.deepEqual(await lines(''), ['outbound deferred', 'submission queued', 'inbound delivered']);
      assert.deepEqual(await lines('', 2), ['outbound deferred', 'submission queued']);
    });

    it('finds part of an address, a message id or the detail', async () => {
      assert.deepEqual(await lines('far.test'), ['outbound deferred', 'submission queued']);
      assert.deepEqual(await lines('alice@'), ['inbound delivered']);
      assert.deepEqual(await lines('one@remote'), ['inbound delivered']);
      assert.deepEqual(await lines('greylisted'), ['outbound deferred']);
    });

    it('finds the whole Received: id in any case, a status or a kind, and nothing for part of one', async () => {
      assert.deepEqual(await lines(' ab12cd34 '), ['inbound delivered']);
      assert.deepEqual(await lines('AB12'), []);
      assert.deepEqual(await lines('queued'), ['submission queued']);
      assert.deepEqual(await lines('outbound'), ['outbound deferred']);
      assert.deepEqual(await lines('nobody@nowhere.test'), []);
    });

    it('gives every field of a line', async () => {
      const [line] = await searchDeliveryLog(store, 'greylisted', 1);
      assert.equal(line.queueId, 7);
      assert.equal(line.detail, '451 4.7.1 greylisted');
      assert.equal(line.messageId, '');
      assert.ok(line.createdAt instanceof Date);
    });
  });
}

// SQLite: the delivery writer copies the WAL into the database between
// batches, not inside the COMMIT before a 250 (SQLite's autocheckpoint is off
// on its connection), and still often enough that the WAL stays about as
// small as SQLite's own 1000 pages would keep it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { createTestStore } from '../support/databases.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { closeDeliveryWriter, startDeliveryThread } from '../../mail-daemon/store/delivery-writer.ts';
import { sqlitePath } from '../../prisma/database.ts';

const MESSAGES = 150;
// Each 2 kB delivery writes about 33 pages (4 kB and a 24-byte frame header):
// without checkpoints the WAL would reach about 20 MB.
const WAL_BOUND = 1500 * (4096 + 24);

// Quiet: each delivery is the only one coming in, so it commits on the event
// loop's own connection, and the delivery thread counts its pages.
for (const writer of ['in process', 'on the delivery thread', 'on the event loop while quiet'] as const) {
  describe(`WAL checkpoints of the delivery writer ${writer}`, () => {
    it(`keep the WAL under ${(WAL_BOUND / 2 ** 20).toFixed(1)} MB over ${MESSAGES} deliveries`, async () => {
      const store = await createTestStore('sqlite');
      try {
        if (writer === 'on the delivery thread') startDeliveryThread(store);
        if (writer === 'on the event loop while quiet') startDeliveryThread(store, () => true);
        const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
        const body = 'The quick brown fox jumps over the lazy dog, again and again.\n'.repeat(30);
        for (let i = 0; i < MESSAGES; i++) await deliverMessage(store, buildMessage({ subject: `m${i}`, body }), [{ accountId: alice.id }]);
        await new Promise((resolve) => setImmediate(resolve));
        const wal = statSync(`${sqlitePath(store.database.url)}-wal`).size;
        assert.ok(wal < WAL_BOUND, `WAL of ${wal} bytes`);
        assert.equal(await store.database.prisma.message.count(), MESSAGES);
      } finally {
        await closeDeliveryWriter(store.database);
        await store.dispose();
      }
    });
  });
}

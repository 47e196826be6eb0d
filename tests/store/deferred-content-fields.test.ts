// SQLite in the daemon: a delivery's envelope and search fields are not
// written in its transaction (before its 250) but with its search text after
// it (deferred-text-index.ts). What a kill -9 between the two leaves, the
// commit without them, is what the reads already handle for contents stored
// before the tables were (tests/imap/commands/fetch.test.ts, SEARCH): the
// envelope is worked out from the header.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore } from '../support/databases.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { prepareMessage } from '../../mail-daemon/store/prepared-message.ts';
import { sqliteBatches } from '../../mail-daemon/store/delivery-batch.ts';
import { DeferredTextIndex } from '../../mail-daemon/store/deferred-text-index.ts';
import { loadEnvelopes } from '../../mail-daemon/store/bulk-reads.ts';
import { contentFields } from '../../mail-daemon/store/content.ts';
import { sqlitePath } from '../../prisma/database.ts';

describe('a SQLite delivery whose search text is written after its commit', () => {
  it('commits without its envelope and search fields, which are written with the text', async () => {
    const store = await createTestStore('sqlite');
    const batches = sqliteBatches(sqlitePath(store.database.url), store.bus.origin);
    try {
      const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      const prepared = await prepareMessage(buildMessage({ subject: 'later', from: 'Bob <bob@remote.test>' }));
      const { hash } = prepared.content;
      const texts = new DeferredTextIndex((steps) => batches.run(steps));
      const [[taken]] = texts.take([[{ prepared, targets: [{ accountId: alice.id }], options: {} }]]);
      assert.equal(taken.prepared.content.fieldsLater, true);
      const [outcome] = batches.commit([[taken]]);
      assert.ok(outcome.ok);
      texts.release([[taken]]);

      // As a kill -9 now would leave it: the message, without the two rows.
      const rows = async (table: string) => Number((await store.database.prisma.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS "n" FROM "${table}" WHERE "hash" = ?`, hash))[0].n);
      assert.equal(await store.database.prisma.message.count(), 1);
      assert.equal(await rows('MessageEnvelope'), 0);
      assert.equal(await rows('MessageSearchFields'), 0);
      assert.equal((await loadEnvelopes(store, [hash])).get(hash)?.envelope, undefined, 'worked out from the header');

      texts.work();
      await texts.write();
      assert.equal(await rows('MessageEnvelope'), 1);
      assert.equal(await rows('MessageSearchFields'), 1);
      assert.equal((await loadEnvelopes(store, [hash])).get(hash)?.envelope, contentFields(prepared.content.raw, prepared.content.structure).envelope);
    } finally {
      batches.close();
      await store.dispose();
    }
  });
});

// PostgreSQL keeps message bytes as they are, not compressed (the migration
// message_content_storage_external): every read of a content would
// decompress it otherwise. A compressible message, in one piece and in
// pieces, takes its own size in the table.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { getMessageContent } from '../../mail-daemon/store/messages.ts';
import { CONTENT_PIECE } from '../../mail-daemon/store/content.ts';

describe('message bytes on postgres', () => {
  let store: TestStore;
  before(async () => {
    store = await createTestStore('postgres');
  });
  after(() => store.dispose());

  it('are stored uncompressed, in the content row and in its pieces, and read back whole', async () => {
    const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
    const body = 'the same line again and again, which compresses very well\n'.repeat(Math.ceil((CONTENT_PIECE + 200_000) / 60));
    for (const raw of [buildMessage({ subject: 'small', body: body.slice(0, 20_000) }), buildMessage({ subject: 'large', body })]) {
      const [copy] = await deliverMessage(store, raw, [{ accountId: alice.id }]);
      const sizes = await store.database.prisma.$queryRaw<{ stored: number; bytes: number }[]>`
        SELECT pg_column_size(c."raw") AS "stored", octet_length(c."raw") AS "bytes" FROM "MessageContent" c
        JOIN "Message" m ON m."contentHash" = c."hash" WHERE m."id" = ${copy.messageId}
        UNION ALL SELECT pg_column_size(c."bytes"), octet_length(c."bytes") FROM "MessageContentChunk" c
        JOIN "Message" m ON m."contentHash" = c."hash" WHERE m."id" = ${copy.messageId}`;
      assert.equal(sizes.length, raw.length > CONTENT_PIECE ? 2 : 1);
      for (const { stored, bytes } of sizes) assert.ok(stored >= bytes, `${stored} bytes stored for ${bytes}`);
      assert.equal((await getMessageContent(store, alice.id, copy.messageId)).raw.length, raw.length);
    }
  });
});

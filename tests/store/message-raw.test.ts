// getRawContents (mail-daemon/store/message-raw.ts), the batch read behind
// POP3 RETR and mailctl export, gives back the stored bytes exactly on both
// engines: on PostgreSQL they come through binary COPY
// (postgres-binary-copy.ts), whose fields are bytes that must not pass
// through any text decoding on the way.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { getMessageContent } from '../../mail-daemon/store/messages.ts';
import { getRawContents } from '../../mail-daemon/store/message-raw.ts';
import { CONTENT_PIECE } from '../../mail-daemon/store/content.ts';
import { withCrlf } from '../../mail-daemon/store/prepared-message.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { parseBinaryCopy, withIntegerLiterals } from '../../mail-daemon/store/postgres-binary-copy.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

/** A message whose body holds every byte value, each at several places: alone, in UTF-8-like runs, after CR, before LF. */
function everyByteMessage(): Buffer {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const reversed = Buffer.from(all).reverse();
  const pairs = Buffer.from(Array.from({ length: 512 }, (_, i) => (i % 2 === 0 ? 0xc3 : (i >> 1) & 0xff)));
  return Buffer.concat([buildMessage({ subject: 'every byte', body: '' }), all, Buffer.from('\r\n'), reversed, Buffer.from('\r\n'), pairs, all]);
}

for (const engine of ENGINES) {
  describe(`raw message bytes read in a batch on ${engine}`, () => {
    let store: TestStore;
    let alice: AccountView;
    let bob: AccountView;
    before(async () => {
      store = await createTestStore(engine);
      [alice, bob] = await addTestAccounts(store, 'example.test', ['alice', 'bob']);
    });
    after(() => store.dispose());

    it('are the stored bytes exactly, every byte value included, for a message whole and one in pieces', async () => {
      const large = Buffer.concat([buildMessage({ subject: 'large', body: '' }), Buffer.alloc(CONTENT_PIECE + 100_000, Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)))]);
      const inputs = [everyByteMessage(), large, buildMessage({ subject: 'plain' })];
      const ids: number[] = [];
      for (const raw of inputs) ids.push((await deliverMessage(store, raw, [{ accountId: alice.id }]))[0].messageId);
      const contents = await getRawContents(store, alice.id, ids);
      assert.equal(contents.size, inputs.length);
      for (const [i, raw] of inputs.entries()) {
        const read = contents.get(ids[i])!;
        assert.ok(read.equals(withCrlf(raw)), `message ${i}: ${read.length} bytes read for ${withCrlf(raw).length}`);
        // The same bytes as the read of one message through Prisma.
        assert.ok(read.equals((await getMessageContent(store, alice.id, ids[i])).raw), `message ${i} as getMessageContent reads it`);
      }
    });

    it("leave out messages of another account's mailboxes and ids that do not exist", async () => {
      const [mine] = await deliverMessage(store, buildMessage({ subject: 'for alice' }), [{ accountId: alice.id }]);
      const [theirs] = await deliverMessage(store, buildMessage({ subject: 'for bob' }), [{ accountId: bob.id }]);
      const contents = await getRawContents(store, alice.id, [mine.messageId, theirs.messageId, 999_999]);
      assert.deepEqual([...contents.keys()], [mine.messageId]);
    });
  });
}

describe('binary COPY data', () => {
  it('takes only integers into a COPY statement, which has no parameters', () => {
    assert.equal(withIntegerLiterals(Prisma.sql`SELECT 1 WHERE "id" = ANY(${[3, 4]}::int[]) AND "a" = ${7}`), `SELECT 1 WHERE "id" = ANY('{3,4}'::int[]) AND "a" = 7`);
    assert.throws(() => withIntegerLiterals(Prisma.sql`SELECT ${"1'; DROP TABLE x; --"}`), TypeError);
    assert.throws(() => withIntegerLiterals(Prisma.sql`SELECT ${[1, '2']}`), TypeError);
    assert.throws(() => withIntegerLiterals(Prisma.sql`SELECT ${1.5}`), TypeError);
  });

  it('is parsed into rows of fields in whatever chunks it comes, and refused when cut short or not binary', () => {
    const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
    const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
    const row = Buffer.concat([Buffer.from([0, 2]), field(Buffer.from([0, 0xff, 0x80])), Buffer.from([0xff, 0xff, 0xff, 0xff])]);
    const data = Buffer.concat([header, row, Buffer.from([0xff, 0xff])]);
    const rows = [[Buffer.from([0, 0xff, 0x80]), null]];
    assert.deepEqual(parseBinaryCopy([data]), rows);
    for (let cut = 0; cut < data.length; cut++) {
      // In two chunks split anywhere, and in one byte a chunk: the same rows.
      assert.deepEqual(parseBinaryCopy([data.subarray(0, cut), data.subarray(cut)]), rows, `split at ${cut}`);
      assert.throws(() => parseBinaryCopy([data.subarray(0, cut)]), RangeError, `cut at ${cut}`);
    }
    assert.deepEqual(parseBinaryCopy([...data].map((byte) => Buffer.from([byte]))), rows);
    assert.throws(() => parseBinaryCopy([Buffer.from('1\tabc\n'), Buffer.alloc(20)]), /not in the binary format/);
  });
});

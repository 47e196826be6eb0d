// A content over 1 MiB is stored as its first MiB in MessageContent.raw and
// the rest in MessageContentChunk pieces of 1 MiB (store/content.ts, issue 11),
// and every reader of content bytes gets the whole message back; on SQLite
// and on PostgreSQL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { getMessageContent } from '../../mail-daemon/store/messages.ts';
import { getRawContents } from '../../mail-daemon/store/message-raw.ts';
import { loadContents, loadHeaders } from '../../mail-daemon/store/bulk-reads.ts';
import { headerBytes } from '../../mail-daemon/store/mime-structure.ts';
import { setFlags } from '../../mail-daemon/store/message-flags.ts';
import { expungeMessages } from '../../mail-daemon/store/expunge.ts';
import { CONTENT_PIECE } from '../../mail-daemon/store/content.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

/** A message of exactly `size` bytes (CRLF line ends, random base64 body). */
function messageOfSize(size: number): Buffer {
  const head = buildMessage({ subject: `${size} bytes`, body: '' });
  const body = Buffer.from(randomBytes(size).toString('base64').replace(/(.{76})/g, '$1\r\n'));
  return Buffer.concat([head, body]).subarray(0, size);
}

for (const engine of ENGINES) {
  describe(`contents in pieces on ${engine}`, () => {
    let store: TestStore;
    let alice: AccountView, bob: AccountView;

    before(async () => {
      store = await createTestStore(engine);
      [alice, bob] = await addTestAccounts(store, 'example.test', ['alice', 'bob']);
    });
    after(() => store.dispose());

    const stored = async (hash: string) => ({
      first: (await store.database.prisma.messageContent.findUniqueOrThrow({ where: { hash }, select: { raw: true } })).raw.length,
      pieces: (await store.database.prisma.messageContentChunk.findMany({ where: { hash }, orderBy: { seq: 'asc' }, select: { seq: true, bytes: true } })).map(
        (p) => [p.seq, p.bytes.length],
      ),
    });

    it('keeps the first MiB in the content row and the rest in pieces, and every reader gets the whole message', async () => {
      const raw = messageOfSize(3 * CONTENT_PIECE + 12345);
      const [copy] = await deliverMessage(store, raw, [{ accountId: alice.id }]);
      const { contentHash } = await store.database.prisma.message.findUniqueOrThrow({ where: { id: copy.messageId } });
      assert.deepEqual(await stored(contentHash), {
        first: CONTENT_PIECE,
        pieces: [
          [1, CONTENT_PIECE],
          [2, CONTENT_PIECE],
          [3, 12345],
        ],
      });
      assert.ok((await getMessageContent(store, alice.id, copy.messageId)).raw.equals(raw), 'getMessageContent (web, IMAP)');
      assert.ok((await getRawContents(store, alice.id, [copy.messageId])).get(copy.messageId)!.equals(raw), 'getRawContents (POP3)');
      assert.ok((await loadContents(store, [contentHash])).get(contentHash)!.raw.equals(raw), 'loadContents (IMAP FETCH)');
      const header = await loadHeaders(store, [contentHash]);
      assert.equal(headerBytes(header.get(contentHash)!.raw, header.get(contentHash)!.structure).toString(), raw.subarray(0, raw.indexOf('\r\n\r\n') + 4).toString());
      assert.deepEqual(await getRawContents(store, bob.id, [copy.messageId]), new Map(), "another account's message stays unread");
    });

    it('stores pieces only past 1 MiB, and the same bytes once', async () => {
      const exact = messageOfSize(CONTENT_PIECE);
      const [small] = await deliverMessage(store, exact, [{ accountId: alice.id }]);
      const smallHash = (await store.database.prisma.message.findUniqueOrThrow({ where: { id: small.messageId } })).contentHash;
      assert.deepEqual(await stored(smallHash), { first: CONTENT_PIECE, pieces: [] });

      const raw = messageOfSize(2 * CONTENT_PIECE + 1);
      const [first] = await deliverMessage(store, raw, [{ accountId: alice.id }]);
      const [, again] = await deliverMessage(store, raw, [{ accountId: alice.id }, { accountId: bob.id }]);
      const hash = (await store.database.prisma.message.findUniqueOrThrow({ where: { id: first.messageId } })).contentHash;
      assert.deepEqual(await stored(hash), {
        first: CONTENT_PIECE,
        pieces: [
          [1, CONTENT_PIECE],
          [2, 1],
        ],
      });
      assert.ok((await getMessageContent(store, bob.id, again.messageId)).raw.equals(raw));
    });

    it('removes the pieces with the last message that uses them', async () => {
      const raw = messageOfSize(CONTENT_PIECE + 10);
      const [aliceCopy, bobCopy] = await deliverMessage(store, raw, [{ accountId: alice.id }, { accountId: bob.id }]);
      const hash = (await store.database.prisma.message.findUniqueOrThrow({ where: { id: aliceCopy.messageId } })).contentHash;
      const expunge = async (account: AccountView, uid: number) => {
        const inbox = await inboxOf(store, account.id);
        await setFlags(store, account.id, inbox.id, [uid], 'add', ['\\Deleted']);
        await expungeMessages(store, account.id, inbox.id);
      };
      await expunge(alice, aliceCopy.uid);
      assert.equal(await store.database.prisma.messageContentChunk.count({ where: { hash } }), 1, "bob's copy still uses them");
      await expunge(bob, bobCopy.uid);
      assert.equal(await store.database.prisma.messageContent.count({ where: { hash } }), 0);
      assert.equal(await store.database.prisma.messageContentChunk.count({ where: { hash } }), 0);
    });
  });
}

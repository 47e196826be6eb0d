// The RETR read-ahead (mail-daemon/pop3/read-ahead.ts) on a real store, on
// SQLite and PostgreSQL: in-order reads cost one query a batch, the next
// batch's query starts before the batch is used up, removals by other
// clients and failed reads come out right.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { expungeMessages } from '../../mail-daemon/store/expunge.ts';
import { getRawContents } from '../../mail-daemon/store/message-raw.ts';
import { Maildrop, type MaildropMessage } from '../../mail-daemon/pop3/maildrop.ts';
import { ReadAhead } from '../../mail-daemon/pop3/read-ahead.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

const NONE = new Set<number>();

for (const engine of ENGINES) {
  describe(`POP3 read-ahead on ${engine}`, () => {
    let store: TestStore;
    let account: AccountView;
    /** Delivered bytes by message number. */
    const sent: Buffer[] = [];

    before(async () => {
      store = await createTestStore(engine);
      [account] = await addTestAccounts(store, 'example.test', ['alice']);
      // 300 messages of about 10 kB: about three batches of 1 MB.
      for (let i = 0; i < 300; i++) {
        const raw = buildMessage({ subject: `message ${i}`, body: `.line ${i}\n`.repeat(1000) });
        sent.push(raw);
        await deliverMessage(store, raw, [{ accountId: account.id }]);
      }
    });
    after(() => store.dispose());

    /** A read-ahead over a fresh maildrop whose queries are recorded, and fail when `fail` says so. */
    async function readAhead(fail: (call: number) => boolean = () => false) {
      const { messages } = await Maildrop.open(store, account.id);
      const queries: number[][] = [];
      const ahead = new ReadAhead(messages, async (ids) => {
        queries.push(ids);
        if (fail(queries.length)) throw new Error(`query ${queries.length} failed`);
        return getRawContents(store, account.id, ids);
      });
      return { messages, queries, ahead };
    }

    const read = (ahead: ReadAhead, message: MaildropMessage) => ahead.take(message, NONE) ?? ahead.get(message, NONE);

    it('reads a maildrop in order with one query a batch, the next one under way before the batch is used up', async () => {
      const { messages, queries, ahead } = await readAhead();
      assert.ok((await ahead.get(messages[0], NONE))!.equals(sent[0]));
      assert.equal(queries.length, 1);
      const firstBatch = queries[0].length;
      assert.ok(firstBatch > 10 && firstBatch < 150, `a batch of about 1 MB: ${firstBatch} messages`);
      let taken = 1;
      while (queries.length === 1) assert.ok(ahead.take(messages[taken], NONE)!.equals(sent[taken++]), `message ${taken}`);
      assert.equal(taken, Math.ceil(firstBatch / 2), 'the next query started once half the batch was taken');
      assert.equal(queries[1][0], messages[firstBatch].id, 'and starts after the batch');
      for (const message of messages.slice(taken)) assert.ok((await read(ahead, message))!.equals(sent[message.number - 1]), `message ${message.number}`);
      assert.deepEqual(queries.flat(), messages.map((m) => m.id), 'every message read once, in order');
    });

    it('reads again from where a client jumps to, and leaves out deleted messages', async () => {
      const { messages, queries, ahead } = await readAhead();
      const deleted = new Set([202, 203]);
      assert.ok((await ahead.get(messages[199], deleted))!.equals(sent[199]));
      assert.deepEqual(queries[0].slice(0, 3), [messages[199].id, messages[200].id, messages[203].id]);
      assert.ok((await read(ahead, messages[4]))!.equals(sent[4]));
      assert.equal(queries.at(-1)![0], messages[4].id);
    });

    it('fails the RETR whose query failed, and tries a failed read-ahead again when its messages are asked for', async () => {
      const first = await readAhead((call) => call === 1);
      await assert.rejects(first.ahead.get(first.messages[0], NONE), /query 1 failed/);

      const { messages, queries, ahead } = await readAhead((call) => call === 2);
      await ahead.get(messages[0], NONE);
      const firstBatch = queries[0].length;
      for (const message of messages.slice(1, firstBatch + 1)) assert.ok((await read(ahead, message))!.equals(sent[message.number - 1]), `message ${message.number}`);
      assert.equal(queries.length, 3, 'the failed read-ahead and the read that replaced it');
      assert.deepEqual(queries[2], queries[1]);
    });

    it('gives null for a message another client removed before it was read, and still sends one removed after', async () => {
      const { messages, ahead } = await readAhead();
      const inbox = await inboxOf(store, account.id);
      await ahead.get(messages[290], NONE);
      await expungeMessages(store, account.id, inbox.id, { onlyDeleted: false, uids: [messages[291].uid, messages[0].uid] });
      assert.ok(ahead.take(messages[291], NONE)!.equals(sent[291]), 'read ahead before the removal');
      assert.equal(await read(ahead, messages[0]), null, 'removed before it was read');
      assert.ok((await read(ahead, messages[1]))!.equals(sent[1]));
    });
  });
}

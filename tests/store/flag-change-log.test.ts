// What changed since a modseq (flag-change-log.ts), on both engines: read
// from the flag change records with the UIDs the reader knows, it is the
// same as reading every message's modseq, for a reader at any modseq, also
// one behind by more than the records keep, and one that caught up before
// the records began (the migration). On PostgreSQL a flag change
// rewrites the row in its page (HOT), since no index has those columns.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { ENGINES, createTestDatabase, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { openDatabase } from '../../prisma/database.ts';
import { applyMigrations, committedMigrations } from '../../prisma/migrate.ts';
import { closeMailStore, createMailStore, type MailStore } from '../../mail-daemon/store/context.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { expungeMessages } from '../../mail-daemon/store/expunge.ts';
import { listMessageStates } from '../../mail-daemon/store/messages.ts';
import { setFlags } from '../../mail-daemon/store/message-flags.ts';
import { KEPT_MODSEQS } from '../../mail-daemon/store/flag-change-log.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

/** Where a reader stood: the mailbox's modseq and the UIDs below which it knew every message. */
interface Reader {
  since: number;
  knownUidNext: number;
}

for (const engine of ENGINES) {
  describe(`changes since a modseq on ${engine}`, () => {
    let store: TestStore;
    let alice: AccountView;
    let inboxId: number;

    before(async () => {
      store = await createTestStore(engine);
      [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      inboxId = (await inboxOf(store, alice.id)).id;
    });
    after(() => store.dispose());

    const deliver = async (n: number) => {
      const uids: number[] = [];
      for (let i = 0; i < n; i++) uids.push((await deliverMessage(store, buildMessage({ subject: `m${i}` }), [{ accountId: alice.id }]))[0].uid);
      return uids;
    };

    async function standing(): Promise<Reader> {
      const mailbox = await store.database.prisma.mailbox.findUniqueOrThrow({ where: { id: inboxId } });
      return { since: mailbox.highestModseq, knownUidNext: mailbox.uidNext };
    }

    /** The changes a reader reads from the records, and those that every message's modseq gives. */
    async function changesFor({ since, knownUidNext }: Reader) {
      const summary = (list: { uid: number; modseq: number; flags: string[] }[]) => list.map((m) => `${m.uid}@${m.modseq} ${m.flags.join(' ')}`);
      return {
        fromRecords: summary(await listMessageStates(store, alice.id, inboxId, { changedSince: since, knownUidNext })),
        fromModseqs: summary(await listMessageStates(store, alice.id, inboxId, { changedSince: since })),
      };
    }

    it('are what every modseq gives, for readers at each step of flag changes, deliveries and expunges', async () => {
      const uids = await deliver(30);
      const readers: Reader[] = [{ since: 0, knownUidNext: 1 }, await standing()];
      const steps: (() => Promise<unknown>)[] = [
        () => setFlags(store, alice.id, inboxId, uids.slice(0, 20), 'add', ['\\Flagged']),
        () => setFlags(store, alice.id, inboxId, [uids[3], uids[17], uids[29]], 'add', ['\\Seen', '$label1']),
        () => deliver(3),
        () => setFlags(store, alice.id, inboxId, [uids[5]], 'remove', ['\\Flagged']),
        () => setFlags(store, alice.id, inboxId, [uids[17]], 'add', ['\\Deleted']),
        () => expungeMessages(store, alice.id, inboxId),
        () => setFlags(store, alice.id, inboxId, 'all', 'add', ['\\Answered']),
        () => setFlags(store, alice.id, inboxId, [uids[8]], 'set', ['\\Draft']),
      ];
      for (const step of steps) {
        await step();
        readers.push(await standing());
      }
      for (const reader of readers) {
        const { fromRecords, fromModseqs } = await changesFor(reader);
        assert.deepEqual(fromRecords, fromModseqs, `reader at modseq ${reader.since}, knowing UIDs below ${reader.knownUidNext}`);
      }
      // Not vacuous: the reader before the flag changes sees most messages changed, the last one one message.
      assert.ok((await changesFor(readers[1])).fromRecords.length >= 30);
      assert.deepEqual((await changesFor(readers[readers.length - 2])).fromRecords.length, 1);
    });

    it(`keeps the records of the last ${KEPT_MODSEQS} to ${2 * KEPT_MODSEQS} modseqs, and a reader further behind still reads every change`, async () => {
      const uids = (await listMessageStates(store, alice.id, inboxId)).map((m) => m.uid);
      const behind = await standing();
      // A change that only the forgotten records name, then many to the other messages.
      await setFlags(store, alice.id, inboxId, [uids[0]], 'add', ['$early']);
      const others = uids.slice(1);
      for (let i = 0; i < 2 * KEPT_MODSEQS + 5; i++) await setFlags(store, alice.id, inboxId, [others[i % others.length]], Math.floor(i / others.length) % 2 ? 'remove' : 'add', ['$toggled']);
      const records = await store.database.prisma.flagChange.count({ where: { mailboxId: inboxId } });
      // Without forgetting there would be one a change: more than 2 × KEPT_MODSEQS.
      assert.ok(records < 2 * KEPT_MODSEQS, `${records} records kept`);
      const now = await standing();
      for (const reader of [behind, { ...now, since: now.since - KEPT_MODSEQS - 3 }, { ...now, since: now.since - 7 }]) {
        const { fromRecords, fromModseqs } = await changesFor(reader);
        assert.deepEqual(fromRecords, fromModseqs, `reader at modseq ${reader.since}`);
        assert.ok(fromRecords.length > 0);
      }
      assert.equal((await changesFor(behind)).fromRecords.length, uids.length, 'every message changed since the reader behind');
    });
  });
}

for (const engine of ENGINES) {
  describe(`the flag change records' migration on ${engine}`, () => {
    it('starts each mailbox with a range of every UID, so that a change made before it is still read', async () => {
      const store = await createTestStore(engine);
      try {
        const prisma = store.database.prisma;
        const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
        const inboxId = (await inboxOf(store, alice.id)).id;
        const uids: number[] = [];
        for (let i = 0; i < 5; i++) uids.push((await deliverMessage(store, buildMessage({ subject: `m${i}` }), [{ accountId: alice.id }]))[0].uid);
        const mailbox = await prisma.mailbox.findUniqueOrThrow({ where: { id: inboxId } });
        const reader = { changedSince: mailbox.highestModseq, knownUidNext: mailbox.uidNext };
        // The database as it was before the migration, and a flag change as the code then made it: no record.
        await prisma.$executeRawUnsafe('DROP TABLE "FlagChange"');
        await prisma.$executeRawUnsafe('CREATE INDEX "Message_mailboxId_modseq_idx" ON "Message"("mailboxId", "modseq")');
        await prisma.$executeRawUnsafe(`DELETE FROM "_migration" WHERE "name" LIKE '%_flag_change_log'`);
        await prisma.$executeRaw`UPDATE "Mailbox" SET "highestModseq" = "highestModseq" + 1 WHERE "id" = ${inboxId}`;
        await prisma.$executeRaw`UPDATE "Message" SET "flagged" = ${true}, "modseq" = ${mailbox.highestModseq + 1} WHERE "mailboxId" = ${inboxId} AND "uid" = ${uids[2]}`;
        const migration = committedMigrations(engine).filter((m) => m.name.endsWith('_flag_change_log')).map((m) => m.name);
        assert.deepEqual(await applyMigrations(store.testDatabase.url), migration);
        const changed = await listMessageStates(store, alice.id, inboxId, reader);
        assert.deepEqual(changed.map((m) => [m.uid, m.flags]), [[uids[2], ['\\Flagged']]]);
      } finally {
        await store.dispose();
      }
    });
  });
}

describe('flag changes on postgres', () => {
  it('rewrite the message rows in their pages (HOT updates): no index has the columns they change', async () => {
    const database = await createTestDatabase('postgres');
    const store = createMailStore(await openDatabase(database.url));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const [alice] = await addTestAccounts(store, 'example.test', ['alice']);
      const inboxId = (await inboxOf(store, alice.id)).id;
      for (let i = 0; i < 30; i++) await deliverMessage(store, buildMessage({ subject: `m${i}` }), [{ accountId: alice.id }]);
      // The rows of the first page, as the deliveries filled it. Replaced row
      // versions are pruned only once no snapshot anywhere on the server can
      // see them, which other databases' long transactions put off; so no more
      // rows change than the room fillfactor 80 keeps takes new versions of
      // (a fifth of the page), and the check holds without any pruning.
      const { rows } = await client.query(`SELECT uid, pg_column_size(m.*) AS size FROM "Message" m WHERE (ctid::text::point)[0] = 0 ORDER BY uid`);
      const room = Math.floor((8192 * 0.2) / (Math.max(...rows.map((r) => r.size)) + 64));
      const changed = rows.slice(0, room).map((r) => r.uid as number);
      assert.ok(changed.length >= 2, `room for ${changed.length} new row versions in the page`);
      for (const [i, uid] of changed.entries()) await setFlags(store, alice.id, inboxId, [uid], 'add', [i % 2 ? '\\Flagged' : '$label']);
      // Every changed row is still in the first page: a non-HOT update would have put its new version in another.
      const pages = await client.query(`SELECT (ctid::text::point)[0]::int AS page FROM "Message" WHERE uid = ANY($1)`, [changed]);
      assert.deepEqual(pages.rows.map((r) => r.page), changed.map(() => 0));
      // The server processes' counts reach the statistics as they end, which may be a moment after they close.
      await closeMailStore(store);
      let counts: { updated: number; hot: number } | undefined;
      for (let tries = 0; tries < 200 && !(counts && counts.updated >= changed.length); tries++) {
        if (counts) await new Promise((resolve) => setTimeout(resolve, 50));
        counts = (await client.query(`SELECT n_tup_upd::int AS "updated", n_tup_hot_upd::int AS "hot" FROM pg_stat_user_tables WHERE relname = 'Message'`)).rows[0];
      }
      assert.deepEqual(counts, { updated: changed.length, hot: changed.length });
    } finally {
      await client.end();
      await closeMailStore(store).catch(() => {});
      await database.drop();
    }
  });
});

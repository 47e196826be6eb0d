// SEARCH, SORT and FETCH of a message list take flags from the mailbox's
// index in memory, and the values that never change (dates, sizes, subjects,
// search fields, envelopes) from a per-mailbox cache
// (store/mailbox-snapshot.ts, imap/sort/sort-fields-cache.ts). A second
// daemon on the same database changes flags, expunges and appends: the first
// daemon's next command answers from the store as it is now, before any
// change broadcast could have arrived (SQLite's is polled every 100 ms).
// Both engines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemonProcess } from '../support/daemon-process.ts';
import { ENGINES } from '../support/databases.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverTo, loggedIn, startImapServer, type RawImapClient } from './imap-harness.ts';

/** The UID and FLAGS of each FETCH answer that has an ENVELOPE (so not an unsolicited flag update). */
async function fetched(client: RawImapClient, tag: string, command: string): Promise<string[]> {
  const lines = (await client.command(`${tag} ${command}`)).filter((l) => l.includes('ENVELOPE'));
  return lines.map((l) => /UID \d+ FLAGS \([^)]*\)/.exec(l)?.[0] ?? l);
}

/** The answer lines of a command: its SEARCH or SORT line and the tagged one (untagged FETCH, EXISTS and the like left out). */
async function answer(client: RawImapClient, tag: string, command: string): Promise<string[]> {
  return (await client.command(`${tag} ${command}`)).filter((l) => /^\* (SEARCH|SORT)\b/.test(l) || l.startsWith(`${tag} `)).map((l) => l.trimEnd());
}

for (const engine of ENGINES) {
  describe(`IMAP SEARCH, SORT and FETCH after another daemon's changes on ${engine}`, () => {
    it('see flags, keywords, expunges and new messages at once', async () => {
      const server = await startImapServer(engine);
      const child = await startDaemonProcess(server.daemon.context.store.database.url, { services: ['imap'] });
      try {
        await deliverTo(server, server.alice, [
          buildMessage({ subject: 'delta', from: 'Ann <ann@sender.test>' }),
          buildMessage({ subject: 'charlie', from: 'Ann <ann@sender.test>' }),
          buildMessage({ subject: 'bravo', from: 'Ann <ann@sender.test>' }),
          buildMessage({ subject: 'alpha', from: 'Bob <bob@other.test>' }),
        ]);
        // Read messages from someone else, for a FETCH long enough to be written from memory; no criterion below matches them.
        const filler = Array.from({ length: 200 }, (_, i) => buildMessage({ subject: `filler ${i}`, from: 'filler@other.test' }));
        await deliverTo(server, server.alice, filler, { flags: ['\\Seen'] });
        const here = await loggedIn(server.port);
        const there = await loggedIn(child.port('imap'));
        await here.command('a1 SELECT INBOX');
        await there.command('b1 SELECT INBOX');
        assert.deepEqual(await answer(here, 'a2', 'UID SEARCH UNSEEN FROM ann'), ['* SEARCH 1 2 3', 'a2 OK UID SEARCH completed']);
        assert.deepEqual(await answer(here, 'a3', 'UID SORT (SUBJECT) UTF-8 UNSEEN'), ['* SORT 4 3 2 1', 'a3 OK UID SORT completed']);
        assert.deepEqual(await answer(here, 'a4', 'UID SEARCH KEYWORD $Important'), ['* SEARCH', 'a4 OK UID SEARCH completed']);
        // A FETCH of many messages (a message list, 200 or more) is written from memory.
        assert.deepEqual((await fetched(here, 'f1', 'UID FETCH 1:* (FLAGS ENVELOPE)')).slice(0, 2), ['UID 1 FLAGS (\\Recent)', 'UID 2 FLAGS (\\Recent)']);

        assert.match((await there.command('b2 UID STORE 1,4 +FLAGS.SILENT (\\Seen)')).pop()!, /^b2 OK /);
        assert.match((await there.command('b3 UID STORE 2 +FLAGS.SILENT ($Important)')).pop()!, /^b3 OK /);
        assert.deepEqual(await answer(here, 'a5', 'UID SEARCH UNSEEN FROM ann'), ['* SEARCH 2 3', 'a5 OK UID SEARCH completed']);
        assert.deepEqual(await answer(here, 'a6', 'UID SORT (SUBJECT) UTF-8 UNSEEN'), ['* SORT 3 2', 'a6 OK UID SORT completed']);
        assert.deepEqual(await answer(here, 'a7', 'UID SEARCH KEYWORD $Important'), ['* SEARCH 2', 'a7 OK UID SEARCH completed']);
        assert.match((await there.command('b8 UID STORE 1 +FLAGS.SILENT (\\Flagged)')).pop()!, /^b8 OK /);
        assert.deepEqual((await fetched(here, 'f2', 'UID FETCH 1:* (FLAGS ENVELOPE)')).slice(0, 2), ['UID 1 FLAGS (\\Seen \\Flagged \\Recent)', 'UID 2 FLAGS ($Important \\Recent)']);

        assert.match((await there.command('b4 UID STORE 2 +FLAGS.SILENT (\\Deleted)')).pop()!, /^b4 OK /);
        assert.match((await there.command('b5 EXPUNGE')).pop()!, /^b5 OK /);
        assert.match((await there.command('b6 UID STORE 1 -FLAGS.SILENT (\\Seen)')).pop()!, /^b6 OK /);
        assert.deepEqual(await answer(here, 'a8', 'UID SEARCH UNSEEN FROM ann'), ['* SEARCH 1 3', 'a8 OK UID SEARCH completed']);
        assert.deepEqual(await answer(here, 'a9', 'UID SEARCH DELETED'), ['* SEARCH', 'a9 OK UID SEARCH completed']);

        const message = 'From: Ann <ann@sender.test>\r\nSubject: echo\r\n\r\nhi\r\n';
        there.send(`b7 APPEND INBOX {${message.length}+}\r\n${message}\r\n`);
        assert.match((await there.until('b7')).pop()!, /^b7 OK /);
        // The new message joins this session's view when it is told of it (RFC 3501 7.3.1).
        assert.ok((await here.command('a10 NOOP')).includes('* 204 EXISTS'));
        assert.deepEqual(await answer(here, 'a11', 'UID SEARCH UNSEEN FROM ann'), ['* SEARCH 1 3 205', 'a11 OK UID SEARCH completed']);
        assert.deepEqual(await answer(here, 'a12', 'UID SORT (SUBJECT) UTF-8 UNSEEN FROM ann'), ['* SORT 3 1 205', 'a12 OK UID SORT completed']);
        here.close();
        there.close();
      } finally {
        await child.stop();
        await server.dispose();
      }
    });
  });
}

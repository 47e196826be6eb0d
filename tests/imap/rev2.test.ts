// IMAP4rev2 (RFC 9051) once the client ENABLEs it, the command rate limit and
// the LIMIT response code; on SQLite (none of it touches the engine).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildMessage } from '../support/messages.ts';
import { connectRaw, deliverTo, extraImapListener, loggedIn, startImapServer, TEST_PASSWORD, type ImapTestServer, type RawImapClient } from './imap-harness.ts';

describe('IMAP4rev2', () => {
  let server: ImapTestServer;
  let client: RawImapClient;
  before(async () => {
    server = await startImapServer('sqlite');
    await deliverTo(server, server.alice, [buildMessage({ subject: 'one' }), buildMessage({ subject: 'two' })]);
    client = await loggedIn(server.port);
  });
  after(async () => {
    client.close();
    await server.dispose();
  });

  it('is advertised beside IMAP4rev1 and a session stays rev1 until it ENABLEs rev2', async () => {
    await client.transcript(`
      C: a1 CAPABILITY
      S: * CAPABILITY IMAP4rev1 IMAP4rev2 {any}
      S: a1 OK CAPABILITY completed
      C: a2 SELECT INBOX
      S: * FLAGS {any}
      S: * OK [PERMANENTFLAGS {any}
      S: * 2 EXISTS
      S: * 2 RECENT
      S: * OK [UNSEEN 1] First unseen
      S: * OK [UIDVALIDITY {any}] UIDs valid
      S: * OK [UIDNEXT 3] Predicted next UID
      S: * OK [HIGHESTMODSEQ {any}] Highest
      S: a2 OK [READ-WRITE] SELECT completed
      C: a3 SEARCH ALL
      S: * SEARCH 1 2
      S: a3 OK SEARCH completed
      C: a4 UNSELECT
      S: a4 OK UNSELECT completed
    `);
  });

  it('after ENABLE IMAP4rev2: no RECENT or UNSEEN, the LIST of the selected mailbox, ESEARCH, UTF-8 names', async () => {
    await client.transcript(`
      C: b1 ENABLE IMAP4rev2
      S: * ENABLED IMAP4rev2
      S: b1 OK ENABLE completed
      C: b2 SELECT INBOX
      S: * FLAGS {any}
      S: * OK [PERMANENTFLAGS {any}
      S: * 2 EXISTS
      S: * LIST (\\HasNoChildren) "/" "INBOX"
      S: * OK [UIDVALIDITY {any}] UIDs valid
      S: * OK [UIDNEXT 3] Predicted next UID
      S: * OK [HIGHESTMODSEQ {any}] Highest
      S: b2 OK [READ-WRITE] SELECT completed
      C: b3 SEARCH ALL
      S: * ESEARCH (TAG "b3") ALL 1:2
      S: b3 OK SEARCH completed
      C: b4 UID SEARCH SUBJECT nothing-like-it
      S: * ESEARCH (TAG "b4") UID
      S: b4 OK UID SEARCH completed
      C: b5 CREATE "Grüße"
      S: b5 OK CREATE completed
      C: b6 LIST "" "Gr*"
      S: * LIST (\\HasNoChildren) "/" "Grüße"
      S: b6 OK LIST completed
      C: b7 STATUS "Grüße" (MESSAGES SIZE DELETED)
      S: * STATUS "Grüße" (MESSAGES 0 SIZE 0 DELETED 0)
      S: b7 OK STATUS completed
    `);
  });

  it('answers NO [LIMIT] to more flags at once than a message may get', async () => {
    const keywords = Array.from({ length: 101 }, (_, i) => `$k${i}`).join(' ');
    await client.transcript(`
      C: c1 STORE 1 +FLAGS (${keywords})
      S: c1 NO [LIMIT] At most 100 flags at once
      C: c2 STORE 1 +FLAGS ($k1 $k2)
      S: * FLAGS {any}
      S: * OK [PERMANENTFLAGS {any}] Flags permitted
      S: * 1 FETCH (FLAGS ($k1 $k2))
      S: c2 OK STORE completed
    `);
  });
});

describe('IMAP command rate limit', () => {
  it('lets a burst through at once, then makes commands wait', async () => {
    const server = await startImapServer('sqlite');
    const listener = await extraImapListener(server, { commandRate: { perSecond: 20, burst: 10 } });
    try {
      const client = await connectRaw(listener.port);
      client.send(Array.from({ length: 10 }, (_, i) => `n${i} NOOP\r\n`).join(''));
      for (let i = 0; i < 10; i++) assert.equal(await client.readLine(), `n${i} OK NOOP completed`);
      // Only a lower bound: the limiter's wait is certain, the speed of a loaded machine is not.
      const started = Date.now();
      client.send(Array.from({ length: 10 }, (_, i) => `m${i} NOOP\r\n`).join(''));
      for (let i = 0; i < 10; i++) assert.equal(await client.readLine(), `m${i} OK NOOP completed`);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 400, `10 commands over the burst at 20 a second took ${elapsed} ms`);
      await client.transcript(`
        C: l1 LOGIN alice@example.test "${TEST_PASSWORD}"
        S: l1 OK {any}
      `);
      client.close();
    } finally {
      await listener.close();
      await server.dispose();
    }
  });
});

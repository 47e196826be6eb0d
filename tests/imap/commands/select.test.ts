// SELECT, EXAMINE, CLOSE, UNSELECT and CHECK (RFC 3501 6.3.1, 6.3.2, 6.4.1,
// 6.4.2; RFC 3691; RFC 7162 HIGHESTMODSEQ), on both engines.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemonProcess } from '../../support/daemon-process.ts';
import { ENGINES } from '../../support/databases.ts';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, expectSelected, imapFixture, loggedIn, startImapServer, type ImapTestServer, type RawImapClient } from '../imap-harness.ts';

for (const engine of ENGINES) {
  describe(`IMAP SELECT on ${engine}`, () => {
    let server: ImapTestServer;
    let client: RawImapClient;
    before(async () => {
      server = await startImapServer(engine);
      await deliverTo(server, server.alice, [buildMessage({ subject: 'one' })], { flags: ['\\Seen'] });
      await deliverTo(server, server.alice, [buildMessage({ subject: 'two' }), buildMessage({ subject: 'three' })]);
      client = await loggedIn(server.port);
    });
    after(async () => {
      client.close();
      await server.dispose();
    });

    it('selects a mailbox with its counts and codes', async () => {
      await client.transcript(`
        C: a1 SELECT inbox
        S: * FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)
        S: * OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft \\*)] Flags permitted
        S: * 3 EXISTS
        S: * 3 RECENT
        S: * OK [UNSEEN 2] First unseen
        S: * OK [UIDVALIDITY {any}] UIDs valid
        S: * OK [UIDNEXT 4] Predicted next UID
        S: * OK [HIGHESTMODSEQ 4] Highest
        S: a1 OK [READ-WRITE] SELECT completed
        C: a2 CHECK
        S: a2 OK CHECK completed
        C: a3 EXAMINE Sent (CONDSTORE)
        S: * OK [CLOSED] Previous mailbox closed
        S: * FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)
        S: * OK [PERMANENTFLAGS ()] Flags permitted
        S: * 0 EXISTS
        S: * 0 RECENT
        S: * OK [UIDVALIDITY {any}] UIDs valid
        S: * OK [UIDNEXT 1] Predicted next UID
        S: * OK [HIGHESTMODSEQ 1] Highest
        S: a3 OK [READ-ONLY] EXAMINE completed
        C: a4 UNSELECT
        S: a4 OK UNSELECT completed
        C: a5 CHECK
        S: a5 BAD CHECK is not allowed without a selected mailbox
      `);
    });

    it('refuses unknown mailboxes and bad arguments, leaving nothing selected', async () => {
      await expectSelected(client, 'b1 SELECT INBOX', 3);
      await client.transcript(`
        C: b2 SELECT Nope
        S: * OK [CLOSED] Previous mailbox closed
        S: b2 NO [NONEXISTENT] No mailbox Nope
        C: b3 FETCH 1 FLAGS
        S: b3 BAD FETCH is not allowed without a selected mailbox
        C: b4 SELECT
        S: b4 BAD missing mailbox name
        C: b5 SELECT INBOX (QRESYNC)
        S: b5 BAD QRESYNC must be enabled first
        C: b5a SELECT INBOX (FOO)
        S: b5a BAD unknown select parameter FOO
        C: b6 CLOSE
        S: b6 BAD CLOSE is not allowed without a selected mailbox
      `);
    });

    it('CLOSE expunges silently, EXAMINE never does', async () => {
      await client.command('c1 SELECT INBOX');
      await client.transcript(`
        C: c2 STORE 3 +FLAGS.SILENT (\\Deleted)
      `);
      await expectSelected(client, 'c3 EXAMINE INBOX', 3);
      await client.transcript(`
        C: c4 CLOSE
        S: c4 OK CLOSE completed
      `);
      await expectSelected(client, 'c5 SELECT INBOX', 3);
      await client.transcript(`
        C: c6 CLOSE
        S: c6 OK CLOSE completed
        C: c7 STATUS INBOX (MESSAGES)
        S: * STATUS "INBOX" (MESSAGES 2)
        S: c7 OK STATUS completed
      `);
    });
  });
}

describe('IMAP selected mailbox deleted elsewhere', () => {
  it('says BYE to the session that had it selected', async () => {
    const server = await startImapServer('sqlite');
    try {
      const [client, other] = [await loggedIn(server.port), await loggedIn(server.port)];
      await other.command('a1 CREATE Doomed');
      await expectSelected(client, 'b1 SELECT Doomed', 0);
      await other.command('a2 DELETE Doomed');
      await client.transcript(`
        C: b2 NOOP
        S: * BYE Selected mailbox was deleted
        S: <closed>
      `);
      other.close();
    } finally {
      await server.dispose();
    }
  });
});

describe('IMAP SELECT of a name with special characters', () => {
  const imap = imapFixture();
  // RFC 3501 9: every one of these is an ASTRING-CHAR ("[" an atom char, "]" a
  // resp-special); "&'+,-" is not valid modified UTF-7, "&-" is "&".
  const odd = "!#$&'+,-.0123456789:;<=>?@^_`|[}";
  const good = "!#$&-'+,-.0123456789:;<=>?@^_`|[}]";

  it('takes the name as an atom: NO while it does not exist, then selects it; another session lists it', async () => {
    const client = await imap.authenticated();
    const other = await imap.authenticated();
    await client.transcript(`
      C: a1 SELECT ${odd}
      S: a1 NO [NONEXISTENT] No mailbox ${odd}
      C: a2 CREATE ${odd}
      S: a2 NO [CANNOT] Mailbox name is not valid modified UTF-7
      C: a3 CREATE ${good}
      S: a3 OK CREATE completed
      C: a4 SELECT ${good}
      S: * FLAGS {any}
      S: * OK [PERMANENTFLAGS {any}] Flags permitted
      S: * 0 EXISTS
      S: * 0 RECENT
      S: * OK [UIDVALIDITY {any}] UIDs valid
      S: * OK [UIDNEXT 1] Predicted next UID
      S: * OK [HIGHESTMODSEQ 1] Highest
      S: a4 OK [READ-WRITE] SELECT completed
    `);
    await other.transcript(`
      C: b1 LIST "" ${good}
      S: * LIST (\\HasNoChildren) "/" "${good}"
      S: b1 OK LIST completed
      C: b2 STATUS ${good} (MESSAGES)
      S: * STATUS "${good}" (MESSAGES 0)
      S: b2 OK STATUS completed
    `);
  });

  it('still refuses a BODY[ section that is not closed', async () => {
    const client = await imap.selected();
    await client.transcript(`
      C: c1 FETCH 1 BODY[HEADER
      S: c1 BAD unterminated section
    `);
  });
});

describe('IMAP \\Recent (RFC 3501 2.3.2)', () => {
  const imap = imapFixture();

  it('is in exactly one session, the first to select after delivery or to hear of a new message; EXAMINE and STATUS see it unclaimed; rev2 never does', async () => {
    await imap.authenticated().then((c) => c.command('p0 CREATE Fresh'));
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'one' }), buildMessage({ subject: 'two' })], { mailbox: 'Fresh' });
    const [first, second, watcher, modern] = [await imap.authenticated(), await imap.authenticated(), await imap.authenticated(), await imap.authenticated()];
    await watcher.transcript(`
      C: w1 STATUS Fresh (RECENT MESSAGES)
      S: * STATUS "Fresh" (RECENT 2 MESSAGES 2)
      S: w1 OK STATUS completed
      C: w2 EXAMINE Fresh
      S: * FLAGS {any}
      S: * OK [PERMANENTFLAGS ()] Flags permitted
      S: * 2 EXISTS
      S: * 2 RECENT
      S: * OK [UNSEEN 1] First unseen
      S: * OK [UIDVALIDITY {any}] UIDs valid
      S: * OK [UIDNEXT 3] Predicted next UID
      S: * OK [HIGHESTMODSEQ {any}] Highest
      S: w2 OK [READ-ONLY] EXAMINE completed
      C: w3 UNSELECT
      S: w3 OK UNSELECT completed
    `);
    await first.transcript(`
      C: a1 SELECT Fresh
      S: * FLAGS {any}
      S: * OK [PERMANENTFLAGS {any}] Flags permitted
      S: * 2 EXISTS
      S: * 2 RECENT
      S: * OK [UNSEEN 1] First unseen
      S: * OK [UIDVALIDITY {any}] UIDs valid
      S: * OK [UIDNEXT 3] Predicted next UID
      S: * OK [HIGHESTMODSEQ {any}] Highest
      S: a1 OK [READ-WRITE] SELECT completed
      C: a2 FETCH 1:2 FLAGS
      S: * 1 FETCH (FLAGS (\\Recent))
      S: * 2 FETCH (FLAGS (\\Recent))
      S: a2 OK FETCH completed
      C: a3 STORE 1 +FLAGS (\\Seen)
      S: * 1 FETCH (FLAGS (\\Seen \\Recent))
      S: a3 OK STORE completed
    `);
    await second.transcript(`
      C: b1 SELECT Fresh
      S: * FLAGS {any}
      S: * OK [PERMANENTFLAGS {any}] Flags permitted
      S: * 2 EXISTS
      S: * 0 RECENT
      S: * OK [UNSEEN 2] First unseen
      S: * OK [UIDVALIDITY {any}] UIDs valid
      S: * OK [UIDNEXT 3] Predicted next UID
      S: * OK [HIGHESTMODSEQ {any}] Highest
      S: b1 OK [READ-WRITE] SELECT completed
      C: b2 FETCH 1:2 FLAGS
      S: * 1 FETCH (FLAGS (\\Seen))
      S: * 2 FETCH (FLAGS ())
      S: b2 OK FETCH completed
    `);
    await watcher.transcript(`
      C: w4 STATUS Fresh (RECENT)
      S: * STATUS "Fresh" (RECENT 0)
      S: w4 OK STATUS completed
    `);
    // A new message while both have the mailbox selected: the first to hear of it has it.
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'three' })], { mailbox: 'Fresh' });
    await second.transcript(`
      C: b5 NOOP
      S: * 3 EXISTS
      S: * 1 RECENT
      S: b5 OK NOOP completed
      C: b6 FETCH 3 FLAGS
      S: * 3 FETCH (FLAGS (\\Recent))
      S: b6 OK FETCH completed
    `);
    await first.transcript(`
      C: a8 NOOP
      S: * 3 EXISTS
      S: * 2 RECENT
      S: a8 OK NOOP completed
      C: a9 FETCH 3 FLAGS
      S: * 3 FETCH (FLAGS ())
      S: a9 OK FETCH completed
    `);
    // An IMAP4rev2 session neither sees nor takes it.
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'four' })], { mailbox: 'Fresh' });
    await modern.transcript(`
      C: m1 ENABLE IMAP4rev2
      S: * ENABLED IMAP4rev2
      S: m1 OK ENABLE completed
      C: m2 SELECT Fresh
      S: * FLAGS {any}
      S: * OK [PERMANENTFLAGS {any}] Flags permitted
      S: * 4 EXISTS
      S: * LIST {any}
      S: * OK [UIDVALIDITY {any}] UIDs valid
      S: * OK [UIDNEXT 5] Predicted next UID
      S: * OK [HIGHESTMODSEQ {any}] Highest
      S: m2 OK [READ-WRITE] SELECT completed
      C: m3 FETCH 4 FLAGS
      S: * 4 FETCH (FLAGS ())
      S: m3 OK FETCH completed
    `);
    await first.transcript(`
      C: a10 NOOP
      S: * 4 EXISTS
      S: * 3 RECENT
      S: a10 OK NOOP completed
    `);
  });
});

for (const engine of ENGINES) {
  describe(`IMAP \\Recent across daemons on ${engine}`, () => {
    it('is claimed by one session whichever daemon it is on', async () => {
      const server = await startImapServer(engine);
      const child = await startDaemonProcess(server.daemon.context.store.database.url, { services: ['imap'] });
      try {
        await deliverTo(server, server.alice, [buildMessage({ subject: 'one' }), buildMessage({ subject: 'two' })]);
        const here = await loggedIn(server.port);
        const there = await loggedIn(child.port('imap'));
        const heard = async (client: RawImapClient, tag: string, command: string) => (await client.command(`${tag} ${command}`)).filter((l) => / RECENT$/.test(l));
        assert.deepEqual(await heard(there, 't1', 'SELECT INBOX'), ['* 2 RECENT']);
        assert.deepEqual(await heard(here, 'h1', 'SELECT INBOX'), ['* 0 RECENT']);
        await deliverTo(server, server.alice, [buildMessage({ subject: 'three' })]);
        assert.deepEqual(await heard(here, 'h2', 'NOOP'), ['* 1 RECENT']);
        assert.deepEqual(await heard(there, 't2', 'NOOP'), ['* 2 RECENT']);
        assert.deepEqual(await there.command('t3 SEARCH RECENT'), ['* SEARCH 1 2', 't3 OK SEARCH completed']);
        assert.deepEqual(await here.command('h3 SEARCH RECENT'), ['* SEARCH 3', 'h3 OK SEARCH completed']);
        here.close();
        there.close();
      } finally {
        await child.stop();
        await server.dispose();
      }
    });
  });
}

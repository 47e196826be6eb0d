// STORE and UID STORE (RFC 3501 6.4.6; RFC 7162 3.1.3 UNCHANGEDSINCE), on
// both engines, and the FETCH FLAGS another session sees.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../../support/databases.ts';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, expectSelected, loggedIn, startImapServer, type ImapTestServer, type RawImapClient, imapFixture } from '../imap-harness.ts';

for (const engine of ENGINES) {
  describe(`IMAP STORE on ${engine}`, () => {
    let server: ImapTestServer;
    let client: RawImapClient;
    let other: RawImapClient;
    before(async () => {
      server = await startImapServer(engine);
      await deliverTo(server, server.alice, [buildMessage({ subject: 'one' }), buildMessage({ subject: 'two' }), buildMessage({ subject: 'three' })]);
      client = await loggedIn(server.port);
      other = await loggedIn(server.port);
      await client.command('s1 SELECT INBOX');
      await other.command('s1 SELECT INBOX');
    });
    after(async () => {
      client.close();
      other.close();
      await server.dispose();
    });

    it('adds, removes and replaces flags, reporting each message', async () => {
      await client.transcript(`
        C: a1 STORE 1:2 +FLAGS (\\Flagged $Work)
        S: * FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work)
        S: * OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work \\*)] Flags permitted
        S: * 1 FETCH (FLAGS (\\Flagged $Work \\Recent))
        S: * 2 FETCH (FLAGS (\\Flagged $Work \\Recent))
        S: a1 OK STORE completed
        C: a2 UID STORE 2 -FLAGS $work
        S: * 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))
        S: a2 OK UID STORE completed
        C: a3 STORE 3 FLAGS.SILENT (\\Seen \\Answered)
        S: a3 OK STORE completed
        C: a4 FETCH 1:3 FLAGS
        S: * 1 FETCH (FLAGS (\\Flagged $Work \\Recent))
        S: * 2 FETCH (FLAGS (\\Flagged \\Recent))
        S: * 3 FETCH (FLAGS (\\Seen \\Answered \\Recent))
        S: a4 OK FETCH completed
      `);
    });

    it('tells another session about the changes at its next command', async () => {
      await other.transcript(`
        C: b1 NOOP
        S: * FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work)
        S: * OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work \\*)] Flags permitted
        S: * 1 FETCH (UID 1 FLAGS (\\Flagged $Work))
        S: * 2 FETCH (UID 2 FLAGS (\\Flagged))
        S: * 3 FETCH (UID 3 FLAGS (\\Seen \\Answered))
        S: b1 OK NOOP completed
        C: b2 NOOP
        S: b2 OK NOOP completed
      `);
    });

    it('refuses a conditional STORE on messages changed since, with MODIFIED', async () => {
      await client.transcript(`
        C: c1 FETCH 1:3 MODSEQ
        S: * 1 FETCH (MODSEQ (5))
        S: * 2 FETCH (MODSEQ (6))
        S: * 3 FETCH (MODSEQ (7))
        S: c1 OK [HIGHESTMODSEQ 7] FETCH completed
        C: c2 STORE 1:3 (UNCHANGEDSINCE 5) +FLAGS (\\Deleted)
        S: * 1 FETCH (FLAGS (\\Flagged \\Deleted $Work \\Recent) MODSEQ (8))
        S: c2 OK [MODIFIED 2:3] Conditional STORE failed for some messages
      `);
    });

    it('refuses bad STORE commands and read-only mailboxes', async () => {
      await client.transcript(`
        C: d1 STORE 1 +FLAGS (\\Bogus)
        S: d1 BAD unknown system flag \\Bogus
        C: d2 STORE 1 FLAGZ (\\Seen)
        S: d2 BAD invalid store item FLAGZ
        C: d3 STORE 1 +FLAGS
        S: d3 BAD missing flags
        C: d4 STORE 9 +FLAGS (\\Seen)
        S: d4 BAD Invalid message sequence number
        C: d4b STORE 1 +FLAGS (\\Recent)
        S: d4b BAD unknown system flag \\Recent
      `);
      await expectSelected(client, 'd5 EXAMINE INBOX', 3);
      await client.transcript(`
        C: d6 STORE 1 +FLAGS (\\Seen)
        S: d6 NO [READ-ONLY] Mailbox is read-only
      `);
    });
  });
}

describe('IMAP STORE in the wrong state', () => {
  const imap = imapFixture();

  it('refuses STORE without a selected mailbox', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: w1 STORE 1 +FLAGS (\\Seen)
      S: w1 BAD STORE is not allowed without a selected mailbox
    `);
  });
});

describe('IMAP STORE of new keywords (RFC 3501 7.2.6)', () => {
  const imap = imapFixture();
  const SYSTEM = '\\Seen \\Answered \\Flagged \\Deleted \\Draft';

  it('announces a new keyword in FLAGS and PERMANENTFLAGS to every session with the mailbox selected, before any FETCH uses it', async () => {
    await imap.authenticated().then((c) => c.command('p0 CREATE Labels'));
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'one' }), buildMessage({ subject: 'two' })], { mailbox: 'Labels' });
    const client = await imap.selected('Labels');
    const other = await imap.selected('Labels');
    const examiner = await imap.authenticated();
    await examiner.command('e0 EXAMINE Labels');
    await client.transcript(`
      C: a1 STORE 1 +FLAGS ($label1)
      S: * FLAGS (${SYSTEM} $label1)
      S: * OK [PERMANENTFLAGS (${SYSTEM} $label1 \\*)] Flags permitted
      S: * 1 FETCH (FLAGS ($label1 \\Recent))
      S: a1 OK STORE completed
      C: a2 STORE 2 +FLAGS ($LABEL1 $label2)
      S: * FLAGS (${SYSTEM} $label1 $label2)
      S: * OK [PERMANENTFLAGS (${SYSTEM} $label1 $label2 \\*)] Flags permitted
      S: * 2 FETCH (FLAGS ($LABEL1 $label2 \\Recent))
      S: a2 OK STORE completed
      C: a3 STORE 2 -FLAGS ($label2)
      S: * 2 FETCH (FLAGS ($LABEL1 \\Recent))
      S: a3 OK STORE completed
      C: a4 STORE 1 +FLAGS (bad]keyword)
      S: a4 BAD {any}
      C: a5 STORE 1 +FLAGS ($label1 \\Recentish)
      S: a5 BAD unknown system flag \\Recentish
    `);
    await other.transcript(`
      C: b1 NOOP
      S: * FLAGS (${SYSTEM} $label1 $label2)
      S: * OK [PERMANENTFLAGS (${SYSTEM} $label1 $label2 \\*)] Flags permitted
      S: * 1 FETCH (UID 1 FLAGS ($label1))
      S: * 2 FETCH (UID 2 FLAGS ($LABEL1))
      S: b1 OK NOOP completed
    `);
    await examiner.transcript(`
      C: e1 FETCH 1:2 FLAGS
      S: * FLAGS (${SYSTEM} $label1)
      S: * OK [PERMANENTFLAGS ()] Flags permitted
      S: * 1 FETCH (FLAGS ($label1))
      S: * 2 FETCH (FLAGS ($LABEL1))
      S: * FLAGS (${SYSTEM} $label1 $label2)
      S: * OK [PERMANENTFLAGS ()] Flags permitted
      S: * 1 FETCH (UID 1 FLAGS ($label1))
      S: * 2 FETCH (UID 2 FLAGS ($LABEL1))
      S: e1 OK FETCH completed
    `);
    // A new session is told at SELECT; a message appended with a keyword announces it too.
    const late = await imap.authenticated();
    await late.transcript(`
      C: c1 SELECT Labels
      S: * FLAGS (${SYSTEM} $label1 $label2)
      S: * OK [PERMANENTFLAGS (${SYSTEM} $label1 $label2 \\*)] Flags permitted
      S: * 2 EXISTS
      S: * 0 RECENT
      S: * OK [UNSEEN 1] First unseen
      S: * OK [UIDVALIDITY {any}] UIDs valid
      S: * OK [UIDNEXT 3] Predicted next UID
      S: * OK [HIGHESTMODSEQ {any}] Highest
      S: c1 OK [READ-WRITE] SELECT completed
      C: c2 APPEND Labels ($appended) {11}
      S: + Ready for literal data
      C: Subject: x
      S: * FLAGS (${SYSTEM} $label1 $label2 $appended)
      S: * OK [PERMANENTFLAGS (${SYSTEM} $label1 $label2 $appended \\*)] Flags permitted
      S: * 3 EXISTS
      S: * 1 RECENT
      S: c2 OK [APPENDUID {any}] APPEND completed
    `);
  });

  it('refuses more keywords in one mailbox than every session could be sent, with NO [LIMIT]', async () => {
    await imap.authenticated().then((c) => c.command('p1 CREATE Many'));
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'many' })], { mailbox: 'Many' });
    const client = await imap.selected('Many');
    for (let round = 0; round < 10; round++) {
      const keywords = Array.from({ length: 100 }, (_, i) => `k${round * 100 + i}`).join(' ');
      const lines = await client.command(`m${round} STORE 1 FLAGS.SILENT (${keywords})`);
      assert.equal(lines[lines.length - 1], `m${round} OK STORE completed`);
    }
    await client.transcript(`
      C: m10 STORE 1 +FLAGS.SILENT (one-too-many)
      S: m10 NO [LIMIT] At most 1000 keywords in one mailbox
      C: m11 STORE 1 +FLAGS.SILENT (k5)
      S: m11 OK STORE completed
    `);
  });
});

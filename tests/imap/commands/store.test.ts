// STORE and UID STORE (RFC 3501 6.4.6; RFC 7162 3.1.3 UNCHANGEDSINCE), on
// both engines, and the FETCH FLAGS another session sees.
import { describe, it, before, after } from 'node:test';
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
        S: * 1 FETCH (FLAGS (\\Flagged $Work))
        S: * 2 FETCH (FLAGS (\\Flagged $Work))
        S: a1 OK STORE completed
        C: a2 UID STORE 2 -FLAGS $work
        S: * 2 FETCH (UID 2 FLAGS (\\Flagged))
        S: a2 OK UID STORE completed
        C: a3 STORE 3 FLAGS.SILENT (\\Seen \\Answered)
        S: a3 OK STORE completed
        C: a4 FETCH 1:3 FLAGS
        S: * 1 FETCH (FLAGS (\\Flagged $Work))
        S: * 2 FETCH (FLAGS (\\Flagged))
        S: * 3 FETCH (FLAGS (\\Seen \\Answered))
        S: a4 OK FETCH completed
      `);
    });

    it('tells another session about the changes at its next command', async () => {
      await other.transcript(`
        C: b1 NOOP
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
        S: * 1 FETCH (FLAGS (\\Flagged \\Deleted $Work) MODSEQ (8))
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

// EXPUNGE and UID EXPUNGE (RFC 3501 6.4.3, RFC 4315 2.1), and when another
// session hears of them (RFC 3501 7.4.1: not during FETCH, STORE, SEARCH).
import { describe, it, before, after } from 'node:test';
import { ENGINES } from '../../support/databases.ts';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, loggedIn, startImapServer, type ImapTestServer, type RawImapClient, imapFixture } from '../imap-harness.ts';

for (const engine of ENGINES) {
  describe(`IMAP EXPUNGE on ${engine}`, () => {
    let server: ImapTestServer;
    let client: RawImapClient;
    let other: RawImapClient;
    before(async () => {
      server = await startImapServer(engine);
      await deliverTo(server, server.alice, [1, 2, 3, 4, 5].map((n) => buildMessage({ subject: `m${n}` })));
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

    it('expunges \\Deleted messages, and UID EXPUNGE only those named', async () => {
      await client.transcript(`
        C: a1 STORE 2:4 +FLAGS.SILENT (\\Deleted)
        S: a1 OK STORE completed
        C: a2 UID EXPUNGE 4:5
        S: * 4 EXPUNGE
        S: a2 OK UID EXPUNGE completed
        C: a3 EXPUNGE
        S: * 3 EXPUNGE
        S: * 2 EXPUNGE
        S: a3 OK EXPUNGE completed
        C: a4 UID FETCH 1:* UID
        S: * 1 FETCH (UID 1)
        S: * 2 FETCH (UID 5)
        S: a4 OK UID FETCH completed
        C: a5 UID EXPUNGE
        S: a5 BAD missing UID set
      `);
    });

    // Messages expunged elsewhere keep their sequence numbers until the EXPUNGE
    // goes out; FETCH leaves them out (RFC 2180 4.1.1).
    it('holds EXPUNGE back from another session during FETCH, STORE and SEARCH', async () => {
      await other.transcript(`
        C: b1 FETCH 1:* UID
        S: * 1 FETCH (UID 1)
        S: * 5 FETCH (UID 5)
        S: b1 OK FETCH completed
        C: b2 SEARCH ALL
        S: * SEARCH 1 5
        S: b2 OK SEARCH completed
        C: b3 STORE 5 +FLAGS (\\Seen)
        S: * 5 FETCH (FLAGS (\\Seen))
        S: b3 OK STORE completed
        C: b4 NOOP
        S: * 4 EXPUNGE
        S: * 3 EXPUNGE
        S: * 2 EXPUNGE
        S: b4 OK NOOP completed
        C: b5 FETCH 2 UID
        S: * 2 FETCH (UID 5)
        S: b5 OK FETCH completed
      `);
    });

    it('refuses EXPUNGE on a read-only mailbox', async () => {
      await client.command('c1 EXAMINE INBOX');
      await client.transcript(`
        C: c2 EXPUNGE
        S: c2 NO [READ-ONLY] Mailbox is read-only
      `);
    });
  });
}

describe('IMAP EXPUNGE in the wrong state', () => {
  const imap = imapFixture();

  it('refuses EXPUNGE without a selected mailbox', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: w1 EXPUNGE
      S: w1 BAD EXPUNGE is not allowed without a selected mailbox
    `);
  });
});

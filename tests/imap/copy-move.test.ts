// COPY, MOVE and their UID forms (RFC 3501 6.4.7, RFC 6851, RFC 4315
// COPYUID), on both engines.
import { describe, it, before, after } from 'node:test';
import { ENGINES } from '../support/databases.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverTo, expectSelected, loggedIn, startImapServer, type ImapTestServer, type RawImapClient } from './imap-harness.ts';

for (const engine of ENGINES) {
  describe(`IMAP COPY and MOVE on ${engine}`, () => {
    let server: ImapTestServer;
    let client: RawImapClient;
    before(async () => {
      server = await startImapServer(engine);
      await deliverTo(server, server.alice, [1, 2, 3, 4].map((n) => buildMessage({ subject: `m${n}` })));
      client = await loggedIn(server.port);
      await client.command('s1 SELECT INBOX');
    });
    after(async () => {
      client.close();
      await server.dispose();
    });

    it('copies with COPYUID and keeps the source', async () => {
      await client.transcript(`
        C: a1 STORE 1 +FLAGS.SILENT (\\Flagged)
        S: a1 OK STORE completed
        C: a2 COPY 1:2 Archive
        S: a2 OK [COPYUID {any} 1:2 1:2] COPY completed
        C: a3 UID COPY 4 Archive
        S: a3 OK [COPYUID {any} 4 3] COPY completed
        C: a4 STATUS Archive (MESSAGES RECENT)
        S: * STATUS "Archive" (MESSAGES 3 RECENT 3)
        S: a4 OK STATUS completed
        C: a5 COPY 1 INBOX
        S: * 5 EXISTS
        S: * 5 RECENT
        S: a5 OK [COPYUID {any} 1 5] COPY completed
      `);
    });

    it('moves with COPYUID first, then EXPUNGE', async () => {
      await client.transcript(`
        C: b1 MOVE 2:3 Trash
        S: * OK [COPYUID {any} 2:3 1:2] Moved
        S: * 3 EXPUNGE
        S: * 2 EXPUNGE
        S: b1 OK MOVE completed
        C: b2 UID MOVE 5 Junk
        S: * OK [COPYUID {any} 5 1] Moved
        S: * 3 EXPUNGE
        S: b2 OK UID MOVE completed
        C: b3 UID FETCH 1:* FLAGS
        S: * 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))
        S: * 2 FETCH (UID 4 FLAGS (\\Recent))
        S: b3 OK UID FETCH completed
      `);
      await expectSelected(client, 'b4 EXAMINE Trash', 2);
      await client.transcript(`
        C: b5 MOVE 1 INBOX
        S: b5 NO [READ-ONLY] Mailbox is read-only
      `);
    });

    it('answers TRYCREATE for a missing target and BAD for bad sets', async () => {
      await client.command('c1 SELECT INBOX');
      await client.transcript(`
        C: c2 COPY 1 Nope
        S: c2 NO [TRYCREATE] No mailbox Nope
        C: c3 MOVE 1 Nope
        S: c3 NO [TRYCREATE] No mailbox Nope
        C: c4 COPY 1:x Archive
        S: c4 BAD invalid sequence number "x"
        C: c5 MOVE 1
        S: c5 BAD missing mailbox name
        C: c6 UID MOVE 99 Archive
        S: c6 OK UID MOVE completed
      `);
    });
  });
}

// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, NAMESPACE and
// STATUS (RFC 3501 6.3; RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE, RFC
// 5819 LIST-STATUS), on both engines.
import { describe, it, before, after } from 'node:test';
import { ENGINES } from '../support/databases.ts';
import { loggedIn, startImapServer, type ImapTestServer, type RawImapClient } from './imap-harness.ts';

for (const engine of ENGINES) {
  describe(`IMAP mailbox commands on ${engine}`, () => {
    let server: ImapTestServer;
    let client: RawImapClient;
    before(async () => {
      server = await startImapServer(engine);
      client = await loggedIn(server.port);
    });
    after(async () => {
      client.close();
      await server.dispose();
    });

    it('lists the special-use folders with their attributes', async () => {
      await client.transcript(`
        C: a1 LIST "" "*"
        S: * LIST (\\HasNoChildren \\Archive) "/" "Archive"
        S: * LIST (\\HasNoChildren \\Drafts) "/" "Drafts"
        S: * LIST (\\HasNoChildren) "/" "INBOX"
        S: * LIST (\\HasNoChildren \\Junk) "/" "Junk"
        S: * LIST (\\HasNoChildren \\Sent) "/" "Sent"
        S: * LIST (\\HasNoChildren \\Trash) "/" "Trash"
        S: a1 OK LIST completed
        C: a2 LIST "" ""
        S: * LIST (\\Noselect) "/" ""
        S: a2 OK LIST completed
        C: a3 LIST "" inbox
        S: * LIST (\\HasNoChildren) "/" "INBOX"
        S: a3 OK LIST completed
        C: a4 LIST (SPECIAL-USE) "" "*" RETURN (STATUS (MESSAGES UIDNEXT))
        S: * LIST (\\HasNoChildren \\Archive) "/" "Archive"
        S: * STATUS "Archive" (MESSAGES 0 UIDNEXT 1)
        S: * LIST (\\HasNoChildren \\Drafts) "/" "Drafts"
        S: * STATUS "Drafts" (MESSAGES 0 UIDNEXT 1)
        S: * LIST (\\HasNoChildren \\Junk) "/" "Junk"
        S: * STATUS "Junk" (MESSAGES 0 UIDNEXT 1)
        S: * LIST (\\HasNoChildren \\Sent) "/" "Sent"
        S: * STATUS "Sent" (MESSAGES 0 UIDNEXT 1)
        S: * LIST (\\HasNoChildren \\Trash) "/" "Trash"
        S: * STATUS "Trash" (MESSAGES 0 UIDNEXT 1)
        S: a4 OK LIST completed
        C: a5 NAMESPACE
        S: * NAMESPACE (("" "/")) NIL NIL
        S: a5 OK NAMESPACE completed
      `);
    });

    it('creates, renames and deletes hierarchies, with modified UTF-7 names', async () => {
      await client.transcript(`
        C: b1 CREATE Projects/2026/
        S: b1 OK CREATE completed
        C: b2 CREATE Projects
        S: b2 NO [ALREADYEXISTS] mailbox Projects already exists
        C: b3 LIST "" "Projects%"
        S: * LIST (\\HasChildren) "/" "Projects"
        S: b3 OK LIST completed
        C: b4 LIST Projects/ %
        S: * LIST (\\HasNoChildren) "/" "Projects/2026"
        S: b4 OK LIST completed
        C: b5 CREATE "Entw&APw-rfe"
        S: b5 OK CREATE completed
        C: b6 LIST "" "Entw*"
        S: * LIST (\\HasNoChildren) "/" "Entw&APw-rfe"
        S: b6 OK LIST completed
        C: b7 RENAME Projects Work
        S: b7 OK RENAME completed
        C: b8 LIST "" "Work*"
        S: * LIST (\\HasChildren) "/" "Work"
        S: * LIST (\\HasNoChildren) "/" "Work/2026"
        S: b8 OK LIST completed
        C: b9 DELETE Work
        S: b9 NO [HASCHILDREN] mailbox Work has child mailboxes
        C: b10 DELETE Work/2026
        S: b10 OK DELETE completed
        C: b11 DELETE Work
        S: b11 OK DELETE completed
        C: b12 DELETE INBOX
        S: b12 NO [CANNOT] INBOX cannot be deleted
        C: b13 DELETE Nope
        S: b13 NO [NONEXISTENT] no mailbox Nope
        C: b14 RENAME Nope Other
        S: b14 NO [NONEXISTENT] no mailbox Nope
        C: b15 CREATE "a*b"
        S: b15 NO [CANNOT] mailbox name contains a forbidden character
        C: b16 CREATE
        S: b16 BAD missing mailbox name
        C: b17 CREATE "&Jjo!-"
        S: b17 NO [CANNOT] Mailbox name is not valid modified UTF-7
      `);
    });

    it('subscribes and lists subscriptions', async () => {
      await client.transcript(`
        C: c1 UNSUBSCRIBE Junk
        S: c1 OK UNSUBSCRIBE completed
        C: c2 LSUB "" "J*"
        S: c2 OK LSUB completed
        C: c3 SUBSCRIBE Junk
        S: c3 OK SUBSCRIBE completed
        C: c4 LSUB "" "J*"
        S: * LSUB () "/" "Junk"
        S: c4 OK LSUB completed
        C: c5 LIST (SUBSCRIBED) "" "J*"
        S: * LIST (\\HasNoChildren \\Junk \\Subscribed) "/" "Junk"
        S: c5 OK LIST completed
        C: c6 SUBSCRIBE Nope
        S: c6 NO [NONEXISTENT] no mailbox Nope
        C: c7 LIST (BOGUS) "" "*"
        S: c7 BAD unknown selection option BOGUS
      `);
    });

    it('answers STATUS', async () => {
      await client.transcript(`
        C: d1 STATUS INBOX (MESSAGES UNSEEN RECENT SIZE DELETED)
        S: * STATUS "INBOX" (MESSAGES 0 UNSEEN 0 RECENT 0 SIZE 0 DELETED 0)
        S: d1 OK STATUS completed
        C: d2 STATUS Nope (MESSAGES)
        S: d2 NO [NONEXISTENT] No mailbox Nope
        C: d3 STATUS INBOX (BOGUS)
        S: d3 BAD unknown status item BOGUS
        C: d4 STATUS INBOX
        S: d4 BAD missing status items
        C: d5 GETQUOTAROOT INBOX
        S: * QUOTAROOT "INBOX" ""
        S: * QUOTA "" (STORAGE 0 5242880)
        S: d5 OK GETQUOTAROOT completed
      `);
    });
  });
}

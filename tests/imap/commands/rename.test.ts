// RENAME (RFC 3501 6.3.5), authenticated: children move along; renaming
// INBOX moves its messages into a new mailbox and leaves INBOX empty.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture } from '../imap-harness.ts';

describe('IMAP RENAME', () => {
  const imap = imapFixture();

  it('renames a mailbox with its children', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: a1 CREATE Clients/Acme
      S: a1 OK CREATE completed
      C: a2 RENAME Clients Customers
      S: a2 OK RENAME completed
      C: a3 LIST "" "C*"
      S: * LIST (\\HasChildren) "/" "Customers"
      S: * LIST (\\HasNoChildren) "/" "Customers/Acme"
      S: a3 OK LIST completed
    `);
  });

  it('moves the messages of INBOX when INBOX is renamed', async () => {
    await deliverTo(imap.server, imap.server.bob, [buildMessage({ subject: 'one' }), buildMessage({ subject: 'two' })]);
    const client = await imap.authenticated('bob@example.test');
    await client.transcript(`
      C: b1 RENAME INBOX "Old Inbox"
      S: b1 OK RENAME completed
      C: b2 STATUS INBOX (MESSAGES)
      S: * STATUS "INBOX" (MESSAGES 0)
      S: b2 OK STATUS completed
      C: b3 STATUS "Old Inbox" (MESSAGES)
      S: * STATUS "Old Inbox" (MESSAGES 2)
      S: b3 OK STATUS completed
    `);
  });

  it('tells an IMAP4rev2 client the new name with its OLDNAME (RFC 9051 6.3.6)', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: e1 ENABLE IMAP4rev2
      S: * ENABLED IMAP4rev2
      S: e1 OK ENABLE completed
      C: e2 CREATE Entwürfe
      S: e2 OK CREATE completed
      C: e3 RENAME Entwürfe "Alte Entwürfe"
      S: * LIST (\\HasNoChildren) "/" "Alte Entwürfe" ("OLDNAME" ("Entwürfe"))
      S: e3 OK RENAME completed
    `);
  });

  it('refuses unknown sources, taken targets and missing arguments', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 RENAME Nope Other
      S: c1 NO [NONEXISTENT] {any}
      C: c2 RENAME Trash Junk
      S: c2 NO [ALREADYEXISTS] {any}
      C: c3 RENAME Trash
      S: c3 BAD {any}
      C: c4 RENAME Trash "a*b"
      S: c4 NO [CANNOT] {any}
      C: c5 RENAME Trash Trash
      S: c5 NO [ALREADYEXISTS] {any}
      C: c6 RENAME Trash Trash/Old
      S: c6 NO [CANNOT] {any}
    `);
  });

  it('refuses RENAME before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: d1 RENAME Trash Bin
      S: d1 BAD RENAME is not allowed before login
    `);
  });
});

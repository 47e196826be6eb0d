// STATUS (RFC 3501 6.3.10; RFC 9051 SIZE and DELETED, RFC 7162
// HIGHESTMODSEQ), authenticated and selected.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture } from '../imap-harness.ts';

describe('IMAP STATUS', () => {
  const imap = imapFixture();

  it('answers counts, sizes and the next UID', async () => {
    const message = buildMessage({ subject: 'status' });
    await deliverTo(imap.server, imap.server.alice, [message, message], { mailbox: 'Archive', flags: ['\\Seen'] });
    await deliverTo(imap.server, imap.server.alice, [message], { mailbox: 'Archive', flags: ['\\Deleted'] });
    const client = await imap.authenticated();
    await client.transcript(`
      C: a1 STATUS Archive (MESSAGES UNSEEN RECENT UIDNEXT DELETED SIZE)
      S: * STATUS "Archive" (MESSAGES 3 UNSEEN 1 RECENT 0 UIDNEXT 4 DELETED 1 SIZE ${3 * message.length})
      S: a1 OK STATUS completed
      C: a2 STATUS Archive (HIGHESTMODSEQ)
      S: * STATUS "Archive" (HIGHESTMODSEQ {any})
      S: a2 OK STATUS completed
    `);
  });

  it('refuses unknown mailboxes and items, and missing items', async () => {
    const client = await imap.selected();
    await client.transcript(`
      C: b1 STATUS Nope (MESSAGES)
      S: b1 NO [NONEXISTENT] {any}
      C: b2 STATUS INBOX (BOGUS)
      S: b2 BAD unknown status item BOGUS
      C: b3 STATUS INBOX
      S: b3 BAD missing status items
      C: b4 STATUS INBOX ()
      S: b4 BAD {any}
    `);
  });

  it('refuses STATUS before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 STATUS INBOX (MESSAGES)
      S: c1 BAD STATUS is not allowed before login
    `);
  });
});

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
      S: * STATUS "Archive" (MESSAGES 3 UNSEEN 1 RECENT 3 UIDNEXT 4 DELETED 1 SIZE ${3 * message.length})
      S: a1 OK STATUS completed
      C: a2 STATUS Archive (HIGHESTMODSEQ)
      S: * STATUS "Archive" (HIGHESTMODSEQ {any})
      S: a2 OK STATUS completed
    `);
  });

  it('counts as RECENT the messages no session has claimed: EXAMINE leaves them, SELECT takes them (RFC 3501 6.3.10, 2.3.2)', async () => {
    await imap.authenticated().then((c) => c.command('p0 CREATE Counted'));
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'r1' }), buildMessage({ subject: 'r2' })], { mailbox: 'Counted' });
    const client = await imap.authenticated();
    const other = await imap.authenticated();
    await other.command('o1 EXAMINE Counted');
    await client.transcript(`
      C: d1 STATUS Counted (RECENT)
      S: * STATUS "Counted" (RECENT 2)
      S: d1 OK STATUS completed
    `);
    await other.command('o2 SELECT Counted');
    await client.transcript(`
      C: d2 STATUS Counted (RECENT MESSAGES)
      S: * STATUS "Counted" (RECENT 0 MESSAGES 2)
      S: d2 OK STATUS completed
    `);
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'r3' })], { mailbox: 'Counted' });
    await client.transcript(`
      C: d3 STATUS Counted (RECENT)
      S: * STATUS "Counted" (RECENT 1)
      S: d3 OK STATUS completed
    `);
    await other.transcript(`
      C: o3 NOOP
      S: * 3 EXISTS
      S: * 3 RECENT
      S: o3 OK NOOP completed
    `);
    await client.transcript(`
      C: d4 STATUS Counted (RECENT)
      S: * STATUS "Counted" (RECENT 0)
      S: d4 OK STATUS completed
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

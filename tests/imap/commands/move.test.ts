// MOVE and UID MOVE (RFC 6851), selected: COPYUID in an untagged OK first,
// then the expunges, all before the tagged reply.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture } from '../imap-harness.ts';

describe('IMAP MOVE', () => {
  const imap = imapFixture();

  it('moves with COPYUID first, then EXPUNGE', async () => {
    await deliverTo(imap.server, imap.server.alice, [1, 2, 3].map((n) => buildMessage({ subject: `m${n}` })), { mailbox: 'Sent' });
    const client = await imap.selected('Sent');
    await client.transcript(`
      C: a1 MOVE 2:3 Trash
      S: * OK [COPYUID {any} 2:3 1:2] Moved
      S: * 3 EXPUNGE
      S: * 2 EXPUNGE
      S: a1 OK MOVE completed
      C: a2 UID MOVE 1 Archive
      S: * OK [COPYUID {any} 1 1] Moved
      S: * 1 EXPUNGE
      S: a2 OK UID MOVE completed
      C: a3 STATUS Trash (MESSAGES)
      S: * STATUS "Trash" (MESSAGES 2)
      S: a3 OK STATUS completed
    `);
  });

  it('answers TRYCREATE for a missing target, BAD for bad arguments, NO on a read-only mailbox', async () => {
    const client = await imap.selected('Trash');
    await client.transcript(`
      C: b1 MOVE 1 Nope
      S: b1 NO [TRYCREATE] {any}
      C: b2 MOVE 1
      S: b2 BAD missing mailbox name
      C: b3 MOVE x Junk
      S: b3 BAD {any}
      C: b4 EXAMINE Trash
    `);
    await client.until('b4');
    await client.transcript(`
      C: b5 MOVE 1 Junk
      S: b5 NO [READ-ONLY] Mailbox is read-only
    `);
  });

  it('refuses MOVE without a selected mailbox', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 MOVE 1 Archive
      S: c1 BAD MOVE is not allowed without a selected mailbox
    `);
  });
});

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

  it('moves into the selected mailbox itself: new UIDs, COPYUID, EXISTS and EXPUNGE; another session sees the same', async () => {
    await imap.authenticated().then((c) => c.command('p0 CREATE Loop'));
    await deliverTo(imap.server, imap.server.alice, [1, 2, 3].map((n) => buildMessage({ subject: `loop${n}` })), { mailbox: 'Loop' });
    const client = await imap.selected('Loop');
    const other = await imap.selected('Loop');
    // RFC 6851 3.3 and 4.3: the same mailbox is allowed; the messages get new UIDs.
    await client.transcript(`
      C: d1 UID MOVE 1:2 Loop
      S: * OK [COPYUID {any} 1:2 4:5] Moved
      S: * 5 EXISTS
      S: * 5 RECENT
      S: * 2 EXPUNGE
      S: * 1 EXPUNGE
      S: d1 OK UID MOVE completed
      C: d2 UID FETCH 1:* (UID)
      S: * 1 FETCH (UID 3)
      S: * 2 FETCH (UID 4)
      S: * 3 FETCH (UID 5)
      S: d2 OK UID FETCH completed
      C: d3 MOVE 4 Loop
      S: d3 BAD Invalid message sequence number
      C: d4 UID MOVE 99 Loop
      S: d4 OK UID MOVE completed
    `);
    await other.transcript(`
      C: e1 NOOP
      S: * 5 EXISTS
      S: * 0 RECENT
      S: * 2 EXPUNGE
      S: * 1 EXPUNGE
      S: e1 OK NOOP completed
      C: e2 FETCH 1:* (UID)
      S: * 1 FETCH (UID 3)
      S: * 2 FETCH (UID 4)
      S: * 3 FETCH (UID 5)
      S: e2 OK FETCH completed
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

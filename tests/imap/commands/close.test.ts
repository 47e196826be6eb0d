// CLOSE (RFC 3501 6.4.2), selected: expunges \Deleted messages without
// EXPUNGE responses (not when EXAMINEd), and leaves nothing selected.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture } from '../imap-harness.ts';

describe('IMAP CLOSE', () => {
  const imap = imapFixture();

  it('expunges silently and returns to the authenticated state', async () => {
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'a' }), buildMessage({ subject: 'b' })], { mailbox: 'Sent' });
    const client = await imap.selected('Sent');
    await client.transcript(`
      C: a1 STORE 1 +FLAGS.SILENT (\\Deleted)
      S: a1 OK STORE completed
      C: a2 CLOSE
      S: a2 OK CLOSE completed
      C: a3 FETCH 1 FLAGS
      S: a3 BAD FETCH is not allowed without a selected mailbox
      C: a4 STATUS Sent (MESSAGES)
      S: * STATUS "Sent" (MESSAGES 1)
      S: a4 OK STATUS completed
    `);
  });

  it('refuses arguments', async () => {
    const client = await imap.selected();
    await client.transcript(`
      C: b1 CLOSE INBOX
      S: b1 BAD {any}
    `);
  });

  it('refuses CLOSE without a selected mailbox', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 CLOSE
      S: c1 BAD CLOSE is not allowed without a selected mailbox
    `);
  });
});

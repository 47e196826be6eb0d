// UNSELECT (RFC 3691), selected: like CLOSE but never expunges.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture } from '../imap-harness.ts';

describe('IMAP UNSELECT', () => {
  const imap = imapFixture();

  it('leaves the mailbox without expunging', async () => {
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'kept' })], { mailbox: 'Drafts' });
    const client = await imap.selected('Drafts');
    await client.transcript(`
      C: a1 STORE 1 +FLAGS.SILENT (\\Deleted)
      S: a1 OK STORE completed
      C: a2 UNSELECT
      S: a2 OK UNSELECT completed
      C: a3 STATUS Drafts (MESSAGES DELETED)
      S: * STATUS "Drafts" (MESSAGES 1 DELETED 1)
      S: a3 OK STATUS completed
      C: a4 NOOP
      S: a4 OK NOOP completed
      C: a5 EXPUNGE
      S: a5 BAD EXPUNGE is not allowed without a selected mailbox
    `);
  });

  it('refuses arguments', async () => {
    const client = await imap.selected();
    await client.transcript(`
      C: b1 UNSELECT INBOX
      S: b1 BAD {any}
    `);
  });

  it('refuses UNSELECT without a selected mailbox', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 UNSELECT
      S: c1 BAD UNSELECT is not allowed without a selected mailbox
    `);
  });
});

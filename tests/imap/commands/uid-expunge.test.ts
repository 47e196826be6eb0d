// UID EXPUNGE (RFC 4315 2.1), selected: removes only the named \Deleted messages.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture } from '../imap-harness.ts';

describe('IMAP UID EXPUNGE', () => {
  const imap = imapFixture();

  it('expunges only the named messages that are \\Deleted', async () => {
    await deliverTo(imap.server, imap.server.alice, [1, 2, 3].map((n) => buildMessage({ subject: `m${n}` })), { mailbox: 'Trash' });
    const client = await imap.selected('Trash');
    await client.transcript(`
      C: a1 STORE 1:3 +FLAGS.SILENT (\\Deleted)
      S: a1 OK STORE completed
      C: a2 UID EXPUNGE 2:3
      S: * 3 EXPUNGE
      S: * 2 EXPUNGE
      S: a2 OK UID EXPUNGE completed
      C: a3 UID EXPUNGE 99
      S: a3 OK UID EXPUNGE completed
      C: a4 UID FETCH 1:* FLAGS
      S: * 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))
      S: a4 OK UID FETCH completed
    `);
  });

  it('refuses a missing or bad UID set', async () => {
    const client = await imap.selected();
    await client.transcript(`
      C: b1 UID EXPUNGE
      S: b1 BAD {any}
      C: b2 UID EXPUNGE 1:x
      S: b2 BAD {any}
    `);
  });

  it('refuses UID EXPUNGE without a selected mailbox', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 UID EXPUNGE 1
      S: c1 BAD UID EXPUNGE is not allowed without a selected mailbox
    `);
  });
});

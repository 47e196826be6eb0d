// COPY and UID COPY (RFC 3501 6.4.7, RFC 4315 COPYUID), selected.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture } from '../imap-harness.ts';

describe('IMAP COPY', () => {
  const imap = imapFixture();

  it('copies with flags, answering COPYUID, and keeps the source', async () => {
    await deliverTo(imap.server, imap.server.alice, [1, 2].map((n) => buildMessage({ subject: `c${n}` })), { mailbox: 'Drafts', flags: ['\\Draft'] });
    const client = await imap.selected('Drafts');
    await client.transcript(`
      C: a1 COPY 1:2 Archive
      S: a1 OK [COPYUID {any} 1:2 1:2] COPY completed
      C: a2 UID COPY 2 Archive
      S: a2 OK [COPYUID {any} 2 3] COPY completed
      C: a3 STATUS Archive (MESSAGES)
      S: * STATUS "Archive" (MESSAGES 3)
      S: a3 OK STATUS completed
      C: a4 FETCH 1:* FLAGS
      S: * 1 FETCH (FLAGS (\\Draft \\Recent))
      S: * 2 FETCH (FLAGS (\\Draft \\Recent))
      S: a4 OK FETCH completed
    `);
  });

  it('answers TRYCREATE for a missing target and BAD for bad arguments', async () => {
    const client = await imap.selected('Drafts');
    await client.transcript(`
      C: b1 COPY 1 Nope
      S: b1 NO [TRYCREATE] {any}
      C: b2 COPY 1:x Archive
      S: b2 BAD {any}
      C: b3 COPY 1
      S: b3 BAD missing mailbox name
      C: b4 COPY 9 Archive
      S: b4 BAD {any}
      C: b5 UID COPY 99 Archive
      S: b5 OK {any}
    `);
  });

  it('refuses COPY without a selected mailbox', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 COPY 1 Archive
      S: c1 BAD COPY is not allowed without a selected mailbox
    `);
  });
});

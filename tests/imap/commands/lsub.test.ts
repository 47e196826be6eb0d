// LSUB (RFC 3501 6.3.9), authenticated: the subscribed mailboxes that match.
import { describe, it } from 'node:test';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP LSUB', () => {
  const imap = imapFixture();

  it('lists subscribed mailboxes matching the pattern', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: a1 LSUB "" "*"
      S: * LSUB () "/" "Archive"
      S: * LSUB () "/" "Drafts"
      S: * LSUB () "/" "INBOX"
      S: * LSUB () "/" "Junk"
      S: * LSUB () "/" "Sent"
      S: * LSUB () "/" "Trash"
      S: a1 OK LSUB completed
      C: a2 LSUB "" "T%"
      S: * LSUB () "/" "Trash"
      S: a2 OK LSUB completed
    `);
  });

  it('refuses missing arguments', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: b1 LSUB
      S: b1 BAD {any}
      C: b2 LSUB ""
      S: b2 BAD {any}
    `);
  });

  it('refuses LSUB before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 LSUB "" "*"
      S: c1 BAD LSUB is not allowed before login
    `);
  });
});

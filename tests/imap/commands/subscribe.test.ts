// SUBSCRIBE (RFC 3501 6.3.6), authenticated.
import { describe, it } from 'node:test';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP SUBSCRIBE', () => {
  const imap = imapFixture();

  it('subscribes a mailbox, which LSUB then lists', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: a1 CREATE Feeds
      S: a1 OK CREATE completed
      C: a2 UNSUBSCRIBE Feeds
      S: a2 OK UNSUBSCRIBE completed
      C: a3 SUBSCRIBE Feeds
      S: a3 OK SUBSCRIBE completed
      C: a4 LSUB "" Feeds
      S: * LSUB () "/" "Feeds"
      S: a4 OK LSUB completed
    `);
  });

  it('refuses unknown mailboxes and missing names', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: b1 SUBSCRIBE Nope
      S: b1 NO [NONEXISTENT] {any}
      C: b2 SUBSCRIBE
      S: b2 BAD missing mailbox name
    `);
  });

  it('refuses SUBSCRIBE before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 SUBSCRIBE INBOX
      S: c1 BAD SUBSCRIBE is not allowed before login
    `);
  });
});

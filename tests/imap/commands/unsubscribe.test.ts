// UNSUBSCRIBE (RFC 3501 6.3.7), authenticated.
import { describe, it } from 'node:test';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP UNSUBSCRIBE', () => {
  const imap = imapFixture();

  it('unsubscribes a mailbox, which LSUB then leaves out', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: a1 UNSUBSCRIBE Archive
      S: a1 OK UNSUBSCRIBE completed
      C: a2 LSUB "" Archive
      S: a2 OK LSUB completed
      C: a3 LIST (SUBSCRIBED) "" Archive
      S: a3 OK LIST completed
    `);
  });

  it('refuses missing names and extra arguments', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: b1 UNSUBSCRIBE
      S: b1 BAD missing mailbox name
      C: b2 UNSUBSCRIBE Archive Junk
      S: b2 BAD {any}
    `);
  });

  it('refuses UNSUBSCRIBE before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 UNSUBSCRIBE INBOX
      S: c1 BAD UNSUBSCRIBE is not allowed before login
    `);
  });
});

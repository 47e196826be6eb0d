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

  it('returns an unsubscribed parent of a subscribed name with \\Noselect where "%" stops, as other sessions change subscriptions', async () => {
    const client = await imap.authenticated();
    const other = await imap.authenticated();
    await client.transcript(`
      C: n1 CREATE Work/Plans/2027
      S: n1 OK CREATE completed
      C: n2 SUBSCRIBE Work/Plans/2027
      S: n2 OK SUBSCRIBE completed
      C: n3 LSUB "" Work
      S: * LSUB (\\Noselect) "/" "Work"
      S: n3 OK LSUB completed
      C: n4 LSUB "" W%
      S: * LSUB (\\Noselect) "/" "Work"
      S: n4 OK LSUB completed
      C: n5 LSUB Work/ %
      S: * LSUB (\\Noselect) "/" "Work/Plans"
      S: n5 OK LSUB completed
      C: n6 LSUB "" Work*
      S: * LSUB () "/" "Work/Plans/2027"
      S: n6 OK LSUB completed
      C: n7 LSUB "" Work/Plans/%
      S: * LSUB () "/" "Work/Plans/2027"
      S: n7 OK LSUB completed
    `);
    await other.transcript(`
      C: o1 SUBSCRIBE Work
      S: o1 OK SUBSCRIBE completed
      C: o2 LSUB "" W%
      S: * LSUB () "/" "Work"
      S: o2 OK LSUB completed
      C: o3 LSUB "" Work/%
      S: * LSUB (\\Noselect) "/" "Work/Plans"
      S: o3 OK LSUB completed
      C: o4 UNSUBSCRIBE Work/Plans/2027
      S: o4 OK UNSUBSCRIBE completed
    `);
    await client.transcript(`
      C: n8 LSUB "" Work/%
      S: n8 OK LSUB completed
      C: n9 LSUB "" W%
      S: * LSUB () "/" "Work"
      S: n9 OK LSUB completed
      C: n10 LSUB "" W% extra
      S: n10 BAD {any}
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

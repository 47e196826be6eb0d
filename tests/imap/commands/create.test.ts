// CREATE (RFC 3501 6.3.3), authenticated: hierarchy made on the way, a
// trailing delimiter ignored, RFC 5530 codes for what cannot be created.
import { describe, it } from 'node:test';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP CREATE', () => {
  const imap = imapFixture();

  it('creates a mailbox and its missing parents', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: a1 CREATE Lists/Announce/
      S: a1 OK CREATE completed
      C: a2 LIST "" "Lists*"
      S: * LIST (\\HasChildren) "/" "Lists"
      S: * LIST (\\HasNoChildren) "/" "Lists/Announce"
      S: a2 OK LIST completed
      C: a3 CREATE {6+}
      C: Quotes
      S: a3 OK CREATE completed
    `);
  });

  it('refuses duplicates, INBOX, bad names and missing arguments', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: b1 CREATE Dup
      S: b1 OK CREATE completed
      C: b2 CREATE Dup
      S: b2 NO [ALREADYEXISTS] {any}
      C: b3 CREATE inbox
      S: b3 NO [ALREADYEXISTS] {any}
      C: b4 CREATE "a%b"
      S: b4 NO [CANNOT] {any}
      C: b5 CREATE
      S: b5 BAD missing mailbox name
      C: b6 CREATE One Two
      S: b6 BAD {any}
      C: b7 CREATE "unbalanced
      S: b7 BAD {any}
    `);
  });

  it('refuses CREATE before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 CREATE Work
      S: c1 BAD CREATE is not allowed before login
    `);
  });
});

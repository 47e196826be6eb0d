// DELETE (RFC 3501 6.3.4), authenticated: never INBOX, never a mailbox with
// children (we do not keep \Noselect shells), NONEXISTENT for unknown ones.
import { describe, it } from 'node:test';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP DELETE', () => {
  const imap = imapFixture();

  it('deletes a mailbox, and a re-created one gets a new UIDVALIDITY', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: a1 CREATE Old
      S: a1 OK CREATE completed
      C: a2 STATUS Old (UIDVALIDITY)
      S: * STATUS "Old" (UIDVALIDITY {any})
      S: a2 OK STATUS completed
    `);
    const before = (await client.command('a3 STATUS Old (UIDVALIDITY)'))[0];
    await client.transcript(`
      C: a4 DELETE Old
      S: a4 OK DELETE completed
      C: a5 LIST "" Old
      S: a5 OK LIST completed
      C: a6 CREATE Old
      S: a6 OK CREATE completed
    `);
    const after = (await client.command('a7 STATUS Old (UIDVALIDITY)'))[0];
    if (before === after) throw new Error(`UIDVALIDITY did not change: ${after}`);
  });

  it('refuses INBOX, parents, unknown mailboxes and bad arguments', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: b1 CREATE Parent/Child
      S: b1 OK CREATE completed
      C: b2 DELETE Parent
      S: b2 NO [HASCHILDREN] {any}
      C: b3 DELETE INBOX
      S: b3 NO [CANNOT] INBOX cannot be deleted
      C: b4 DELETE Nope
      S: b4 NO [NONEXISTENT] {any}
      C: b5 DELETE
      S: b5 BAD missing mailbox name
    `);
  });

  it('refuses DELETE before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 DELETE Trash
      S: c1 BAD DELETE is not allowed before login
    `);
  });
});

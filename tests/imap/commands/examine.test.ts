// EXAMINE (RFC 3501 6.3.2), authenticated: SELECT that is read-only. No
// \Seen is set by fetching, no flag can be stored and nothing expunged.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, expectSelected, imapFixture } from '../imap-harness.ts';

describe('IMAP EXAMINE', () => {
  const imap = imapFixture();

  it('opens a mailbox read-only: BODY[] does not set \\Seen and STORE is refused', async () => {
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'examined' })], { mailbox: 'Archive' });
    const client = await imap.authenticated();
    const lines = await expectSelected(client, 'a1 EXAMINE Archive', 1);
    if (!lines.includes('* OK [PERMANENTFLAGS ()] Flags permitted')) throw new Error(`no empty PERMANENTFLAGS in ${JSON.stringify(lines)}`);
    await client.command('a2 FETCH 1 BODY[TEXT]');
    await client.transcript(`
      C: a3 FETCH 1 FLAGS
      S: * 1 FETCH (FLAGS (\\Recent))
      S: a3 OK FETCH completed
      C: a4 STORE 1 +FLAGS (\\Seen)
      S: a4 NO [READ-ONLY] Mailbox is read-only
      C: a5 EXPUNGE
      S: a5 NO [READ-ONLY] Mailbox is read-only
    `);
  });

  it('refuses unknown mailboxes and bad parameters, leaving nothing selected', async () => {
    const client = await imap.selected();
    await client.transcript(`
      C: b1 EXAMINE Nope
      S: * OK [CLOSED] Previous mailbox closed
      S: b1 NO [NONEXISTENT] {any}
      C: b2 FETCH 1 FLAGS
      S: b2 BAD FETCH is not allowed without a selected mailbox
      C: b3 EXAMINE INBOX (BOGUS)
      S: b3 BAD {any}
      C: b4 EXAMINE
      S: b4 BAD missing mailbox name
    `);
  });

  it('refuses EXAMINE before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 EXAMINE INBOX
      S: c1 BAD EXAMINE is not allowed before login
    `);
  });
});

// LOGOUT (RFC 3501 6.1.3), any state: BYE, the tagged OK, then the server closes.
import { describe, it } from 'node:test';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP LOGOUT', () => {
  const imap = imapFixture();

  it('says BYE and closes before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: a1 LOGOUT
      S: * BYE {any}
      S: a1 OK LOGOUT completed
      S: <closed>
    `);
  });

  it('says BYE and closes with a mailbox selected', async () => {
    const client = await imap.selected();
    await client.transcript(`
      C: b1 LOGOUT
      S: * BYE {any}
      S: b1 OK LOGOUT completed
      S: <closed>
    `);
  });

  it('refuses arguments and stays connected', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 LOGOUT now
      S: c1 BAD {any}
      C: c2 NOOP
      S: c2 OK NOOP completed
    `);
  });
});

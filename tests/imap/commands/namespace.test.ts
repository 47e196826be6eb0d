// NAMESPACE (RFC 2342), authenticated: one personal namespace, no shared ones.
import { describe, it } from 'node:test';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP NAMESPACE', () => {
  const imap = imapFixture();

  it('answers the personal namespace with its delimiter', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: a1 NAMESPACE
      S: * NAMESPACE (("" "/")) NIL NIL
      S: a1 OK NAMESPACE completed
    `);
  });

  it('refuses arguments', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: b1 NAMESPACE x
      S: b1 BAD {any}
    `);
  });

  it('refuses NAMESPACE before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 NAMESPACE
      S: c1 BAD NAMESPACE is not allowed before login
    `);
  });
});

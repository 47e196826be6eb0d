// ENABLE (RFC 5161), authenticated: the extensions it knows are turned on
// and echoed once; unknown ones are ignored.
import { describe, it } from 'node:test';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP ENABLE', () => {
  const imap = imapFixture();

  it('enables known extensions once and ignores unknown ones', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: a1 ENABLE CONDSTORE X-UNKNOWN
      S: * ENABLED CONDSTORE
      S: a1 OK ENABLE completed
      C: a2 ENABLE condstore UTF8=ACCEPT
      S: * ENABLED UTF8=ACCEPT
      S: a2 OK ENABLE completed
      C: a3 ENABLE X-NOTHING
      S: * ENABLED
      S: a3 OK ENABLE completed
    `);
  });

  it('refuses ENABLE without a capability', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: b1 ENABLE
      S: b1 BAD {any}
      C: b2 ENABLE (CONDSTORE)
      S: b2 BAD {any}
    `);
  });

  it('refuses ENABLE with a selected mailbox (RFC 5161 3.1)', async () => {
    const client = await imap.selected();
    await client.transcript(`
      C: d1 ENABLE UTF8=ACCEPT
      S: d1 BAD ENABLE is not allowed with a selected mailbox
      C: d2 UNSELECT
      S: d2 OK UNSELECT completed
      C: d3 ENABLE UTF8=ACCEPT
      S: * ENABLED UTF8=ACCEPT
      S: d3 OK ENABLE completed
    `);
  });

  it('refuses ENABLE before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 ENABLE CONDSTORE
      S: c1 BAD ENABLE is not allowed before login
    `);
  });
});

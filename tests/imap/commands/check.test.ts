// CHECK (RFC 3501 6.4.1), selected: every write is already durable, so it
// is a NOOP that reports news.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture } from '../imap-harness.ts';

describe('IMAP CHECK', () => {
  const imap = imapFixture();

  it('answers OK and reports news', async () => {
    const client = await imap.selected('Junk');
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'spam' })], { mailbox: 'Junk' });
    await client.transcript(`
      C: a1 CHECK
      S: * 1 EXISTS
      S: * 1 RECENT
      S: a1 OK CHECK completed
    `);
  });

  it('refuses arguments', async () => {
    const client = await imap.selected();
    await client.transcript(`
      C: b1 CHECK now
      S: b1 BAD {any}
    `);
  });

  it('refuses CHECK without a selected mailbox', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 CHECK
      S: c1 BAD CHECK is not allowed without a selected mailbox
    `);
  });
});

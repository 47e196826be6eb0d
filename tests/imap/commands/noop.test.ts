// NOOP (RFC 3501 6.1.2), any state: in the selected state it is how a client polls for news.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture } from '../imap-harness.ts';

describe('IMAP NOOP', () => {
  const imap = imapFixture();

  it('answers OK in every state', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: a1 NOOP
      S: a1 OK NOOP completed
      C: a2 LOGIN alice@example.test "correct horse battery"
      S: a2 OK {any}
      C: a3 NOOP
      S: a3 OK NOOP completed
    `);
  });

  it('reports a delivery to the selected mailbox as EXISTS', async () => {
    const client = await imap.selected();
    await deliverTo(imap.server, imap.server.alice, [buildMessage({ subject: 'news' })]);
    await client.transcript(`
      C: b1 NOOP
      S: * 1 EXISTS
      S: * 1 RECENT
      S: b1 OK NOOP completed
    `);
  });

  it('refuses arguments', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 NOOP now
      S: c1 BAD {any}
    `);
  });
});

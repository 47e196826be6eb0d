// GETQUOTA and GETQUOTAROOT (RFC 9208), authenticated: one root "" per
// account, STORAGE in units of 1024 octets; APPEND over quota is refused.
import { describe, it } from 'node:test';
import { buildMessage } from '../../support/messages.ts';
import { deliverTo, imapFixture } from '../imap-harness.ts';

describe('IMAP QUOTA', () => {
  const imap = imapFixture();

  it('reports the storage used and the limit', async () => {
    const message = buildMessage({ subject: 'quota', body: 'x'.repeat(3000) });
    await deliverTo(imap.server, imap.server.bob, [message]);
    const client = await imap.authenticated('bob@example.test');
    await client.transcript(`
      C: a1 GETQUOTAROOT INBOX
      S: * QUOTAROOT "INBOX" ""
      S: * QUOTA "" (STORAGE ${Math.ceil(message.length / 1024)} 5242880)
      S: a1 OK GETQUOTAROOT completed
      C: a2 GETQUOTA ""
      S: * QUOTA "" (STORAGE ${Math.ceil(message.length / 1024)} 5242880)
      S: a2 OK GETQUOTA completed
    `);
  });

  it('refuses unknown roots and mailboxes, and missing arguments', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: b1 GETQUOTA "user.alice"
      S: b1 NO [NONEXISTENT] No such quota root
      C: b2 GETQUOTAROOT Nope
      S: b2 NO [NONEXISTENT] {any}
      C: b3 GETQUOTA
      S: b3 BAD {any}
      C: b4 GETQUOTAROOT
      S: b4 BAD {any}
      C: b5 SETQUOTA "" (STORAGE 1)
      S: b5 BAD Unknown command SETQUOTA
    `);
  });

  it('refuses GETQUOTA before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: c1 GETQUOTA ""
      S: c1 BAD GETQUOTA is not allowed before login
    `);
  });
});

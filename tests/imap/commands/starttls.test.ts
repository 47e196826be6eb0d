// STARTTLS (RFC 3501 6.2.1), not authenticated, on the plain port only:
// LOGINDISABLED until TLS when plaintext logins are not allowed, the
// handshake, and STARTTLS refused where it makes no sense.
import { describe, it, before, after } from 'node:test';
import { connectRaw, loggedIn, startImapServer, TEST_PASSWORD, type ImapTestServer } from '../imap-harness.ts';

describe('IMAP STARTTLS', () => {
  let server: ImapTestServer;
  before(async () => (server = await startImapServer('sqlite')));
  after(() => server.dispose());

  it('offers LOGINDISABLED without TLS when plaintext is not allowed, and logs in after STARTTLS', async () => {
    const strict = await startImapServer('sqlite', { ALLOW_PLAINTEXT_LOOPBACK: 'false' });
    try {
      const client = await connectRaw(strict.port);
      await client.transcript(`
        C: a1 CAPABILITY
        S: * CAPABILITY {any} STARTTLS LOGINDISABLED
        S: a1 OK CAPABILITY completed
        C: a2 LOGIN alice@example.test "${TEST_PASSWORD}"
        S: a2 NO [PRIVACYREQUIRED] Use STARTTLS or port 993 first
        C: a3 STARTTLS
        S: a3 OK Begin TLS negotiation now
      `);
      const { connect } = await import('node:tls');
      const secure = connect({ socket: client.socket, rejectUnauthorized: false });
      await new Promise((resolve) => secure.once('secureConnect', resolve));
      const { RawImapClient } = await import('../imap-harness.ts');
      const tlsClient = new RawImapClient(secure);
      await tlsClient.transcript(`
        C: b1 CAPABILITY
        S: * CAPABILITY {any} AUTH=PLAIN
        S: b1 OK CAPABILITY completed
        C: b2 STARTTLS
        S: b2 BAD TLS is active already
        C: b3 LOGIN alice@example.test "${TEST_PASSWORD}"
        S: b3 OK [CAPABILITY {any}] Logged in
      `);
      tlsClient.close();
      const implicit = await connectRaw(strict.tlsPort, { tls: true });
      await implicit.transcript(`
        C: c1 LOGIN alice@example.test "${TEST_PASSWORD}"
        S: c1 OK [CAPABILITY {any}] Logged in
      `);
      implicit.close();
    } finally {
      await strict.dispose();
    }
  });

  it('refuses arguments, STARTTLS after login and on the implicit TLS port', async () => {
    const client = await connectRaw(server.port);
    await client.transcript(`
      C: d1 STARTTLS now
      S: d1 BAD {any}
    `);
    client.close();
    const authenticated = await loggedIn(server.port);
    await authenticated.transcript(`
      C: d2 STARTTLS
      S: d2 BAD STARTTLS is not allowed without a selected mailbox
    `);
    authenticated.close();
    const implicit = await connectRaw(server.tlsPort, { tls: true });
    await implicit.transcript(`
      C: d3 STARTTLS
      S: d3 BAD TLS is active already
    `);
    implicit.close();
  });
});

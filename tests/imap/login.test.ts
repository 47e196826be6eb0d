// LOGIN, AUTHENTICATE PLAIN, CAPABILITY, NOOP, ID, LOGOUT and the greeting:
// RFC 3501 6.1, 6.2; RFC 4959 SASL-IR; RFC 2971 ID.
import { describe, it, before, after } from 'node:test';
import { connectRaw, startImapServer, TEST_PASSWORD, type ImapTestServer } from './imap-harness.ts';

const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`).toString('base64');

describe('IMAP login', () => {
  let server: ImapTestServer;
  before(async () => (server = await startImapServer('sqlite')));
  after(() => server.dispose());

  it('logs in with LOGIN, quoted and as literals', async () => {
    const client = await connectRaw(server.port);
    await client.transcript(`
      C: a1 CAPABILITY
      S: * CAPABILITY IMAP4rev1 {any} STARTTLS AUTH=PLAIN
      S: a1 OK CAPABILITY completed
      C: a2 NOOP
      S: a2 OK NOOP completed
      C: a3 LOGIN {18}
      S: + Ready for literal data
      C: alice@example.test {${TEST_PASSWORD.length}+}
      C: ${TEST_PASSWORD}
      S: a3 OK [CAPABILITY IMAP4rev1 {any}] Logged in
      C: a4 LOGIN alice@example.test x
      S: a4 BAD LOGIN is not allowed without a selected mailbox
      C: a5 LOGOUT
      S: * BYE Logging out
      S: a5 OK LOGOUT completed
      S: <closed>
    `);
  });

  it('refuses wrong passwords with AUTHENTICATIONFAILED', async () => {
    const client = await connectRaw(server.port);
    await client.transcript(`
      C: a1 LOGIN alice@example.test wrong
      S: a1 NO [AUTHENTICATIONFAILED] Invalid credentials
      C: a2 LOGIN nobody@example.test "${TEST_PASSWORD}"
      S: a2 NO [AUTHENTICATIONFAILED] Invalid credentials
      C: a3 SELECT INBOX
      S: a3 BAD SELECT is not allowed before login
      C: a4 LOGIN alice@example.test
      S: a4 BAD missing password
      C: a5 LOGIN alice@example.test "${TEST_PASSWORD}" extra
      S: a5 BAD unexpected argument after the last one
    `);
    client.close();
  });

  it('logs in with AUTHENTICATE PLAIN, with an initial response or after +', async () => {
    const first = await connectRaw(server.port);
    await first.transcript(`
      C: a1 AUTHENTICATE PLAIN ${plain('alice@example.test', TEST_PASSWORD)}
      S: a1 OK [CAPABILITY {any}] Logged in
    `);
    first.close();
    const second = await connectRaw(server.port);
    await second.transcript(`
      C: a1 AUTHENTICATE PLAIN
      S: + 
      C: *
      S: a1 BAD Authentication cancelled
      C: a2 AUTHENTICATE PLAIN
      S: + 
      C: ${plain('alice@example.test', 'wrong')}
      S: a2 NO [AUTHENTICATIONFAILED] Invalid credentials
      C: a3 AUTHENTICATE PLAIN !!!
      S: a3 BAD Invalid base64
      C: a4 AUTHENTICATE CRAM-MD5
      S: a4 NO [CANNOT] Unsupported mechanism CRAM-MD5
      C: a5 AUTHENTICATE PLAIN
      S: + 
      C: ${plain('bob@example.test', TEST_PASSWORD)}
      S: a5 OK [CAPABILITY {any}] Logged in
    `);
    second.close();
  });

  it('answers ID and unknown commands in any state', async () => {
    const client = await connectRaw(server.port);
    await client.transcript(`
      C: a1 ID ("name" "test" "version" "1")
      S: * ID ("name" "mailplatform" "vendor" "mailplatform")
      S: a1 OK ID completed
      C: a2 ID NIL
      S: * ID {any}
      S: a2 OK ID completed
      C: a3 ID
      S: a3 BAD missing ID parameters
      C: a4 FROBNICATE
      S: a4 BAD Unknown command FROBNICATE
      C: a+5 NOOP
      S: * BAD invalid tag
    `);
    client.close();
  });

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
      const { RawImapClient } = await import('./imap-harness.ts');
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
});

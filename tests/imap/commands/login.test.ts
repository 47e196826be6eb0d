// LOGIN (RFC 3501 6.2.3), not authenticated: quoted and literal arguments,
// wrong passwords, and LOGIN in the wrong state.
import { describe, it, before, after } from 'node:test';
import { connectRaw, startImapServer, TEST_PASSWORD, type ImapTestServer } from '../imap-harness.ts';

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

});

// AUTHENTICATE (RFC 3501 6.2.2) with PLAIN (RFC 4616), with an initial
// response (RFC 4959 SASL-IR) or after a continuation; cancelling, bad base64,
// unknown mechanisms and the wrong state.
import { describe, it, before, after } from 'node:test';
import { connectRaw, loggedIn, startImapServer, TEST_PASSWORD, type ImapTestServer } from '../imap-harness.ts';

const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`).toString('base64');

describe('IMAP AUTHENTICATE', () => {
  let server: ImapTestServer;
  before(async () => (server = await startImapServer('sqlite')));
  after(() => server.dispose());

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

  it('refuses a missing mechanism, a PLAIN message without a password, and AUTHENTICATE after login', async () => {
    const client = await connectRaw(server.port);
    await client.transcript(`
      C: b1 AUTHENTICATE
      S: b1 BAD {any}
      C: b2 AUTHENTICATE PLAIN ${Buffer.from('alice@example.test').toString('base64')}
      S: b2 {any}
    `);
    client.close();
    const authenticated = await loggedIn(server.port);
    await authenticated.transcript(`
      C: c1 AUTHENTICATE PLAIN ${plain('alice@example.test', TEST_PASSWORD)}
      S: c1 BAD AUTHENTICATE is not allowed without a selected mailbox
    `);
    authenticated.close();
  });
});

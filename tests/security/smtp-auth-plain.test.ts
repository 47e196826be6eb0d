// Issue 11 section 6: SMTP AUTH PLAIN with an authorization identity other
// than the login (RFC 4616 2) asked to act as someone else, and the server
// then acted as the login. It is refused, as IMAP and POP3 refuse it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { RawSmtp } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';

const plain = (authzid: string, authcid: string, password: string) => Buffer.from(`${authzid}\0${authcid}\0${password}`).toString('base64');

describe('SMTP AUTH PLAIN authorization identity', () => {
  let daemon: TestDaemon;
  before(async () => {
    daemon = await startTestDaemon('sqlite', [smtpService]);
    await addTestAccounts(daemon.context.store, 'sec.test', ['alice', 'bob']);
  });
  after(() => daemon.dispose());

  async function auth(token: string): Promise<string> {
    const raw = await RawSmtp.open(daemon.port('submission'));
    try {
      await raw.reply();
      await raw.command('EHLO client.test');
      return await raw.command(`AUTH PLAIN ${token}`);
    } finally {
      raw.close();
    }
  }

  it('refuses bob\'s password with alice as the authorization identity', async () => {
    assert.match(await auth(plain('alice@sec.test', 'bob@sec.test', TEST_PASSWORD)), /^535 5\.7\.8 /);
  });

  it('takes an empty authorization identity, or the login itself in any spelling', async () => {
    assert.match(await auth(plain('', 'bob@sec.test', TEST_PASSWORD)), /^235 /);
    assert.match(await auth(plain('Bob@SEC.test.', 'bob@sec.test', TEST_PASSWORD)), /^235 /);
  });
});

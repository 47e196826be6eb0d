// The auth cache (accounts/credential-cache.ts): a verified mail login is
// remembered, never a failed one; and whatever changes credentials ends the
// remembered logins at once, in the daemon processes that hold them, on both
// engines: a password change, a revoked app password, a disabled account,
// two-factor sign-in turned on.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.ts';
import { openDatabase } from '../../prisma/database.ts';
import { closeMailStore, createMailStore, type MailStore } from '../../mail-daemon/store/context.ts';
import { setAccountDisabled, setPassword, type AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { createAppPassword, revokeAppPassword } from '../../mail-daemon/accounts/app-passwords.ts';
import { CredentialCache } from '../../mail-daemon/accounts/credential-cache.ts';
import { imapLogin, pop3Login } from '../security/line-client.ts';

const CLIENT = '127.0.16.10';
const NEW_PASSWORD = 'a brand new passphrase';

describe('the credential cache', () => {
  it('finds a login only with the same name and password, and keeps neither in its keys', () => {
    const cache = new CredentialCache(60_000);
    cache.remember('bob@sec.test', 'secret one', { accountId: 1, kind: 'password', stamp: 's' });
    assert.deepEqual({ ...cache.find('bob@sec.test', 'secret one'), expiresAt: undefined }, { accountId: 1, kind: 'password', stamp: 's', expiresAt: undefined });
    assert.equal(cache.find('bob@sec.test', 'secret onE'), undefined);
    assert.equal(cache.find('alice@sec.test', 'secret one'), undefined);
    // Name and password are one HMAC input, with a separator: moving a character across gives another key.
    assert.equal(cache.find('bob@sec.tests', 'ecret one'), undefined);
    const keys = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    assert.equal(keys.length, 1);
    assert.ok(!keys[0].includes('secret') && !keys[0].includes('bob'));
  });

  it('forgets an account, and keeps nothing with a TTL of 0 or past the TTL', async () => {
    const cache = new CredentialCache(60_000);
    cache.remember('bob@sec.test', 'pw', { accountId: 1, kind: 'password', stamp: 's' });
    cache.remember('alice@sec.test', 'pw', { accountId: 2, kind: 'app-password', appPasswordId: 7 });
    cache.forgetAccount(1);
    assert.equal(cache.find('bob@sec.test', 'pw'), undefined);
    assert.ok(cache.find('alice@sec.test', 'pw'));
    const off = new CredentialCache(0);
    off.remember('bob@sec.test', 'pw', { accountId: 1, kind: 'password', stamp: 's' });
    assert.equal(off.find('bob@sec.test', 'pw'), undefined);
    const short = new CredentialCache(20);
    short.remember('bob@sec.test', 'pw', { accountId: 1, kind: 'password', stamp: 's' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(short.find('bob@sec.test', 'pw'), undefined);
  });
});

for (const engine of ENGINES) {
  describe(`remembered logins across daemon processes on ${engine}`, () => {
    let database: TestDatabase;
    let store: MailStore;
    let bob: AccountView, carol: AccountView, dave: AccountView, erin: AccountView;
    let first: DaemonProcess, second: DaemonProcess;

    before(async () => {
      database = await createTestDatabase(engine);
      store = createMailStore(await openDatabase(database.url));
      [bob, carol, dave, erin] = await addTestAccounts(store, 'sec.test', ['bob', 'carol', 'dave', 'erin']);
      // Two daemons besides this process, each with its own cache (an hour: only a change can end an entry).
      const options = { services: ['imap', 'pop3'], env: { AUTH_CACHE_TTL: '1h' } };
      [first, second] = await Promise.all([startDaemonProcess(database.url, options), startDaemonProcess(database.url, options)]);
    });
    after(async () => {
      await Promise.all([first?.stop(), second?.stop()]);
      await closeMailStore(store);
      await database.drop();
    });

    it('a password changed in another process fails at once in both daemons; the new one works', async () => {
      assert.match(await imapLogin(first.port('imap'), CLIENT, bob.address, TEST_PASSWORD), /^a OK /);
      assert.match(await pop3Login(second.port('pop3'), CLIENT, bob.address, TEST_PASSWORD), /^\+OK/);
      // Both daemons have it cached now: a second login is served from memory.
      assert.match(await imapLogin(first.port('imap'), CLIENT, bob.address, TEST_PASSWORD), /^a OK /);
      await setPassword(store, bob.address, NEW_PASSWORD);
      assert.match(await imapLogin(first.port('imap'), CLIENT, bob.address, TEST_PASSWORD), /^a NO \[AUTHENTICATIONFAILED\]/);
      assert.match(await pop3Login(second.port('pop3'), CLIENT, bob.address, TEST_PASSWORD), /^-ERR \[AUTH\]/);
      assert.match(await imapLogin(second.port('imap'), CLIENT, bob.address, NEW_PASSWORD), /^a OK /);
    });

    it('a wrong password is never taken from the cache, and counts as a failure', async () => {
      assert.match(await imapLogin(first.port('imap'), CLIENT, carol.address, TEST_PASSWORD), /^a OK /);
      const failures = () => store.database.prisma.loginFailure.count({ where: { account: carol.address } });
      const before = await failures();
      assert.match(await imapLogin(first.port('imap'), CLIENT, carol.address, `${TEST_PASSWORD}x`), /^a NO \[AUTHENTICATIONFAILED\]/);
      assert.equal(await failures(), before + 1);
    });

    it('a revoked app password fails at once', async () => {
      const app = await createAppPassword(store, dave.id, 'phone');
      assert.match(await imapLogin(first.port('imap'), CLIENT, dave.address, app.password), /^a OK /);
      assert.match(await imapLogin(first.port('imap'), CLIENT, dave.address, app.password), /^a OK /);
      await revokeAppPassword(store, dave.id, app.id);
      assert.match(await imapLogin(first.port('imap'), CLIENT, dave.address, app.password), /^a NO \[AUTHENTICATIONFAILED\]/);
    });

    it('a disabled account and two-factor sign-in end a remembered password at once', async () => {
      assert.match(await imapLogin(first.port('imap'), CLIENT, erin.address, TEST_PASSWORD), /^a OK /);
      await setAccountDisabled(store, erin.id, true);
      assert.match(await imapLogin(first.port('imap'), CLIENT, erin.address, TEST_PASSWORD), /^a NO \[AUTHENTICATIONFAILED\]/);
      await setAccountDisabled(store, erin.id, false);
      assert.match(await imapLogin(first.port('imap'), CLIENT, erin.address, TEST_PASSWORD), /^a OK /);
      // With two-factor sign-in on, mail clients use app passwords only.
      await store.database.prisma.twoFactor.create({ data: { accountId: erin.id, secret: 'JBSWY3DPEHPK3PXP', enabled: true } });
      assert.match(await imapLogin(first.port('imap'), CLIENT, erin.address, TEST_PASSWORD), /^a NO \[AUTHENTICATIONFAILED\]/);
    });
  });
}

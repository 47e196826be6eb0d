import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { LoginLimiter } from '../../mail-daemon/accounts/login-limiter.ts';
import { checkLogin } from '../../mail-daemon/accounts/login.ts';

describe('login checks', () => {
  let store: TestStore;
  before(async () => {
    store = await createTestStore('sqlite');
    await addTestAccounts(store, 'example.test', ['alice', 'bob']);
  });
  after(() => store.dispose());

  it('accepts the right password in any address case and refuses a wrong one', async () => {
    const limiter = new LoginLimiter();
    const ok = await checkLogin(store, limiter, 'Alice@Example.TEST', TEST_PASSWORD, '127.0.0.1');
    assert.ok(ok.ok && ok.account.address === 'alice@example.test');
    assert.ok(!('passwordHash' in (ok.ok ? ok.account : {})), 'the hash never leaves the store');
    assert.deepEqual(await checkLogin(store, limiter, 'alice@example.test', 'wrong', '127.0.0.1'), { ok: false, reason: 'bad-credentials' });
    assert.deepEqual(await checkLogin(store, limiter, 'nobody@example.test', TEST_PASSWORD, '127.0.0.1'), { ok: false, reason: 'bad-credentials' });
    assert.deepEqual(await checkLogin(store, limiter, 'not an address', TEST_PASSWORD, '127.0.0.1'), { ok: false, reason: 'bad-credentials' });
  });

  it('locks an account after repeated failures, even with the right password, and other IPs too', async () => {
    const limiter = new LoginLimiter({ perIp: 100, perAccount: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) await checkLogin(store, limiter, 'bob@example.test', 'guess', `10.0.0.${i}`);
    const locked = await checkLogin(store, limiter, 'bob@example.test', TEST_PASSWORD, '10.0.0.9');
    assert.equal(locked.ok, false);
    assert.equal(!locked.ok && locked.reason, 'rate-limited');
    assert.ok(await checkLogin(store, limiter, 'alice@example.test', TEST_PASSWORD, '10.0.0.9').then((r) => r.ok), 'other accounts are unaffected');
  });

  it('limits one IP across accounts, and the window expires', () => {
    const limiter = new LoginLimiter({ perIp: 2, perAccount: 100, windowMs: 1000 });
    limiter.recordFailure('192.0.2.1', 'a@example.test', 0);
    limiter.recordFailure('192.0.2.1', 'b@example.test', 10);
    assert.ok(limiter.blockedFor('192.0.2.1', 'c@example.test', 20) > 0);
    assert.equal(limiter.blockedFor('192.0.2.2', 'c@example.test', 20), 0);
    assert.equal(limiter.blockedFor('192.0.2.1', 'c@example.test', 1011), 0);
  });
});

// The one login check and its limiter, on both engines: login names in any
// form are one account, a failing client is slowed then refused, an account
// under attack is throttled for failing clients but never locked for its
// owner, and limiters in different processes share the count.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore, ENGINES, type TestStore } from '../support/databases.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { LoginLimiter, type LoginLimits } from '../../mail-daemon/accounts/login-limiter.ts';
import { checkLogin } from '../../mail-daemon/accounts/login.ts';
import { actsAsAnother, normalizeLoginName } from '../../mail-daemon/accounts/login-name.ts';
import { clientKey } from '../../mail-daemon/dns/ip-address.ts';

const LIMITS: LoginLimits = { windowMs: 60_000, slowAfter: 2, delayStepMs: 1, blockAfter: 4, accountThrottleAfter: 3 };

describe('login names', () => {
  it('are trimmed, lower case, IDNA, without the final dot', () => {
    for (const typed of ['Bob@SEC.test.', ' bob@sec.test', 'bob@sec.test\t', 'BOB@sec.TEST']) assert.equal(normalizeLoginName(typed), 'bob@sec.test', typed);
    assert.equal(normalizeLoginName('Anna@BÜCHER.test.'), 'anna@xn--bcher-kva.test');
    assert.equal(normalizeLoginName('  Not An Address '), 'not an address');
  });

  it('count an IPv6 client by its /64 and a mapped IPv4 client as IPv4', () => {
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
  });

  it('take an authorization identity only when it names the login itself', () => {
    assert.equal(actsAsAnother('', 'bob@sec.test'), false);
    assert.equal(actsAsAnother('Bob@SEC.test.', 'bob@sec.test'), false);
    assert.equal(actsAsAnother('alice@sec.test', 'bob@sec.test'), true);
  });
});

for (const engine of ENGINES) {
  describe(`login checks on ${engine}`, () => {
    let store: TestStore;
    const lines: string[] = [];
    const limiter = () => new LoginLimiter(store.database, LIMITS, (line) => lines.push(line));
    const attempt = (account: string, client: string, service = 'imap') => ({ service, client, account });

    before(async () => {
      store = await createTestStore(engine);
      await addTestAccounts(store, 'sec.test', ['alice', 'bob', 'carol', 'dave']);
      await addTestAccounts(store, 'bücher.test', ['anna']);
    });
    after(() => store.dispose());

    it('logs in with the login name in any form, and counts its failures under the one account', async () => {
      const limits = limiter();
      for (const typed of ['Bob@SEC.test.', ' bob@sec.test', 'bob@sec.test']) {
        const result = await checkLogin(store, limits, attempt(typed, '192.0.2.1'), TEST_PASSWORD);
        assert.ok(result.ok && result.account.address === 'bob@sec.test', typed);
      }
      const anna = await checkLogin(store, limits, attempt('Anna@BÜCHER.test.', '192.0.2.1'), TEST_PASSWORD);
      assert.ok(anna.ok && anna.account.address === 'anna@xn--bcher-kva.test');
      assert.deepEqual(await checkLogin(store, limits, attempt('Bob@SEC.test.', '192.0.2.2'), 'wrong'), { ok: false, reason: 'bad-credentials' });
      assert.deepEqual(await checkLogin(store, limits, attempt(' bob@sec.TEST', '192.0.2.3'), 'wrong'), { ok: false, reason: 'bad-credentials' });
      const rows = await store.database.prisma.loginFailure.findMany({ where: { client: { in: ['192.0.2.2', '192.0.2.3'] } } });
      assert.deepEqual(rows.map((r) => r.account), ['bob@sec.test', 'bob@sec.test']);
    });

    it('writes one log line per failed login: service, client address, account', async () => {
      lines.length = 0;
      const limits = limiter();
      await checkLogin(store, limits, attempt('nobody@sec.test', '::ffff:198.51.100.4', 'pop3'), 'wrong');
      await checkLogin(store, limits, attempt('Alice@sec.test', '198.51.100.4', 'smtp'), TEST_PASSWORD);
      assert.equal(lines.length, 1);
      assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z login failed: service=pop3 client=198\.51\.100\.4 reason=bad-credentials account="nobody@sec\.test"$/);
    });

    it('slows a client that keeps failing, then refuses it, even with the right password', async () => {
      const limits = limiter();
      const client = '203.0.113.10';
      const delays: number[] = [];
      for (let i = 0; i < LIMITS.blockAfter; i++) {
        const decision = await limits.decide(attempt('carol@sec.test', client));
        assert.ok(decision.allowed);
        delays.push(decision.delayMs);
        await checkLogin(store, limits, attempt(`guess${i}@sec.test`, client), 'wrong');
      }
      assert.deepEqual(delays, [0, 0, 1, 2], 'no wait for the first failures, then one step more per failure');
      const refused = await checkLogin(store, limits, attempt('carol@sec.test', client), TEST_PASSWORD);
      assert.equal(refused.ok, false);
      assert.ok(!refused.ok && refused.reason === 'rate-limited' && refused.retryAfterMs > 0 && refused.retryAfterMs <= LIMITS.windowMs);
      assert.ok((await checkLogin(store, limits, attempt('carol@sec.test', '203.0.113.11'), TEST_PASSWORD)).ok, 'another client is not affected');
      const later = Date.now() + LIMITS.windowMs + 1;
      assert.deepEqual(await limits.decide(attempt('carol@sec.test', client), later), { allowed: true, delayMs: 0 }, 'failures leave the window');
    });

    it('refuses a burst of guesses sent all at once past the limit, as it refuses them one after another', async () => {
      const limits = limiter();
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => checkLogin(store, limits, attempt(`burst${i}@sec.test`, '2001:db8:77::1'), 'wrong')));
      const checked = results.filter((result) => !result.ok && result.reason === 'bad-credentials').length;
      // The checks in one turn (4 at once) may all have begun before the limit was reached.
      assert.ok(checked >= LIMITS.blockAfter && checked < LIMITS.blockAfter + 4, `${checked} passwords checked of 30`);
      assert.equal(results.filter((result) => !result.ok && result.reason === 'rate-limited').length, 30 - checked);
    });

    it('throttles an account under attack for failing clients, but its owner from a clean address logs in', async () => {
      const limits = limiter();
      for (let i = 1; i <= LIMITS.accountThrottleAfter; i++) await checkLogin(store, limits, attempt('dave@sec.test', `10.1.0.${i}`), 'guess');
      const attacker = await checkLogin(store, limits, attempt('DAVE@sec.test', '10.1.0.1'), TEST_PASSWORD);
      assert.equal(!attacker.ok && attacker.reason, 'rate-limited', 'a client that failed gets no further guess at the account');
      const owner = await checkLogin(store, limits, attempt('dave@sec.test', '10.1.0.99'), TEST_PASSWORD);
      assert.ok(owner.ok && owner.account.address === 'dave@sec.test', 'not locked: the right password from a clean address works');
      assert.ok((await checkLogin(store, limits, attempt('alice@sec.test', '10.1.0.1'), TEST_PASSWORD)).ok, 'other accounts are not throttled');
    });

    it('shares the count between limiters, as the web process and the daemons do', async () => {
      const web = limiter();
      const daemon = limiter();
      const client = '2001:db8:77:1::5';
      for (let i = 0; i < LIMITS.blockAfter; i++) await checkLogin(store, i % 2 ? web : daemon, attempt(`other${i}@sec.test`, `2001:db8:77:1::${i + 1}`, i % 2 ? 'web' : 'smtp'), 'x');
      const refused = await checkLogin(store, web, attempt('alice@sec.test', client, 'web'), TEST_PASSWORD);
      assert.equal(!refused.ok && refused.reason, 'rate-limited', 'failures from one /64 through both count together');
    });
  });
}

// argon2id checks: right and wrong passwords, and the same check arriving
// many times at once (a client opening its allowed 20 connections with one
// login) runs argon2 once, so it costs 19 MiB and one thread, not 20.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from '../../mail-daemon/accounts/passwords.ts';

describe('verifyPassword', () => {
  it('answers right and wrong passwords, and a malformed hash with false', async () => {
    const hash = await hashPassword('correct horse battery');
    assert.equal(await verifyPassword(hash, 'correct horse battery'), true);
    assert.equal(await verifyPassword(hash, 'correct horse batter'), false);
    assert.equal(await verifyPassword('not a hash', 'correct horse battery'), false);
  });

  it('shares one check among identical checks that arrive while it runs, and starts a new one after', async () => {
    const hash = await hashPassword('correct horse battery');
    const checks = Array.from({ length: 20 }, () => verifyPassword(hash, 'correct horse battery'));
    assert.equal(new Set(checks).size, 1, 'one argon2 run for 20 identical checks');
    const wrong = [verifyPassword(hash, 'wrong guess'), verifyPassword(hash, 'wrong guess')];
    assert.equal(wrong[0], wrong[1]);
    assert.notEqual(wrong[0], checks[0], 'another password is another check');
    assert.deepEqual(await Promise.all(checks), Array(20).fill(true));
    assert.deepEqual(await Promise.all(wrong), [false, false]);
    const later = verifyPassword(hash, 'correct horse battery');
    assert.notEqual(later, checks[0], 'a finished check is not reused: the next login checks again');
    assert.equal(await later, true);
  });
});

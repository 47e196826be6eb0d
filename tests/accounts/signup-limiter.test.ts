// Signups per client and hour (the web app's signup form): an IPv6 client is
// its /64, so rotating addresses inside it gains nothing, and the limiter
// keeps a bounded number of clients.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignupLimiter } from '../../mail-daemon/accounts/signup-limiter.ts';

describe('signup limiter', () => {
  it('counts an IPv6 client by its /64, and an IPv4-mapped address as the IPv4 one', () => {
    const limiter = new SignupLimiter(5);
    for (let i = 1; i <= 5; i++) limiter.record(`2001:db8::${i}`, 1000);
    assert.ok(limiter.blockedFor('2001:db8::99', 1000) > 0, 'another address of the same /64');
    assert.equal(limiter.blockedFor('2001:db8:0:1::1', 1000), 0, 'the next /64');
    for (let i = 0; i < 5; i++) limiter.record('192.0.2.7', 1000);
    assert.ok(limiter.blockedFor('::ffff:192.0.2.7', 1000) > 0);
    assert.equal(limiter.blockedFor('2001:db8::99', 1000 + 3600_000), 0, 'an hour later');
  });

  it('keeps a bounded number of clients: past the bound the longest known go first', () => {
    const limiter = new SignupLimiter(1, 3600_000, 10);
    for (let i = 0; i < 30; i++) limiter.record(`198.51.100.${i}`, 1000 + i);
    assert.ok(limiter.blockedFor('198.51.100.29', 2000) > 0, 'the newest is still counted');
    assert.equal(limiter.blockedFor('198.51.100.0', 2000), 0, 'the first is forgotten');
  });
});

// The client address the web app's limits count (sign-in, signup): the last
// X-Forwarded-For entry, which web-server.ts sets from the socket or a
// trusted proxy appends; what the client wrote before it counts for nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddressOf } from '../../app/_lib/web-limits.ts';

describe('client address from X-Forwarded-For', () => {
  it('is the last entry, the one the proxy appended, not what the client wrote before it', () => {
    assert.equal(clientAddressOf('203.0.113.77, 198.51.100.9'), '198.51.100.9');
    assert.equal(clientAddressOf(['203.0.113.77', '198.51.100.9']), '198.51.100.9');
    assert.equal(clientAddressOf('::ffff:127.0.0.1'), '::ffff:127.0.0.1');
    assert.equal(clientAddressOf('2001:db8::1'), '2001:db8::1');
  });
  it('is "unknown" when the last entry is no address', () => {
    assert.equal(clientAddressOf('198.51.100.9, made-up'), 'unknown');
    assert.equal(clientAddressOf(undefined), 'unknown');
    assert.equal(clientAddressOf(''), 'unknown');
  });
});

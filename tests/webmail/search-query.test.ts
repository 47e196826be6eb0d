// The search box's language (mail-daemon/webmail/search-query.ts): each key,
// quoted phrases, bad dates and unknown keys as plain text, and the Options
// panel's edits of a query.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchQuery, tokenize, withSearchFlag, withSearchKey, MAX_QUERY } from '../../mail-daemon/webmail/search-query.ts';

describe('search query', () => {
  it('reads each key', () => {
    assert.deepEqual(parseSearchQuery('from:bob to:alice@example.com subject:lunch has:attachment is:unread in:Sent before:2026-03-01 after:2026/01/15'), {
      from: 'bob',
      to: 'alice@example.com',
      subject: 'lunch',
      hasAttachment: true,
      unread: true,
      folder: 'Sent',
      before: new Date('2026-03-01T00:00:00Z'),
      after: new Date('2026-01-15T00:00:00Z'),
    });
    assert.deepEqual(parseSearchQuery('is:read is:starred'), { unread: false, flagged: true });
    assert.deepEqual(parseSearchQuery('IS:FLAGGED From:Bob'), { flagged: true, from: 'Bob' });
  });

  it('keeps free words and quoted phrases as the text, and quoted values whole', () => {
    assert.deepEqual(parseSearchQuery('pelican "lands at noon" from:"Bob Builder"'), { text: 'pelican lands at noon', from: 'Bob Builder' });
    assert.deepEqual(parseSearchQuery('subject:"Re: plans'), { subject: 'Re: plans' });
    assert.deepEqual(parseSearchQuery('   '), {});
  });

  it('searches unknown keys, bad dates and unknown states as text', () => {
    assert.deepEqual(parseSearchQuery('label:work before:yesterday is:important has:drive'), { text: 'label:work before:yesterday is:important has:drive' });
    assert.deepEqual(parseSearchQuery('after:2026-02-30'), { text: 'after:2026-02-30' });
    assert.deepEqual(parseSearchQuery('http://example.com/x'), { text: 'http://example.com/x' });
  });

  it('reads no more than MAX_QUERY characters', () => {
    const parsed = parseSearchQuery('a'.repeat(MAX_QUERY * 10));
    assert.equal(parsed.text?.length, MAX_QUERY);
    assert.ok(tokenize('from: '.repeat(10_000)).length <= MAX_QUERY);
  });

  it('the Options panel sets, replaces and removes keys and flags, keeping the rest', () => {
    assert.equal(withSearchKey('pelican', 'from', 'Bob Builder'), 'pelican from:"Bob Builder"');
    assert.equal(withSearchKey('pelican from:"Bob Builder"', 'from', 'carol'), 'pelican from:carol');
    assert.equal(withSearchKey('pelican from:carol', 'from', ''), 'pelican');
    assert.equal(withSearchKey('"at noon" to:x', 'subject', 'plans'), '"at noon" to:x subject:plans');
    assert.equal(withSearchFlag('pelican', 'is:unread', true), 'pelican is:unread');
    assert.equal(withSearchFlag('pelican is:unread is:flagged', 'is:unread', false), 'pelican is:flagged');
    assert.deepEqual(parseSearchQuery(withSearchKey(withSearchFlag('x', 'has:attachment', true), 'after', '2026-01-02')), { text: 'x', hasAttachment: true, after: new Date('2026-01-02T00:00:00Z') });
  });
});

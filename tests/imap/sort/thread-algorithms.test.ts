// The THREAD algorithms (RFC 5256 2.2) and the thread-list they are written
// as (RFC 5256 4), on messages built here, without a server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { threadOrderedSubject } from '../../../mail-daemon/imap/sort/thread-orderedsubject.ts';
import { threadReferences } from '../../../mail-daemon/imap/sort/thread-references.ts';
import { formatThreads, type ThreadMessage } from '../../../mail-daemon/imap/sort/thread-tree.ts';

/** Message n, sent at minute `date` (n by default). */
function message(id: number, subject: string, fields: Partial<ThreadMessage> = {}): ThreadMessage {
  return { id, subject, date: (fields.date ?? id) * 60_000, messageId: `<m${id}@example.test>`, references: [], inReplyTo: '', ...fields };
}

const refs = (...ids: number[]) => ids.map((id) => `<m${id}@example.test>`);

describe('THREAD=ORDEREDSUBJECT', () => {
  it('groups by base subject under the first message, threads by the date of their first', () => {
    const messages = [message(1, 'a'), message(2, 'Re: a'), message(3, 'B'), message(4, 'RE: A', { date: 0.5 }), message(5, 'b'), message(6, 'c')];
    assert.equal(formatThreads(threadOrderedSubject(messages)), '(4 (1)(2))(3 5)(6)');
    assert.equal(formatThreads(threadOrderedSubject([])), '');
  });
});

describe('THREAD=REFERENCES', () => {
  const thread = (messages: ThreadMessage[]) => formatThreads(threadReferences(messages));

  it('follows References, with In-Reply-To where there are none, and orders siblings by date', () => {
    const messages = [
      message(1, 'Party'),
      message(2, 'Re: Party', { references: refs(1) }),
      message(3, 'Re: Party', { references: refs(1, 2) }),
      message(4, 'Re: Party', { inReplyTo: refs(1)[0], date: 1.5 }),
    ];
    assert.equal(thread(messages), '(1 (4)(2 3))');
  });

  it('keeps a dummy for a missing parent with several children, and drops one with a single child', () => {
    const messages = [
      message(1, 'one', { references: ['<gone@example.test>'] }),
      message(2, 'two', { references: ['<gone@example.test>'] }),
      message(3, 'three', { references: ['<lost@example.test>', '<gone2@example.test>'] }),
    ];
    assert.equal(thread(messages), '((1)(2))(3)');
  });

  it('hangs a message below a missing parent from its nearest present ancestor', () => {
    const messages = [message(1, 'x'), message(2, 'y', { references: [...refs(1), '<gone@example.test>'] })];
    assert.equal(thread(messages), '(1 2)');
  });

  it('gathers roots by base subject: a reply joins the original, equals go under a dummy', () => {
    const messages = [message(1, 'Plans'), message(2, 'Re: Plans'), message(3, 'Other'), message(4, 'other'), message(5, '')];
    assert.equal(thread(messages), '(1 2)((3)(4))(5)');
  });

  it('lets a message without a subject stand alone, and a dummy thread take in a same-subject root', () => {
    const messages = [
      message(1, 'Topic', { references: ['<gone@example.test>'] }),
      message(2, 'Re: Topic', { references: ['<gone@example.test>'] }),
      message(3, 'Re: Topic'),
    ];
    assert.equal(thread(messages), '((1)(2)(3))');
  });

  it('refuses links that make a loop, and ids without "@"', () => {
    const loop = [message(1, 'a', { references: refs(2) }), message(2, 'b', { references: refs(1) })];
    assert.equal(thread(loop), '(2 1)');
    const self = [message(1, 'a', { references: refs(1) })];
    assert.equal(thread(self), '(1)');
    const noAt = [message(1, 'a', { messageId: '<one>' }), message(2, 'b', { references: ['<one>'] })];
    assert.equal(thread(noAt), '(1)(2)');
  });

  it('keeps the first message of a duplicate Message-ID, and a later reference does not move an earlier parent', () => {
    const messages = [
      message(1, 'a'),
      message(2, 'b', { messageId: '<m1@example.test>' }),
      message(3, 'c', { references: refs(1) }),
      message(4, 'd'),
      message(5, 'e', { references: [...refs(4), ...refs(3)] }),
    ];
    assert.equal(thread(messages), '(1 3 5)(2)(4)');
  });

  it('writes a long chain without deep recursion', () => {
    const messages = Array.from({ length: 20_000 }, (_, i) => message(i + 1, 'Re: chain', { references: i === 0 ? [] : refs(i) }));
    const text = thread(messages);
    assert.ok(text.startsWith('(1 2 3 ') && text.endsWith(' 20000)'));
  });
});

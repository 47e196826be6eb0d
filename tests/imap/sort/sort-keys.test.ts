// The pure parts of SORT (RFC 5256 2.1 and 3, RFC 5957): base subjects, the
// i;unicode-casemap keys, the criteria parser and the order they give.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../../mail-daemon/imap/parser/command-parser.ts';
import { ImapParseError } from '../../../mail-daemon/imap/parser/command-parser.ts';
import { baseSubject } from '../../../mail-daemon/imap/sort/base-subject.ts';
import { parseSortCriteria, sortItems } from '../../../mail-daemon/imap/sort/sort-program.ts';
import { casemapKey, compareCodePoints } from '../../../mail-daemon/imap/sort/unicode-casemap.ts';

describe('base subject (RFC 5256 2.1)', () => {
  const cases: [string, string, boolean][] = [
    ['hello', 'hello', false],
    ['Re: hello', 'hello', true],
    ['RE : Re: re:hello', 'hello', true],
    ['Fw: Fwd: fwd:hello', 'hello', true],
    ['Re: [list] Re: hello (fwd)', 'hello', true],
    ['hello (fwd) (FWD)  ', 'hello', true],
    ['[list] hello', 'hello', false],
    ['Re: [PATCH] [v2] foo', 'foo', true],
    ['Re [list]: x', 'x', true],
    ['[Fwd: Re: hello]', 'hello', true],
    ['Re: [Fwd: [list] hello]', 'hello', true],
    // A blob is kept when nothing would be left after it (step 4).
    ['[list]', '[list]', false],
    ['Re: [list]', '[list]', true],
    ['hello\t world \t again', 'hello world again', false],
    ['Rewrite: plans', 'Rewrite: plans', false],
    ['Re plans', 'Re plans', false],
    ['Re: ', '', true],
    ['', '', false],
  ];
  for (const [subject, base, replyOrForward] of cases) {
    it(`${JSON.stringify(subject)} is ${JSON.stringify(base)}`, () => {
      assert.deepEqual(baseSubject(subject), { text: base, replyOrForward });
    });
  }
});

describe('i;unicode-casemap keys', () => {
  it('ignore case and compare decomposed, by code point', () => {
    assert.equal(casemapKey('hello'), casemapKey('HeLLo'));
    assert.equal(casemapKey('Grüße'), casemapKey('GRÜßE'));
    assert.equal(casemapKey('é'), casemapKey('E\u0301'));
    // Title case puts "_" after letters, as upper-case mapping does ("_" is 0x5F, "A" 0x41).
    assert.ok(compareCodePoints(casemapKey('_x'), casemapKey('ax')) > 0);
    // U+1F600 is above U+FFFD, though its UTF-16 units are below.
    assert.ok(compareCodePoints('\u{1F600}', '\uFFFD') > 0);
    assert.ok(compareCodePoints('ab', 'abc') < 0);
    assert.equal(compareCodePoints('same', 'same'), 0);
  });
});

describe('SORT criteria', () => {
  const tokens = (text: string) => {
    const list = parseCommand(Buffer.from(`a SORT ${text}`)).args[0];
    assert.equal(list.type, 'list');
    return list.type === 'list' ? list.items : [];
  };

  it('read keys, REVERSE for the next key, and skip a key named twice', () => {
    assert.deepEqual(parseSortCriteria(tokens('(REVERSE date subject reverse REVERSE from DATE)')), [
      { key: 'DATE', reverse: true },
      { key: 'SUBJECT', reverse: false },
      { key: 'FROM', reverse: false },
    ]);
    assert.deepEqual(parseSortCriteria(tokens('(DISPLAYFROM DISPLAYTO ARRIVAL CC TO SIZE)')).map((c) => c.key), ['DISPLAYFROM', 'DISPLAYTO', 'ARRIVAL', 'CC', 'TO', 'SIZE']);
  });

  it('refuse an empty list, unknown keys, a trailing REVERSE and non-atoms', () => {
    for (const bad of ['()', '(SUBJECT X-SCORE)', '(DATE REVERSE)', '("DATE")', '((DATE))']) {
      assert.throws(() => parseSortCriteria(tokens(bad)), ImapParseError, bad);
    }
  });

  it('order by each key in turn, reversed where asked, and by sequence number last', () => {
    const items = [
      { id: 1, values: ['B', 10] },
      { id: 2, values: ['A', 10] },
      { id: 3, values: ['B', 30] },
      { id: 4, values: ['A', 10] },
    ];
    const order = (text: string) => sortItems(items, parseSortCriteria(tokens(text))).map((i) => i.id);
    assert.deepEqual(order('(SUBJECT SIZE)'), [2, 4, 1, 3]);
    assert.deepEqual(order('(REVERSE SUBJECT SIZE)'), [1, 3, 2, 4]);
    assert.deepEqual(order('(SUBJECT REVERSE SIZE)'), [2, 4, 3, 1]);
  });
});

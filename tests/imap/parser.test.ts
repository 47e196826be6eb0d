// The IMAP command reader, parser and response serializer on their own: bytes
// in, values out, no sockets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandReader, type ReaderError } from '../../mail-daemon/imap/parser/command-reader.ts';
import { ImapParseError, MAX_NESTING, parseCommand, type Token } from '../../mail-daemon/imap/parser/command-parser.ts';
import { concreteRanges, formatSequenceSet, parseSequenceSet } from '../../mail-daemon/imap/parser/sequence-set.ts';
import { parseFetchItems, responseName } from '../../mail-daemon/imap/parser/fetch-items.ts';
import { parseSearch } from '../../mail-daemon/imap/parser/search-keys.ts';
import { literal, serializeToString, str } from '../../mail-daemon/imap/parser/response.ts';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from '../../mail-daemon/imap/parser/mailbox-name.ts';
import { storedEnvelope } from '../../mail-daemon/imap/fetch/envelope.ts';

function reader(maxLiteral = 100, options: { discardOversized?: boolean; roomFor?: (bytes: number) => Promise<void> | null; autoResume?: boolean } = {}) {
  const commands: string[] = [];
  const errors: ReaderError[] = [];
  const flows: boolean[] = [];
  let continuations = 0;
  const r = new CommandReader(
    {
      maxLineBytes: 200,
      maxCommandBytes: 400,
      maxLiteralsPerCommand: 3,
      maxBufferedBytes: 1000,
      literalPolicy: () => ({ maxBytes: maxLiteral, discardOversized: options.discardOversized ?? false }),
      roomFor: options.roomFor,
    },
    {
      command: (bytes) => {
        commands.push(bytes.toString('latin1'));
        if (options.autoResume !== false) queueMicrotask(() => r.resume());
      },
      continuation: () => continuations++,
      error: (e) => errors.push(e),
      flow: (reading) => flows.push(reading),
    },
  );
  return { r, commands, errors, flows, continuations: () => continuations };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function parse(line: string): { tag: string; name: string; args: Token[] } {
  return parseCommand(Buffer.from(line, 'latin1'));
}

describe('IMAP command reader', () => {
  it('splits pipelined commands, whatever the chunking', async () => {
    const { r, commands } = reader();
    for (const byte of Buffer.from('a1 NOOP\r\na2 LOGIN {3}\r\nbob {2+}\r\npw\r\na3 X\n')) r.push(Buffer.from([byte]));
    await tick();
    await tick();
    await tick();
    assert.deepEqual(commands, ['a1 NOOP', 'a2 LOGIN {3}\r\nbob {2+}\r\npw', 'a3 X']);
  });

  it('asks for a synchronizing literal only', () => {
    const { r, continuations } = reader();
    r.push(Buffer.from('a1 LOGIN {3}\r\n'));
    assert.equal(continuations(), 1);
    r.push(Buffer.from('bob {2+}\r\npw\r\n'));
    assert.equal(continuations(), 1);
  });

  it('refuses a big synchronizing literal before reading it, and reads on', () => {
    const { r, commands, errors } = reader(10);
    r.push(Buffer.from('a1 APPEND INBOX {104857600}\r\na2 NOOP\r\n'));
    assert.deepEqual(errors, [{ kind: 'literal-too-big', tag: 'a1', size: 104857600, recoverable: true }]);
    assert.deepEqual(commands, ['a2 NOOP']);
  });

  it('stops on a big non-synchronizing literal, a long line and too many literals', () => {
    for (const [input, kind] of [
      ['a1 APPEND INBOX {104857600+}\r\n', 'literal-too-big'],
      ['a1 ' + 'x'.repeat(300) + '\r\n', 'line-too-long'],
      ['a1 ' + 'x'.repeat(300), 'line-too-long'],
      ['a1 X {1+}\r\na {1+}\r\nb {1+}\r\nc {1+}\r\nd\r\n', 'too-many-literals'],
    ] as const) {
      const { r, errors, commands } = reader(10);
      r.push(Buffer.from(input));
      r.push(Buffer.from('a2 NOOP\r\n'));
      assert.equal(errors[0]?.kind, kind, input.slice(0, 30));
      assert.equal(errors[0]?.recoverable, false);
      assert.deepEqual(commands, []);
    }
  });

  it('counts the literal bytes of the whole command against its limit', () => {
    const { r, errors, commands } = reader(10);
    r.push(Buffer.from('a1 X {6+}\r\nabcdef {6+}\r\nghijkl\r\n'));
    assert.deepEqual(errors, [{ kind: 'literal-too-big', tag: 'a1', size: 6, recoverable: false }]);
    assert.deepEqual(commands, []);
  });

  it('reads an oversized non-synchronizing literal and the rest of its command to the end, keeps nothing, and reads on', async () => {
    const { r, errors, commands } = reader(100, { discardOversized: true });
    r.push(Buffer.from(`a1 SEARCH TEXT {150+}\r\n${'x'.repeat(150)} TEXT {5+}\r\nhello\r\na2 NOOP\r\n`));
    await tick();
    assert.deepEqual(errors, [{ kind: 'literal-too-big', tag: 'a1', size: 150, recoverable: true }]);
    assert.deepEqual(commands, ['a2 NOOP']);
  });

  it('asks for the socket to pause while too much input waits, and to go on once it is read', async () => {
    const { r, commands, flows } = reader(100, { autoResume: false });
    r.push(Buffer.from('a1 NOOP\r\n'));
    for (let i = 0; i < 20; i++) r.push(Buffer.from(`a${i + 2} ${'x'.repeat(90)}\r\n`));
    assert.deepEqual(flows, [false]);
    while (commands.length < 21) {
      r.resume();
      await tick();
    }
    assert.deepEqual(flows, [false, true]);
  });

  it('waits for room before it asks for a big literal', async () => {
    let grant!: () => void;
    const asked: number[] = [];
    const { r, commands, continuations } = reader(100, {
      roomFor: (bytes) => {
        asked.push(bytes);
        return bytes > 10 ? new Promise<void>((resolve) => (grant = resolve)) : null;
      },
    });
    r.push(Buffer.from('a1 APPEND INBOX {3+}\r\nabc {50}\r\n'));
    assert.deepEqual(asked, [3, 53]);
    assert.equal(continuations(), 0);
    grant();
    await tick();
    assert.equal(continuations(), 1);
    r.push(Buffer.from(`${'y'.repeat(50)}\r\n`));
    assert.equal(commands.length, 1);
  });
});

describe('IMAP command parser', () => {
  it('reads tags, names, atoms, quoted strings, literals and lists', () => {
    const command = parse('A001 uid fetch 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From "To")]<0.100>) "a \\"q\\" \\\\" {3}\r\nx\0y');
    assert.equal(command.tag, 'A001');
    assert.equal(command.name, 'UID FETCH');
    const [set, items, quoted, lit] = command.args;
    assert.deepEqual(set, { type: 'atom', value: '1:*' });
    assert.equal(items.type, 'list');
    const body = (items as { items: Token[] }).items[1];
    assert.equal(body.type === 'atom' && body.value, 'BODY.PEEK');
    assert.deepEqual(body.type === 'atom' && body.partial, { start: 0, length: 100 });
    assert.deepEqual(quoted, { type: 'string', value: Buffer.from('a "q" \\'), literal: false });
    assert.deepEqual(lit, { type: 'string', value: Buffer.from('x\0y'), literal: true });
  });

  it('answers BAD input with a parse error that keeps the tag', () => {
    for (const line of [
      'a1 LOGIN "unterminated',
      'a1 LIST (a (b)',
      'a1 LIST a)',
      'a1 FETCH 1 BODY[',
      'a1 LOGIN a\0b c',
      'a1 LOGIN "a\0b" c',
      'a1 APPEND x {10}\r\nshort',
      'a1 APPEND x {3}bad',
      'a1 FETCH 1 BODY[]<x>',
      'a1 STORE "bad\\q"',
      `a1 X ${'('.repeat(MAX_NESTING + 1)}${')'.repeat(MAX_NESTING + 1)}`,
    ]) {
      assert.throws(() => parse(line), (e: unknown) => e instanceof ImapParseError && e.tag === 'a1', line);
    }
    for (const line of ['', ' NOOP', 'a+1 NOOP', 'a"1 NOOP', 'a1', 'a1 ', 'a1 UID']) {
      assert.throws(() => parse(line), ImapParseError, JSON.stringify(line));
    }
  });

  it('reads sequence sets and formats them back', () => {
    assert.deepEqual(parseSequenceSet('1:3,7,9:*,*'), [[1, 3], [7, 7], [9, '*'], ['*', '*']]);
    assert.deepEqual(concreteRanges(parseSequenceSet('5:2,10:*'), 8), [[2, 5], [8, 10]]);
    assert.equal(formatSequenceSet([1, 2, 3, 5, 7, 8]), '1:3,5,7:8');
    for (const bad of ['', '0', '1:', 'a', '1,,2', '1:2:3', '99999999999']) assert.throws(() => parseSequenceSet(bad), ImapParseError, bad);
  });

  it('reads fetch items and names them as the response does', () => {
    const items = parseFetchItems(parse('a FETCH 1 (UID BODY.PEEK[1.2.MIME] BODY[HEADER.FIELDS.NOT (x-a)]<5.10> RFC822.SIZE)').args[1]);
    assert.deepEqual(items[1], { kind: 'body', peek: true, section: { path: [1, 2], text: 'MIME' }, binary: false });
    assert.equal(responseName(items[1] as never), 'BODY[1.2.MIME]');
    assert.equal(responseName(items[2] as never), 'BODY[HEADER.FIELDS.NOT (X-A)]<5>');
    assert.equal(parseFetchItems(parse('a FETCH 1 FAST').args[1]).length, 3);
    for (const bad of ['a FETCH 1 BODY[MIME]', 'a FETCH 1 BODY[0]', 'a FETCH 1 BODY[HEADER.FIELDS]', 'a FETCH 1 NOPE', 'a FETCH 1 ()', 'a FETCH 1 BODY[]<1.0>']) {
      assert.throws(() => parseFetchItems(parse(bad).args[1]), ImapParseError, bad);
    }
  });

  it('reads search keys with OR, NOT and lists', () => {
    const search = parseSearch(parse('a SEARCH CHARSET UTF-8 OR (SEEN FROM "bob") NOT UID 1:5 SINCE 1-Feb-2026').args);
    assert.equal(search.charset, 'UTF-8');
    assert.deepEqual(search.key, {
      op: 'and',
      keys: [
        { op: 'or', left: { op: 'and', keys: [{ op: 'flag', flag: '\\Seen', set: true }, { op: 'header', field: 'from', value: 'bob' }] }, right: { op: 'not', key: { op: 'uid', set: [[1, 5]] } } },
        { op: 'date', field: 'internal', compare: 'since', day: '2026-02-01' },
      ],
    });
    for (const bad of ['a SEARCH', 'a SEARCH OR SEEN', 'a SEARCH SINCE 2026-02-01', 'a SEARCH FOO', 'a SEARCH LARGER x']) {
      assert.throws(() => parseSearch(parse(bad).args), ImapParseError, bad);
    }
  });
});

describe('IMAP response serializer', () => {
  it('quotes what it can and writes literals otherwise', () => {
    assert.equal(
      serializeToString(['*', 1, 'FETCH', ['FLAGS', ['\\Seen'], 'ENVELOPE', [str('a "b" \\c'), null, str('two\r\nlines'), str('é')], 'BODY[]', literal(Buffer.from('hi'))]]),
      '* 1 FETCH (FLAGS (\\Seen) ENVELOPE ("a \\"b\\" \\\\c" NIL {10}\r\ntwo\r\nlines {2}\r\né) BODY[] {2}\r\nhi)\r\n',
    );
    assert.equal(serializeToString([str('é')], { utf8: true }), '"é"\r\n');
  });

  it('encodes mailbox names in modified UTF-7', () => {
    for (const [plain, encoded] of [
      ['Entwürfe', 'Entw&APw-rfe'],
      ['A&B', 'A&-B'],
      ['日本語/メール', '&ZeVnLIqe-/&MOEw,DDr-'],
      ['😀', '&2D3eAA-'],
    ]) {
      assert.equal(encodeModifiedUtf7(plain), encoded);
      assert.equal(decodeModifiedUtf7(encoded), plain);
    }
    assert.throws(() => decodeModifiedUtf7('&Jjo!-'), ImapParseError);
  });
});

describe('stored ENVELOPE', () => {
  // The same IMAP text whether the JSON is written straight (7-bit, short) or parsed value by value.
  const byValue = (value: unknown): ReturnType<typeof str> | unknown => (value === null ? null : typeof value === 'string' ? str(value) : (value as unknown[]).map(byValue));
  it('writes the stored JSON as IMAP text, with quotes, backslashes, 8-bit text and long strings', () => {
    const envelopes = [
      ['Fri, 20 Nov 2026 10:00:00 +0000', 'Re: [list] "quoted" \\ back, slash', [['Ann', null, 'ann', 'x.test']], null, [], null, null, null, '<a@b>', null],
      ['d', 'Grüße', [[null, null, 'group', null], [null, null, null, null]], null, null, null, null, null, null, null],
      ['d', 'line\nbreak', null, null, null, null, null, null, null, null],
      ['d', 'x'.repeat(1100), null, null, null, null, null, null, null, null],
      ['d', 'nul \u0000 and tab \t', null, null, null, null, null, null, null, null],
    ];
    for (const value of envelopes) {
      for (const utf8 of [false, true]) {
        assert.equal(serializeToString([storedEnvelope(JSON.stringify(value))], { utf8 }), serializeToString([byValue(value) as never], { utf8 }), JSON.stringify(value).slice(0, 60));
      }
    }
    assert.equal(storedEnvelope(JSON.stringify(envelopes[0])), '("Fri, 20 Nov 2026 10:00:00 +0000" "Re: [list] \\"quoted\\" \\\\ back, slash" (("Ann" NIL "ann" "x.test")) NIL () NIL NIL NIL "<a@b>" NIL)');
  });
});

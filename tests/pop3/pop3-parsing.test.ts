// The pure pieces of the POP3 server: the line reader, the command table and
// the RETR/TOP serializer, without sockets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineReader, MAX_LINE_OCTETS } from '../../mail-daemon/pop3/line-reader.ts';
import { parseCommand } from '../../mail-daemon/pop3/commands/registry.ts';
import { MessageStream } from '../../mail-daemon/pop3/message-stream.ts';

/** The reply's parts as copied out into targets of `size` octets, each filled from `offset` on, as the reply buffer does. */
function parts(raw: string | Buffer, lines?: number, size = 1 << 20, offset = 0): Buffer[] {
  const stream = new MessageStream(Buffer.from(raw), lines);
  const out: Buffer[] = [];
  while (!stream.done) {
    const target = Buffer.alloc(offset + size);
    const end = stream.fill(target, offset);
    assert.ok(end > offset, 'every fill copies something');
    out.push(target.subarray(offset, end));
  }
  return out;
}

const serialize = (raw: string | Buffer, lines?: number, size?: number, offset?: number) => Buffer.concat(parts(raw, lines, size, offset)).toString('latin1');

describe('POP3 line reader', () => {
  it('splits CRLF and bare LF lines, across chunk boundaries', () => {
    const reader = new LineReader();
    assert.deepEqual(reader.feed(Buffer.from('STAT\r\nLI')), [{ kind: 'line', text: 'STAT' }]);
    assert.deepEqual(reader.feed(Buffer.from('ST 1\r')), []);
    assert.deepEqual(reader.feed(Buffer.from('\nNOOP\n')), [{ kind: 'line', text: 'LIST 1' }, { kind: 'line', text: 'NOOP' }]);
  });

  it('reports an overlong line once, buffers none of it and reads the next line', () => {
    const reader = new LineReader();
    const events = [
      ...reader.feed(Buffer.from('X'.repeat(MAX_LINE_OCTETS + 1))),
      ...reader.feed(Buffer.alloc(1_000_000, 0x41)),
      ...reader.feed(Buffer.from('AA\r\nNOOP\r\n')),
    ];
    assert.deepEqual(events, [{ kind: 'too-long' }, { kind: 'line', text: 'NOOP' }]);
    assert.deepEqual(reader.feed(Buffer.from(`${'Y'.repeat(10_000)}\r\nSTAT\r\n`)), [{ kind: 'too-long' }, { kind: 'line', text: 'STAT' }]);
  });

  it('accepts a line exactly at the limit and decodes invalid UTF-8 without throwing', () => {
    const reader = new LineReader();
    assert.equal((reader.feed(Buffer.from(`${'a'.repeat(MAX_LINE_OCTETS)}\n`))[0] as { text: string }).text.length, MAX_LINE_OCTETS);
    assert.deepEqual(reader.feed(Buffer.from([0x50, 0xff, 0xfe, 0x0a])), [{ kind: 'line', text: 'P\ufffd\ufffd' }]);
  });

  it('forgets buffered input on reset (STLS)', () => {
    const reader = new LineReader();
    reader.feed(Buffer.from('USER injected'));
    reader.reset();
    assert.deepEqual(reader.feed(Buffer.from('CAPA\r\n')), [{ kind: 'line', text: 'CAPA' }]);
  });
});

/** A parse result with the command shown by its name. */
const parsed = (line: string, state: Parameters<typeof parseCommand>[1]) => {
  const result = parseCommand(line, state);
  return result.ok ? { ok: true, name: result.command.name, args: result.args } : result;
};

describe('POP3 command table', () => {
  it('is case-insensitive and splits arguments', () => {
    assert.deepEqual(parsed('top 1 10', 'TRANSACTION'), { ok: true, name: 'TOP', args: ['1', '10'] });
    assert.deepEqual(parsed('list', 'TRANSACTION'), { ok: true, name: 'LIST', args: [] });
  });

  it('keeps a password with spaces as one argument', () => {
    assert.deepEqual(parsed('PASS correct horse battery', 'AUTHORIZATION'), { ok: true, name: 'PASS', args: ['correct horse battery'] });
  });

  it('refuses unknown commands, wrong states and wrong argument counts', () => {
    assert.deepEqual(parseCommand('APOP alice 0123', 'AUTHORIZATION'), { ok: false, error: 'Unknown command' });
    assert.deepEqual(parseCommand('__proto__', 'AUTHORIZATION'), { ok: false, error: 'Unknown command' });
    assert.deepEqual(parseCommand('', 'AUTHORIZATION'), { ok: false, error: 'Unknown command' });
    assert.match((parseCommand('STAT', 'AUTHORIZATION') as { error: string }).error, /not allowed in the AUTHORIZATION state/);
    assert.match((parseCommand('USER x', 'TRANSACTION') as { error: string }).error, /not allowed in the TRANSACTION state/);
    assert.match((parseCommand('QUIT', 'UPDATE') as { error: string }).error, /not allowed in the UPDATE state/);
    assert.match((parseCommand('RETR', 'TRANSACTION') as { error: string }).error, /needs 1 argument/);
    assert.match((parseCommand('TOP 1', 'TRANSACTION') as { error: string }).error, /needs 2 arguments/);
    assert.match((parseCommand('STAT 1', 'TRANSACTION') as { error: string }).error, /takes no arguments/);
    assert.match((parseCommand('LIST 1 2', 'TRANSACTION') as { error: string }).error, /takes at most 1 argument/);
  });
});

describe('POP3 message serializer', () => {
  it('sends CRLF mail as it is, with the terminator', () => {
    assert.equal(serialize('A: b\r\n\r\nbody\r\n'), 'A: b\r\n\r\nbody\r\n.\r\n');
  });

  it('byte-stuffs every line that begins with a dot, including the first and a lone dot', () => {
    assert.equal(serialize('.A: b\r\n\r\n.\r\n..x\r\nmid.dle\r\n.'), '..A: b\r\n\r\n..\r\n...x\r\nmid.dle\r\n..\r\n.\r\n');
  });

  it('turns bare LF into CRLF and ends an unterminated last line', () => {
    assert.equal(serialize('A: b\n\nline\r\nlast'), 'A: b\r\n\r\nline\r\nlast\r\n.\r\n');
    assert.equal(serialize(''), '.\r\n');
  });

  it('TOP sends the header, the blank line and n body lines', () => {
    const raw = 'A: b\r\nC: d\r\n\r\none\r\n.two\r\nthree\r\n';
    assert.equal(serialize(raw, 0), 'A: b\r\nC: d\r\n\r\n.\r\n');
    assert.equal(serialize(raw, 2), 'A: b\r\nC: d\r\n\r\none\r\n..two\r\n.\r\n');
    assert.equal(serialize(raw, 99), `${raw.replace('.two', '..two')}.\r\n`);
    assert.equal(serialize('A: b\r\nno body', 5), 'A: b\r\nno body\r\n.\r\n');
    assert.equal(serialize('A: b\n\n.x\ny\n', 1), 'A: b\r\n\r\n..x\r\n.\r\n');
  });

  it('copies a large message out in parts as large as the target, whose concatenation is exact', () => {
    const line = `${'x'.repeat(70)}\r\n.${'y'.repeat(70)}\r\n`;
    const raw = Buffer.from(`Subject: big\r\n\r\n${line.repeat(20_000)}`);
    const pieces = parts(raw, undefined, 64 * 1024);
    assert.ok(pieces.length > 10, 'more than one part');
    assert.ok(pieces.slice(0, -1).every((p) => p.length === 64 * 1024), 'every part but the last fills its target');
    const expected = `Subject: big\r\n\r\n${line.replace('\n.', '\n..').repeat(20_000)}.\r\n`;
    assert.equal(Buffer.concat(pieces).toString('latin1'), expected);
  });

  it('gives the same bytes through targets of any size, down to one octet, and after other replies in the target', () => {
    const samples: [string, number | undefined][] = [
      ['.A: b\r\n\r\n.\r\n..x\r\nmid.dle\r\n.', undefined],
      ['A: b\n\nline\r\n.dot\n\n.last', undefined],
      ['A: b\r\nC: d\r\n\r\none\r\n.two\r\nthree\r\n', 2],
      ['A: b\n\n.x\ny\n', 1],
      ['', undefined],
    ];
    for (const [raw, lines] of samples) {
      const whole = serialize(raw, lines);
      for (let size = 1; size <= 9; size++) {
        assert.equal(serialize(raw, lines, size), whole, `${JSON.stringify(raw)} through ${size}-octet targets`);
        assert.equal(serialize(raw, lines, size, 5), whole, `${JSON.stringify(raw)} through ${size}-octet targets at offset 5`);
      }
    }
  });
});

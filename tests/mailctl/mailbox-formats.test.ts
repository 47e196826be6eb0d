// The mailbox formats on their own. The mbox reader: separators, mboxrd unquoting, the empty line
// that belongs to the separator, chunk boundaries anywhere (the file fed one
// byte at a time), bounded memory for a message or a line over the limit,
// and the flags and dates that mail programs write into the file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MboxReader, NotMboxError, type MboxMessage } from '../../mail-daemon/mailbox-formats/mbox-reader.ts';
import { fromLineDate, readMboxEntry } from '../../mail-daemon/mailbox-formats/mbox-metadata.ts';
import { flagsOfFileName, folderOfMaildirPlusPlus, folderOfVerbatim, infoSuffix, maildirPlusPlusEntry } from '../../mail-daemon/mailbox-formats/maildir.ts';

function split(file: string | Buffer, chunkSize = Infinity, max = 1_000_000): MboxMessage[] {
  const bytes = Buffer.isBuffer(file) ? file : Buffer.from(file, 'latin1');
  const splitter = new MboxReader(max);
  const out: MboxMessage[] = [];
  const step = Math.min(chunkSize, bytes.length || 1);
  for (let i = 0; i < bytes.length; i += step) out.push(...splitter.push(bytes.subarray(i, i + step)));
  out.push(...splitter.end());
  return out;
}

const MBOX = [
  'From alice@example.test Mon Nov 30 15:31:38 2026',
  'From: alice@example.test',
  'Subject: first',
  '',
  '>From here on it is quoted in the file:',
  '>From the start',
  '>>From twice',
  '> From not a quote',
  'From not a separator (no empty line before it)',
  '',
  'From bob@example.test  Tue Nov  3 08:00:00 2026',
  'Subject: second',
  '',
  'last line without the empty separator line',
  '',
].join('\n');

describe('mbox reader', () => {
  it('splits at From_ lines after an empty line and unquotes >From lines (mboxrd)', () => {
    for (const chunk of [Infinity, 1, 2, 3, 7, 64]) {
      const messages = split(MBOX, chunk);
      assert.equal(messages.length, 2, `chunks of ${chunk}`);
      assert.equal(messages[0].separator, 'alice@example.test Mon Nov 30 15:31:38 2026');
      assert.equal(
        messages[0].raw!.toString(),
        'From: alice@example.test\nSubject: first\n\nFrom here on it is quoted in the file:\nFrom the start\n>From twice\n> From not a quote\nFrom not a separator (no empty line before it)\n',
        `chunks of ${chunk}`,
      );
      assert.equal(messages[1].separator, 'bob@example.test  Tue Nov  3 08:00:00 2026');
      assert.equal(messages[1].raw!.toString(), 'Subject: second\n\nlast line without the empty separator line\n');
      assert.equal(messages[1].size, messages[1].raw!.length);
    }
  });

  it('reads an mbox with CRLF line ends', () => {
    const messages = split(MBOX.replace(/\n/g, '\r\n'), 5);
    assert.equal(messages.length, 2);
    assert.equal(messages[0].separator, 'alice@example.test Mon Nov 30 15:31:38 2026');
    assert.match(messages[0].raw!.toString(), /\r\nFrom the start\r\n>From twice\r\n/);
    assert.ok(messages[1].raw!.toString().endsWith('separator line\r\n'));
  });

  it('refuses a file that does not start with a From_ line, and an empty one', () => {
    assert.throws(() => split('Subject: hello\n\nbody\n'), NotMboxError);
    assert.throws(() => split(''), NotMboxError);
  });

  it('counts a message over the limit without keeping it, even as one long line', () => {
    const line = 'x'.repeat(5000);
    const file = `From a Mon Nov 30 15:31:38 2026\nSubject: small\n\nok\n\nFrom b Mon Nov 30 15:31:39 2026\nSubject: big\n\n${line}\n\nFrom c Mon Nov 30 15:31:40 2026\nSubject: after\n\nok\n`;
    const messages = split(file, 100, 1000);
    assert.deepEqual(
      messages.map((m) => [m.raw?.toString() ?? null, m.size]),
      [
        ['Subject: small\n\nok\n', 19],
        [null, 5000 + 'Subject: big\n\n\n'.length],
        ['Subject: after\n\nok\n', 19],
      ],
    );
  });

  it('takes a message whose Content-Length counts its body as it is: no unquoting, "From " lines in the body kept (mboxcl2, Dovecot)', () => {
    const body = 'Hello.\n\nFrom the start of a line, after an empty one.\n>From quoted already.\n';
    const file = `From a Mon Jan 02 10:00:05 2023\nSubject: counted\nContent-Length: ${body.length}\n\n${body}\nFrom b Mon Jan 02 10:00:06 2023\nSubject: next\nContent-Length: 2\n\nx\n\n`;
    for (const chunk of [Infinity, 1, 13]) {
      const messages = split(file, chunk);
      assert.deepEqual(
        messages.map((m) => m.raw!.toString()),
        [`Subject: counted\nContent-Length: ${body.length}\n\n${body}`, 'Subject: next\nContent-Length: 2\n\nx\n'],
        `chunks of ${chunk}`,
      );
    }
    // A wrong count is not believed: the pieces are messages of their own, unquoted.
    const wrong = split(`From a Mon Jan 02 10:00:05 2023\nContent-Length: 999\n\n>From x\n\nFrom b Mon Jan 02 10:00:06 2023\n\ny\n`);
    assert.deepEqual(wrong.map((m) => m.raw!.toString()), ['Content-Length: 999\n\nFrom x\n', '\ny\n']);
  });
});

describe('mbox metadata', () => {
  it('takes the flags mutt, Dovecot and Thunderbird write and leaves those fields out of the message', () => {
    const entry = readMboxEntry(
      Buffer.from('From: a@example.test\nStatus: RO\nX-Status: AFT\nX-Keywords: $Label1 work,home\nX-UID: 7\nContent-Length: 5\nSubject: s\n\nStatus: in the body stays\n'),
    );
    assert.deepEqual(entry.flags.sort(), ['$Label1', '\\Answered', '\\Draft', '\\Flagged', '\\Seen', 'home', 'work']);
    assert.equal(entry.raw.toString(), 'From: a@example.test\nSubject: s\n\nStatus: in the body stays\n');
    assert.equal(entry.folderData, false);

    const thunderbird = readMboxEntry(Buffer.from('X-Mozilla-Status: 1005\r\nX-Mozilla-Status2: 00000000\r\nX-Mozilla-Keys: $label2                 \r\nSubject: t\r\n\r\nbody\r\n'));
    assert.deepEqual(thunderbird.flags.sort(), ['$Forwarded', '$label2', '\\Flagged', '\\Seen']);
    assert.equal(thunderbird.raw.toString(), 'Subject: t\r\n\r\nbody\r\n');

    const untouched = Buffer.from('Subject: plain\n\nbody\n');
    assert.equal(readMboxEntry(untouched).raw, untouched);
    assert.equal(readMboxEntry(Buffer.from('X-IMAP: 1 2\nSubject: DON\'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n\n')).folderData, true);
  });

  it('reads the date of a From_ line, with or without a zone', () => {
    assert.equal(fromLineDate('MAILER-DAEMON Mon Nov 30 15:31:38 2026 +0100')?.toISOString(), '2026-11-30T14:31:38.000Z');
    assert.equal(fromLineDate('a@b Mon Nov 30 15:31:38 -0230 2026')?.toISOString(), '2026-11-30T18:01:38.000Z');
    assert.equal(fromLineDate('- Tue Nov  3 08:00:00 2026 UTC')?.toISOString(), '2026-11-03T08:00:00.000Z');
    assert.equal(fromLineDate('a@b Mon Nov 30 15:31:38 2026')?.getTime(), new Date(2026, 10, 30, 15, 31, 38).getTime(), 'local time, as ctime() wrote it');
    assert.equal(fromLineDate('a@b yesterday'), null);
  });
});

describe('Maildir file names and folder names', () => {
  it('reads and writes the flags of the info suffix, keywords as dovecot-keywords letters, $Forwarded both as P and as a keyword', () => {
    const keywords = new Map([['a', '$Forwarded'], ['b', 'work']]);
    assert.deepEqual(flagsOfFileName('1600000000.M1.host,S=12:2,DFPRSTab', keywords), ['\\Draft', '\\Flagged', '$Forwarded', '\\Answered', '\\Seen', '\\Deleted', 'work']);
    assert.deepEqual(flagsOfFileName('1600000000.M1.host;2,S', keywords), ['\\Seen']);
    assert.deepEqual(flagsOfFileName('1600000000.M1.host', keywords), []);
    const letters = ['$Forwarded', 'work'];
    const letterOf = (k: string) => String.fromCharCode(97 + letters.indexOf(k));
    assert.equal(infoSuffix(['work', '\\Seen', '$Forwarded', '\\Flagged'], letterOf), ':2,FPSab');
    assert.equal(infoSuffix([], letterOf), ':2,');
  });

  it('names folders as Maildir++ and mbsync lay them out, in modified UTF-7', () => {
    assert.equal(folderOfMaildirPlusPlus('.Privat.&AMQ-rger'), 'Privat/Ärger');
    assert.equal(folderOfVerbatim(['Projects', '2026']), 'Projects/2026');
    assert.equal(maildirPlusPlusEntry('Privat/Ärger'), '.Privat.&AMQ-rger');
    assert.equal(maildirPlusPlusEntry('INBOX'), '');
    assert.equal(maildirPlusPlusEntry('v1.2'), '.v1_2', 'a dot inside a level cannot be written in Maildir++');
  });
});

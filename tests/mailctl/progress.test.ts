// The progress line of long mailctl runs: rewritten in place on a terminal,
// a line per tenth of the way in a log, and a last line that says where it
// ended.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from '../../mail-daemon/mailctl/progress.ts';

function output(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, write: (text: string) => writes.push(text) };
}

describe('progress', () => {
  it('writes one line per tenth of the way to a log, and the last one', () => {
    const log = output(false);
    const progress = new Progress('import', { messages: 20 }, log);
    for (let i = 0; i < 20; i++) progress.advance(1000);
    progress.finish();
    assert.equal(log.writes.length, 11);
    assert.match(log.writes[0], /^import: 1\/20 messages \(5%\), [\d.]+ messages\/s, [\d.]+ MB\/s, \d+s left\n$/);
    assert.match(log.writes[1], /^import: 2\/20 messages \(10%\), /);
    assert.match(log.writes[10], /^import: 20\/20 messages \(100%\), [\d.]+ messages\/s, [\d.]+ MB\/s\n$/);
    assert.ok(log.writes.every((w) => !w.includes('\r')));
  });

  it('rewrites one line in place on a terminal, and ends it', () => {
    const tty = output(true);
    const progress = new Progress('export', { messages: 3 }, tty);
    progress.advance(10);
    progress.warn('mailctl: a warning');
    progress.advance(10);
    progress.advance(10);
    progress.finish();
    assert.match(tty.writes[0], /^\rexport: 1\/3 messages \(33%\), .* left\x1b\[K$/);
    assert.deepEqual(tty.writes.slice(1, 3), ['\r\x1b[K', 'mailctl: a warning\n']);
    assert.match(tty.writes[tty.writes.length - 1], /^\rexport: 3\/3 messages \(100%\), [\d.]+ messages\/s, [\d.]+ MB\/s\x1b\[K\n$/);
  });

  it('counts bytes of the input when the messages are not counted beforehand (an mbox file)', () => {
    const log = output(false);
    const progress = new Progress('import', { bytes: 4 * 1024 * 1024 }, log);
    progress.advance(1000, 1024 * 1024);
    assert.match(log.writes[0], /^import: 1 messages \(25% of 4\.0 MB\), .* left\n$/);
  });
});

// How a big incoming message is held (incoming-bytes.ts): once, in one block,
// with the trace fields written in front of it rather than into a copy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_AFTER, IncomingBytes, prependInPlace } from '../../mail-daemon/limits/incoming-bytes.ts';
import { prependHeaders } from '../../mail-daemon/smtp/message-headers.ts';
import { CommandReader } from '../../mail-daemon/imap/parser/command-reader.ts';

const MB = 1024 * 1024;

/** `total` bytes in chunks of 64 KiB, as a socket hands them over, with recognisable content. */
function chunks(total: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < total; at += 64 * 1024) out.push(Buffer.alloc(Math.min(64 * 1024, total - at), String.fromCharCode(97 + (out.length % 26))));
  return out;
}

describe('IncomingBytes', () => {
  it('joins a small message at the end, as it arrived', () => {
    const bytes = new IncomingBytes(10 * MB, 1024);
    for (const chunk of chunks(100_000)) bytes.push(chunk);
    assert.equal(bytes.bytes().length, 100_000);
    assert.deepEqual(bytes.bytes(), Buffer.concat(chunks(100_000)));
    assert.equal(prependInPlace(bytes.bytes(), Buffer.from('X: 1\r\n')), null, 'a small message has no room in front');
  });

  it('holds a big message in one block, a view of which is the message', () => {
    const bytes = new IncomingBytes(10 * MB, 1024);
    const sent = chunks(BLOCK_AFTER + 300_000);
    for (const chunk of sent) bytes.push(chunk);
    const message = bytes.bytes();
    assert.deepEqual(message, Buffer.concat(sent));
    assert.equal(message.buffer.byteLength, 1024 + 10 * MB, 'one block for the most it may reach');
    // Past the limit (a caller's mistake): a bigger block, nothing lost.
    bytes.push(Buffer.alloc(10 * MB, 'z'));
    assert.deepEqual(bytes.bytes().subarray(0, message.length), Buffer.concat(sent));
    assert.equal(bytes.bytes().length, message.length + 10 * MB);
  });

  it('writes header fields in front of a big message without copying it, once per view', () => {
    const bytes = new IncomingBytes(10 * MB, 64);
    const sent = chunks(BLOCK_AFTER + 1);
    for (const chunk of sent) bytes.push(chunk);
    const message = bytes.bytes();
    const traced = prependHeaders(message, ['Received: from x', 'Return-Path: <a@b>']);
    assert.equal(traced.buffer, message.buffer, 'the same block');
    assert.equal(traced.toString('latin1', 0, 38), 'Received: from x\r\nReturn-Path: <a@b>\r\n');
    assert.deepEqual(traced.subarray(38), Buffer.concat(sent));
    // The room went to the new view: the old one gets a copy, and the new view's fields stay as they are.
    const again = prependHeaders(message, ['X-Other: 1']);
    assert.notEqual(again.buffer, message.buffer);
    assert.equal(traced.toString('latin1', 0, 16), 'Received: from x');
    // What is left of the room in front of the new view is used, then a field too long for it is copied.
    const more = prependHeaders(traced, ['X-More: 2']);
    assert.equal(more.buffer, message.buffer);
    const tooLong = prependHeaders(more, [`X-Long: ${'y'.repeat(64)}`]);
    assert.notEqual(tooLong.buffer, message.buffer);
    assert.equal(tooLong.length, more.length + 74);
  });
});

describe('CommandReader with a big literal', () => {
  it('hands over the command in the one block its literal was read into', () => {
    const commands: Buffer[] = [];
    const reader = new CommandReader(
      { maxLineBytes: 64 * 1024, maxCommandBytes: MB, maxLiteralsPerCommand: 10, maxBufferedBytes: 256 * 1024, literalPolicy: () => ({ maxBytes: 10 * MB, discardOversized: true }) },
      { command: (bytes) => commands.push(bytes), continuation: () => undefined, error: (error) => assert.fail(error.kind), flow: () => undefined },
    );
    const literal = Buffer.concat(chunks(3 * MB));
    reader.push(Buffer.from(`a APPEND INBOX {${literal.length}+}\r\n`));
    for (const chunk of chunks(3 * MB)) reader.push(chunk);
    reader.push(Buffer.from('\r\n'));
    assert.equal(commands.length, 1);
    const head = `a APPEND INBOX {${literal.length}+}\r\n`;
    assert.equal(commands[0].toString('latin1', 0, head.length), head);
    assert.deepEqual(commands[0].subarray(head.length), literal);
    assert.ok(commands[0].buffer.byteLength >= 10 * MB, 'read into the block reserved for the command, not joined from its pieces');
  });

  it('takes as many literals as the policy allows (MULTIAPPEND), each with its line break', () => {
    const commands: Buffer[] = [];
    const reader = new CommandReader(
      // Lines and literals exactly at their limits: the block must still hold the line breaks after the literals.
      { maxLineBytes: 64 * 1024, maxCommandBytes: 14 + 999 * 9, maxLiteralsPerCommand: 10, maxBufferedBytes: 256 * 1024, literalPolicy: () => ({ maxBytes: 999 * 4000, discardOversized: true, maxLiterals: 1000 }) },
      { command: (bytes) => commands.push(bytes), continuation: () => undefined, error: (error) => assert.fail(error.kind), flow: () => undefined },
    );
    const message = Buffer.alloc(4000, 'm');
    reader.push(Buffer.from('a APPEND INBOX'));
    for (let i = 0; i < 999; i++) reader.push(Buffer.concat([Buffer.from(` {${message.length}+}\r\n`), message]));
    reader.push(Buffer.from('\r\n'));
    assert.equal(commands.length, 1);
    assert.equal(commands[0].length, 'a APPEND INBOX'.length + 999 * (` {4000+}\r\n`.length + 4000));
  });
});

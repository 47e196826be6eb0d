// Hostile input (RFC 3501 4, 5.4; RFC 7888 4; RFC 9051 7.1 TOOBIG): long
// lines, lying and huge literals before login, NUL bytes, deep nesting,
// unbalanced quotes and parentheses, 8-bit names, the autologout timer. The
// session answers BAD or NO, or closes; the daemon and other sessions go on.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BAD_COMMANDS, MAX_LINE_BYTES } from '../../mail-daemon/imap/imap-session.ts';
import { connectRaw, extraImapListener, loggedIn, startImapServer, type ImapTestServer } from './imap-harness.ts';

describe('IMAP robustness', () => {
  let server: ImapTestServer;
  before(async () => (server = await startImapServer('sqlite')));
  after(() => server.dispose());

  it('refuses a 100 MB literal before login without reading it, and goes on', async () => {
    const client = await connectRaw(server.port);
    await client.transcript(`
      C: a1 LOGIN {104857600}
      S: a1 BAD [TOOBIG] Literal of 104857600 bytes is too big
      C: a2 NOOP
      S: a2 OK NOOP completed
    `);
    client.send('a3 LOGIN {104857600+}\r\n');
    await client.transcript(`
      S: a3 BAD [TOOBIG] Literal of 104857600 bytes is too big
      S: * BYE Closing the connection
      S: <closed>
    `);
  });

  it('closes on a line longer than the limit', async () => {
    const client = await connectRaw(server.port);
    client.send(`a1 NOOP ${'x'.repeat(MAX_LINE_BYTES + 10)}`);
    await client.transcript(`
      S: a1 BAD [TOOBIG] Line too long
      S: * BYE Closing the connection
      S: <closed>
    `);
  });

  it('answers BAD to malformed commands and stays usable', async () => {
    const client = await loggedIn(server.port);
    client.send('a1 SELECT "IN\0BOX"\r\n');
    await client.transcript(`
      S: a1 BAD NUL in a quoted string
      C: a2 LIST "" "unbalanced
      S: a2 BAD unterminated quoted string
      C: a3 LIST ("" "*"
      S: a3 BAD unbalanced parenthesis
      C: a4 FETCH 1 ${'('.repeat(40)}FLAGS${')'.repeat(40)}
      S: a4 BAD too deeply nested
      C: a5 LIST "" {5}
      S: + Ready for literal data
      C: abc
      C: a6 NOOP
      S: a5 BAD expected a space between arguments
      C: a7 CREATE Grüße
      S: a7 OK CREATE completed
      C: a8 LIST "" Gr*
      S: * LIST (\\HasNoChildren) "/" "Gr&APwA3w-e"
      S: a8 OK LIST completed
      C: a9 ENABLE UTF8=ACCEPT
      S: * ENABLED UTF8=ACCEPT
      S: a9 OK ENABLE completed
      C: a10 LIST "" Gr*
      S: * LIST (\\HasNoChildren) "/" "Grüße"
      S: a10 OK LIST completed
      C:
      S: * BAD invalid tag
      C: a11 NOOP
      S: a11 OK NOOP completed
    `);
    client.close();
  });

  it('closes after too many bad commands in a row', async () => {
    const client = await connectRaw(server.port);
    for (let i = 1; i < MAX_BAD_COMMANDS; i++) {
      client.send(`b${i} BOGUS\r\n`);
      assert.equal(await client.readLine(), `b${i} BAD Unknown command BOGUS`);
    }
    await client.transcript(`
      C: ok NOOP
      S: ok OK NOOP completed
    `);
    for (let i = 1; i < MAX_BAD_COMMANDS; i++) client.send(`c${i} BOGUS\r\n`);
    for (let i = 1; i < MAX_BAD_COMMANDS; i++) await client.readLine();
    await client.transcript(`
      C: last )
      S: last BAD invalid command name
      S: * BYE Too many bad commands
      S: <closed>
    `);
  });

  it('logs out an idle client (autologout timer)', async () => {
    const listener = await extraImapListener(server, { preAuthTimeoutMs: 200, idleTimeoutMs: 400 });
    try {
      const client = await connectRaw(listener.port);
      const started = Date.now();
      await client.transcript(`
        S: * BYE Autologout; idle for too long
        S: <closed>
      `);
      assert.ok(Date.now() - started >= 150);
    } finally {
      await listener.close();
    }
  });
});

// Literal bytes per command (issue 11 §2; RFC 9051 7.1 TOOBIG, RFC 7888 4):
// APPEND may carry one message of MAX_MESSAGE_SIZE (or several, RFC 3502, of
// that size together, MAX_APPEND_MESSAGES at most), any other command
// COMMAND_LITERAL_BYTES in all, and before login PRE_AUTH_LITERAL_BYTES. A
// synchronizing literal beyond is refused before "+"; a non-synchronizing one
// is read and dropped after login, and closes the connection before it.
import { describe, it, before, after } from 'node:test';
import { COMMAND_LITERAL_BYTES, MAX_APPEND_MESSAGES, PRE_AUTH_LITERAL_BYTES } from '../../mail-daemon/imap/imap-session.ts';
import { connectRaw, loggedIn, startImapServer, type ImapTestServer } from './imap-harness.ts';

const MAX_MESSAGE_SIZE = 200_000;

function message(size: number): string {
  const head = 'Subject: big\r\n\r\n';
  return head + 'x'.repeat(size - head.length);
}

describe('IMAP literal limits', () => {
  let server: ImapTestServer;
  before(async () => (server = await startImapServer('sqlite', { MAX_MESSAGE_SIZE: String(MAX_MESSAGE_SIZE) })));
  after(() => server.dispose());

  it('refuses a synchronizing literal over the limit of a command other than APPEND before "+"', async () => {
    const client = await loggedIn(server.port);
    const size = COMMAND_LITERAL_BYTES + 1;
    await client.transcript(`
      C: a2 SEARCH TEXT {${size}}
      S: a2 NO [TOOBIG] Literal of ${size} bytes is too big
      C: a3 NOOP
      S: a3 OK NOOP completed
    `);
    client.close();
  });

  it('reads and drops a non-synchronizing literal over the limit, answers NO [TOOBIG], and goes on', async () => {
    const client = await loggedIn(server.port);
    const size = 3 * COMMAND_LITERAL_BYTES;
    client.send(`b1 STATUS {${size}+}\r\n${'y'.repeat(size)} (MESSAGES)\r\n`);
    await client.transcript(`
      S: b1 NO [TOOBIG] Literal of ${size} bytes is too big
      C: b2 NOOP
      S: b2 OK NOOP completed
    `);
    client.close();
  });

  it('counts all the literals of one command together', async () => {
    const client = await loggedIn(server.port);
    const each = Math.ceil(COMMAND_LITERAL_BYTES / 2) + 1;
    client.send(`c1 STATUS {${each}+}\r\n${'a'.repeat(each)} {${each}+}\r\n${'b'.repeat(each)}\r\n`);
    await client.transcript(`
      S: c1 NO [TOOBIG] Literal of ${each} bytes is too big
      C: c2 NOOP
      S: c2 OK NOOP completed
    `);
    client.close();
  });

  it('takes an APPEND of MAX_MESSAGE_SIZE and refuses one byte more', async () => {
    const client = await loggedIn(server.port);
    client.send(`d1 APPEND INBOX {${MAX_MESSAGE_SIZE}+}\r\n${message(MAX_MESSAGE_SIZE)}\r\n`);
    await client.transcript(`
      S: d1 OK [APPENDUID {any}] APPEND completed
    `);
    client.send(`d2 APPEND INBOX {${MAX_MESSAGE_SIZE + 1}+}\r\n${message(MAX_MESSAGE_SIZE + 1)}\r\n`);
    await client.transcript(`
      S: d2 NO [TOOBIG] Message of ${MAX_MESSAGE_SIZE + 1} bytes is too big
      C: d3 APPEND INBOX {${2 * MAX_MESSAGE_SIZE}}
      S: d3 NO [TOOBIG] Literal of ${2 * MAX_MESSAGE_SIZE} bytes is too big
    `);
    client.close();
  });

  it('counts the messages of a MULTIAPPEND together (RFC 3502): the literal that goes past MAX_MESSAGE_SIZE is refused before "+", and none is stored', async () => {
    const client = await loggedIn(server.port);
    const half = Math.floor((MAX_MESSAGE_SIZE + COMMAND_LITERAL_BYTES) / 2) + 1;
    await client.command('f0 CREATE Halves');
    client.send(`f1 APPEND Halves {${half}+}\r\n${message(half)} {${half}+}\r\n${message(half)}\r\n`);
    await client.transcript(`
      S: f1 NO [TOOBIG] Literal of ${half} bytes is too big
    `);
    client.send(`f2 APPEND Halves {${half}+}\r\n${message(half)} {${half}}\r\n`);
    await client.transcript(`
      S: f2 NO [TOOBIG] Literal of ${half} bytes is too big
      C: f3 STATUS Halves (MESSAGES)
      S: * STATUS "Halves" (MESSAGES 0)
      S: f3 OK STATUS completed
    `);
    // One literal per message, up to MAX_APPEND_MESSAGES; one more cannot be resynchronized.
    const tiny = (count: number) => `${Array.from({ length: count }, () => ' {1+}\r\nx').join('')}\r\n`;
    client.send(`f4 APPEND Halves${tiny(MAX_APPEND_MESSAGES)}`);
    await client.transcript(`
      S: f4 OK [APPENDUID {any} 1:${MAX_APPEND_MESSAGES}] APPEND completed
    `);
    client.send(`f5 APPEND Halves${tiny(MAX_APPEND_MESSAGES + 1)}`);
    await client.transcript(`
      S: f5 BAD [TOOBIG] Too many literals
      S: * BYE Closing the connection
      S: <closed>
    `);
  });

  it('before login, counts all literals of a command and closes on a non-synchronizing one over the limit', async () => {
    const client = await connectRaw(server.port);
    const each = PRE_AUTH_LITERAL_BYTES / 2 + 1;
    client.send(`e1 LOGIN {${each}+}\r\n${'u'.repeat(each)} {${each}+}\r\n${'p'.repeat(each)}\r\n`);
    await client.transcript(`
      S: e1 BAD [TOOBIG] Literal of ${each} bytes is too big
      S: * BYE Closing the connection
      S: <closed>
    `);
  });
});

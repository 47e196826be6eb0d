// Issue 11 §2: what one message of MAX_MESSAGE_SIZE costs the daemon while it
// is received and stored stays within what the incoming-message budget counts
// for it (MEMORY_PER_MESSAGE_BYTE times its size), on both engines: a 50 MB
// text on port 25 (its summary, search text and junk filter tokens come from
// its start only), and a 50 MB attachment by IMAP APPEND from imapflow. Each
// is stored whole. The daemon runs at the defaults in a process of its own.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.ts';
import { RawSmtp } from '../support/smtp-client.ts';
import { createMailStore, closeMailStore } from '../../mail-daemon/store/context.ts';
import { openDatabase } from '../../prisma/database.ts';
import { loadConfig } from '../../mail-daemon/config/config.ts';
import { MEMORY_PER_MESSAGE_BYTE } from '../../mail-daemon/limits/incoming-message-budget.ts';

const MAX_MESSAGE_SIZE = loadConfig({ MAIL_HOSTNAME: 'mx.example.test' } as unknown as NodeJS.ProcessEnv).maxMessageSize;
const MB = 1024 * 1024;

/** A message of `size` bytes: a header and one part of `kind`, CRLF lines that never start with a dot. */
function message(size: number, kind: 'text' | 'attachment'): Buffer {
  const type = kind === 'text' ? 'text/plain; charset=utf-8' : 'application/octet-stream\r\nContent-Transfer-Encoding: base64';
  const head = Buffer.from(`From: <sender@remote.test>\r\nTo: <alice@example.test>\r\nSubject: 50 MB of ${kind}\r\nMIME-Version: 1.0\r\nContent-Type: ${type}\r\n\r\n`);
  const line = kind === 'text' ? 'words, words and more words; the reader sees every one of them\r\n' : null;
  const body = line ? Buffer.from(line.repeat(Math.ceil(size / line.length))) : Buffer.from(randomBytes(Math.ceil(size * 0.75)).toString('base64').replace(/(.{76})/g, '$1\r\n'));
  return Buffer.concat([head, body.subarray(0, size - head.length - 2), Buffer.from('\r\n')]);
}

async function writeAll(raw: RawSmtp, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; at += MB) {
    if (!raw.socket.write(bytes.subarray(at, at + MB))) await new Promise((resolve) => raw.socket.once('drain', resolve));
  }
}

for (const engine of ENGINES) {
  describe(`memory for a message of MAX_MESSAGE_SIZE on ${engine}`, () => {
    let database: TestDatabase;
    let daemon: DaemonProcess;

    before(async () => {
      database = await createTestDatabase(engine);
      const store = createMailStore(await openDatabase(database.url));
      await addTestAccounts(store, 'example.test', ['alice']);
      await closeMailStore(store);
      daemon = await startDaemonProcess(database.url, { services: ['smtp', 'imap'] });
    });
    after(async () => {
      await daemon?.stop();
      await database?.drop();
    });

    const budget = MEMORY_PER_MESSAGE_BYTE * MAX_MESSAGE_SIZE;
    const grownSince = (before: number) => daemon.memory().peak - before;

    it(`takes a text of ${MAX_MESSAGE_SIZE / MB} MiB on port 25 in less than ${MEMORY_PER_MESSAGE_BYTE} times its size`, async (t) => {
      const text = message(MAX_MESSAGE_SIZE, 'text');
      daemon.resetPeak();
      const before = daemon.memory().rss;
      const raw = await RawSmtp.openData(daemon.port('smtp'), 'sender@remote.test', 'alice@example.test');
      await writeAll(raw, text);
      raw.write('.\r\n');
      // Stored (and so answered) after a while on a busy machine.
      assert.match(await raw.reply(120_000), /^250 /);
      raw.close();
      const grown = grownSince(before);
      t.diagnostic(`peak ${(grown / MB).toFixed(0)} MiB above the ${(before / MB).toFixed(0)} MiB resident before`);
      assert.ok(grown < budget, `the daemon grew by ${(grown / MB).toFixed(0)} MiB for a ${MAX_MESSAGE_SIZE / MB} MiB message`);
    });

    it(`takes an APPEND of ${MAX_MESSAGE_SIZE / MB} MiB from imapflow in less than ${MEMORY_PER_MESSAGE_BYTE} times its size, and stores both whole`, async (t) => {
      const attachment = message(MAX_MESSAGE_SIZE, 'attachment');
      const client = new ImapFlow({ host: '127.0.0.1', port: daemon.port('imap'), secure: false, tls: { rejectUnauthorized: false }, auth: { user: 'alice@example.test', pass: TEST_PASSWORD }, logger: false });
      await client.connect();
      daemon.resetPeak();
      const before = daemon.memory().rss;
      const appended = await client.append('INBOX', attachment);
      const grown = grownSince(before);
      t.diagnostic(`peak ${(grown / MB).toFixed(0)} MiB above the ${(before / MB).toFixed(0)} MiB resident before`);
      assert.ok(grown < budget, `the daemon grew by ${(grown / MB).toFixed(0)} MiB for a ${MAX_MESSAGE_SIZE / MB} MiB message`);
      await client.mailboxOpen('INBOX');
      const sizes = [];
      for await (const fetched of client.fetch('1:*', { size: true, envelope: true })) sizes.push([fetched.envelope?.subject, fetched.size]);
      // The text got the trace fields in front of it.
      assert.equal(sizes.length, 2);
      assert.equal(sizes[0][0], `50 MB of text`);
      assert.ok(Number(sizes[0][1]) > MAX_MESSAGE_SIZE);
      assert.deepEqual(sizes[1], ['50 MB of attachment', MAX_MESSAGE_SIZE]);
      assert.ok(appended && appended.uid);
      await client.logout();
    });
  });
}

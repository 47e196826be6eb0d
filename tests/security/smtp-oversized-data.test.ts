// Issue 11 §2: a DATA far bigger than MAX_MESSAGE_SIZE on port 25, without
// AUTH, must not cost the daemon its size in memory. The daemon runs in a
// process of its own so that its memory is measured alone.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.ts';
import { RawSmtp } from '../support/smtp-client.ts';
import { buildMessage } from '../support/messages.ts';
import { createMailStore, closeMailStore } from '../../mail-daemon/store/context.ts';
import { openDatabase } from '../../prisma/database.ts';

const MAX_MESSAGE_SIZE = 1024 * 1024;
const SENT = 256 * 1024 * 1024;

/** Writes `total` bytes of 1000-octet lines, waiting whenever the socket's buffer is full. */
async function writeLines(raw: RawSmtp, total: number): Promise<void> {
  const chunk = Buffer.from(`${'x'.repeat(998)}\r\n`.repeat(1024));
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!raw.socket.write(chunk)) await new Promise((resolve) => raw.socket.once('drain', resolve));
  }
}

describe('SMTP DATA beyond MAX_MESSAGE_SIZE', () => {
  let database: TestDatabase;
  let daemon: DaemonProcess;

  before(async () => {
    database = await createTestDatabase('sqlite');
    const store = createMailStore(await openDatabase(database.url));
    await addTestAccounts(store, 'example.test', ['alice']);
    await closeMailStore(store);
    daemon = await startDaemonProcess(database.url, { services: ['smtp'], env: { MAX_MESSAGE_SIZE: String(MAX_MESSAGE_SIZE) } });
  });
  after(async () => {
    await daemon?.stop();
    await database?.drop();
  });

  it('reads 256 MB to the end without keeping it, answers 552 5.3.4, and the session goes on', async () => {
    // One small delivery first, so the delivery thread (started after its module is bundled) is up before the measure begins.
    const warmUp = await RawSmtp.openData(daemon.port('smtp'), 'sender@remote.test', 'alice@example.test');
    warmUp.write('Subject: small\r\n\r\nhello\r\n');
    assert.match(await warmUp.command('.'), /^250 /);
    const before = daemon.memory().rss;
    const raw = await RawSmtp.openData(daemon.port('smtp'), 'sender@remote.test', 'alice@example.test');
    raw.write('Subject: huge\r\n\r\n');
    await writeLines(raw, SENT);
    assert.match(await raw.command('.'), /^552 5\.3\.4 /);
    const grown = daemon.memory().peak - before;
    assert.ok(grown < SENT / 4, `the daemon grew by ${(grown / 1e6).toFixed(0)} MB for a ${SENT / 1e6} MB message it refused`);

    assert.match(await raw.command('MAIL FROM:<sender@remote.test>'), /^250 /);
    assert.match(await raw.command('RCPT TO:<alice@example.test>'), /^250 /);
    assert.match(await raw.command('DATA'), /^354 /);
    raw.write(buildMessage({ to: 'alice@example.test', subject: 'after the big one' }).toString('latin1').replace(/\r?\n/g, '\r\n'));
    assert.match(await raw.command('.'), /^250 /);
    raw.close();
  });
});

// A daemon killed with SIGKILL: a message that got its 250 is in the database
// afterwards, and one cut off before its 250 left nothing behind.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { RawSmtp, sendWithNodemailer } from '../support/smtp-client.ts';
import { openDatabase } from '../../prisma/database.ts';
import { createMailStore, closeMailStore } from '../../mail-daemon/store/context.ts';

const daemonMain = new URL('../../mail-daemon/startup/main.ts', import.meta.url).pathname;

async function startDaemonProcess(databaseUrl: string, dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', daemonMain], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      MAIL_HOSTNAME: 'mail.example.test',
      LISTEN_HOST: '127.0.0.1',
      SMTP_PORT: '0',
      SUBMISSION_PORT: 'off',
      SUBMISSIONS_PORT: 'off',
      POP3_PORT: 'off',
      POP3S_PORT: 'off',
      IMAP_PORT: 'off',
      IMAPS_PORT: 'off',
      WEB_PORT: 'off',
      DNS_SERVERS: '127.0.0.1:9',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the daemon did not report its SMTP port')), 30_000);
    lines.on('line', (line) => {
      const match = /smtp: smtp on 127\.0\.0\.1:(\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`the daemon exited with ${code}`)));
  });
  return { child, port };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function subjectsIn(databaseUrl: string): Promise<string[]> {
  const store = createMailStore(await openDatabase(databaseUrl));
  try {
    const rows = await store.database.prisma.message.findMany({ orderBy: { id: 'asc' }, select: { subject: true } });
    return rows.map((r) => r.subject);
  } finally {
    await closeMailStore(store);
  }
}

for (const engine of ENGINES) {
  describe(`SMTP across a daemon crash on ${engine}`, () => {
    let database: TestDatabase;
    let dataDir: string;

    before(async () => {
      database = await createTestDatabase(engine);
      dataDir = mkdtempSync(join(tmpdir(), 'mail-crash-'));
      const store = createMailStore(await openDatabase(database.url));
      await addTestAccounts(store, 'example.test', ['alice']);
      await closeMailStore(store);
    });
    after(async () => {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps a message that got 250 when the daemon is killed right after', async () => {
      const { child, port } = await startDaemonProcess(database.url, dataDir);
      try {
        const result = await sendWithNodemailer({ port }, { from: 'sender@remote.test', to: ['alice@example.test'] }, buildMessage({ subject: 'acknowledged' }));
        assert.match(result.response, /^250 /);
      } finally {
        await kill(child);
      }
      assert.deepEqual(await subjectsIn(database.url), ['acknowledged']);
    });

    it('leaves nothing of a message whose DATA was cut by the crash', async () => {
      const { child, port } = await startDaemonProcess(database.url, dataDir);
      const raw = await RawSmtp.open(port);
      try {
        await raw.reply();
        await raw.command('EHLO client.test');
        await raw.command('MAIL FROM:<sender@remote.test>');
        await raw.command('RCPT TO:<alice@example.test>');
        assert.match(await raw.command('DATA'), /^354 /);
        raw.write('Subject: never acknowledged\r\n\r\nhalf of the body');
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await kill(child);
        raw.close();
      }
      assert.deepEqual(await subjectsIn(database.url), ['acknowledged']);
      // The next start finds a consistent database and carries on.
      const again = await startDaemonProcess(database.url, dataDir);
      try {
        await sendWithNodemailer({ port: again.port }, { from: 'sender@remote.test', to: ['alice@example.test'] }, buildMessage({ subject: 'after the crash' }));
      } finally {
        await kill(again.child);
      }
      assert.deepEqual(await subjectsIn(database.url), ['acknowledged', 'after the crash']);
    });
  });
}

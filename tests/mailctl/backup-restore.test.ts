// mailctl backup and restore around a real daemon (mail-daemon/startup/main.ts
// in its own process) on 127.0.12.1: mail flows over submission from
// nodemailer while `mailctl backup` runs; every message acknowledged with 250
// before the backup began is, after stop, restore and start, in the mailbox
// byte for byte as imapflow fetches it, and none acknowledged after the
// backup ended. Then the refusals: a file that is not our database, a backup
// over an existing file, a restore while the daemon has the database open.
// On PostgreSQL, backup runs pg_dump from one snapshot and pg_restore reads it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { ImapFlow } from 'imapflow';
import { applyMigrations, committedMigrations } from '../../prisma/migrate.ts';
import { openDatabase } from '../../prisma/database.ts';
import { createMailStore, closeMailStore } from '../../mail-daemon/store/context.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { buildMessage } from '../support/messages.ts';
import { SMTPConnection, sendWithNodemailer, type NodemailerConnection } from '../support/smtp-client.ts';
import { startMainDaemon, type MainDaemon } from '../support/daemon-main.ts';

const mailctlPath = new URL('../../mail-daemon/mailctl/main.ts', import.meta.url).pathname;
const HOST = '127.0.12.1';
const ADDRESS = 'alice@backup.test';

interface Installation {
  dir: string;
  dataDir: string;
  database: string;
}

async function newInstallation(): Promise<Installation> {
  const dir = mkdtempSync(join(tmpdir(), 'mail-backup-'));
  const dataDir = join(dir, 'data');
  const database = join(dataDir, 'mail.db');
  await applyMigrations(`file:${database}`);
  const store = createMailStore(await openDatabase(`file:${database}`));
  await addTestAccounts(store, 'backup.test', ['alice']);
  await closeMailStore(store);
  return { dir, dataDir, database };
}

function environment(installation: Installation, databaseUrl = ''): Record<string, string> {
  return { DATA_DIR: installation.dataDir, DATABASE_URL: databaseUrl, MAIL_HOSTNAME: 'mail.backup.test' };
}

/** mailctl as a child process that does not block this one (the senders go on meanwhile). */
function mailctl(env: Record<string, string>, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', mailctlPath, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

function startDaemon(installation: Installation): Promise<MainDaemon> {
  return startMainDaemon(
    {
      ...environment(installation),
      LISTEN_HOST: HOST,
      SMTP_PORT: 'off',
      SUBMISSION_PORT: '0',
      SUBMISSIONS_PORT: 'off',
      POP3_PORT: 'off',
      POP3S_PORT: 'off',
      IMAP_PORT: '0',
      IMAPS_PORT: 'off',
      ALLOW_PLAINTEXT_LOOPBACK: 'true',
      DNS_SERVERS: '127.0.0.1:9',
      SEND_LIMIT_MESSAGES_PER_HOUR: '100000',
      SEND_LIMIT_RECIPIENTS_PER_DAY: '100000',
    },
    ['submission', 'imap'],
  );
}

/** A message of its own size and lines, with a leading dot that SMTP must stuff and unstuff (RFC 5321 4.5.2). */
function loadMessage(sender: number, n: number): { messageId: string; raw: Buffer } {
  const messageId = `<${sender}.${n}@load.backup.test>`;
  const lines = Array.from({ length: 20 + ((n * 37) % 400) }, (_, i) => `${i % 13 === 0 ? '.' : ''}line ${i} of message ${n} from sender ${sender} ${'x'.repeat((i * 7 + n) % 90)}`);
  return { messageId, raw: buildMessage({ from: ADDRESS, to: ADDRESS, subject: `load ${sender}.${n}`, messageId, body: `${lines.join('\n')}\n` }) };
}

interface Acknowledged {
  messageId: string;
  raw: Buffer;
  /** Where the backup was when the 250 arrived. */
  phase: 'before' | 'during' | 'after';
}

async function connectSubmission(port: number): Promise<NodemailerConnection> {
  const connection = new SMTPConnection({ host: HOST, port, secure: false, ignoreTLS: true, name: 'load.backup.test' });
  (connection as unknown as NodeJS.EventEmitter).on('error', () => undefined);
  await new Promise<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve, reject) => connection.login({ user: ADDRESS, pass: TEST_PASSWORD }, (err) => (err ? reject(err) : resolve())));
  return connection;
}

/** Sends one message after another on one connection until stopped, recording each 250 with the backup's phase at that moment. */
function sendContinuously(port: number, sender: number, phase: () => Acknowledged['phase'], acknowledged: Acknowledged[], stopped: () => boolean): Promise<void> {
  return (async () => {
    const connection = await connectSubmission(port);
    try {
      for (let n = 0; !stopped(); n++) {
        const { messageId, raw } = loadMessage(sender, n);
        const response = await new Promise<string>((resolve, reject) =>
          connection.send({ from: ADDRESS, to: [ADDRESS] }, raw, (err, info) => (err ? reject(err) : resolve(info.response))),
        );
        assert.match(response, /^250 /);
        acknowledged.push({ messageId, raw, phase: phase() });
      }
    } finally {
      connection.quit();
    }
  })();
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2400 && !condition(); i++) await new Promise((wake) => setTimeout(wake, 50));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

/** Every message of every folder over IMAP: its Message-ID and BODY[]. */
async function fetchAll(port: number): Promise<{ byMessageId: Map<string, Buffer>; total: number }> {
  const client = new ImapFlow({ host: HOST, port, secure: false, tls: { rejectUnauthorized: false }, auth: { user: ADDRESS, pass: TEST_PASSWORD }, logger: false });
  await client.connect();
  const byMessageId = new Map<string, Buffer>();
  let total = 0;
  try {
    for (const folder of await client.list()) {
      const lock = await client.getMailboxLock(folder.path);
      try {
        const exists = (client.mailbox as { exists: number }).exists;
        total += exists;
        if (exists === 0) continue;
        for await (const message of client.fetch('1:*', { envelope: true, source: true })) {
          byMessageId.set(message.envelope!.messageId!, message.source!);
        }
      } finally {
        lock.release();
      }
    }
  } finally {
    await client.logout();
  }
  return { byMessageId, total };
}

function messageRows(database: string): number {
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM "Message"').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('mailctl backup and restore on SQLite', () => {
  let installation: Installation;
  before(async () => {
    installation = await newInstallation();
  });
  after(() => rmSync(installation.dir, { recursive: true, force: true }));

  it('restores a backup taken while mail flows: every message acknowledged before it, byte for byte', { timeout: 600_000 }, async (t) => {
    const env = environment(installation);
    const backupFile = join(installation.dir, 'under-load.db');
    let daemon = await startDaemon(installation);
    const acknowledged: Acknowledged[] = [];
    let phase: Acknowledged['phase'] = 'before';
    let stop = false;
    let backup: Awaited<ReturnType<typeof mailctl>>;
    let refusedWhileRunning: Awaited<ReturnType<typeof mailctl>>;
    try {
      const senders = [1, 2].map((sender) => sendContinuously(daemon.port('submission'), sender, () => phase, acknowledged, () => stop));
      await until(() => acknowledged.length >= 30, '30 messages before the backup');
      // From here on a 250 may or may not be in the backup; those before it must be.
      phase = 'during';
      backup = await mailctl(env, 'backup', backupFile);
      phase = 'after';
      refusedWhileRunning = await mailctl(env, 'restore', backupFile);
      const afterBackup = () => acknowledged.filter((a) => a.phase === 'after').length;
      await until(() => afterBackup() >= 10, '10 messages after the backup');
      stop = true;
      await Promise.all(senders);
    } finally {
      stop = true;
      assert.equal(await daemon.stop(), 0, daemon.output());
    }
    assert.equal(backup.status, 0, backup.stderr);
    const reported = /^wrote (.+): [\d.]+ MB, (\d+) messages$/m.exec(backup.stdout);
    assert.ok(reported, backup.stdout);
    assert.equal(reported[1], backupFile);
    assert.equal(statSync(backupFile).mode & 0o777, 0o600);

    // The daemon had the database open: restore refused and changed nothing.
    assert.equal(refusedWhileRunning.status, 1);
    assert.match(refusedWhileRunning.stderr, /mail\.db is open in another process \(the mail daemon or the web app\): stop them first\. --force restores anyway/);
    assert.equal(messageRows(installation.database), acknowledged.length, 'every acknowledged message is in the live database');

    chmodSync(installation.dataDir, 0o755);
    const restored = await mailctl(env, 'restore', backupFile);
    assert.equal(restored.status, 0, restored.stderr);
    assert.match(restored.stdout, new RegExp(`^restored ${installation.database} from ${backupFile}: ${reported[2]} messages$`, 'm'));
    assert.match(restored.stdout, /the database it replaced is kept as .*mail\.db\.before-restore-/);
    assert.equal(statSync(installation.dataDir).mode & 0o777, 0o700);
    assert.equal(statSync(installation.database).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(installation.dataDir).filter((name) => /-wal$|-shm$|partial/.test(name)), []);

    daemon = await startDaemon(installation);
    try {
      const { byMessageId, total } = await fetchAll(daemon.port('imap'));
      assert.equal(total, Number(reported[2]), 'the mailbox holds what the backup counted');
      const before = acknowledged.filter((a) => a.phase === 'before');
      assert.ok(before.length >= 30);
      t.diagnostic(`acknowledged before the backup ${before.length}, during ${acknowledged.filter((a) => a.phase === 'during').length}, after ${acknowledged.filter((a) => a.phase === 'after').length}; the backup held ${reported[2]}`);
      for (const message of before) {
        const source = byMessageId.get(message.messageId);
        assert.ok(source, `${message.messageId}, acknowledged before the backup, is missing after the restore`);
        // The accepted bytes end BODY[], behind the trace fields the server put in front.
        assert.ok(source.subarray(source.length - message.raw.length).equals(message.raw), `${message.messageId} differs`);
        assert.match(source.subarray(0, source.length - message.raw.length).toString('latin1'), /^(Return-Path|Received|Authentication-Results|Delivered-To|DKIM-Signature|X-[\w-]+):/);
      }
      for (const message of acknowledged.filter((a) => a.phase === 'after')) {
        assert.equal(byMessageId.has(message.messageId), false, `${message.messageId} was acknowledged after the backup ended, yet it was restored`);
      }
    } finally {
      assert.equal(await daemon.stop(), 0, daemon.output());
    }
  });

  it('with --force restores under a running daemon, and says to restart it', { timeout: 300_000 }, async () => {
    const env = environment(installation);
    const file = join(installation.dir, 'forced.db');
    let daemon = await startDaemon(installation);
    let backup: Awaited<ReturnType<typeof mailctl>>;
    let forced: Awaited<ReturnType<typeof mailctl>>;
    try {
      backup = await mailctl(env, 'backup', file);
      const late = loadMessage(3, 0);
      await sendWithNodemailer({ host: HOST, port: daemon.port('submission'), auth: { user: ADDRESS, pass: TEST_PASSWORD } }, { from: ADDRESS, to: [ADDRESS] }, late.raw);
      forced = await mailctl(env, 'restore', file, '--force');
    } finally {
      assert.equal(await daemon.stop(), 0, daemon.output());
    }
    assert.equal(backup.status, 0, backup.stderr);
    const count = Number(/, (\d+) messages$/m.exec(backup.stdout)![1]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, /restored under running processes \(--force\): the running processes keep using the old database, now kept under a second name, and what they accept until you restart them is not in the restored one\. Restart the mail daemon and the web app now\./);
    daemon = await startDaemon(installation);
    try {
      const { byMessageId, total } = await fetchAll(daemon.port('imap'));
      assert.equal(total, count, 'the restored database, without the message sent after the backup');
      assert.equal(byMessageId.has('<3.0@load.backup.test>'), false);
    } finally {
      assert.equal(await daemon.stop(), 0, daemon.output());
    }
  });

  it('refuses to write a backup over an existing file unless --force', async () => {
    const env = environment(installation);
    const file = join(installation.dir, 'existing.db');
    writeFileSync(file, 'keep me');
    const refused = await mailctl(env, 'backup', file);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /existing\.db exists: choose another name, or add --force to replace it/);
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
    const forced = await mailctl(env, 'backup', file, '--force');
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(messageRows(file), messageRows(installation.database));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(installation.dir).filter((name) => name.includes('partial')), []);
  });

  it('refuses to restore what is not a sound backup of ours, and leaves the database as it was', async () => {
    const env = environment(installation);
    const good = join(installation.dir, 'good.db');
    assert.equal((await mailctl(env, 'backup', good)).status, 0);
    const liveBefore = readFileSync(installation.database);

    const text = join(installation.dir, 'notes.txt');
    writeFileSync(text, 'not a database\n'.repeat(100));
    const foreign = join(installation.dir, 'foreign.db');
    const other = new BetterSqlite3(foreign);
    other.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (\'hello\')');
    other.close();
    // A backup damaged in the middle: pages of zeros where a B-tree was.
    const damaged = join(installation.dir, 'damaged.db');
    const bytes = readFileSync(good);
    bytes.fill(0, 4096 * 3, 4096 * 6);
    writeFileSync(damaged, bytes);

    const cases: [string, RegExp][] = [
      [text, /notes\.txt is not a backup of this platform's database: file is not a database/],
      [foreign, /foreign\.db is not a backup of this platform's database: it has no _migration table/],
      [damaged, /damaged\.db is not a backup of this platform's database: (integrity_check found|database disk image is malformed)/],
      [join(installation.dir, 'missing.db'), /missing\.db is not a backup of this platform's database: no such file/],
    ];
    for (const [file, message] of cases) {
      const refused = await mailctl(env, 'restore', file);
      assert.equal(refused.status, 1, `${file}: ${refused.stdout}`);
      assert.match(refused.stderr, message);
    }
    assert.ok(readFileSync(installation.database).equals(liveBefore), 'the live database is untouched');
    assert.deepEqual(readdirSync(installation.dataDir).filter((name) => name.includes('partial')), []);
  });

  it('applies the migrations a backup from an older version lacks', async () => {
    const older = join(installation.dir, 'older.db');
    const migrations = committedMigrations('sqlite');
    const db = new BetterSqlite3(older);
    db.exec('CREATE TABLE "_migration" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)');
    for (const migration of migrations.slice(0, -1)) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO "_migration" VALUES (?, ?, ?)').run(migration.name, migration.checksum, new Date().toISOString());
    }
    db.close();
    const restored = await mailctl(environment(installation), 'restore', older);
    assert.equal(restored.status, 0, restored.stderr);
    const last = migrations.at(-1)!.name;
    assert.match(restored.stdout, new RegExp(`applied migrations the backup lacked: ${last}$`, 'm'));
    const live = new BetterSqlite3(installation.database, { readonly: true });
    assert.equal((live.prepare('SELECT COUNT(*) AS n FROM "_migration"').get() as { n: number }).n, migrations.length);
    live.close();
  });
});

describe('mailctl backup on PostgreSQL', () => {
  let database: TestDatabase;
  let dir: string;
  before(async () => {
    database = await createTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'mail-backup-pg-'));
    const store = createMailStore(await openDatabase(database.url));
    const [alice] = await addTestAccounts(store, 'backup.test', ['alice']);
    for (let i = 0; i < 3; i++) await deliverMessage(store, buildMessage({ to: ADDRESS, subject: `pg ${i}` }), [{ accountId: alice.id }]);
    await closeMailStore(store);
  });
  after(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs pg_dump from one snapshot; pg_restore reads the file back; restore says how', async (t) => {
    if (spawnSync('pg_dump', ['--version']).error) return t.skip('pg_dump is not installed (apt-get install postgresql-client)');
    const env = { DATA_DIR: dir, DATABASE_URL: database.url, MAIL_HOSTNAME: 'mail.backup.test' };
    const file = join(dir, 'mail.dump');
    const backup = await mailctl(env, 'backup', file);
    assert.equal(backup.status, 0, backup.stderr);
    assert.match(backup.stdout, new RegExp(`^wrote ${file}: [\\d.]+ MB, 3 messages$`, 'm'));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal((await mailctl(env, 'backup', file)).status, 1, 'no overwrite without --force');

    const refused = await mailctl(env, 'restore', file);
    assert.equal(refused.status, 1);
    const name = new URL(database.url).pathname.slice(1);
    assert.match(refused.stderr, /on PostgreSQL, restore the pg_dump file into a new, empty database \(the current one stays as it is\):\n  psql '.*' -c 'CREATE DATABASE "\w+_restored"'\n  pg_restore --no-owner --single-transaction --exit-on-error --dbname='.*_restored' '.*mail\.dump'\nthen stop every mail daemon and web app, set DATABASE_URL to postgresql:\/\/.*_restored \(with its password\), and start them again/);

    // The printed commands, run as they are, make the new database with the dump's messages.
    const commands = [...refused.stderr.matchAll(/^  (.*)$/gm)].map((m) => m[1]);
    assert.equal(commands.length, 2);
    try {
      for (const command of commands) {
        // The printed commands leave the password out, as a user's shell would give it.
        const password = decodeURIComponent(new URL(database.url).password);
        const run = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: password } });
        assert.equal(run.status, 0, `${command}: ${run.stderr}`);
      }
      const restoredUrl = new URL(database.url);
      restoredUrl.pathname = `/${name}_restored`;
      const client = new pg.Client({ connectionString: restoredUrl.toString() });
      await client.connect();
      const { rows } = await client.query('SELECT COUNT(*)::int AS n FROM "Message"');
      await client.end();
      assert.equal(rows[0].n, 3);
    } finally {
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}_restored" WITH (FORCE)`);
      await admin.end();
    }
    assert.equal(existsSync(`${file}.partial-${process.pid}`), false);
  });
});

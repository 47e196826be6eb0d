// `npm run bench -- import`: moving a Maildir in. `mailctl import` of an
// N-message Maildir (messages of 1 to 26 kB, flags, mtimes) into a fresh
// account, then the same command again (everything already there), beside
// Dovecot's own `doveadm import` of the same Maildir into a Dovecot mailbox
// when Debian's Dovecot is installed. Wall-clock times of whole commands,
// start-up included, as an admin sees them.
//
// Environment: IMPORT_BENCH_MESSAGES (2000), IMPORT_BENCH_ENGINE (sqlite, or
// postgres with TEST_POSTGRES_URL set).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../prisma/database.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { createTestStore } from '../support/databases.ts';
import { buildMessage } from '../support/messages.ts';
import { DOVECOT_UID, DOVECOT_USER, startDovecot } from '../support/dovecot.ts';

const COUNT = Number(process.env.IMPORT_BENCH_MESSAGES ?? 2000);
const ENGINE = (process.env.IMPORT_BENCH_ENGINE ?? 'sqlite') as Engine;
const mailctlPath = new URL('../../mail-daemon/mailctl/main.ts', import.meta.url).pathname;

function writeMaildir(dir: string): number {
  const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tem\r\n';
  let bytes = 0;
  for (const part of ['cur', 'new', 'tmp']) mkdirSync(join(dir, part), { recursive: true });
  for (let i = 0; i < COUNT; i++) {
    const lines = 10 + ((i * 7919) % 1000) ** 2 / 3000;
    const raw = buildMessage({ subject: `bench ${i}`, body: line.repeat(lines) });
    const file = join(dir, 'cur', `${1_600_000_000 + i}.M${i}P1.bench:2,${i % 3 ? 'S' : ''}${i % 7 ? '' : 'F'}`);
    writeFileSync(file, raw);
    utimesSync(file, 1_600_000_000 + i, 1_600_000_000 + i);
    bytes += raw.length;
  }
  return bytes;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => (status === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e9) : reject(new Error(`${command} failed: ${stderr}`))));
  });
}

function rate(seconds: number): string {
  return `${seconds.toFixed(2)} s, ${(COUNT / seconds).toFixed(0)} messages/s`;
}

export async function run(): Promise<void> {
  const source = mkdtempSync(join(tmpdir(), 'import-bench-'));
  chmodSync(source, 0o755);
  const bytes = writeMaildir(source);
  spawnSync('chown', ['-R', `${DOVECOT_UID}:${DOVECOT_UID}`, source]);
  const load = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
  console.log(`${COUNT} messages, ${(bytes / 1024 / 1024).toFixed(1)} MB, ours on ${ENGINE}; ${load}`);

  const store = await createTestStore(ENGINE);
  const dataDir = mkdtempSync(join(tmpdir(), 'import-bench-data-'));
  try {
    await addTestAccounts(store, 'example.test', ['alice']);
    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: store.testDatabase.url, MAIL_HOSTNAME: 'mail.example.test' };
    const ours = await timed(process.execPath, ['--import', 'tsx', mailctlPath, 'import', 'alice@example.test', source], env);
    console.log(`mailctl import:            ${rate(ours)}`);
    const again = await timed(process.execPath, ['--import', 'tsx', mailctlPath, 'import', 'alice@example.test', source], env);
    console.log(`mailctl import (again):    ${rate(again)} (all skipped)`);

    const target = mkdtempSync(join(tmpdir(), 'import-bench-dovecot-'));
    chmodSync(target, 0o755);
    spawnSync('chown', ['-R', `${DOVECOT_UID}:${DOVECOT_UID}`, target]);
    const dovecot = await startDovecot('imap', [], '', { mailLocation: `maildir:${target}` });
    if (!dovecot) {
      console.log('Dovecot is not installed: no comparison (apt-get install dovecot-imapd)');
    } else {
      try {
        const theirs = await timed('doveadm', ['-c', dovecot.config, 'import', '-u', DOVECOT_USER, `maildir:${source}`, '', 'all']);
        console.log(`doveadm import (Dovecot ${dovecot.version}): ${rate(theirs)}`);
        console.log(`ratio ours/Dovecot time: ${(ours / theirs).toFixed(2)}`);
      } finally {
        await dovecot.stop();
      }
    }
    rmSync(target, { recursive: true, force: true });
  } finally {
    await store.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(source, { recursive: true, force: true });
  }
}

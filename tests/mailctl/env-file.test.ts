// Every command reads the .env of its working directory (the project root
// under `npm run`) before the configuration, and the environment wins over
// the file, as in Next.js. mailctl says so when it had to make a new database.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mailctlPath = new URL('../../mail-daemon/mailctl/main.ts', import.meta.url).pathname;
const daemonPath = new URL('../../mail-daemon/startup/main.ts', import.meta.url).pathname;
// The working directory is not the checkout, so tsx is named by its path.
const tsx = import.meta.resolve('tsx');

const dir = mkdtempSync(join(tmpdir(), 'mail-env-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The environment of a shell that has none of the platform's variables. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['DATA_DIR', 'DATABASE_URL', 'MAIL_HOSTNAME', 'LISTEN_HOST']) if (!(name in extra)) delete env[name];
  return env;
}

function mailctl(cwd: string, env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', tsx, mailctlPath, ...args], { cwd, encoding: 'utf8', env: cleanEnv(env) });
}

test('mailctl reads .env, and names the database it had to create', () => {
  const cwd = join(dir, 'project');
  const dataDir = join(dir, 'platform-data');
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, '.env'), `# the platform's settings\nDATA_DIR=${dataDir}\nMAIL_HOSTNAME="mail.env.test"\n`);

  const first = mailctl(cwd, {}, 'domain', 'add', 'env.test');
  assert.equal(first.status, 0, first.stderr);
  assert.ok(existsSync(join(dataDir, 'mail.db')), 'the database is where .env says');
  assert.ok(!existsSync(join(cwd, 'data')), 'no ./data database was made');
  assert.match(first.stderr, new RegExp(`no database at ${join(dataDir, 'mail.db')}: created a new, empty one`));

  const second = mailctl(cwd, {}, 'domain', 'list');
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /env\.test/);
  assert.doesNotMatch(second.stderr, /created a new/);
});

test('a variable in the environment wins over .env', () => {
  const cwd = join(dir, 'project-override');
  const fromFile = join(dir, 'from-file');
  const fromEnv = join(dir, 'from-env');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, '.env'), `DATA_DIR=${fromFile}\nMAIL_HOSTNAME=mail.env.test\n`);
  const result = mailctl(cwd, { DATA_DIR: fromEnv }, 'domain', 'add', 'override.test');
  assert.equal(result.status, 0, result.stderr);
  assert.ok(existsSync(join(fromEnv, 'mail.db')));
  assert.ok(!existsSync(join(fromFile, 'mail.db')));
});

test('the daemon reads .env', { timeout: 240_000 }, async () => {
  const cwd = join(dir, 'project-daemon');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(
    join(cwd, '.env'),
    [`DATA_DIR=${join(dir, 'daemon-data')}`, 'MAIL_HOSTNAME=mail.from-env-file.test', 'LISTEN_HOST=127.0.0.1', 'SMTP_PORT=0',
      'SUBMISSION_PORT=off', 'SUBMISSIONS_PORT=off', 'POP3_PORT=off', 'POP3S_PORT=off', 'IMAP_PORT=off', 'IMAPS_PORT=off', 'WEB_PORT=off', ''].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', tsx, daemonPath], { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  // The signal too, when it ended by one: a crash then says which.
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  try {
    while (!/running as/.test(output) && child.exitCode === null) await new Promise((wake) => setTimeout(wake, 100));
    assert.match(output, /running as mail\.from-env-file\.test on SQLite/);
    assert.ok(existsSync(join(dir, 'daemon-data', 'mail.db')));
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
  }
});

test('a bad setting in .env stops mailctl and the daemon with the problem named, not a stack trace', () => {
  const cwd = join(dir, 'project-bad');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, '.env'), `DATA_DIR=${join(dir, 'bad-data')}\nSMTP_PORT=seventy\n`);
  const fromMailctl = mailctl(cwd, {}, 'domain', 'list');
  assert.equal(fromMailctl.status, 1);
  assert.match(fromMailctl.stderr, /^mailctl: the settings are wrong:\n {2}SMTP_PORT/);
  assert.doesNotMatch(fromMailctl.stderr, /\n\s+at /);
  const fromDaemon = spawnSync(process.execPath, ['--import', tsx, daemonPath], { cwd, encoding: 'utf8', env: cleanEnv() });
  assert.equal(fromDaemon.status, 1);
  assert.match(fromDaemon.stderr, /^mail-daemon: the settings are wrong:\n {2}SMTP_PORT/);
  assert.ok(!existsSync(join(dir, 'bad-data', 'mail.db')), 'nothing was created');
});

// `npm start` stops cleanly: Ctrl-C (SIGINT to the whole process group, as a
// terminal sends it) and SIGTERM (to npm alone, as a service manager sends
// it) stop listening, tell open sessions (SMTP 421, IMAP BYE, POP3 -ERR) and
// exit 0 with no process left behind and nothing killed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';

const root = new URL('../..', import.meta.url).pathname;
// A web build from scratch takes a minute or two; a fresh one is reused.
const READY_WITHIN_MS = 360_000;

interface Platform {
  child: ChildProcess;
  output: () => string;
  ports: Record<string, number>;
  dataDir: string;
}

async function startPlatform(): Promise<Platform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mail-signals-'));
  const webPort = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      LISTEN_HOST: '127.0.0.1',
      MAIL_HOSTNAME: 'mail.signals.test',
      WEB_PORT: String(webPort),
      SMTP_PORT: '0',
      SUBMISSION_PORT: 'off',
      SUBMISSIONS_PORT: 'off',
      POP3_PORT: '0',
      POP3S_PORT: 'off',
      IMAP_PORT: '0',
      IMAPS_PORT: 'off',
      ALLOW_PLAINTEXT_LOOPBACK: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a shell job: Ctrl-C goes to all of it.
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null) assert.fail(`the platform exited with code ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      process.kill(-child.pid!, 'SIGKILL');
      assert.fail(`the platform was not ready:\n${output}`);
    }
    const ports: Record<string, number> = {};
    for (const match of output.matchAll(/mail-daemon: \w+: (smtp|imap|pop3) on [\d.]+:(\d+)/g)) ports[match[1]] = Number(match[2]);
    if (output.includes('web app listening') && ports.smtp && ports.imap && ports.pop3) return { child, output: () => output, ports, dataDir };
    await new Promise((wake) => setTimeout(wake, 250));
  }
}

/** A raw session that keeps everything the server says until it closes. */
async function openSession(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  socket.on('data', (chunk) => (text += chunk));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  for (let i = 0; i < 200 && !text.includes('\r\n'); i++) await new Promise((wake) => setTimeout(wake, 25));
  assert.ok(text.includes('\r\n'), `no greeting on port ${port}`);
  return { socket, received: () => text, closed };
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopsCleanly(send: (child: ChildProcess) => void) {
  const platform = await startPlatform();
  const { child, ports } = platform;
  try {
    const smtp = await openSession(ports.smtp);
    const imap = await openSession(ports.imap);
    const pop3 = await openSession(ports.pop3);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    send(child);
    const code = await exited;
    await Promise.all([smtp.closed, imap.closed, pop3.closed]);

    assert.equal(code, 0, platform.output());
    assert.doesNotMatch(platform.output(), /SIGKILL|killing/);
    assert.match(smtp.received(), /\r\n421 /);
    assert.match(imap.received(), /\r\n\* BYE /);
    assert.match(pop3.received(), /\r\n-ERR /);
    // Nothing of the platform is left running (npm, the daemon, next).
    for (let i = 0; i < 40 && groupAlive(child.pid!); i++) await new Promise((wake) => setTimeout(wake, 100));
    assert.equal(groupAlive(child.pid!), false, 'a process of the platform is still running');
  } finally {
    if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
    rmSync(platform.dataDir, { recursive: true, force: true });
  }
}

test('Ctrl-C (SIGINT to the process group) stops the platform cleanly', { timeout: READY_WITHIN_MS + 60_000 }, async () => {
  await stopsCleanly((child) => process.kill(-child.pid!, 'SIGINT'));
});

test('SIGTERM to npm start stops the platform cleanly', { timeout: READY_WITHIN_MS + 60_000 }, async () => {
  await stopsCleanly((child) => child.kill('SIGTERM'));
});

// SIGTERM at a moment of `npm start`'s start-up (before its handlers were
// installed after the migrations, a signal there ended it by the signal):
// the daemon alone, so no web build is needed.
async function stopStartAllAt(moment: RegExp, send: (child: ChildProcess) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mail-signals-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'mail-daemon/startup/start-all.ts', 'daemon'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LISTEN_HOST: '127.0.0.1', MAIL_HOSTNAME: 'mail.signals.test', WEB_PORT: 'off', SMTP_PORT: '0', SUBMISSION_PORT: 'off', SUBMISSIONS_PORT: 'off', POP3_PORT: 'off', POP3S_PORT: 'off', IMAP_PORT: '0', IMAPS_PORT: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let sent = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const read = (chunk: Buffer) => {
    output += chunk;
    if (!sent && moment.test(output)) {
      sent = true;
      send(child);
    }
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', read);
  // A moment that never comes must not leave the platform running.
  const giveUp = setTimeout(() => groupAlive(child.pid!) && process.kill(-child.pid!, 'SIGKILL'), 90_000);
  try {
    const { code, signal } = await exited;
    clearTimeout(giveUp);
    for (let i = 0; i < 40 && groupAlive(child.pid!); i++) await new Promise((wake) => setTimeout(wake, 100));
    assert.equal(groupAlive(child.pid!), false, `a process of the platform is still running:\n${output}`);
    assert.ok(sent, `npm start never printed ${moment}:\n${output}`);
    return { code, signal, output };
  } finally {
    if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const START_ALL_MOMENTS: [string, RegExp][] = [
  ['while it loads the settings and migrates', /\[start\] starting/],
  ['as the daemon is started', /\[start\] applied migrations/],
  ['while the daemon starts', /\[daemon\] mail-daemon: starting/],
  ['once the daemon runs', /\[daemon\] mail-daemon: running as/],
];

for (const [when, moment] of START_ALL_MOMENTS) {
  test(`SIGTERM to npm start ${when} stops it with exit 0`, { timeout: 120_000 }, async () => {
    const stopped = await stopStartAllAt(moment, (child) => child.kill('SIGTERM'));
    assert.deepEqual([stopped.code, stopped.signal], [0, null], stopped.output);
    assert.match(stopped.output, /\[start\] got SIGTERM; stopping/);
    assert.doesNotMatch(stopped.output, /killed by|exited with code|killing/);
  });
}

test('Ctrl-C (SIGINT to the process group) while the daemon starts stops npm start with exit 0', { timeout: 120_000 }, async () => {
  const stopped = await stopStartAllAt(/\[daemon\] mail-daemon: starting/, (child) => process.kill(-child.pid!, 'SIGINT'));
  assert.deepEqual([stopped.code, stopped.signal], [0, null], stopped.output);
  assert.doesNotMatch(stopped.output, /killed by|exited with code|killing/);
});

// SIGTERM or SIGINT at any moment of the daemon's start-up stops it cleanly
// with exit 0 (issue 14 item 8), as after it: while its modules load, while
// the migrations run, while the TLS certificate is made, between two
// listeners. Each moment is a line of the start-up log; the signal is sent
// when the line is read, so the daemon is at that step or a little later.
// A process that had no handler yet ended by the signal instead (the ".env"
// test saw SIGTERM kill the daemon just after "running as", when its
// handlers were installed only after that line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonEnvironment } from '../../mail-daemon/startup/malloc-arenas.ts';

const daemonPath = new URL('../../mail-daemon/startup/main.ts', import.meta.url).pathname;

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Starts the daemon on a fresh DATA_DIR and sends `signal` once a line matching `moment` was printed. */
async function stopAt(dataDir: string, moment: RegExp, signal: NodeJS.Signals): Promise<Stopped> {
  const child = spawn(process.execPath, ['--import', 'tsx', daemonPath], {
    env: daemonEnvironment({
      PATH: process.env.PATH,
      DATA_DIR: dataDir,
      MAIL_HOSTNAME: 'mail.start-up.test',
      LISTEN_HOST: '127.0.0.1',
      SMTP_PORT: '0',
      SUBMISSION_PORT: '0',
      SUBMISSIONS_PORT: 'off',
      IMAP_PORT: '0',
      IMAPS_PORT: 'off',
      POP3_PORT: '0',
      POP3S_PORT: 'off',
      WEB_PORT: 'off',
      DNS_SERVERS: '127.0.0.1:9',
    } as unknown as NodeJS.ProcessEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let sent = false;
  const exited = new Promise<Stopped>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, output })));
  const read = (chunk: Buffer) => {
    output += chunk;
    if (!sent && moment.test(output)) {
      sent = true;
      child.kill(signal);
    }
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const stopped = await exited;
  assert.ok(sent, `the daemon never printed ${moment}:\n${output}`);
  return stopped;
}

const MOMENTS: [string, RegExp][] = [
  ['while its modules load', /mail-daemon: starting/],
  ['while the migrations run', /open files limit/],
  ['while the database opens and the certificate is made', /applied migrations/],
  ['while the listeners start', /generated a self-signed certificate/],
  ['between two listeners', /smtp: smtp on /],
  ['once it runs', /running as/],
];

for (const [when, moment] of MOMENTS) {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} ${when} stops the daemon with exit 0`, { timeout: 120_000 }, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'mail-start-up-'));
      try {
        const stopped = await stopAt(dataDir, moment, signal);
        assert.deepEqual([stopped.code, stopped.signal], [0, null], stopped.output);
        assert.match(stopped.output, new RegExp(`mail-daemon: ${signal}, stopping`));
        assert.doesNotMatch(stopped.output, /Error|at .*\.ts:\d+/, 'no error on the way out');
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
}

test('a daemon stopped during its migrations starts again on the same data', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mail-start-up-'));
  try {
    const first = await stopAt(dataDir, /open files limit/, 'SIGTERM');
    assert.deepEqual([first.code, first.signal], [0, null], first.output);
    assert.ok(existsSync(join(dataDir, 'mail.db')));
    const second = await stopAt(dataDir, /running as/, 'SIGTERM');
    assert.deepEqual([second.code, second.signal], [0, null], second.output);
    assert.match(second.output, /smtp: smtp on 127\.0\.0\.1:\d+/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

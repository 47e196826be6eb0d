// `npm run web` on a fresh data directory: it builds the app if the last
// build is stale, serves /api/health once the database is migrated, and the
// pages lead to the first-run setup until an admin exists, read from the
// database on every request.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../prisma/database.ts';
import { freePort } from '../support/free-port.ts';

const startWeb = new URL('../../mail-daemon/startup/start-web.ts', import.meta.url).pathname;
// A build from scratch takes well under a minute; a fresh one is reused.
const READY_WITHIN_MS = 150_000;


function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitForHealth(base: string, child: ChildProcess, output: () => string): Promise<unknown> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) assert.fail(`start-web exited with code ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${base}/api/health`);
      if (response.ok) return response.json();
    } catch {
      // Not listening yet.
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
  assert.fail(`no healthy /api/health within ${READY_WITHIN_MS / 1000} s:\n${output()}`);
}

test('the web app starts on a fresh data directory and shows the database', { timeout: READY_WITHIN_MS + 30_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mail-web-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', startWeb], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      LISTEN_HOST: '127.0.0.1',
      WEB_PORT: String(port),
      MAIL_HOSTNAME: 'mail.web-test.example',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that a failed test can stop `next` as well.
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  after(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  assert.deepEqual(await waitForHealth(base, child, () => output), { ok: true, database: 'sqlite' });

  // A fresh install has no admin: every page leads to the setup page,
  // which names the server.
  for (const path of ['/', '/login', '/settings', '/admin']) {
    const response = await fetch(`${base}${path}`, { redirect: 'manual' });
    assert.equal(response.headers.get('location'), '/setup', path);
  }
  const setup = await (await fetch(`${base}/setup`)).text();
  assert.match(setup, /mail\.web-test\.example/);

  // The pages read the database on each request, so an admin made by another
  // process (mailctl) ends the first run at once.
  const database = await openDatabase(`file:${join(dataDir, 'mail.db')}`);
  try {
    const domain = await database.prisma.domain.create({
      data: { name: 'example.test', verified: true, verifyToken: 'token', dkimSelector: 'mail', dkimPrivateKey: 'private', dkimPublicKey: 'public' },
    });
    await database.prisma.account.create({ data: { address: 'admin@example.test', domainId: domain.id, passwordHash: 'x', role: 'admin' } });
  } finally {
    await database.close();
  }
  assert.equal((await fetch(`${base}/`, { redirect: 'manual' })).headers.get('location'), '/login');
  assert.equal((await fetch(`${base}/setup`, { redirect: 'manual' })).headers.get('location'), '/login');
  assert.equal((await fetch(`${base}/login`)).status, 200);

  // SIGTERM reaches `next start` through start-web, and both exit.
  child.kill('SIGTERM');
  await exitOf(child);
  await assert.rejects(fetch(`${base}/api/health`));
});

// `npm test`: every test file under tests/, with a PostgreSQL server for the
// tests that run on both engines. CI passes TEST_POSTGRES_URL (a server it
// started); otherwise this starts a private throwaway cluster with the
// installed PostgreSQL binaries, and stops it at the end.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'support' || entry.name === 'bench' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function findPostgresBin() {
  const candidates = ['/usr/lib/postgresql'];
  for (const base of candidates) {
    if (!existsSync(base)) continue;
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 ? join(which.stdout.trim(), '..') : null;
}

async function startPrivatePostgres() {
  const bin = findPostgresBin();
  if (!bin) {
    console.error('npm test needs PostgreSQL: set TEST_POSTGRES_URL, or install it (apt-get install -y postgresql).');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'mail-test-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  // initdb refuses to run as root; run the cluster as the postgres user then.
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (args) => {
    const result = spawnSync(asUser[0] ?? args[0], asUser.length ? [...asUser.slice(1), ...args] : args.slice(1), { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  };
  run([join(bin, 'initdb'), '-D', join(dir, 'data'), '-U', 'mail', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  run([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`, 'start']);
  return {
    url: `postgresql://mail@127.0.0.1:${port}/postgres`,
    stop: () => {
      spawnSync(asUser[0] ?? join(bin, 'pg_ctl'), [...asUser.slice(1), ...(asUser.length ? [join(bin, 'pg_ctl')] : []), '-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let privatePostgres;
if (!process.env.TEST_POSTGRES_URL) {
  privatePostgres = await startPrivatePostgres();
  process.env.TEST_POSTGRES_URL = privatePostgres.url;
}

const files = testFiles(join(root, 'tests'))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
console.log(`running ${files.length} test files: ${files.map((f) => relative(root, f)).join(' ')}`);
// --test-force-exit: a test file whose test failed before its clean-up (a
// daemon child or socket left open) would otherwise never exit and hold one of
// the two slots, hanging the run. --test-timeout bounds a test that waits
// forever; the pages-of-the-web-app suite took 11 minutes at load 12.
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-force-exit', '--test-timeout=1200000', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: process.env,
});
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
privatePostgres?.stop();
process.exit(code);

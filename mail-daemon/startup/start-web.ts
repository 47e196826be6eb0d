// `npm run web`: the web app on the configured LISTEN_HOST and WEB_PORT.
// It builds the app first when there is no build or a source file is newer
// than the last one, so the first start of a fresh clone builds once and
// later starts are quick. Ctrl-C and SIGTERM go to `next`, and this process
// exits with its code.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEntryConfig } from '../config/entry-config.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nextBin = join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
const buildId = join(root, '.next', 'BUILD_ID');

// What the build reads. mail-daemon/ and prisma/ are here because pages
// import their modules and the generated Prisma client is bundled into the
// server code: a schema change without a rebuild would query old columns.
const BUILD_INPUTS = [
  'app', 'public', 'components', 'lib', 'mail-daemon', 'prisma',
  'next.config.mjs', 'postcss.config.mjs', 'tsconfig.json', 'package.json', 'package-lock.json',
];
const NOT_INPUTS = new Set(['node_modules', '.next', 'data']);

/** The first input (file or directory) modified after `since`, or null. */
function newerInput(path: string, since: number): string | null {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return null;
  }
  // A directory's own time changes when a file in it is added or removed.
  if (stat.mtimeMs > since) return path;
  if (!stat.isDirectory()) return null;
  for (const entry of readdirSync(path)) {
    if (entry.startsWith('.') || NOT_INPUTS.has(entry)) continue;
    const found = newerInput(join(path, entry), since);
    if (found) return found;
  }
  return null;
}

/** Why the app needs a build, or null when .next is up to date. */
function buildReason(): string | null {
  let builtAt: number;
  try {
    builtAt = statSync(buildId).mtimeMs;
  } catch {
    return 'no build yet';
  }
  for (const input of BUILD_INPUTS) {
    const found = newerInput(join(root, input), builtAt);
    if (found) return `${found.slice(root.length + 1)} changed since the last build`;
  }
  return null;
}

// The child that a SIGINT or SIGTERM goes to: the build, then the server (web-server.ts).
let current: ChildProcess | null = null;
let stopSignal: NodeJS.Signals | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopSignal = signal;
    if (current) current.kill(signal);
    else process.exit(0);
  });
}

/** Runs a Node script (next's CLI, our web server) with arguments, as the current child. */
function run(args: string[]): Promise<number> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'inherit' });
    current = child;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      current = null;
      resolveExit(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

// Two starts at once (the platform and a test, say) must not both build into
// .next; the second waits, then finds the build fresh.
const lockPath = join(root, 'node_modules', '.cache', 'mailplatform', 'web-build.lock');

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lockPath), { recursive: true });
  let told = false;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(lockPath, 'utf8').trim() || 0);
    // A lock left behind by a build that was killed.
    if (holder && !processAlive(holder)) {
      unlinkSync(lockPath);
      continue;
    }
    if (!told) console.log(`waiting for the web build of process ${holder || '?'} to finish`);
    told = true;
    await new Promise((wake) => setTimeout(wake, 500));
  }
  try {
    return await work();
  } finally {
    unlinkSync(lockPath);
  }
}

async function main(): Promise<number> {
  const entry = loadEntryConfig((m) => console.error(`The web app cannot start: ${m}`));
  if (!entry) return 1;
  const { config } = entry;
  if (config.ports.web === null) {
    console.log('WEB_PORT is off: the web app does not start');
    return 0;
  }

  const buildCode = await withBuildLock(async () => {
    const reason = buildReason();
    if (!reason) return 0;
    console.log(`building the web app (${reason})`);
    return run([nextBin, 'build']);
  });
  if (buildCode !== 0) {
    if (!stopSignal) console.error(`the web app build failed (exit code ${buildCode})`);
    return buildCode;
  }
  if (stopSignal) return 0;

  return run(['--import', 'tsx', join(root, 'mail-daemon', 'startup', 'web-server.ts'), config.listenHost, String(config.ports.web)]);
}

process.exitCode = await main();

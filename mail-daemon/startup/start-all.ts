// `npm start`: the whole platform, the mail daemon and the web app, as two
// child processes whose lines are prefixed "[daemon] " and "[web] ".
// Migrations run here first, once, so neither child starts on an old schema.
// When one child exits, or on Ctrl-C or SIGTERM, the other is stopped too;
// the exit code is non-zero when a child failed.
//
// `npm start -- web` (or `-- daemon`) starts only the services named.
//
// SIGINT and SIGTERM are handled from the start, before the configuration
// and the migrations load (issue 14 item 8): a signal then ends `npm start`
// with exit 0 once the step under way is done, before any child starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { daemonEnvironment } from './malloc-arenas.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const SERVICES = {
  daemon: join(root, 'mail-daemon', 'startup', 'main.ts'),
  web: join(root, 'mail-daemon', 'startup', 'start-web.ts'),
} as const;
type Service = keyof typeof SERVICES;

// After this long a child that was asked to stop is killed.
const STOP_GRACE_MS = 10_000;
// Ctrl-C reaches this process more than once: from the terminal (the whole
// process group) and again from npm or tsx, which pass it on. Signals this
// close together are one request to stop; a later one means "stop now".
const SAME_SIGNAL_MS = 1000;

function log(message: string): void {
  console.log(`[start] ${message}`);
}

function pipeLines(from: NodeJS.ReadableStream, to: Writable, prefix: string): void {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${prefix}${line}\n`));
}

interface Running {
  service: Service;
  child: ChildProcess;
  exited: Promise<void>;
}

function startService(service: Service): Running {
  // Colours survive the pipe when the platform itself writes to a terminal.
  const env = daemonEnvironment(process.stdout.isTTY ? { ...process.env, FORCE_COLOR: '1' } : process.env);
  const child = spawn(process.execPath, ['--import', 'tsx', SERVICES[service]], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pipeLines(child.stdout!, process.stdout, `[${service}] `);
  pipeLines(child.stderr!, process.stderr, `[${service}] `);
  const exited = new Promise<void>((done) => {
    child.on('close', () => done());
    child.on('error', () => done());
  });
  return { service, child, exited };
}

// What has started, and how the stop goes: module-wide, since a signal may come before main() has started anything.
const running: Running[] = [];
let failed = false;
let stopping = false;

function stop(signal: NodeJS.Signals): void {
  for (const { child } of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

function stopAll(why: string): void {
  if (stopping) return;
  stopping = true;
  log(`${why}; stopping`);
  stop('SIGTERM');
  setTimeout(() => {
    log(`still running after ${STOP_GRACE_MS / 1000} s; killing`);
    stop('SIGKILL');
  }, STOP_GRACE_MS).unref();
}

let firstSignalAt = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    const now = Date.now();
    if (!firstSignalAt) {
      firstSignalAt = now;
      stopAll(`got ${signal}`);
    } else if (now - firstSignalAt > SAME_SIGNAL_MS) {
      // A second Ctrl-C does not wait for a graceful stop.
      log(`got ${signal} again; killing`);
      stop('SIGKILL');
    }
  });
}

function selectedServices(args: string[]): Service[] | string {
  if (args.length === 0) return ['daemon', 'web'];
  const unknown = args.filter((arg) => !(arg in SERVICES));
  if (unknown.length > 0) return `unknown service ${unknown.join(', ')}; the services are ${Object.keys(SERVICES).join(' and ')}`;
  return [...new Set(args as Service[])];
}

async function main(): Promise<number> {
  const selected = selectedServices(process.argv.slice(2));
  if (typeof selected === 'string') {
    log(selected);
    return 2;
  }
  log(`starting (pid ${process.pid})`);
  const { loadEntryConfig } = await import('../config/entry-config.ts');
  const entry = loadEntryConfig((m) => log(`the platform cannot start: ${m}`));
  if (!entry) return 1;
  const { config, envFile } = entry;
  if (envFile) log(`settings from ${envFile} and the environment`);
  const services = config.ports.web === null ? selected.filter((service) => service !== 'web') : selected;
  if (services.length < selected.length) log('WEB_PORT is off: the web app does not start');
  if (services.length === 0) return 0;

  if (stopping) return 0;
  const { applyMigrations } = await import('../../prisma/migrate.ts');
  const applied = await applyMigrations(config.databaseUrl);
  if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
  // Asked to stop while the migrations ran: they are done, and nothing else has started.
  if (stopping) return 0;

  running.push(...services.map(startService));

  // A child that exits on its own stops the platform, and failed unless it
  // exited 0. One that was asked to stop may answer with 128 + the signal.
  for (const { service, child } of running) {
    child.on('exit', (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (!stopping) {
        if (code !== 0) failed = true;
        stopAll(`the ${service} ${how}`);
      } else if (code !== 0 && code !== 130 && code !== 143 && signal !== 'SIGTERM' && signal !== 'SIGINT') {
        failed = true;
        log(`the ${service} ${how} while stopping`);
      }
    });
    child.on('error', (error) => {
      failed = true;
      stopAll(`the ${service} could not start: ${error.message}`);
    });
  }

  await Promise.all(running.map(({ exited }) => exited));
  return failed ? 1 : 0;
}

process.exitCode = await main();

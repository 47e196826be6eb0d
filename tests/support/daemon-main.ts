// The mail daemon exactly as `npm run daemon` starts it (mail-daemon/startup/
// main.ts in a process of its own), for tests of what an operator does around
// a running daemon: its listeners are read from its start-up log, and stop()
// sends SIGTERM and returns its exit code.
import { spawn } from 'node:child_process';
import { daemonEnvironment } from '../../mail-daemon/startup/malloc-arenas.ts';

const root = new URL('../..', import.meta.url).pathname;
const READY_WITHIN_MS = 120_000;

export interface MainDaemon {
  pid: number;
  /** The port of a listener by its label (smtp, submission, imap, pop3, metrics...). */
  port(label: string): number;
  output(): string;
  stop(): Promise<number | null>;
}

/** `env` is on top of the test's environment; set DATA_DIR, DATABASE_URL, LISTEN_HOST and the ports. */
export async function startMainDaemon(env: Record<string, string>, expectLabels: string[]): Promise<MainDaemon> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'mail-daemon/startup/main.ts'], {
    cwd: root,
    env: daemonEnvironment({ ...process.env, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ports = new Map<string, number>();
  const deadline = Date.now() + READY_WITHIN_MS;
  while (!output.includes('mail-daemon: running as') || !expectLabels.every((label) => ports.has(label))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the daemon did not start:\n${output}`);
    }
    await new Promise((wake) => setTimeout(wake, 100));
    for (const match of output.matchAll(/mail-daemon: [\w-]+: ([\w-]+) on [\d.:a-f]+:(\d+)/g)) ports.set(match[1], Number(match[2]));
  }
  return {
    pid: child.pid!,
    port(label) {
      const port = ports.get(label);
      if (!port) throw new Error(`no listener labelled ${label}:\n${output}`);
      return port;
    },
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

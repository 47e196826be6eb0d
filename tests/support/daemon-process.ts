// A mail daemon in a child process of its own (daemon-child.ts), for tests
// and benchmarks that measure it from outside: its ports, and its memory as
// the kernel counts it (/proc/PID/status). PROFILE_DIR set: the child writes
// a V8 CPU profile there.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { daemonEnvironment } from '../../mail-daemon/startup/malloc-arenas.ts';
import { stageHistograms, type StageHistograms } from './delivery-stages.ts';

export interface DaemonProcess {
  pid: number;
  /** The port of a listener by its label, e.g. port('imap'). */
  port(label: string): number;
  /** Resident memory now and its peak so far (VmRSS, VmHWM), in bytes. */
  memory(): { rss: number; peak: number };
  /** Starts the peak over from the memory resident now (the kernel's clear_refs). */
  resetPeak(): void;
  /** Counts the bytes its main thread allocates from now until the returned function is called, which gives them. */
  countAllocation(): () => Promise<number>;
  /** Its mail_delivery_stage_seconds so far, by step (delivery-stages.ts). */
  deliveryStages(): Promise<StageHistograms>;
  stop(): Promise<void>;
}

export interface DaemonProcessOptions {
  /** daemon-child.ts services, e.g. ['smtp', 'imap']. */
  services: string[];
  /** ip:port of the DNS server the daemon asks. */
  dns?: string;
  /** Settings on top of the child's defaults, e.g. { MAX_MESSAGE_SIZE: '1048576' }. */
  env?: Record<string, string>;
  /** Its descriptor limit (soft and hard), set with prlimit(1) from util-linux. */
  openFiles?: number;
}

function statusField(pid: number, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${name} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

export async function startDaemonProcess(databaseUrl: string, options: DaemonProcessOptions): Promise<DaemonProcess> {
  const settings = Object.entries(options.env ?? {}).map(([name, value]) => `${name}=${value}`);
  const profile = process.env.PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROFILE_DIR] : [];
  const command = [process.execPath, ...profile, '--import', 'tsx', 'tests/support/daemon-child.ts', databaseUrl, options.services.join(','), options.dns ?? '127.0.0.1:9', ...settings];
  // prlimit execs the command, so the child's pid stays the daemon's.
  if (options.openFiles) command.unshift('prlimit', `--nofile=${options.openFiles}:${options.openFiles}`);
  // Started as npm start and npm run daemon start it (malloc-arenas.ts).
  const child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'inherit'], env: daemonEnvironment() });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ready = String((await lines.next()).value);
  const ports = new Map([...ready.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
  if (!ready.startsWith('ready') || ports.size === 0) {
    child.kill();
    throw new Error(`daemon child did not start: ${ready}`);
  }
  return {
    pid: child.pid!,
    port(label) {
      const port = ports.get(label);
      if (!port) throw new Error(`no listener labelled ${label} in "${ready}"`);
      return port;
    },
    memory: () => ({ rss: statusField(child.pid!, 'VmRSS'), peak: statusField(child.pid!, 'VmHWM') }),
    resetPeak: () => writeFileSync(`/proc/${child.pid}/clear_refs`, '5'),
    countAllocation() {
      child.stdin!.write('allocation start\n');
      return async () => {
        child.stdin!.write('allocation stop\n');
        const answer = String((await lines.next()).value);
        const bytes = /^allocated (\d+)$/.exec(answer);
        if (!bytes) throw new Error(`daemon child did not count its allocation: ${answer}`);
        return Number(bytes[1]);
      };
    },
    async deliveryStages() {
      child.stdin!.write('stages\n');
      const answer = String((await lines.next()).value);
      if (!answer.startsWith('stages ')) throw new Error(`daemon child did not give its delivery stages: ${answer}`);
      return stageHistograms(JSON.parse(answer.slice('stages '.length)));
    },
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}

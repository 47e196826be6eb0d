// The real daemon entry point (mail-daemon/startup/main.ts, what `npm run daemon`
// runs) as a child process on a test database, with its stdout kept: the log
// output an operator's fail2ban reads. Every listener is on port 0 of
// 127.0.0.1; the ports come from its start-up lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { daemonEnvironment } from '../../mail-daemon/startup/malloc-arenas.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface DaemonProcess {
  /** Every stdout line so far. */
  output: string[];
  port(label: string): number;
  stop(): Promise<void>;
}

export async function startDaemonProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<DaemonProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mail-daemon-process-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'mail-daemon/startup/main.ts'], {
    env: daemonEnvironment({
      PATH: process.env.PATH,
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      MAIL_HOSTNAME: 'mail.example.test',
      LISTEN_HOST: '127.0.0.1',
      ...Object.fromEntries(['SMTP_PORT', 'SUBMISSION_PORT', 'SUBMISSIONS_PORT', 'POP3_PORT', 'POP3S_PORT', 'IMAP_PORT', 'IMAPS_PORT'].map((name) => [name, '0'])),
      WEB_PORT: 'off',
      ALLOW_PLAINTEXT_LOOPBACK: 'true',
      DNS_SERVERS: '127.0.0.1:9',
      ...env,
    } as unknown as NodeJS.ProcessEnv),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const output: string[] = [];
  const ports = new Map<string, number>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const listening = /^mail-daemon: \w+: (\w+) on [^ ]+:(\d+)$/.exec(line);
      if (listening) ports.set(listening[1], Number(listening[2]));
      if (line.startsWith('mail-daemon: running as')) resolve();
    });
    void exited.then(() => reject(new Error(`the daemon exited before it was ready:\n${output.join('\n')}`)));
  });
  return {
    output,
    port(label) {
      const port = ports.get(label);
      if (port === undefined) throw new Error(`no listener ${label}`);
      return port;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Postfix's smtp-sink as the receiving end of outbound benchmarks: accepts
// every message on one loopback address and port and writes each to a file
// of its own in a temporary folder, so the files count what arrived (its -c
// counters sit in a stdout buffer). Null when smtp-sink is not installed.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForPort } from './dovecot.ts';

const SMTP_SINK = '/usr/sbin/smtp-sink';

export interface RunningSink {
  /** Messages received so far. */
  messages(): number;
  /** With `verbose`: what smtp-sink -v printed, one line each ("connect", "ehlo x", "mail FROM:<a@b>", ".", "rset", ...). */
  transcript(): string[];
  stop(): void;
}

export async function startSmtpSink(host: string, port: number, options: { verbose?: boolean } = {}): Promise<RunningSink | null> {
  if (!existsSync(SMTP_SINK)) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-sink-'));
  // Started as root, smtp-sink runs as nobody (-u), who must write here.
  chmodSync(dir, 0o777);
  // -d: one file per transaction, named by the strftime template plus a random suffix; 256: the listen backlog.
  const child = spawn(SMTP_SINK, ['-u', 'nobody', ...(options.verbose ? ['-v'] : []), '-d', `${dir}/%H%M%S.`, `${host}:${port}`, '256'], {
    stdio: ['ignore', 'ignore', options.verbose ? 'pipe' : 'ignore'],
  });
  let printed = '';
  child.stderr?.setEncoding('latin1').on('data', (chunk: string) => (printed += chunk));
  await waitForPort(port, host);
  return {
    messages: () => readdirSync(dir).length,
    transcript: () => printed.split('\n').flatMap((line) => (line.startsWith(`${SMTP_SINK}: `) ? [line.slice(SMTP_SINK.length + 2)] : [])),
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

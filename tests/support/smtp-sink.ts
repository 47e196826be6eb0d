// Postfix's smtp-sink as the receiving end of outbound benchmarks: accepts
// and discards every message on one loopback address and port, and counts
// (its -c counters on stdout). Null when smtp-sink is not installed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitForPort } from './dovecot.ts';

const SMTP_SINK = '/usr/sbin/smtp-sink';

export interface RunningSink {
  /** Messages received so far. */
  messages(): number;
  /** SMTP sessions so far. */
  sessions(): number;
  stop(): void;
}

export async function startSmtpSink(host: string, port: number): Promise<RunningSink | null> {
  if (!existsSync(SMTP_SINK)) return null;
  // -u: the user it runs as when started as root; 256: the listen backlog.
  const child = spawn(SMTP_SINK, ['-c', '-u', 'nobody', `${host}:${port}`, '256'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = '';
  child.stdout!.setEncoding('latin1');
  child.stdout!.on('data', (chunk: string) => {
    // "sess=3 quit=1 mesg=20" lines, each ended by a carriage return.
    last = (last + chunk).slice(-200);
  });
  const counter = (name: string) => () => Number([...last.matchAll(new RegExp(`${name}=(\\d+)`, 'g'))].at(-1)?.[1] ?? 0);
  await waitForPort(port, host);
  return { messages: counter('mesg'), sessions: counter('sess'), stop: () => child.kill('SIGTERM') };
}

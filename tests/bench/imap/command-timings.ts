// Per-command figures on one big mailbox: the median milliseconds of each
// command over ROUNDS sessions, after one warm-up session.
import { BenchClient } from './bench-client.ts';
import { RARE_WORD } from './bench-messages.ts';

export type Timings = Record<string, number>;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function measureCommands(port: number, user: string, password: string, count: number, rounds: number): Promise<Timings> {
  const samples: Record<string, number[]> = {};
  for (let round = 0; round <= rounds; round++) {
    const client = await BenchClient.open(port);
    await client.command(`LOGIN ${user} "${password}"`);
    const record = async (what: string, command: string) => {
      const ms = await timed(() => client.command(command));
      if (round > 0) (samples[what] ??= []).push(ms);
    };
    await record('SELECT INBOX', 'SELECT INBOX');
    client.lines = 0;
    await record('FETCH 1:* (FLAGS ENVELOPE)', 'FETCH 1:* (FLAGS ENVELOPE)');
    if (client.lines !== count + 1) throw new Error(`FETCH answered ${client.lines - 1} messages, not ${count}`);
    await record('UID SEARCH UNSEEN FROM', 'UID SEARCH UNSEEN FROM sender7');
    // Each round sets or clears the flag on a thousand messages, so every STORE changes them.
    await record('STORE 1:1000 ±FLAGS.SILENT', `STORE 1:${Math.min(1000, count)} ${round % 2 ? '-' : '+'}FLAGS.SILENT (\\Flagged)`);
    await record('SEARCH TEXT (rare word)', `SEARCH TEXT ${RARE_WORD}`);
    await record('SEARCH BODY (common word)', 'SEARCH BODY lorem');
    await record('SEARCH BODY (inside words)', 'SEARCH BODY yzzy');
    await client.command('LOGOUT').catch(() => undefined);
    client.close();
  }
  return Object.fromEntries(Object.entries(samples).map(([what, values]) => [what, median(values)]));
}

// Per-command figures on one big mailbox: the median milliseconds of each
// command over ROUNDS sessions, after WARMUP sessions, and the first FETCH
// after the server started on its own line.
//
// Why several warm-up sessions: our daemon's first FETCH 1:* (FLAGS
// ENVELOPE) sessions run before V8's optimizing compiler has done its work
// (measured on 10k messages, load 4-7: 280-450, 100-300, 65-230 ms, then
// 50-60 ms from the fourth on; with node --no-opt 145-200 ms in every
// session), and under load its compiler thread waits longer for a core.
// With one warm-up session the median of five took in the unoptimized
// ones, and the FETCH ratio went from 1.0x to about 3x with the machine's
// load, whatever the database held (a fresh database, ANALYZE, VACUUM,
// mmap or a bigger page cache: no difference). A daemon runs warm; the
// cold figure is printed apart, for both servers (Dovecot's first FETCH
// builds its index cache).
import { BenchClient } from './bench-client.ts';
import { RARE_WORD } from './bench-messages.ts';

export type Timings = Record<string, number>;

export const WARMUP = Number(process.env.IMAP_BENCH_WARMUP ?? 4);

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
  for (let round = 0; round < WARMUP + rounds; round++) {
    const client = await BenchClient.open(port);
    await client.command(`LOGIN ${user} "${password}"`);
    const record = async (what: string, command: string) => {
      const ms = await timed(() => client.command(command));
      if (round >= WARMUP) (samples[what] ??= []).push(ms);
      if (round === 0 && what.startsWith('FETCH')) samples['first FETCH after start'] = [ms];
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

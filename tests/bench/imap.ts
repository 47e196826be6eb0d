// `npm run bench -- imap`: our IMAP server against Dovecot (Debian's
// dovecot-imapd, a throwaway instance on another loopback port, the same
// messages in a Maildir) in the same run, both checking the same argon2id
// password hash (hashPassword's parameters), with the same auth cache TTL:
// - per command, on a mailbox of 10,000 messages: SELECT, FETCH 1:* (FLAGS
//   ENVELOPE), UID SEARCH, STORE and full-text SEARCH, median of ROUNDS;
// - the stress run (imap/stress.ts): CLIENTS clients doing login, select,
//   fetch, store, expunge, append, logout cycles against one mailbox, every
//   response checked (imap/protocol-checker.ts); cycles per second,
//   violations, errors;
// - memory per IDLE connection with IDLE connections open.
// Ratios are ours over Dovecot's: for times, below 1 is faster; for cycles
// per second, above 1 is faster.
//
// Our daemon runs in a child process of its own, so that its memory is
// measured without the benchmark's; Dovecot's is the sum over its processes.
//
// Environment: IMAP_BENCH_MESSAGES (10000), IMAP_BENCH_ROUNDS (5), IMAP_BENCH_WARMUP (4 sessions before the median),
// IMAP_BENCH_CLIENTS (10), IMAP_BENCH_STRESS_SECONDS (20),
// IMAP_BENCH_STRESS_MESSAGES (1000), IMAP_BENCH_IDLE (2000; 0 skips it),
// IMAP_BENCH_AUTH_CACHE_TTL (60s, or off; both servers), IMAP_BENCH_ENGINE
// (sqlite, or postgres with TEST_POSTGRES_URL set), BENCH_ADDRESS (127.0.0.1: the loopback
// address of both servers, bench-address.ts).
import { openDatabase, type Engine } from '../../prisma/database.ts';
import { createMailStore, closeMailStore, type MailStore } from '../../mail-daemon/store/context.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { prepareMessage } from '../../mail-daemon/store/prepared-message.ts';
import { hashPassword } from '../../mail-daemon/accounts/passwords.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { createTestDatabase } from '../support/databases.ts';
import { DOVECOT_PASSWORD, DOVECOT_USER, startDovecot } from '../support/dovecot.ts';
import { startDaemonProcess } from '../support/daemon-process.ts';
import { makeMessages } from './imap/bench-messages.ts';
import { measureCommands, type Timings } from './imap/command-timings.ts';
import { measureIdle, type IdleFigures } from './imap/idle-memory.ts';
import { runStress, type StressResult } from './imap/stress.ts';
import { BENCH_ADDRESS } from './bench-address.ts';

const COUNT = Number(process.env.IMAP_BENCH_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.IMAP_BENCH_ROUNDS ?? 5);
const CLIENTS = Number(process.env.IMAP_BENCH_CLIENTS ?? 10);
const STRESS_SECONDS = Number(process.env.IMAP_BENCH_STRESS_SECONDS ?? 20);
const STRESS_MESSAGES = Number(process.env.IMAP_BENCH_STRESS_MESSAGES ?? 1000);
const IDLE = Number(process.env.IMAP_BENCH_IDLE ?? 2000);
const AUTH_CACHE_TTL = process.env.IMAP_BENCH_AUTH_CACHE_TTL ?? '60s';
const ENGINE = (process.env.IMAP_BENCH_ENGINE ?? 'sqlite') as Engine;

interface ServerFigures {
  server: string;
  timings: Timings;
  stress: StressResult;
  idle?: IdleFigures;
}

export async function deliverAll(store: MailStore, accountId: number, messages: Buffer[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 50) {
    const prepared = await Promise.all(messages.slice(i, i + 50).map(prepareMessage));
    await Promise.all(prepared.map((p) => deliverMessage(store, p, [{ accountId }])));
  }
}

async function measureOurs(messages: Buffer[], stressMessages: Buffer[]): Promise<ServerFigures> {
  const database = await createTestDatabase(ENGINE);
  try {
    const store = createMailStore(await openDatabase(database.url));
    const [bench, stress] = await addTestAccounts(store, 'bench.test', ['bench', 'stress']);
    const started = Date.now();
    await deliverAll(store, bench.id, messages);
    const seconds = (Date.now() - started) / 1000;
    console.log(`ours: delivered in ${seconds.toFixed(1)} s (${(messages.length / seconds).toFixed(0)} messages/s, full-text indexing included)`);
    await deliverAll(store, stress.id, stressMessages);
    await closeMailStore(store);
    const daemon = await startDaemonProcess(database.url, {
      services: ['imap'],
      env: { LISTEN_HOST: BENCH_ADDRESS, AUTH_CACHE_TTL, MAX_CONNECTIONS_PER_ADDRESS: String(IDLE + 100), MAX_CONNECTIONS_PER_SERVICE: String(IDLE + 100) },
      // A service takes at most a fifth of the descriptors (limits/connection-gate.ts).
      openFiles: (IDLE + 100) * 5 + 1000,
    });
    try {
      const port = daemon.port('imap');
      const timings = await measureCommands(port, bench.address, TEST_PASSWORD, messages.length, ROUNDS);
      console.log(`ours: ${JSON.stringify(timings)}`);
      const stressed = await runStress({ port, user: stress.address, password: TEST_PASSWORD, clients: CLIENTS, seconds: STRESS_SECONDS, message: stressMessages[0] });
      const idle = IDLE > 0 ? await measureIdle(port, bench.address, TEST_PASSWORD, daemon.pid, IDLE) : undefined;
      return { server: `ours (${ENGINE})`, timings, stress: stressed, idle };
    } finally {
      await daemon.stop();
    }
  } finally {
    await database.drop();
  }
}

async function measureDovecot(messages: Buffer[], stressMessages: Buffer[]): Promise<ServerFigures | null> {
  const passwordHash = await hashPassword(DOVECOT_PASSWORD);
  // Dovecot's auth cache (auth_cache_ttl) matches ours: a size of 0 turns it off.
  const authCache = AUTH_CACHE_TTL === 'off' ? 'auth_cache_size = 0' : `auth_cache_size = 10M\nauth_cache_ttl = ${AUTH_CACHE_TTL.replace(/s$/, ' secs')}`;
  const limits = `${authCache}
default_process_limit = ${IDLE + 500}
default_client_limit = ${IDLE * 2 + 1000}
protocol imap {
  mail_max_userip_connections = ${IDLE + 100}
}
service imap {
  process_limit = ${IDLE + 100}
}`;
  const big = await startDovecot('imap', messages, limits, { passwordHash, address: BENCH_ADDRESS });
  if (!big) return null;
  let timings: Timings;
  let idle: IdleFigures | undefined;
  try {
    timings = await measureCommands(big.port, DOVECOT_USER, DOVECOT_PASSWORD, messages.length, ROUNDS);
    idle = IDLE > 0 ? await measureIdle(big.port, DOVECOT_USER, DOVECOT_PASSWORD, big.pid, IDLE) : undefined;
  } finally {
    await big.stop();
  }
  const small = (await startDovecot('imap', stressMessages, limits, { passwordHash, address: BENCH_ADDRESS }))!;
  try {
    const stress = await runStress({ port: small.port, user: DOVECOT_USER, password: DOVECOT_PASSWORD, clients: CLIENTS, seconds: STRESS_SECONDS, message: stressMessages[0] });
    return { server: `dovecot ${small.version}`, timings, stress, idle };
  } finally {
    await small.stop();
  }
}

const column = (text: string) => text.padStart(18);

function printStress(results: ServerFigures[]): void {
  for (const { server, stress } of results) {
    const violations = [...stress.violations.values()].reduce((sum, v) => sum + v.count, 0);
    const errors = [...stress.errors.values()].reduce((sum, n) => sum + n, 0);
    console.log(`\n${server}: ${stress.cycles} cycles in ${stress.seconds.toFixed(1)} s = ${(stress.cycles / stress.seconds).toFixed(1)} cycles/s; ${violations} violations; ${errors} NO/BAD/broken`);
    for (const [kind, { count, samples }] of stress.violations) console.log(`  violation ${count}x ${kind}; e.g. ${samples[0]}`);
    for (const [text, count] of stress.errors) console.log(`  ${count}x ${text}`);
  }
}

export async function run(): Promise<void> {
  const messages = makeMessages(COUNT);
  const stressMessages = messages.slice(0, STRESS_MESSAGES);
  const totalMb = messages.reduce((s, m) => s + m.length, 0) / 1e6;
  console.log(
    `mailbox: ${COUNT} messages, ${totalMb.toFixed(1)} MB; store on ${ENGINE}; client on the same machine over loopback; median of ${ROUNDS} sessions; ` +
      `stress: ${CLIENTS} clients for ${STRESS_SECONDS} s on ${STRESS_MESSAGES} messages; auth cache ${AUTH_CACHE_TTL} on both; ${IDLE} IDLE connections`,
  );
  const results: ServerFigures[] = [await measureOurs(messages, stressMessages)];
  const dovecot = await measureDovecot(messages, stressMessages);
  if (dovecot) results.push(dovecot);
  else console.log('dovecot-imapd is not installed: no comparison (apt-get install dovecot-imapd to add one)');

  const ratio = (ours: number, theirs: number) => (dovecot ? `${(ours / theirs).toFixed(2)}x` : '');
  console.log(`\n${'milliseconds'.padEnd(30)}${results.map((r) => column(r.server)).join('')}${column('ours/dovecot')}`);
  for (const operation of Object.keys(results[0].timings)) {
    const values = results.map((r) => r.timings[operation]);
    console.log(`${operation.padEnd(30)}${values.map((v) => column(v.toFixed(1))).join('')}${column(ratio(values[0], values[1]))}`);
  }
  const cycles = results.map((r) => r.stress.cycles / r.stress.seconds);
  console.log(`${'stress cycles/s'.padEnd(30)}${cycles.map((v) => column(v.toFixed(1))).join('')}${column(ratio(cycles[0], cycles[1]))}`);
  if (results.every((r) => r.idle)) {
    console.log(`${'kB per IDLE connection'.padEnd(30)}${results.map((r) => column(r.idle!.perConnectionKb.toFixed(1))).join('')}`);
    console.log(`${`seconds to open ${IDLE}`.padEnd(30)}${results.map((r) => column(r.idle!.openSeconds.toFixed(1))).join('')}`);
  }
  printStress(results);
  if (dovecot) console.log('\n(Dovecot as configured by Debian without an fts plugin: its SEARCH BODY/TEXT reads every message; one imap process per connection.)');
}

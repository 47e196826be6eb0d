// `npm run bench -- imap`: our IMAP server on a mailbox of 10,000 messages:
// SELECT time, `FETCH 1:* (FLAGS ENVELOPE)` time, full-text SEARCH time (a
// rare word, a common word, a piece of a word), and the memory per idle
// connection with 2,000 connections in IDLE; side by side with Dovecot
// (Debian's dovecot-imapd, on another loopback port, the same messages in a
// Maildir) when it is installed.
//
// Our daemon runs in a child process of its own, so that its memory is
// measured without the benchmark's; Dovecot's is the sum over its processes
// (proportional set size, so shared libraries are counted once).
//
// Environment: IMAP_BENCH_MESSAGES (10000), IMAP_BENCH_IDLE (2000),
// IMAP_BENCH_ROUNDS (5), IMAP_BENCH_ENGINE (sqlite, or postgres with
// TEST_POSTGRES_URL set).
import { connect, type Socket } from 'node:net';
import { openDatabase, type Engine } from '../../prisma/database.ts';
import { createMailStore, closeMailStore } from '../../mail-daemon/store/context.ts';
import { deliverMessage, prepareMessage } from '../../mail-daemon/store/deliver.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { createTestDatabase } from '../support/databases.ts';
import { buildMessage } from '../support/messages.ts';
import { DOVECOT_PASSWORD, DOVECOT_USER, startDovecot } from '../support/dovecot.ts';
import { processTree, pssKb } from '../support/process-memory.ts';
import { startDaemonProcess } from '../support/daemon-process.ts';

const COUNT = Number(process.env.IMAP_BENCH_MESSAGES ?? 10_000);
const IDLE = Number(process.env.IMAP_BENCH_IDLE ?? 2000);
const ROUNDS = Number(process.env.IMAP_BENCH_ROUNDS ?? 5);
const ENGINE = (process.env.IMAP_BENCH_ENGINE ?? 'sqlite') as Engine;
const RARE = 'zyzzyva';

const SEARCHES = [
  ['SEARCH TEXT (rare word)', `SEARCH TEXT ${RARE}`],
  ['SEARCH BODY (common word)', 'SEARCH BODY lorem'],
  ['SEARCH BODY (inside words)', 'SEARCH BODY yzzy'],
] as const;

/** A vocabulary of made-up words, so the text index has something to index. */
function makeWords(count: number): string[] {
  const syllables = ['ka', 'lo', 'rem', 'ip', 'sum', 'do', 'lor', 'sit', 'am', 'et', 'con', 'sec', 'tur', 'ad', 'pis', 'ci', 'ng', 'el', 'it', 'sed'];
  return Array.from({ length: count }, (_, i) => {
    let word = '';
    for (let n = i + 1; n > 0; n = Math.floor(n / syllables.length)) word += syllables[n % syllables.length];
    return word;
  });
}

/** Messages of about 1 to 8 kB; one in a hundred has the rare word; every one has "lorem". */
function makeMessages(count: number): Buffer[] {
  const words = makeWords(5000);
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, (_, i) => {
    const length = 150 + Math.floor(random() * 1000);
    const body: string[] = ['Lorem ipsum.'];
    for (let w = 0; w < length; w++) body.push(words[Math.floor(random() ** 2 * words.length)] + (w % 12 === 11 ? '\n' : ''));
    if (i % 100 === 7) body.push(RARE);
    return buildMessage({ subject: `Bench message ${i} ${words[i % words.length]}`, from: `Sender ${i % 50} <sender${i % 50}@remote.test>`, body: `${body.join(' ')}\n` });
  });
}

/** A lean IMAP client: reads responses up to the tagged line, skipping literals, keeping only counts. */
class BenchClient {
  private buffer: Buffer = Buffer.alloc(0);
  private literalLeft = 0;
  private waiter: { tag: string; resolve: (line: string) => void; reject: (e: Error) => void } | null = null;
  private lineWaiter: ((line: string) => void) | null = null;
  lines = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.waiter?.reject(error));
    socket.on('close', () => this.waiter?.reject(new Error('connection closed')));
  }

  static async open(port: number): Promise<BenchClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.setNoDelay(true);
    const client = new BenchClient(socket);
    await new Promise<string>((resolve) => (client.lineWaiter = resolve));
    return client;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, this.buffer.length);
        this.literalLeft -= take;
        this.buffer = this.buffer.subarray(take);
        if (this.literalLeft > 0) return;
      }
      const lf = this.buffer.indexOf(0x0a);
      if (lf === -1) return;
      const line = this.buffer.toString('latin1', 0, lf).replace(/\r$/, '');
      this.buffer = this.buffer.subarray(lf + 1);
      const literal = /\{(\d+)\}$/.exec(line);
      if (literal) {
        this.literalLeft = Number(literal[1]);
        continue;
      }
      this.lines++;
      if (this.lineWaiter) {
        const waiter = this.lineWaiter;
        this.lineWaiter = null;
        waiter(line);
      } else if (this.waiter && line.startsWith(`${this.waiter.tag} `)) {
        const waiter = this.waiter;
        this.waiter = null;
        if (/^\S+ OK/.test(line)) waiter.resolve(line);
        else waiter.reject(new Error(line));
      }
    }
  }

  private tag = 0;

  /** Sends a command; resolves with its tagged OK line. */
  command(text: string): Promise<string> {
    const tag = `b${++this.tag}`;
    const done = new Promise<string>((resolve, reject) => (this.waiter = { tag, resolve, reject }));
    this.socket.write(`${tag} ${text}\r\n`);
    return done;
  }

  /** IDLE, up to its continuation. */
  async idle(): Promise<void> {
    const continued = new Promise<string>((resolve) => (this.lineWaiter = resolve));
    this.socket.write(`i IDLE\r\n`);
    const line = await continued;
    if (!line.startsWith('+')) throw new Error(`IDLE: ${line}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

interface Timings {
  [what: string]: number;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median milliseconds of each operation over ROUNDS sessions (after one warm-up). */
async function measureCommands(port: number, user: string, password: string): Promise<Timings> {
  const samples: Record<string, number[]> = {};
  for (let round = 0; round <= ROUNDS; round++) {
    const client = await BenchClient.open(port);
    await client.command(`LOGIN ${user} "${password}"`);
    const record = (what: string, ms: number) => round > 0 && (samples[what] ??= []).push(ms);
    record('SELECT INBOX', await timed(() => client.command('SELECT INBOX')));
    client.lines = 0;
    record('FETCH 1:* (FLAGS ENVELOPE)', await timed(() => client.command('FETCH 1:* (FLAGS ENVELOPE)')));
    if (client.lines !== COUNT + 1) throw new Error(`FETCH answered ${client.lines - 1} messages, not ${COUNT}`);
    for (const [what, command] of SEARCHES) record(what, await timed(() => client.command(command)));
    await client.command('LOGOUT').catch(() => undefined);
    client.close();
  }
  return Object.fromEntries(Object.entries(samples).map(([what, values]) => [what, median(values)]));
}

/** Opens IDLE connections (logged in, INBOX selected) and returns kB per connection of the server's processes. */
async function measureIdle(port: number, user: string, password: string, serverPid: number): Promise<{ perConnectionKb: number; connections: number; openSeconds: number }> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 2000));
  await settle();
  const before = pssKb(processTree(serverPid));
  const clients: BenchClient[] = [];
  const started = Date.now();
  try {
    for (let i = 0; i < IDLE; i += 50) {
      clients.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, IDLE - i) }, async () => {
            const client = await BenchClient.open(port);
            await client.command(`LOGIN ${user} "${password}"`);
            await client.command('SELECT INBOX');
            await client.idle();
            return client;
          }),
        )),
      );
    }
    const openSeconds = (Date.now() - started) / 1000;
    await settle();
    const after = pssKb(processTree(serverPid));
    return { perConnectionKb: (after - before) / clients.length, connections: clients.length, openSeconds };
  } finally {
    for (const client of clients) client.close();
  }
}

export async function run(): Promise<void> {
  const messages = makeMessages(COUNT);
  const totalMb = messages.reduce((s, m) => s + m.length, 0) / 1e6;
  console.log(`mailbox: ${COUNT} messages, ${totalMb.toFixed(1)} MB; store on ${ENGINE}; client on the same machine over loopback; median of ${ROUNDS} sessions; ${IDLE} IDLE connections`);

  const database = await createTestDatabase(ENGINE);
  const results: { server: string; timings: Timings; idle: Awaited<ReturnType<typeof measureIdle>> }[] = [];
  try {
    const store = createMailStore(await openDatabase(database.url));
    const [account] = await addTestAccounts(store, 'bench.test', ['bench']);
    const deliveryStarted = Date.now();
    for (let i = 0; i < messages.length; i += 50) {
      const prepared = await Promise.all(messages.slice(i, i + 50).map(prepareMessage));
      await Promise.all(prepared.map((p) => deliverMessage(store, p, [{ accountId: account.id }])));
    }
    console.log(`delivered in ${((Date.now() - deliveryStarted) / 1000).toFixed(1)} s (${(COUNT / ((Date.now() - deliveryStarted) / 1000)).toFixed(0)} messages/s, full-text indexing included)`);
    await closeMailStore(store);

    const ours = await startDaemonProcess(database.url, { services: ['imap'] });
    try {
      const timings = await measureCommands(ours.port('imap'), account.address, TEST_PASSWORD);
      const idle = await measureIdle(ours.port('imap'), account.address, TEST_PASSWORD, ours.pid);
      results.push({ server: `ours (${ENGINE})`, timings, idle });
      console.log(`ours: ${JSON.stringify({ ...timings, kbPerIdleConnection: idle.perConnectionKb })}`);
    } finally {
      await ours.stop();
    }
  } finally {
    await database.drop();
  }

  const dovecot = await startDovecot(
    'imap',
    messages,
    `default_process_limit = ${IDLE + 500}
default_client_limit = ${IDLE * 2 + 1000}
protocol imap {
  mail_max_userip_connections = ${IDLE + 100}
}
service imap {
  process_limit = ${IDLE + 100}
}`,
  );
  if (dovecot) {
    try {
      const timings = await measureCommands(dovecot.port, DOVECOT_USER, DOVECOT_PASSWORD);
      const idle = await measureIdle(dovecot.port, DOVECOT_USER, DOVECOT_PASSWORD, dovecot.pid);
      results.push({ server: `dovecot ${dovecot.version}`, timings, idle });
    } finally {
      dovecot.stop();
    }
  } else {
    console.log('dovecot-imapd is not installed: no comparison (apt-get install dovecot-imapd to add one)');
  }

  const operations = Object.keys(results[0].timings);
  console.log(`\n${'milliseconds'.padEnd(30)}${results.map((r) => r.server.padStart(20)).join('')}`);
  for (const operation of operations) {
    console.log(`${operation.padEnd(30)}${results.map((r) => r.timings[operation].toFixed(1).padStart(20)).join('')}`);
  }
  console.log(`${'kB per IDLE connection'.padEnd(30)}${results.map((r) => r.idle.perConnectionKb.toFixed(1).padStart(20)).join('')}`);
  console.log(`${`seconds to open ${IDLE}`.padEnd(30)}${results.map((r) => r.idle.openSeconds.toFixed(1).padStart(20)).join('')}`);
  if (dovecot) console.log('(Dovecot as configured by Debian without an fts plugin: its SEARCH BODY/TEXT reads every message; one imap process per connection.)');
}

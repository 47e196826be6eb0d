// `npm run bench -- pop3`: RETR throughput (messages and MB per second) of
// our POP3 server on a 1,000-message maildrop, one RETR at a time and
// pipelined, and the same for Dovecot's POP3 on another loopback port when
// Debian's dovecot-pop3d is installed; the ratios are ours over Dovecot's
// (above 1: ours is faster).
//
// Our daemon runs in a child process of its own, as Dovecot's pop3 runs in
// its own: in this process, the benchmark client would take its CPU time.
// PROFILE_DIR set: the daemon writes a V8 CPU profile there (daemon-process.ts).
// On PostgreSQL, the CPU time of the database's server processes that serve
// the daemon (when they run on this machine) is counted with ours and shown
// apart: Dovecot's figure includes its reading of the messages, ours would
// otherwise leave out the server that reads them.
//
// Environment: POP3_BENCH_MESSAGES (1000), POP3_BENCH_ROUNDS (5),
// POP3_BENCH_SWEEPS (5), POP3_BENCH_ENGINE (sqlite, or postgres with TEST_POSTGRES_URL set),
// BENCH_ADDRESS (127.0.0.1: the loopback address of both servers, bench-address.ts).
import { connect, type Socket } from 'node:net';
import { openDatabase, type Engine } from '../../prisma/database.ts';
import { closeMailStore, createMailStore } from '../../mail-daemon/store/context.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { createTestDatabase } from '../support/databases.ts';
import { startDaemonProcess } from '../support/daemon-process.ts';
import { cpuSeconds } from '../support/process-cpu.ts';
import { postgresBackends } from '../support/postgres-backends.ts';
import { buildMessage } from '../support/messages.ts';
import { DOVECOT_PASSWORD, DOVECOT_USER, startDovecot } from '../support/dovecot.ts';
import { deliverAll } from './imap.ts';
import { BENCH_ADDRESS } from './bench-address.ts';

const COUNT = Number(process.env.POP3_BENCH_MESSAGES ?? 1000);
const ENGINE = (process.env.POP3_BENCH_ENGINE ?? 'sqlite') as Engine;
const PIPELINE_WINDOW = 64;
/** Each figure is the median of this many passes over the maildrop, so a busy machine skews it less. */
const ROUNDS = Number(process.env.POP3_BENCH_ROUNDS ?? 5);
/** Times each pass retrieves the whole maildrop, so a pass lasts long enough to time on a busy machine. */
const SWEEPS = Number(process.env.POP3_BENCH_SWEEPS ?? 5);

/** Messages from about 1 kB to 26 kB (mean about 10 kB), some lines starting with "." to stuff. */
function makeMessages(count: number): Buffer[] {
  const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tem\n';
  return Array.from({ length: count }, (_, i) => {
    const lines = 10 + ((i * 7919) % 1000) ** 2 / 3000;
    let body = '';
    for (let l = 0; l < lines; l++) body += l % 50 === 49 ? `.${line}` : line;
    return buildMessage({ subject: `bench ${i}`, body });
  });
}

/**
 * A lean POP3 client: counts RETR reply bytes without keeping them, so the
 * client is not what is measured. RETR replies are matched to requests in
 * order, synchronously as bytes arrive, so any number may be in flight.
 */
class BenchClient {
  private pending = '';
  private readonly lineWaiters: ((line: string) => void)[] = [];
  private readonly retrWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private inBody = false;
  private bodyTail = Buffer.alloc(0);
  bytes = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  static async open(port: number): Promise<BenchClient> {
    const socket = connect({ host: BENCH_ADDRESS, port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new BenchClient(socket);
    await new Promise<string>((resolve) => client.lineWaiters.push(resolve));
    return client;
  }

  private onData(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.inBody) {
        // The terminator CRLF.CRLF may straddle chunks: search the last 4 bytes seen plus the new ones.
        const joined = Buffer.concat([this.bodyTail, rest.subarray(0, 5)]);
        const straddling = joined.indexOf('\r\n.\r\n');
        const inRest = straddling === -1 ? rest.indexOf('\r\n.\r\n') : -1;
        const consumed = straddling !== -1 ? straddling + 5 - this.bodyTail.length : inRest === -1 ? -1 : inRest + 5;
        if (consumed === -1) {
          this.bytes += rest.length;
          this.bodyTail = Buffer.from(Buffer.concat([this.bodyTail, rest.subarray(-4)]).subarray(-4));
          return;
        }
        this.bytes += consumed;
        rest = rest.subarray(consumed);
        this.inBody = false;
        this.retrWaiters.shift()!.resolve();
        continue;
      }
      const lf = rest.indexOf(0x0a);
      if (lf === -1) {
        this.pending += rest.toString('latin1');
        return;
      }
      const text = (this.pending + rest.toString('latin1', 0, lf)).replace(/\r$/, '');
      this.pending = '';
      rest = rest.subarray(lf + 1);
      if (this.retrWaiters.length > 0) {
        if (!text.startsWith('+OK')) this.retrWaiters.shift()!.reject(new Error(`RETR: ${text}`));
        // The status line's CRLF is the line end before the first body line.
        this.inBody = text.startsWith('+OK');
        this.bodyTail = Buffer.from('\r\n');
      } else {
        this.lineWaiters.shift()?.(text);
      }
    }
  }

  async command(line: string): Promise<string> {
    const reply = new Promise<string>((resolve) => this.lineWaiters.push(resolve));
    this.socket.write(`${line}\r\n`);
    return reply;
  }

  /** Sends RETR for each number in one write; each promise settles when its whole reply has arrived. */
  retr(numbers: number[]): Promise<void>[] {
    const replies = numbers.map(() => new Promise<void>((resolve, reject) => this.retrWaiters.push({ resolve, reject })));
    this.socket.write(numbers.map((n) => `RETR ${n}\r\n`).join(''));
    return replies;
  }

  async login(user: string, password: string): Promise<void> {
    const u = await this.command(`USER ${user}`);
    const p = await this.command(`PASS ${password}`);
    if (!u.startsWith('+OK') || !p.startsWith('+OK')) throw new Error(`login failed: ${u} / ${p}`);
  }

  async quit(): Promise<void> {
    await this.command('QUIT');
    this.socket.destroy();
  }
}

interface Result {
  server: string;
  mode: string;
  seconds: number;
  bytes: number;
  /** CPU seconds the server used meanwhile (process-cpu.ts): a figure that depends less on the machine's load. */
  cpu: number;
  /** Of which the database's server processes (PostgreSQL on this machine). */
  databaseCpu: number;
}

/** Where the server's CPU time is read: its process, or Dovecot's master. */
interface Server {
  name: string;
  port: number;
  pid: number;
  user: string;
  password: string;
  /** The database's server processes working for it, whose CPU time counts with its own. */
  databasePids?: number[];
}

/** Per mode, the median pass by time, with the CPU time summed over all passes and scaled to one. */
async function measure(server: Server, rounds = ROUNDS): Promise<Result[]> {
  const results: Result[] = [];
  for (const mode of ['one at a time', 'pipelined'] as const) {
    const passes: Result[] = [];
    for (let round = 0; round < rounds; round++) passes.push(await pass(server, mode));
    const cpu = passes.reduce((sum, p) => sum + p.cpu, 0) / passes.length;
    const databaseCpu = passes.reduce((sum, p) => sum + p.databaseCpu, 0) / passes.length;
    passes.sort((a, b) => a.seconds - b.seconds);
    results.push({ ...passes[Math.floor(passes.length / 2)], cpu, databaseCpu });
  }
  return results;
}

/** One session that retrieves every message SWEEPS times, in order. */
async function pass(server: Server, mode: 'one at a time' | 'pipelined'): Promise<Result> {
  const client = await BenchClient.open(server.port);
  await client.login(server.user, server.password);
  const total = COUNT * SWEEPS;
  const number = (k: number) => (k % COUNT) + 1;
  const databasePids = server.databasePids ?? [];
  const cpuBefore = cpuSeconds(server.pid);
  const databaseBefore = databasePids.map(cpuSeconds);
  const started = process.hrtime.bigint();
  if (mode === 'one at a time') {
    for (let k = 0; k < total; k++) await client.retr([number(k)])[0];
  } else {
    // Keep a window of RETR commands in flight (RFC 2449 6.6 PIPELINING).
    const inFlight: Promise<void>[] = [];
    let sent = 0;
    while (sent < total || inFlight.length > 0) {
      const room = Math.min(PIPELINE_WINDOW - inFlight.length, total - sent);
      if (room >= PIPELINE_WINDOW / 2 || (room > 0 && sent + room === total)) {
        inFlight.push(...client.retr(Array.from({ length: room }, (_, i) => number(sent + i))));
        sent += room;
      }
      await inFlight.shift();
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // A process that ended meanwhile reads 0: left out rather than counted negative.
  const databaseCpu = databasePids.reduce((sum, pid, i) => sum + Math.max(0, cpuSeconds(pid) - databaseBefore[i]), 0);
  const cpu = cpuSeconds(server.pid) - cpuBefore + databaseCpu;
  await client.quit();
  return { server: server.name, mode, seconds, bytes: client.bytes, cpu, databaseCpu };
}

async function measureOurs(messages: Buffer[]): Promise<Result[]> {
  const database = await createTestDatabase(ENGINE);
  try {
    const store = createMailStore(await openDatabase(database.url));
    const [account] = await addTestAccounts(store, 'bench.test', ['bench']);
    await deliverAll(store, account.id, messages);
    await closeMailStore(store);
    const daemon = await startDaemonProcess(database.url, { services: ['pop3'], env: { LISTEN_HOST: BENCH_ADDRESS } });
    try {
      const server: Server = { name: `ours (${ENGINE})`, port: daemon.port('pop3'), pid: daemon.pid, user: account.address, password: TEST_PASSWORD };
      // One warm-up pass so both servers are measured with their caches filled (and the daemon's connections open).
      await measure(server, 1);
      if (ENGINE === 'postgres') server.databasePids = await postgresBackends(database.url);
      return await measure(server);
    } finally {
      await daemon.stop();
    }
  } finally {
    await database.drop();
  }
}

export async function run(): Promise<void> {
  const messages = makeMessages(COUNT);
  const totalMb = messages.reduce((s, m) => s + m.length, 0) / 1e6;
  console.log(`maildrop: ${COUNT} messages, ${totalMb.toFixed(1)} MB; store on ${ENGINE}; client on the same machine over loopback; each pass retrieves it ${SWEEPS} times; median of ${ROUNDS} passes`);

  const results = await measureOurs(messages);
  const dovecot = await startDovecot('pop3', messages, 'pop3_uidl_format = %08Xu%08Xv', { address: BENCH_ADDRESS });
  if (dovecot) {
    try {
      const server = { name: `dovecot ${dovecot.version}`, port: dovecot.port, pid: dovecot.pid, user: DOVECOT_USER, password: DOVECOT_PASSWORD };
      await measure(server, 1);
      results.push(...(await measure(server)));
    } finally {
      await dovecot.stop();
    }
  } else {
    console.log('dovecot-pop3d is not installed: no comparison (apt-get install dovecot-pop3d to add one)');
  }

  const retrieved = COUNT * SWEEPS;
  console.log('server           mode            seconds   msg/s    MB/s  server CPU us/msg  of which database');
  for (const r of results) {
    console.log(
      `${r.server.padEnd(16)} ${r.mode.padEnd(15)} ${r.seconds.toFixed(2).padStart(7)} ${(retrieved / r.seconds).toFixed(0).padStart(7)} ${(r.bytes / 1e6 / r.seconds).toFixed(1).padStart(7)} ${((r.cpu / retrieved) * 1e6).toFixed(1).padStart(18)} ${r.databaseCpu > 0 ? ((r.databaseCpu / retrieved) * 1e6).toFixed(1).padStart(18) : ''}`,
    );
  }
  const theirs = results.filter((r) => r.server.startsWith('dovecot'));
  for (const mine of results.filter((r) => r.server.startsWith('ours'))) {
    const other = theirs.find((r) => r.mode === mine.mode);
    if (other) console.log(`ratio ours/dovecot ${mine.mode}: ${(other.seconds / mine.seconds).toFixed(2)}x msg/s, ${(other.cpu / mine.cpu).toFixed(2)}x msg per CPU second`);
  }
}

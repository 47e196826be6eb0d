// `npm run bench -- smtp`: how fast port 25 takes mail for local recipients,
// ours and Debian's Postfix in the same run, in the shapes of issue 12:
//   cold start  the first 2000 messages after the start, as the parallel shape (unmeasured warm-up, printed)
//   serial      one session at a time, a new connection per message (smtp-source -s 1 -m 300)
//   parallel    10 sessions at once, a new connection per message (smtp-source -s 10 -m 2000)
//   pipelined   8 connections kept open, each transaction pipelined (RFC 2920)
//   end to end  10 sessions, a new connection per message (1000), until every
//               message can be read over IMAP: ours (stored at the 250) against
//               Postfix handing each message over LMTP to Dovecot (127.0.17.4)
//   outbound    a queue of 300 messages to one remote domain, then 500 over ten,
//               relayed into Postfix's smtp-sink (127.0.17.3:25): from the start of
//               delivery until the sink has the last message. Ours: the queue
//               runner, finding the sink by MX; Postfix: its queue, held while
//               the messages are injected, then flushed, to a relayhost.
// Each inbound shape runs in rounds (SMTP_BENCH_ROUNDS), ours and Postfix
// taking turns, each round ending once its server is idle; each round's
// ratio is printed too, since this shared machine's speed drifts from turn to
// turn (Postfix's own parallel rate went from 587 to 858 msg/s between runs).
// A message counts when its 250 after DATA arrives; latency runs from the
// connection (or MAIL FROM, pipelined) to that 250. Ours stores into the
// mailbox, committed before the 250; Postfix into its queue, fsynced before
// the 250, and delivers into a Maildir behind it.
//
// Our daemon runs in a process of its own (tests/support/daemon-child.ts)
// with a DNS server of the benchmark that answers at once (NXDOMAIN, with an
// SOA of 300 s as real zones give), so SPF and DMARC lookups cost a round
// trip, not a timeout, and are kept as long as the SOA says. Postfix runs as a
// throwaway instance (tests/support/postfix.ts) when installed and we are
// root. Memory is each server's resident set after the run (Postfix: the sum
// of its processes' proportional set size), after each shape. CPU is each
// server's CPU time per message in the shape, all its processes and threads,
// until it is idle again (Postfix's delivery into the Maildir behind its
// 250s, our search index written when deliveries pause); ours on PostgreSQL with the database's server processes serving it,
// shown apart as "db"): it compares the work on a loaded machine, where the rate depends on
// the others' load as much as on ours. The time per reply (connect to 220,
// EHLO, ..., end of data to 250) of each shape of a connection per message
// shows where a message's time goes on each server, and our daemon's
// mail_delivery_stage_seconds where its time from the end of data to the 250
// goes (checks, preparation, filters, commit).
//
// Environment: SMTP_BENCH_SCALE (1: message counts as above), SMTP_BENCH_SIZE
// (2048 bytes), SMTP_BENCH_ENGINE (sqlite, or postgres with TEST_POSTGRES_URL
// set, to a server with fsync on: the first line says; `npm test`'s has it
// off), SMTP_BENCH_POSTFIX_HOST (127.0.17.2; Postfix listens on its port 25,
// the sink on the next address, the LMTP Postfix on the one after),
// SMTP_BENCH_ONLY (outbound: only the outbound shapes, to compare the queue
// alone between commits; or inbound shape names, comma-separated, e.g.
// "serial" or "parallel,end to end", to profile one shape alone),
// SMTP_BENCH_ROUNDS (4: each inbound shape in that many rounds, the servers
// taking turns), PROFILE_DIR (a CPU profile of our daemon).
import { connect, type Socket } from 'node:net';
import pg from 'pg';
import { loadavg } from 'node:os';
import { openDatabase, type Engine } from '../../prisma/database.ts';
import { createMailStore, closeMailStore } from '../../mail-daemon/store/context.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { createTestDatabase } from '../support/databases.ts';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.ts';
import { startDovecot, DOVECOT_PASSWORD, DOVECOT_USER } from '../support/dovecot.ts';
import { TEST_PASSWORD } from '../support/accounts.ts';
import { startTestDnsServer } from '../support/dns-server.ts';
import { POSTFIX_DOMAIN, startPostfix } from '../support/postfix.ts';
import { processTree, pssKb } from '../support/process-memory.ts';
import { cpuSeconds, mainThreadCpuSeconds } from '../support/process-cpu.ts';
import { backendsCpu, backendsCpuSince } from '../support/postgres-backends.ts';
import { startSmtpSink, type RunningSink } from '../support/smtp-sink.ts';
import { startTestDaemon } from '../support/daemon.ts';
import { outboundQueue } from '../../mail-daemon/queue/outbound-queue.ts';
import { enqueueMessage } from '../../mail-daemon/queue/enqueue.ts';
import { prepareContent } from '../../mail-daemon/store/prepared-message.ts';
import { describeStages, stagesAdded, stagesSince, type StageHistograms } from '../support/delivery-stages.ts';

const SCALE = Number(process.env.SMTP_BENCH_SCALE ?? 1);
const SIZE = Number(process.env.SMTP_BENCH_SIZE ?? 2048);
const ENGINE = (process.env.SMTP_BENCH_ENGINE ?? 'sqlite') as Engine;
const POSTFIX_HOST = process.env.SMTP_BENCH_POSTFIX_HOST ?? '127.0.17.2';
// Rounds per inbound shape, ours and Postfix taking turns.
const ROUNDS = Math.max(1, Math.floor(Number(process.env.SMTP_BENCH_ROUNDS ?? 4)) || 4);
const ONLY = process.env.SMTP_BENCH_ONLY?.split(',').map((name) => name.trim());
/** Whether a shape runs (SMTP_BENCH_ONLY unset: all). */
const runs = (name: string) => !ONLY || ONLY.includes(name);

interface Shape {
  name: string;
  messages: number;
  sessions: number;
  /** Connections stay open and transactions are pipelined; else one connection per message. */
  pipelined: boolean;
}

/** The address after `host` by `step` (so that a benchmark run on another loopback range keeps to it). */
const nextAddress = (host: string, step: number) => host.replace(/\d+$/, (last) => String(Number(last) + step));
const SINK_HOST = nextAddress(POSTFIX_HOST, 1);
// The second Postfix, which hands mail to Dovecot over LMTP (end to end).
const POSTFIX_LMTP_HOST = nextAddress(POSTFIX_HOST, 2);
const END_TO_END: Shape = { name: 'end to end', messages: Math.round(1000 * SCALE), sessions: 10, pipelined: false };

interface OutboundShape {
  name: string;
  messages: number;
  domains: number;
}

const OUTBOUND_SHAPES: OutboundShape[] = [
  { name: 'outbound, 1 domain', messages: Math.round(300 * SCALE), domains: 1 },
  { name: 'outbound, 10 domains', messages: Math.round(500 * SCALE), domains: 10 },
];

// Sent to each server before the shapes, as the parallel shape: our daemon
// loads the junk filter's base model, and V8 compiles its hot code with
// TurboFan; Postfix starts its smtpd and cleanup processes. V8 takes about
// 2000 messages to get there (--trace-opt: some 570 functions optimized
// during the first 1100, their compiling about 0.7 ms of CPU per message on
// V8's threads; the main thread's CPU per serial message went from 1.48 ms
// after 100 messages to 0.90 after 2000 and 0.83 after 3000): with only 50
// first, the serial shape measured mostly the warm-up (issue 12). A mail
// server runs for days; the warm-up's own figures are printed too, as the
// cold start.
const WARM_UP: Shape = { name: 'cold start', messages: Math.round(2000 * SCALE), sessions: 10, pipelined: false };

const SHAPES: Shape[] = [
  { name: 'serial', messages: Math.round(300 * SCALE), sessions: 1, pipelined: false },
  { name: 'parallel', messages: Math.round(2000 * SCALE), sessions: 10, pipelined: false },
  { name: 'pipelined', messages: Math.round(2000 * SCALE), sessions: 8, pipelined: true },
];

function message(i: number, to: string): string {
  const head = `From: bench@remote.test\r\nTo: ${to}\r\nSubject: bench ${i}\r\nMessage-ID: <bench-${i}-${Date.now()}@remote.test>\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog, again and again and again.\r\n';
  return head + line.repeat(Math.max(1, Math.ceil((SIZE - head.length) / line.length)));
}

/** A lean client: replies are counted as they arrive. */
class BenchConnection {
  private buffer = '';
  private waiters: ((reply: string) => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (;;) {
        const match = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\n/.exec(this.buffer);
        if (!match) break;
        this.buffer = this.buffer.slice(match[0].length);
        this.waiters.shift()?.(match[0]);
      }
    });
  }

  /** Milliseconds per reply (shapes of a connection per message), by step. */
  phases?: Phases;
  private last = 0;

  private mark(step: string): void {
    if (!this.phases) return;
    const now = performance.now();
    this.phases.add(step, now - this.last);
    this.last = now;
  }

  static async open(host: string, port: number, phases?: Phases): Promise<BenchConnection> {
    const socket = connect({ host, port });
    const connection = new BenchConnection(socket);
    connection.phases = phases;
    connection.last = performance.now();
    const greeting = connection.replies(1);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    await greeting;
    connection.mark('connect, 220');
    const [ehlo] = await connection.send('EHLO bench.remote.test\r\n', 1);
    if (!ehlo.startsWith('250')) throw new Error(`EHLO refused: ${ehlo}`);
    connection.mark('EHLO');
    return connection;
  }

  private replies(count: number): Promise<string[]> {
    return Promise.all(Array.from({ length: count }, () => new Promise<string>((resolve) => this.waiters.push(resolve))));
  }

  send(text: string, expectedReplies: number): Promise<string[]> {
    const pending = this.replies(expectedReplies);
    this.socket.write(text);
    return pending;
  }

  /** One transaction: MAIL, RCPT and DATA in one write when pipelined, else each after the last reply. */
  async transaction(i: number, to: string, pipelined: boolean): Promise<void> {
    const commands = [`MAIL FROM:<bench@remote.test>\r\n`, `RCPT TO:<${to}>\r\n`, 'DATA\r\n'];
    const replies = pipelined ? await this.send(commands.join(''), 3) : [];
    if (!pipelined) {
      for (const command of commands) {
        replies.push(...(await this.send(command, 1)));
        this.mark(command.slice(0, 4));
      }
    }
    if (!replies[2]?.startsWith('354')) throw new Error(`DATA refused: ${replies.join(' ')}`);
    const body = message(i, to).replace(/^\./gm, '..');
    const [done] = await this.send(`${body}\r\n.\r\n`, 1);
    if (!done.startsWith('250')) throw new Error(`message refused: ${done}`);
    this.mark('data, 250');
  }

  async quit(): Promise<void> {
    await this.send('QUIT\r\n', 1);
    this.mark('QUIT');
    this.socket.end();
  }
}

/** Milliseconds by step, for medians. */
class Phases {
  readonly steps = new Map<string, number[]>();
  add(step: string, ms: number): void {
    const values = this.steps.get(step);
    if (values) values.push(ms);
    else this.steps.set(step, [ms]);
  }
  median(step: string): number {
    const values = [...(this.steps.get(step) ?? [])].sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? NaN;
  }
}

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
  /** Each message's time from connect (or MAIL, pipelined) to its 250, ms, and the shape's messages and seconds: rounds add up (combined()). */
  latencies: number[];
  messages: number;
  seconds: number;
  /** The server's memory after the shape, kB (ours: resident set; Postfix: PSS of its processes). */
  memoryKb?: number;
  /** The server's CPU time per message, ms (all its processes and threads). */
  cpuMs?: number;
  /** Of which the database's server processes (ours on PostgreSQL). */
  databaseCpuMs?: number;
  /** Ours: the part of cpuMs on the daemon's main thread, where SMTP, parsing and checks run (issue 12). */
  mainThreadCpuMs?: number;
  /** Ours: bytes its main thread's JavaScript allocated per message, kB. */
  allocatedKb?: number;
  /** End to end: messages a second until the last can be read over IMAP. */
  readablePerSecond?: number;
  phases?: Phases;
  /** Ours: the time its deliveries spent in each step (mail_delivery_stage_seconds). */
  stages?: StageHistograms;
}

/**
 * The shape measured, with the CPU time per message of the server's processes
 * (the tree under `pid`) and, ours on PostgreSQL, of the database's server
 * processes serving it (`ours.databaseUrl`): Postfix's figure counts its own
 * writing of the queue. Ours: also the part on the daemon's main thread.
 */
async function measureWithCpu(pid: number, host: string, port: number, recipients: string[], shape: Shape, ours?: { databaseUrl?: string; daemon: DaemonProcess }): Promise<Result> {
  const databaseUrl = ours?.databaseUrl;
  const stagesBefore = await ours?.daemon.deliveryStages();
  const allocated = ours?.daemon.countAllocation();
  const before = cpuSeconds(pid);
  const mainBefore = ours ? mainThreadCpuSeconds(pid) : 0;
  const databaseBefore = databaseUrl ? await backendsCpu(databaseUrl) : null;
  const result = await measure(host, port, recipients, shape);
  // Work a server leaves for after its answers (Postfix's delivery into the
  // mailbox, our search index) is its own: counted here, and done before the
  // other server's turn, which it would otherwise slow down.
  const server = (await idle(pid)) - before;
  const mainThread = ours ? mainThreadCpuSeconds(pid) - mainBefore : 0;
  const allocatedBytes = allocated ? await allocated() : undefined;
  const stages = ours && stagesBefore ? stagesSince(await ours.daemon.deliveryStages(), stagesBefore) : undefined;
  const database = databaseBefore ? await backendsCpuSince(databaseUrl!, databaseBefore) : 0;
  const perMessage = (seconds: number) => (seconds * 1000) / shape.messages;
  return {
    ...result,
    cpuMs: perMessage(server + database),
    databaseCpuMs: databaseBefore ? perMessage(database) : undefined,
    mainThreadCpuMs: ours ? perMessage(mainThread) : undefined,
    allocatedKb: allocatedBytes === undefined ? undefined : allocatedBytes / 1024 / shape.messages,
    stages,
  };
}

async function measure(host: string, port: number, recipients: string[], shape: Shape): Promise<Result> {
  const latencies: number[] = [];
  const phases = shape.pipelined ? undefined : new Phases();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: shape.sessions }, async () => {
      let connection = shape.pipelined ? await BenchConnection.open(host, port) : null;
      while (next < shape.messages) {
        const i = next++;
        const begun = performance.now();
        if (!shape.pipelined) connection = await BenchConnection.open(host, port, phases);
        await connection!.transaction(i, recipients[i % recipients.length], shape.pipelined);
        latencies.push(performance.now() - begun);
        if (!shape.pipelined) await connection!.quit();
      }
      if (shape.pipelined) await connection!.quit();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { perSecond: shape.messages / seconds, p50: at(0.5), p99: at(0.99), phases, latencies, messages: shape.messages, seconds };
}

/**
 * Waits until the processes under `pid` have used less than a twentieth of a
 * core for a second and a half (at most a minute): longer than our daemon's
 * pause before it writes the search index (deferred-text-index.ts, 500 ms),
 * which a shorter look would take for the end of its work. Their CPU seconds
 * at the start of that quiet spell: the spell itself is not their work.
 */
async function idle(pid: number): Promise<number> {
  const STEP_MS = 250;
  const QUIET_STEPS = 6;
  const until = performance.now() + 60_000;
  let last = cpuSeconds(pid);
  let quietSince = last;
  for (let quiet = 0; quiet < QUIET_STEPS; ) {
    if (performance.now() > until) {
      console.log(`pid ${pid} still busy after a minute: its CPU counted until now`);
      return last;
    }
    await new Promise((r) => setTimeout(r, STEP_MS));
    const now = cpuSeconds(pid);
    if (now - last < (0.05 * STEP_MS) / 1000) quiet++;
    else {
      quiet = 0;
      quietSince = now;
    }
    last = now;
  }
  return quietSince;
}

/** One shape's rounds as one result: rates and CPU over all their messages, percentiles over all their latencies. */
function combined(rounds: Result[]): Result {
  const messages = rounds.reduce((sum, r) => sum + r.messages, 0);
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  // A per-message figure of each round, weighted by its messages.
  const perMessage = (field: 'cpuMs' | 'databaseCpuMs' | 'mainThreadCpuMs' | 'allocatedKb') =>
    rounds.every((r) => r[field] !== undefined) ? rounds.reduce((sum, r) => sum + r[field]! * r.messages, 0) / messages : undefined;
  const phases = rounds.some((r) => r.phases) ? new Phases() : undefined;
  for (const round of rounds) for (const [step, values] of round.phases?.steps ?? []) for (const value of values) phases!.add(step, value);
  const stages = rounds.every((r) => r.stages) ? rounds.map((r) => r.stages!).reduce(stagesAdded) : undefined;
  return {
    perSecond: messages / seconds,
    p50: at(0.5),
    p99: at(0.99),
    latencies,
    messages,
    seconds,
    cpuMs: perMessage('cpuMs'),
    databaseCpuMs: perMessage('databaseCpuMs'),
    mainThreadCpuMs: perMessage('mainThreadCpuMs'),
    allocatedKb: perMessage('allocatedKb'),
    phases,
    stages,
  };
}

/** The number of messages in INBOX over IMAP (STATUS, RFC 3501 6.3.10), asked again and again until it reaches `count`. */
async function readableOverImap(port: number, user: string, password: string, count: number): Promise<void> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setEncoding('latin1');
  let buffer = '';
  let waiter: ((text: string) => void) | null = null;
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    const tagged = /^t\d+ .*\r\n/m.exec(buffer);
    if (tagged && waiter) {
      const text = buffer;
      buffer = '';
      waiter(text);
    }
  });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let tag = 0;
  const command = (text: string) => new Promise<string>((resolve) => {
    waiter = resolve;
    socket.write(`t${++tag} ${text}\r\n`);
  });
  const login = await command(`LOGIN ${user} "${password}"`);
  if (!new RegExp(`^t${tag} OK`, 'm').test(login)) throw new Error(`IMAP login refused: ${login}`);
  const started = performance.now();
  for (;;) {
    const status = await command('STATUS INBOX (MESSAGES)');
    const messages = Number(/MESSAGES (\d+)/.exec(status)?.[1] ?? 0);
    if (messages >= count) break;
    if (performance.now() - started > OUTBOUND_TIMEOUT_MS) throw new Error(`IMAP shows ${messages} of ${count} messages after ${OUTBOUND_TIMEOUT_MS / 60_000} minutes`);
    await new Promise((r) => setTimeout(r, 10));
  }
  socket.destroy();
}

/** Sent as the parallel shape, timed until the last message can be read over IMAP. */
async function measureEndToEnd(smtp: { host: string; port: number }, recipient: string, imap: { port: number; user: string; password: string }): Promise<Result> {
  const started = performance.now();
  const result = await measure(smtp.host, smtp.port, [recipient], END_TO_END);
  await readableOverImap(imap.port, imap.user, imap.password, END_TO_END.messages);
  return { ...result, readablePerSecond: END_TO_END.messages / ((performance.now() - started) / 1000) };
}

const remoteAddress = (i: number, shape: OutboundShape) => `user${i}@d${i % shape.domains}.bench-remote.test`;

const OUTBOUND_TIMEOUT_MS = 10 * 60_000;

/** Waits until the sink has `count` more messages than `before`; seconds from `started`. */
async function sinkReceives(sink: RunningSink, before: number, count: number, started: number): Promise<number> {
  while (sink.messages() < before + count) {
    if (performance.now() - started > OUTBOUND_TIMEOUT_MS) throw new Error(`the sink got ${sink.messages() - before} of ${count} messages in ${OUTBOUND_TIMEOUT_MS / 60_000} minutes`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return (performance.now() - started) / 1000;
}

/** Ours: the queue filled first, then the queue runner started; msg/s until the sink has them all. */
async function measureOurOutbound(sink: RunningSink, dnsAddress: string, shape: OutboundShape): Promise<number> {
  const daemon = await startTestDaemon(ENGINE, [], { DNS_SERVERS: dnsAddress, QUEUE_SMTP_PORT: '25' });
  try {
    for (let i = 0; i < shape.messages; i++) {
      const to = remoteAddress(i, shape);
      await enqueueMessage(daemon.context.store, { message: prepareContent(Buffer.from(message(i, to))), mailFrom: 'bench@example.test', recipients: [to] });
    }
    const before = sink.messages();
    const started = performance.now();
    const queue = await outboundQueue()(daemon.context);
    const seconds = await sinkReceives(sink, before, shape.messages, started);
    await queue?.stop();
    return shape.messages / seconds;
  } finally {
    await daemon.dispose();
  }
}

/** Postfix: the messages injected over SMTP while remote delivery is held, then the queue flushed. */
async function measurePostfixOutbound(sink: RunningSink, postfix: NonNullable<Awaited<ReturnType<typeof startPostfix>>>, shape: OutboundShape): Promise<number> {
  postfix.holdRemote(true);
  const connection = await BenchConnection.open(postfix.host, postfix.port);
  for (let i = 0; i < shape.messages; i++) await connection.transaction(i, remoteAddress(i, shape), true);
  await connection.quit();
  const before = sink.messages();
  const started = performance.now();
  postfix.holdRemote(false);
  return shape.messages / (await sinkReceives(sink, before, shape.messages, started));
}

/**
 * On PostgreSQL, whether a commit waits for the disk: the server of `npm test`
 * runs with fsync off, which no comparison with Postfix (it fsyncs before its
 * 250) should use.
 */
async function postgresDurability(): Promise<string> {
  if (ENGINE !== 'postgres') return '';
  const client = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
  await client.connect();
  try {
    const setting = async (name: string) => String((await client.query(`SHOW ${name}`)).rows[0][name]);
    const [fsync, synchronousCommit] = [await setting('fsync'), await setting('synchronous_commit')];
    return ` (fsync ${fsync}, synchronous_commit ${synchronousCommit}${fsync === 'on' ? '' : ': commits do not wait for the disk, Postfix does'})`;
  } finally {
    await client.end();
  }
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

/** Postfix handing mail over LMTP to Dovecot, against ours, as the end-to-end shape; null when either is missing. */
async function measurePostfixDovecot(): Promise<{ result: Result; label: string } | null> {
  const dovecot = await startDovecot('imap', [], '', { lmtp: true });
  if (!dovecot) {
    console.log('end to end: Dovecot LMTP (apt-get install dovecot-lmtpd dovecot-imapd) is not installed, no comparison');
    return null;
  }
  try {
    const postfix = await startPostfix({ host: POSTFIX_LMTP_HOST, port: 25, lmtpPort: dovecot.lmtpPort });
    if (!postfix) return null;
    try {
      const result = await measureEndToEnd(postfix, `bench@${POSTFIX_DOMAIN}`, { port: dovecot.port, user: DOVECOT_USER, password: DOVECOT_PASSWORD });
      result.memoryKb = pssKb([...processTree(postfix.pid), ...processTree(dovecot.pid)]);
      return { result, label: `postfix ${postfix.version} + dovecot ${dovecot.version}` };
    } finally {
      postfix.stop();
    }
  } finally {
    await dovecot.stop();
  }
}

export async function run(): Promise<void> {
  console.log(`messages of ${SIZE} bytes to local recipients over loopback; ours on ${ENGINE}${await postgresDurability()}; load average ${load()}`);
  const zone: Record<string, { MX?: { priority: number; exchange: string }[]; A?: string[] }> = { 'mx.sink.test': { A: [SINK_HOST] } };
  for (let d = 0; d < 10; d++) zone[`d${d}.bench-remote.test`] = { MX: [{ priority: 10, exchange: 'mx.sink.test' }] };
  const dns = await startTestDnsServer(zone, '127.0.0.1', { negativeTtl: 300 });
  const outbound = new Map<string, { ours: number; postfix?: number }>();
  const database = await createTestDatabase(ENGINE);
  // Each shape's rounds as one result, and each round's ratio (its two turns ran back to back).
  const results = new Map<string, { ours: Result; postfix?: Result; roundRatios?: number[] }>();
  let endToEnd: { ours: Result; theirs: { result: Result; label: string } | null } | null = null;
  const postfix = await startPostfix({ host: POSTFIX_HOST, port: 25, settings: `relayhost = [${SINK_HOST}]:25` }).catch((error) => {
    console.log(`postfix: ${error.message}`);
    return null;
  });
  if (!postfix) console.log('postfix: not installed or not root, no comparison (apt-get install postfix, run as root)');
  try {
    const inbound = SHAPES.filter((shape) => runs(shape.name));
    if (inbound.length > 0 || runs(END_TO_END.name)) {
      const store = createMailStore(await openDatabase(database.url));
      const accounts = await addTestAccounts(store, 'example.test', ['alice', 'bob', 'carol', 'dave']);
      const [reader] = await addTestAccounts(store, 'e2e.example.test', ['reader']);
      await closeMailStore(store);
      const ours = await startDaemonProcess(database.url, { services: ['smtp', 'imap'], dns: dns.address });
      try {
        const measureOurs = (shape: Shape) => measureWithCpu(ours.pid, '127.0.0.1', ours.port('smtp'), accounts.map((a) => a.address), shape, { databaseUrl: ENGINE === 'postgres' ? database.url : undefined, daemon: ours });
        const measurePostfix = (shape: Shape) => measureWithCpu(postfix!.pid, postfix!.host, postfix!.port, [`bench@${POSTFIX_DOMAIN}`], shape);
        for (const shape of [WARM_UP, ...inbound]) {
          // In rounds, ours and Postfix taking turns (ABBA): this machine's
          // speed drifts by a third over minutes (a CPU-bound loop took
          // 0.81-1.38 s, run after run), and one server measured wholly before
          // the other met another machine. The warm-up is one round.
          const rounds = shape === WARM_UP ? 1 : ROUNDS;
          const turns: { ours: Result[]; postfix: Result[] } = { ours: [], postfix: [] };
          for (let round = 0; round < rounds; round++) {
            const part = { ...shape, messages: Math.round(shape.messages / rounds) };
            const order = round % 2 === 0 ? (['ours', 'postfix'] as const) : (['postfix', 'ours'] as const);
            for (const server of order) {
              if (server === 'ours') turns.ours.push(await measureOurs(part));
              else if (postfix) turns.postfix.push(await measurePostfix(part));
            }
          }
          const result: { ours: Result; postfix?: Result; roundRatios?: number[] } = { ours: combined(turns.ours) };
          result.ours.memoryKb = ours.memory().rss / 1024;
          if (postfix) {
            result.postfix = combined(turns.postfix);
            result.roundRatios = turns.ours.map((turn, i) => turn.perSecond / turns.postfix[i].perSecond);
            result.postfix.memoryKb = pssKb(processTree(postfix.pid));
          }
          results.set(shape.name, result);
        }
        if (runs(END_TO_END.name)) {
          const oursEndToEnd = await measureEndToEnd({ host: '127.0.0.1', port: ours.port('smtp') }, reader.address, { port: ours.port('imap'), user: reader.address, password: TEST_PASSWORD });
          oursEndToEnd.memoryKb = ours.memory().rss / 1024;
          // What it left for after (the search index) is done before Postfix and Dovecot's turn.
          await idle(ours.pid);
          endToEnd = { ours: oursEndToEnd, theirs: postfix ? await measurePostfixDovecot() : null };
        }
      } finally {
        await ours.stop();
      }
      const check = createMailStore(await openDatabase(database.url));
      const stored = await check.database.prisma.message.count();
      await closeMailStore(check);
      const expected = WARM_UP.messages + inbound.reduce((sum, shape) => sum + Math.round(shape.messages / ROUNDS) * ROUNDS, 0) + (runs(END_TO_END.name) ? END_TO_END.messages : 0);
      if (stored !== expected) throw new Error(`expected ${expected} stored messages, found ${stored}`);
    }
    const sink = runs('outbound') ? await startSmtpSink(SINK_HOST, 25) : null;
    if (sink) {
      try {
        for (const shape of OUTBOUND_SHAPES) {
          const result: { ours: number; postfix?: number } = { ours: await measureOurOutbound(sink, dns.address, shape) };
          if (postfix) result.postfix = await measurePostfixOutbound(sink, postfix, shape);
          outbound.set(shape.name, result);
        }
      } finally {
        sink.stop();
      }
    } else if (runs('outbound')) {
      console.log('smtp-sink (Debian postfix) is not installed: no outbound shapes');
    }
  } finally {
    postfix?.stop();
    await database.drop();
    await dns.close();
  }

  const mb = (kb?: number) => (kb === undefined ? '' : `${(kb / 1024).toFixed(0).padStart(4)} MB`);
  const cpu = (r: Result) => (r.cpuMs === undefined ? '' : ` cpu ${r.cpuMs.toFixed(2)} ms/msg${r.databaseCpuMs === undefined ? '' : ` (db ${r.databaseCpuMs.toFixed(2)})`}`);
  const cell = (r?: Result) => (r ? `${r.perSecond.toFixed(0).padStart(5)} msg/s p50 ${r.p50.toFixed(1).padStart(5)} p99 ${r.p99.toFixed(1).padStart(6)} ms ${mb(r.memoryKb)}${cpu(r)}` : '').padEnd(80);
  const ratio = (ours: number, theirs?: number) => (theirs ? (ours / theirs).toFixed(2) : '');
  console.log(`\n${'shape'.padEnd(26)}${'ours (memory: resident set; cpu with the database)'.padEnd(80)}${postfix ? `postfix ${postfix.version} (memory: PSS)`.padEnd(80) + 'ours/postfix' : ''}`);
  for (const shape of [WARM_UP, ...SHAPES].filter((s) => results.has(s.name))) {
    const { ours, postfix: theirs } = results.get(shape.name)!;
    const label = `${shape.name} (${shape.sessions}x, ${shape.messages})`;
    console.log(`${label.padEnd(26)}${cell(ours)}${cell(theirs)}${ratio(ours.perSecond, theirs?.perSecond)}`);
  }
  if (endToEnd) {
    const { ours, theirs } = endToEnd;
    const readable = (r?: Result) => (r ? `${r.readablePerSecond!.toFixed(0).padStart(5)} msg/s readable over IMAP, ${mb(r.memoryKb)}` : '').padEnd(80);
    const label = `${END_TO_END.name} (${END_TO_END.sessions}x, ${END_TO_END.messages})`;
    console.log(`${label.padEnd(26)}${readable(ours)}${readable(theirs?.result)}${ratio(ours.readablePerSecond!, theirs?.result.readablePerSecond)}${theirs ? `  (${theirs.label}, LMTP)` : ''}`);
  }
  // This machine's speed drifts between turns: how far the ratio moved from round to round says how far to trust the combined one.
  const inRounds = SHAPES.filter((s) => (results.get(s.name)?.roundRatios?.length ?? 0) > 1);
  if (inRounds.length > 0) console.log(`ours/postfix in each round: ${inRounds.map((s) => `${s.name} ${results.get(s.name)!.roundRatios!.map((r) => r.toFixed(2)).join(' ')}`).join('; ')}`);
  const mainThread = [WARM_UP, ...SHAPES].filter((s) => results.get(s.name)?.ours.mainThreadCpuMs !== undefined);
  const onMainThread = (r: Result) => `cpu ${r.mainThreadCpuMs!.toFixed(2)} ms${r.allocatedKb === undefined ? '' : `, ${r.allocatedKb.toFixed(0)} kB allocated`}`;
  if (mainThread.length > 0) console.log(`ours, per message on the main thread: ${mainThread.map((s) => `${s.name} ${onMainThread(results.get(s.name)!.ours)}`).join('; ')}`);
  for (const [name, { ours, postfix: theirs }] of outbound) {
    const rate = (value?: number) => (value === undefined ? '' : `${value.toFixed(0).padStart(5)} msg/s`).padEnd(80);
    console.log(`${name.padEnd(26)}${rate(ours)}${rate(theirs)}${ratio(ours, theirs)}`);
  }
  for (const [name, shape] of results) {
    console.log('');
    if (shape.ours.stages) console.log(`${name}, ours from the end of data to the 250, median/mean ms per step: ${describeStages(shape.ours.stages)}`);
    if (!shape.ours.phases) continue;
    const steps = [...shape.ours.phases.steps.keys()];
    console.log(`${name}, median ms per reply: ${steps.map((step) => `${step} ${shape.ours.phases!.median(step).toFixed(2)}${shape.postfix?.phases ? `/${shape.postfix.phases.median(step).toFixed(2)}` : ''}`).join(', ')} (ours${postfix ? '/postfix' : ''})`);
  }
  console.log(`load average ${load()}`);
}

// `npm run bench -- hostile`: the daemon's peak memory under the worst load
// one client address can make at the default limits (issue 11 §2, §3). The
// daemon (SMTP, IMAP, POP3) runs in a child process of its own with default
// settings; from one address the benchmark opens as many connections to each
// service as it allows (MAX_CONNECTIONS_PER_ADDRESS) plus one that must be
// refused, and on all of them at once sends the worst each protocol lets in:
//   SMTP (port 25, no AUTH): a DATA of exactly MAX_MESSAGE_SIZE to a real
//     mailbox, so it is read, checked and stored, then one of twice that size;
//   IMAP (logged in, as anyone with an account may be): an APPEND of exactly
//     MAX_MESSAGE_SIZE as a non-synchronizing literal, then one command with
//     ten 5 MiB non-synchronizing literals (the literal flood of the issue);
//   POP3 (before login): lines of 16 MiB without an end.
// It samples the daemon's resident memory (VmRSS) and prints the kernel's
// peak (VmHWM), and what the attack sent. Goal: a peak under 512 MB.
//
// Environment: HOSTILE_BENCH_ENGINE (sqlite, or postgres with TEST_POSTGRES_URL set),
// HOSTILE_BENCH_ONLY (smtp, imap or pop3: that service's attack alone).
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Engine } from '../../prisma/database.ts';
import { openDatabase } from '../../prisma/database.ts';
import { createMailStore, closeMailStore } from '../../mail-daemon/store/context.ts';
import { loadConfig } from '../../mail-daemon/config/config.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { createTestDatabase } from '../support/databases.ts';
import { startDaemonProcess, type DaemonProcess } from '../support/daemon-process.ts';

const ENGINE = (process.env.HOSTILE_BENCH_ENGINE ?? 'sqlite') as Engine;
const DEFAULTS = loadConfig({ MAIL_HOSTNAME: 'bench.test' } as unknown as NodeJS.ProcessEnv);
const MAX_MESSAGE = DEFAULTS.maxMessageSize;
const PER_ADDRESS = DEFAULTS.connections.perAddress;
const FLOOD_LITERALS = 10;
const FLOOD_LITERAL_BYTES = 5 * 1024 * 1024;
const POP3_LINES = 3;
const POP3_LINE_BYTES = 16 * 1024 * 1024;
const MB = 1024 * 1024;
const ONLY = process.env.HOSTILE_BENCH_ONLY;

/** A line conversation on a raw socket, written with backpressure. */
class LineSocket {
  private buffer = '';
  private waiter: (() => void) | null = null;
  closed = false;
  sent = 0;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
  }

  static async open(port: number): Promise<LineSocket> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new LineSocket(socket);
  }

  /** The next line, or null once the server closed the connection. */
  async line(): Promise<string | null> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end !== -1) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return line;
      }
      if (this.closed) return null;
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = null;
    }
  }

  /** Lines until one that starts with `prefix` (which it returns). */
  async until(prefix: string): Promise<string> {
    for (;;) {
      const line = await this.line();
      if (line === null) throw new Error(`closed while waiting for "${prefix}"`);
      if (line.startsWith(prefix)) return line;
    }
  }

  async write(data: string | Buffer): Promise<void> {
    if (this.closed) return;
    this.sent += data.length;
    if (this.socket.write(data)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done).off('close', done);
        resolve();
      };
      this.socket.on('drain', done).on('close', done);
    });
  }

  /** `total` bytes of `chunk` repeated (the last one cut). */
  async flood(chunk: Buffer, total: number): Promise<void> {
    for (let left = total; left > 0 && !this.closed; left -= chunk.length) await this.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A message of exactly `size` bytes: headers and a base64 attachment, 76-character lines. */
function bigMessage(size: number, to: string): Buffer {
  const head = Buffer.from(
    `From: <attacker@remote.test>\r\nTo: <${to}>\r\nSubject: as big as allowed\r\nMIME-Version: 1.0\r\n` +
      'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n',
  );
  const tail = Buffer.from('\r\n--b--\r\n');
  const bodyBytes = size - head.length - tail.length;
  const lines = Buffer.from(randomBytes(Math.ceil(bodyBytes * 0.75) + 76).toString('base64').replace(/(.{76})/g, '$1\r\n'));
  // A line never starts with "." in base64, so no dot-stuffing changes the size.
  return Buffer.concat([head, lines.subarray(0, bodyBytes - 2), Buffer.from('\r\n'), tail]);
}

/** The first line on a fresh connection: the greeting, or the refusal. */
async function greet(port: number): Promise<{ client: LineSocket; greeting: string }> {
  const client = await LineSocket.open(port);
  return { client, greeting: (await client.line()) ?? '<closed>' };
}

async function smtpAttack(client: LineSocket, message: Buffer): Promise<string[]> {
  const replies: string[] = [];
  await client.write('EHLO attacker.remote.test\r\n');
  await client.until('250 ');
  for (const size of [MAX_MESSAGE, 2 * MAX_MESSAGE]) {
    await client.write('MAIL FROM:<attacker@remote.test>\r\nRCPT TO:<alice@bench.test>\r\nDATA\r\n');
    await client.until('250 ');
    await client.until('250 ');
    await client.until('354 ');
    await client.flood(message, size);
    await client.write('.\r\n');
    replies.push(((await client.line()) ?? '<closed>').slice(0, 9));
  }
  client.close();
  return replies;
}

async function imapAttack(client: LineSocket, message: Buffer): Promise<string[]> {
  await client.write(`l LOGIN mallory@bench.test "${TEST_PASSWORD}"\r\n`);
  await client.until('l OK');
  await client.write(`a APPEND INBOX {${message.length}+}\r\n`);
  await client.write(message);
  await client.write('\r\n');
  const append = await client.until('a ');
  await client.write('f SEARCH');
  const chunk = Buffer.alloc(MB, 'z');
  for (let i = 0; i < FLOOD_LITERALS; i++) {
    await client.write(` TEXT {${FLOOD_LITERAL_BYTES}+}\r\n`);
    await client.flood(chunk, FLOOD_LITERAL_BYTES);
  }
  await client.write('\r\n');
  const flood = (await client.line()) ?? '<closed>';
  client.close();
  return [append.slice(0, 10), flood.slice(0, 14)];
}

async function pop3Attack(client: LineSocket): Promise<string[]> {
  const chunk = Buffer.alloc(MB, 'A');
  const replies: string[] = [];
  for (let i = 0; i < POP3_LINES; i++) {
    await client.flood(chunk, POP3_LINE_BYTES);
    await client.write('\r\n');
    replies.push((await client.line()) ?? '<closed>');
  }
  client.close();
  return replies;
}

/** The allowed number of connections to a service, and the refusal of one more. */
async function allowedNumber(port: number, greeting: string): Promise<{ clients: LineSocket[]; refusal: string }> {
  const clients: LineSocket[] = [];
  for (let i = 0; i < PER_ADDRESS; i++) {
    const next = await greet(port);
    if (!next.greeting.startsWith(greeting)) throw new Error(`connection ${i + 1} to port ${port}: ${next.greeting}`);
    clients.push(next.client);
  }
  const extra = await greet(port);
  extra.client.close();
  return { clients, refusal: extra.greeting };
}

/** Runs the attack on every connection at once; their replies. */
async function attackAll(clients: LineSocket[], attack: (client: LineSocket) => Promise<string[]>): Promise<string[]> {
  return (await Promise.all(clients.map(attack))).flat();
}

function summary(replies: string[]): string {
  const counts = new Map<string, number>();
  for (const reply of replies) counts.set(reply, (counts.get(reply) ?? 0) + 1);
  return [...counts].map(([reply, n]) => `${n}× "${reply}"`).join(', ');
}

export async function run(): Promise<void> {
  const database = await createTestDatabase(ENGINE);
  const store = createMailStore(await openDatabase(database.url));
  await addTestAccounts(store, 'bench.test', ['alice', 'mallory']);
  await closeMailStore(store);
  let daemon: DaemonProcess | null = null;
  try {
    daemon = await startDaemonProcess(database.url, { services: ['smtp', 'imap', 'pop3'] });
    const pid = daemon.pid;
    const started = daemon.memory();
    let sampledPeak = started.rss;
    let lastReport = 0;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, daemon!.memory().rss);
      if (sampledPeak - lastReport > 100 * MB) console.log(`  ${new Date().toISOString().slice(11, 19)} RSS peak so far ${((lastReport = sampledPeak) / MB).toFixed(0)} MB`);
    }, 100);
    console.log(`daemon (${ENGINE}, pid ${pid}) at the defaults: MAX_MESSAGE_SIZE ${MAX_MESSAGE}, MESSAGE_MEMORY_LIMIT ${DEFAULTS.messageMemoryLimit}, ${PER_ADDRESS} connections per address and service; RSS at start ${(started.rss / MB).toFixed(0)} MB`);
    const message = bigMessage(MAX_MESSAGE, 'alice@bench.test');
    const smtp = await allowedNumber(daemon.port('smtp'), '220 ');
    const imap = await allowedNumber(daemon.port('imap'), '* OK ');
    const pop3 = await allowedNumber(daemon.port('pop3'), '+OK ');
    const began = Date.now();
    const chosen = (name: string, clients: LineSocket[]) => (!ONLY || ONLY === name ? clients : []);
    const [smtpReplies, imapReplies, pop3Replies] = await Promise.all([
      attackAll(chosen('smtp', smtp.clients), (client) => smtpAttack(client, message)),
      attackAll(chosen('imap', imap.clients), (client) => imapAttack(client, message)),
      attackAll(chosen('pop3', pop3.clients), pop3Attack),
    ]);
    clearInterval(sampler);
    const seconds = (Date.now() - began) / 1000;
    const sent = [...smtp.clients, ...imap.clients, ...pop3.clients].reduce((total, client) => total + client.sent, 0);
    const end = daemon.memory();
    console.log(`sent ${(sent / MB).toFixed(0)} MB from one address in ${seconds.toFixed(0)} s`);
    console.log(`smtp: ${summary(smtpReplies)}; connection ${PER_ADDRESS + 1}: "${smtp.refusal}"`);
    console.log(`imap: ${summary(imapReplies)}; connection ${PER_ADDRESS + 1}: "${imap.refusal}"`);
    console.log(`pop3: ${summary(pop3Replies)}; connection ${PER_ADDRESS + 1}: "${pop3.refusal}"`);
    console.log(`peak RSS of the daemon: ${(end.peak / MB).toFixed(0)} MB (VmHWM; sampled every 100 ms: ${(sampledPeak / MB).toFixed(0)} MB), RSS at the end ${(end.rss / MB).toFixed(0)} MB; goal under 512 MB: ${end.peak < 512 * MB ? 'met' : 'NOT met'}`);
  } finally {
    await daemon?.stop();
    await database.drop();
  }
}

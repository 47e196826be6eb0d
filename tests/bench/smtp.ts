// `npm run bench -- smtp`: messages accepted per second on port 25 for local
// recipients, with p50/p99 latency (MAIL FROM to the 250 after DATA), over
// several connections at once. When Postfix is installed (Debian `postfix`)
// and answers on 127.0.0.1:2525 (SMTP_BENCH_POSTFIX_PORT), the same client
// measures it in the same run and the ratio is printed.
//
// Environment: SMTP_BENCH_MESSAGES (2000), SMTP_BENCH_CONNECTIONS (8),
// SMTP_BENCH_SIZE (4096 bytes), SMTP_BENCH_ENGINE (sqlite, or postgres with
// TEST_POSTGRES_URL set).
import { connect, type Socket } from 'node:net';
import type { Engine } from '../../prisma/database.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { startTestDaemon } from '../support/daemon.ts';

const COUNT = Number(process.env.SMTP_BENCH_MESSAGES ?? 2000);
const CONNECTIONS = Number(process.env.SMTP_BENCH_CONNECTIONS ?? 8);
const SIZE = Number(process.env.SMTP_BENCH_SIZE ?? 4096);
const ENGINE = (process.env.SMTP_BENCH_ENGINE ?? 'sqlite') as Engine;
const POSTFIX_PORT = Number(process.env.SMTP_BENCH_POSTFIX_PORT ?? 2525);

function message(i: number, to: string): string {
  const head = `From: bench@remote.test\r\nTo: ${to}\r\nSubject: bench ${i}\r\nMessage-ID: <bench-${i}-${Date.now()}@remote.test>\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog, again and again and again.\r\n';
  return head + line.repeat(Math.max(1, Math.ceil((SIZE - head.length) / line.length)));
}

/** A lean client: replies are counted as they arrive, transactions pipelined (RFC 2920). */
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

  static async open(host: string, port: number): Promise<BenchConnection> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const connection = new BenchConnection(socket);
    await connection.replies(1);
    const [ehlo] = await connection.send('EHLO bench.remote.test\r\n', 1);
    if (!ehlo.startsWith('250')) throw new Error(`EHLO refused: ${ehlo}`);
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

  /** One transaction; returns its latency in ms. */
  async transaction(i: number, to: string): Promise<number> {
    const started = performance.now();
    const envelope = await this.send(`MAIL FROM:<bench@remote.test>\r\nRCPT TO:<${to}>\r\nDATA\r\n`, 3);
    if (!envelope[2].startsWith('354')) throw new Error(`DATA refused: ${envelope.join(' ')}`);
    const body = message(i, to).replace(/^\./gm, '..');
    const [done] = await this.send(`${body}\r\n.\r\n`, 1);
    if (!done.startsWith('250')) throw new Error(`message refused: ${done}`);
    return performance.now() - started;
  }

  close(): void {
    this.socket.end('QUIT\r\n');
  }
}

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(host: string, port: number, recipients: string[]): Promise<Result> {
  const connections = await Promise.all(Array.from({ length: CONNECTIONS }, () => BenchConnection.open(host, port)));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    connections.map(async (connection) => {
      while (next < COUNT) {
        const i = next++;
        latencies.push(await connection.transaction(i, recipients[i % recipients.length]));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  connections.forEach((c) => c.close());
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { perSecond: COUNT / seconds, p50: at(0.5), p99: at(0.99) };
}

function report(name: string, r: Result): void {
  console.log(`${name.padEnd(10)} ${r.perSecond.toFixed(0).padStart(6)} msg/s   p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms`);
}

async function postfixAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: POSTFIX_PORT });
    socket.setTimeout(1000);
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(/^220 .*Postfix/i.test(chunk.toString()));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function run(): Promise<void> {
  console.log(`${COUNT} messages of ${SIZE} bytes over ${CONNECTIONS} connections to port 25, local recipients, ${ENGINE}`);
  const daemon = await startTestDaemon(ENGINE, [smtpService], { DNS_SERVERS: '127.0.0.1:9' });
  try {
    const accounts = await addTestAccounts(daemon.context.store, 'example.test', ['alice', 'bob', 'carol', 'dave']);
    const ours = await measure('127.0.0.1', daemon.port('smtp'), accounts.map((a) => a.address));
    const stored = await daemon.context.store.database.prisma.message.count();
    if (stored !== COUNT) throw new Error(`expected ${COUNT} stored messages, found ${stored}`);
    report('ours', ours);
    if (await postfixAnswers()) {
      const postfix = await measure('127.0.0.1', POSTFIX_PORT, ['bench@bench.test']);
      report('postfix', postfix);
      console.log(`ours/postfix throughput: ${(ours.perSecond / postfix.perSecond).toFixed(2)}`);
    } else {
      console.log(`postfix: not answering on 127.0.0.1:${POSTFIX_PORT} (to compare: apt-get install -y postfix && bash tests/bench/postfix-setup.sh)`);
    }
  } finally {
    await daemon.dispose();
  }
}

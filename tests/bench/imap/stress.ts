// The stress run: `clients` clients at once, each in a loop of cycles against
// one mailbox: connect, LOGIN, SELECT (CONDSTORE), a few operations picked at
// random (FETCH, STORE of flags and keywords, removing them, EXPUNGE, APPEND),
// LOGOUT. A ProtocolChecker reads every response of every session.
import { BenchClient } from './bench-client.ts';
import { ProtocolChecker } from './protocol-checker.ts';

export interface StressOptions {
  port: number;
  user: string;
  password: string;
  clients: number;
  seconds: number;
  /** A message to APPEND. */
  message: Buffer;
}

export interface StressResult {
  cycles: number;
  seconds: number;
  /** Violations of the protocol's invariants, by kind. */
  violations: Map<string, { count: number; samples: string[] }>;
  /** Tagged BAD and NO answers, and broken connections, by text. */
  errors: Map<string, number>;
}

/** The keywords clients set: enough that new ones keep being announced for a while. */
const KEYWORDS = Array.from({ length: 100 }, (_, i) => `$stress${i}`);
const OPERATIONS = ['fetch', 'store', 'store', 'unstore', 'expunge', 'append'] as const;
const OPERATIONS_PER_CYCLE = 5;

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

async function cycle(options: StressOptions, result: StressResult): Promise<void> {
  const client = await BenchClient.open(options.port);
  const checker = new ProtocolChecker();
  client.onResponse = (line) => checker.check(line);
  const run = async (command: string, literal?: Buffer) => {
    const tagged = await client.send(command, literal);
    // A message another client expunged meanwhile may be refused (RFC 2180 4.1); anything else counts.
    if (tagged.status !== 'OK') count(result.errors, `${command.split(' ')[0]} ${tagged.line.replace(/\d+/g, 'n').slice(0, 80)}`);
  };
  const seq = () => 1 + Math.floor(Math.random() * Math.max(1, checker.messageCount));
  try {
    await run(`LOGIN ${options.user} "${options.password}"`);
    await run('SELECT INBOX (CONDSTORE)');
    for (let i = 0; i < OPERATIONS_PER_CYCLE; i++) {
      switch (checker.messageCount === 0 ? 'append' : pick(OPERATIONS)) {
        case 'fetch': {
          const low = seq();
          await run(`FETCH ${low}:${Math.min(checker.messageCount, low + 49)} (UID FLAGS MODSEQ)`);
          break;
        }
        case 'store':
          await run(`STORE ${seq()} +FLAGS (${pick(['\\Seen', '\\Flagged', '\\Answered'])} ${pick(KEYWORDS)})`);
          break;
        case 'unstore':
          await run(`STORE ${seq()} -FLAGS (\\Seen ${pick(KEYWORDS)})`);
          break;
        case 'expunge':
          await run(`STORE ${seq()} +FLAGS.SILENT (\\Deleted)`);
          await run('EXPUNGE');
          break;
        case 'append':
          await run(`APPEND INBOX (${pick(KEYWORDS)})`, options.message);
          break;
      }
    }
    await run('LOGOUT');
    result.cycles++;
  } catch (error) {
    count(result.errors, `connection: ${(error as Error).message.slice(0, 80)}`);
  } finally {
    client.close();
    for (const [kind, found] of checker.violations) {
      const total = result.violations.get(kind) ?? { count: 0, samples: [] };
      total.count += found.count;
      total.samples.push(...found.samples.slice(0, 3 - total.samples.length));
      result.violations.set(kind, total);
    }
  }
}

export async function runStress(options: StressOptions): Promise<StressResult> {
  const result: StressResult = { cycles: 0, seconds: 0, violations: new Map(), errors: new Map() };
  const started = Date.now();
  const until = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (Date.now() < until) await cycle(options, result);
    }),
  );
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

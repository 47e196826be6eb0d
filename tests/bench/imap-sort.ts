// `npm run bench -- imap-sort`: SORT and THREAD on a mailbox of 10,000
// messages (threads of up to five, encoded names, replies, time zones), ours
// against Dovecot (Debian's dovecot-imapd, the same messages in a Maildir) in
// the same run: the median milliseconds of each command over ROUNDS sessions
// after WARMUP sessions (as in bench imap, imap/command-timings.ts: V8 has
// optimized our code only after a few), the ratio ours/Dovecot (below 1 is
// faster), and whether the two answers are the same.
//
// Environment: IMAP_SORT_BENCH_MESSAGES (10000), IMAP_SORT_BENCH_ROUNDS (5), IMAP_BENCH_WARMUP (4),
// IMAP_BENCH_ENGINE (sqlite, or postgres with TEST_POSTGRES_URL set).
import { openDatabase, type Engine } from '../../prisma/database.ts';
import { closeMailStore, createMailStore } from '../../mail-daemon/store/context.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { createTestDatabase } from '../support/databases.ts';
import { startDaemonProcess } from '../support/daemon-process.ts';
import { DOVECOT_PASSWORD, DOVECOT_USER, startDovecot } from '../support/dovecot.ts';
import { BENCH_ADDRESS } from './bench-address.ts';
import { BenchClient } from './imap/bench-client.ts';
import { WARMUP } from './imap/command-timings.ts';
import { deliverAll } from './imap.ts';

const COUNT = Number(process.env.IMAP_SORT_BENCH_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.IMAP_SORT_BENCH_ROUNDS ?? 5);
const ENGINE = (process.env.IMAP_BENCH_ENGINE ?? 'sqlite') as Engine;

const COMMANDS = [
  'SORT (ARRIVAL) UTF-8 ALL',
  'SORT (DATE) UTF-8 ALL',
  'SORT (REVERSE DATE) UTF-8 ALL',
  'SORT (SUBJECT) UTF-8 ALL',
  'SORT (FROM) UTF-8 ALL',
  'SORT (DISPLAYFROM) UTF-8 ALL',
  'SORT (SIZE) UTF-8 ALL',
  'SORT RETURN (MIN MAX COUNT) (SUBJECT DATE) UTF-8 UNSEEN',
  'THREAD ORDEREDSUBJECT UTF-8 ALL',
  'THREAD REFERENCES UTF-8 ALL',
];

/** Threads of up to five: each reply names its parent (References), with its own subject prefix and sender. */
function makeMessages(count: number): Buffer[] {
  const names = ['Zed Adams', '=?utf-8?q?=C3=89mile_Zola?=', 'bob', 'Carol "CJ" Jones', '_under score'];
  return Array.from({ length: count }, (_, i) => {
    const thread = Math.floor(i / 5);
    const place = i % 5;
    const who = (i * 7) % 50;
    const minutes = ((i * 7919) % (count * 3)) - count;
    const date = new Date(Date.UTC(2026, 10, 1) + minutes * 60_000);
    const zone = ['+0000', '-0500', '+0900'][i % 3];
    const headers = [
      `From: ${names[who % names.length]} <user${who}@sender${who % 7}.test>`,
      `To: list${thread % 13}@lists.test`,
      `Subject: ${place === 0 ? '' : ['Re: ', 'RE: Re: ', 'Fwd: ', '[list] Re: '][place - 1]}Topic ${thread % 1500} ${['plans', 'news', 'ideas'][thread % 3]}`,
      `Date: ${date.toUTCString().replace('GMT', zone)}`,
      `Message-ID: <m${i}@bench.test>`,
      ...(place === 0 ? [] : [`References: ${Array.from({ length: place }, (_, k) => `<m${i - place + k}@bench.test>`).join(' ')}`]),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
    ];
    return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${'Some words of the message.\r\n'.repeat(1 + (i % 20))}`);
  });
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** Median ms per command, and each command's untagged answer. */
async function measure(port: number, user: string, password: string): Promise<{ ms: Map<string, number>; answers: Map<string, string> }> {
  const samples = new Map<string, number[]>();
  const answers = new Map<string, string>();
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const client = await BenchClient.open(port);
    await client.command(`LOGIN ${user} "${password}"`);
    await client.command('SELECT INBOX');
    for (const command of COMMANDS) {
      let answer = '';
      client.onResponse = (line) => {
        if (/^\* (SORT|THREAD|ESEARCH)/.test(line)) answer = line.trimEnd();
      };
      const started = process.hrtime.bigint();
      await client.command(command);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (round >= WARMUP) samples.set(command, [...(samples.get(command) ?? []), ms]);
      answers.set(command, answer.replace(/TAG "b\d+"/, 'TAG'));
    }
    await client.command('LOGOUT').catch(() => undefined);
    client.close();
  }
  return { ms: new Map([...samples].map(([command, values]) => [command, median(values)])), answers };
}

export async function run(): Promise<void> {
  const messages = makeMessages(COUNT);
  console.log(`mailbox: ${COUNT} messages in threads of five; store on ${ENGINE}; client on the same machine over loopback; median of ${ROUNDS} sessions after ${WARMUP}`);
  const database = await createTestDatabase(ENGINE);
  let ours: Awaited<ReturnType<typeof measure>>;
  try {
    const store = createMailStore(await openDatabase(database.url));
    const [bench] = await addTestAccounts(store, 'bench.test', ['bench']);
    await deliverAll(store, bench.id, messages);
    await closeMailStore(store);
    const daemon = await startDaemonProcess(database.url, { services: ['imap'], env: { LISTEN_HOST: BENCH_ADDRESS } });
    try {
      ours = await measure(daemon.port('imap'), bench.address, TEST_PASSWORD);
    } finally {
      await daemon.stop();
    }
  } finally {
    await database.drop();
  }
  const dovecot = await startDovecot('imap', messages, '', { address: BENCH_ADDRESS });
  let theirs: Awaited<ReturnType<typeof measure>> | null = null;
  if (dovecot) {
    try {
      theirs = await measure(dovecot.port, DOVECOT_USER, DOVECOT_PASSWORD);
    } finally {
      await dovecot.stop();
    }
  } else {
    console.log('dovecot-imapd is not installed: no comparison (apt-get install dovecot-imapd to add one)');
  }
  const column = (text: string) => text.padStart(12);
  console.log(`\n${'milliseconds'.padEnd(56)}${column('ours')}${column(theirs ? `dovecot ${dovecot!.version}` : '')}${column(theirs ? 'ours/dovecot' : '')}  same answer`);
  for (const command of COMMANDS) {
    const mine = ours.ms.get(command)!;
    const other = theirs?.ms.get(command);
    const same = theirs ? (ours.answers.get(command) === theirs.answers.get(command) ? 'yes' : 'NO') : '';
    console.log(`${command.padEnd(56)}${column(mine.toFixed(1))}${column(other?.toFixed(1) ?? '')}${column(other ? `${(mine / other).toFixed(2)}x` : '')}  ${same}`);
  }
}

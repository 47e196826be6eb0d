// mail_delivery_stage_seconds (metrics.ts): where a message's time goes
// between the end of its DATA and the 250, step by step. One message from
// another server, sent by Python's smtplib, is counted once in each step, and
// the steps together took no longer than the client waited for its 250.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { metricsRegistry, type DeliveryStage } from '../../mail-daemon/metrics/metrics.ts';

const STAGES: DeliveryStage[] = ['checks', 'preparation', 'filters', 'commit'];

/** Each step's count and seconds so far. */
async function stages(): Promise<Map<string, { count: number; seconds: number }>> {
  const metric = await metricsRegistry.getSingleMetric('mail_delivery_stage_seconds')!.get();
  const value = (name: string, stage: string) => (metric.values as { metricName?: string; labels: Record<string, unknown>; value: number }[]).find((v) => v.metricName === name && v.labels.stage === stage)?.value ?? 0;
  return new Map(STAGES.map((stage) => [stage, { count: value('mail_delivery_stage_seconds_count', stage), seconds: value('mail_delivery_stage_seconds_sum', stage) }]));
}

describe('the delivery steps of a message from another server', () => {
  let daemon: TestDaemon;

  before(async () => {
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: '127.0.0.1:9' });
    await addTestAccounts(daemon.context.store, 'example.test', ['alice']);
  });
  after(() => daemon.dispose());

  it('are each counted once, within the wait for the 250', async () => {
    const before = await stages();
    // The client's own clock, from the end of the message to the 250.
    const script = `
import smtplib, sys, time
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
s.ehlo("client.remote.test")
assert s.mail("sender@remote.test")[0] == 250
assert s.rcpt("alice@example.test")[0] == 250
assert s.docmd("DATA")[0] == 354
started = time.perf_counter()
s.send(b"From: sender@remote.test\\r\\nSubject: steps\\r\\n\\r\\nHi\\r\\n.\\r\\n")
code, reply = s.getreply()
waited = time.perf_counter() - started
assert code == 250, reply
s.quit()
print(waited)
`;
    const { stdout } = await promisify(execFile)('python3', ['-c', script, String(daemon.port('smtp'))], { encoding: 'utf8' });
    const waited = Number(stdout.trim());
    const after = await stages();
    let total = 0;
    for (const stage of STAGES) {
      const was = before.get(stage)!;
      const now = after.get(stage)!;
      assert.equal(now.count - was.count, 1, `${stage} counted once`);
      assert.ok(now.seconds > was.seconds, `${stage} took some time`);
      total += now.seconds - was.seconds;
    }
    assert.ok(total <= waited, `the steps took ${total} s, the client waited ${waited} s`);
    assert.ok(await daemon.context.store.database.prisma.message.findFirst({ where: { subject: 'steps' } }));
  });
});

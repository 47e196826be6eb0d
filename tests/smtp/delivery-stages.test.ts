// mail_delivery_stage_seconds (metrics.ts): where a message's time goes
// between the end of its DATA and the 250, step by step. One message from
// another server, sent by Python's smtplib, is counted once in each step, and
// the steps together took no longer than the client waited for its 250; one
// refused by the checks is counted there, and in no step after.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { DELIVERY_STAGES as STAGES, metricsRegistry, type DeliveryStage } from '../../mail-daemon/metrics/metrics.ts';
import { stageHistograms } from '../support/delivery-stages.ts';

const stages = async () => stageHistograms((await metricsRegistry.getSingleMetric('mail_delivery_stage_seconds')!.get()).values);

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

  it('count the checks of a refused message, and no step after them', async () => {
    const before = await stages();
    // A sender address of a domain hosted here, without SPF or DKIM passing for it: refused after the checks.
    const script = `
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
try:
    s.sendmail("alice@example.test", ["alice@example.test"], "From: alice@example.test\\r\\nSubject: spoofed\\r\\n\\r\\nHi\\r\\n")
    raise SystemExit("accepted")
except smtplib.SMTPDataError as e:
    assert e.smtp_code == 550, e
s.quit()
`;
    await promisify(execFile)('python3', ['-c', script, String(daemon.port('smtp'))], { encoding: 'utf8' });
    const after = await stages();
    const moved = (stage: DeliveryStage) => after.get(stage)!.count - before.get(stage)!.count;
    assert.deepEqual(STAGES.map(moved), [1, 0, 0, 0]);
  });
});

// The MX with clients nobody here wrote: swaks and Python's smtplib, for a
// delivery, the rejections and pipelining.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';

// The daemon runs in this process: clients run asynchronously so it can answer them.
const run = (command: string, args: string[]) =>
  promisify(execFile)(command, args, { encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ status: 0, out: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ status: error.code ?? 1, out: (error.stdout ?? '') + (error.stderr ?? '') }),
  );

describe('SMTP inbound with swaks and smtplib', () => {
  let daemon: TestDaemon;
  let port: number;

  before(async () => {
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: '127.0.0.1:9', MAX_MESSAGE_SIZE: '100000' });
    port = daemon.port('smtp');
    await addTestAccounts(daemon.context.store, 'example.test', ['alice']);
  });
  after(() => daemon.dispose());

  const swaks = (...args: string[]) => run('swaks', ['--server', `127.0.0.1:${port}`, '--from', 'sender@remote.test', '--helo', 'client.remote.test', ...args]);

  it('delivers with swaks, over STARTTLS and pipelined', async () => {
    const plain = await swaks('--to', 'alice@example.test', '--header', 'Subject: swaks plain');
    assert.equal(plain.status, 0, plain.out);
    const tls = await swaks('--to', 'alice@example.test', '--tls', '--pipeline', '--header', 'Subject: swaks tls');
    assert.equal(tls.status, 0, tls.out);
    assert.match(tls.out, /<~ {2}250 /, 'the pipelined transaction went over TLS');
    const subjects = (await daemon.context.store.database.prisma.message.findMany({ select: { subject: true } })).map((m) => m.subject);
    assert.ok(subjects.includes('swaks plain') && subjects.includes('swaks tls'));
  });

  it('shows swaks the relay, unknown user and size rejections', async () => {
    const relay = await swaks('--to', 'someone@elsewhere.test');
    assert.notEqual(relay.status, 0);
    assert.match(relay.out, /<\*\* 550 5\.7\.1 Relaying denied/);
    const unknown = await swaks('--to', 'ghost@example.test');
    assert.match(unknown.out, /<\*\* 550 5\.1\.1 No such user/);
    const bodyFile = join(daemon.dataDir, 'big-body.txt');
    writeFileSync(bodyFile, `${'x'.repeat(99)}\n`.repeat(1500));
    const big = await swaks('--to', 'alice@example.test', '--body', bodyFile);
    assert.match(big.out, /<\*\* 552 /);
  });

  it('delivers and is refused the same way with Python\'s smtplib', async () => {
    const script = `
import smtplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP("127.0.0.1", ${port}) as s:
    s.ehlo("client.remote.test")
    assert s.has_extn("pipelining") and s.has_extn("8bitmime") and s.has_extn("smtputf8") and s.has_extn("enhancedstatuscodes")
    s.starttls(context=ctx); s.ehlo("client.remote.test")
    refused = s.sendmail("sender@remote.test", ["alice@example.test", "x@elsewhere.test"], "Subject: smtplib\\r\\n\\r\\nHi\\r\\n")
    assert list(refused) == ["x@elsewhere.test"] and refused["x@elsewhere.test"][0] == 550, refused
    try:
        s.sendmail("sender@remote.test", ["nobody@example.test"], "Subject: x\\r\\n\\r\\nHi\\r\\n")
        raise SystemExit("unknown user accepted")
    except smtplib.SMTPRecipientsRefused as e:
        assert e.recipients["nobody@example.test"][0] == 550
print("ok")
`;
    const result = await run('python3', ['-c', script]);
    assert.equal(result.status, 0, result.out);
    assert.ok(await daemon.context.store.database.prisma.message.findFirst({ where: { subject: 'smtplib' } }));
  });
});

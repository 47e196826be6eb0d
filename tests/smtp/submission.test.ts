// Submission (587 with STARTTLS, 465 with TLS) with real clients: nodemailer,
// Python's smtplib and swaks.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { dkimVerify } from 'mailauth';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { RawSmtp, sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { listMessages, getMessageContent } from '../../mail-daemon/store/messages.ts';
import { findMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { addAlias } from '../../mail-daemon/aliases/aliases.ts';
import { dnsRecordsFor } from '../../mail-daemon/domains/dns-records.ts';
import { loadConfig } from '../../mail-daemon/config/config.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

describe('SMTP submission', () => {
  let daemon: TestDaemon;
  let bob: AccountView;

  before(async () => {
    // No plaintext login, not even on loopback: AUTH must wait for TLS.
    daemon = await startTestDaemon('sqlite', [smtpService], { ALLOW_PLAINTEXT_LOOPBACK: 'false', DNS_SERVERS: '127.0.0.1:9' });
    [, bob] = await addTestAccounts(daemon.context.store, 'example.test', ['alice', 'bob']);
    await addAlias(daemon.context.store, 'sales@example.test', ['alice@example.test']);
  });
  after(() => daemon.dispose());

  const alice = { user: 'alice@example.test', pass: TEST_PASSWORD };

  async function newestFor(accountId: number) {
    const inbox = (await findMailbox(daemon.context.store, accountId, 'INBOX'))!;
    const messages = await listMessages(daemon.context.store, accountId, inbox.id);
    const last = messages[messages.length - 1];
    return { message: last, raw: (await getMessageContent(daemon.context.store, accountId, last.id)).raw };
  }

  it('offers AUTH only after STARTTLS on 587', async () => {
    const raw = await RawSmtp.open(daemon.port('submission'));
    await raw.reply();
    const ehlo = await raw.command('EHLO client.test');
    assert.match(ehlo, /STARTTLS/);
    assert.doesNotMatch(ehlo, /AUTH/);
    assert.match(await raw.command('AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABwdw=='), /^5\d\d /);
    assert.match(await raw.command('MAIL FROM:<alice@example.test>'), /^530 /);
    raw.close();
  });

  it('sends after STARTTLS and AUTH, adds Message-ID and Date, and DKIM-signs', async () => {
    const message = 'From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: Signed\r\n\r\nHello Bob.\r\n';
    const result = await sendWithNodemailer({ port: daemon.port('submission'), requireTLS: true, auth: alice }, { from: 'alice@example.test', to: ['bob@example.test'] }, message);
    assert.deepEqual(result.accepted, ['bob@example.test']);
    const { message: stored, raw } = await newestFor(bob.id);
    assert.equal(stored.subject, 'Signed');
    assert.match(stored.messageId, /^<[0-9a-f]+@mail\.example\.test>$/);
    assert.ok(stored.sentDate, 'a Date was added');
    assert.match(raw.toString(), /with ESMTPSA id/);
    const domain = (await daemon.context.store.database.prisma.domain.findUnique({ where: { name: 'example.test' } }))!;
    const dkim = dnsRecordsFor(domain, loadConfig({ MAIL_HOSTNAME: 'mail.example.test' })).find((r) => r.purpose === 'DKIM')!;
    const verified = await dkimVerify(raw, {
      resolver: async (name: string, type: string) => {
        if (type === 'TXT' && name === dkim.name) return [[dkim.value]];
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      },
    } as never);
    assert.equal(verified.results[0].status.result, 'pass', JSON.stringify(verified.results[0].status));
  });

  it('sends as an alias the account owns but not as someone else', async () => {
    const port = daemon.port('submissions');
    await sendWithNodemailer({ port, secure: true, auth: alice }, { from: 'sales@example.test', to: ['bob@example.test'] }, buildMessage({ from: 'sales@example.test', subject: 'From sales' }));
    assert.equal((await newestFor(bob.id)).message.subject, 'From sales');
    await assert.rejects(
      sendWithNodemailer({ port, secure: true, auth: alice }, { from: 'bob@example.test', to: ['bob@example.test'] }, buildMessage({ from: 'bob@example.test' })),
      (e: Error & { response?: string }) => /^553 5\.7\.1 /.test(e.response ?? ''),
    );
    await assert.rejects(
      sendWithNodemailer({ port, secure: true, auth: alice }, { from: 'alice@example.test', to: ['bob@example.test'] }, buildMessage({ from: 'The Boss <boss@elsewhere.test>' })),
      (e: Error & { response?: string }) => /^553 5\.7\.1 From: address <boss@elsewhere\.test> is not yours/.test(e.response ?? ''),
    );
  });

  it('queues remote recipients and refuses unknown local ones', async () => {
    const port = daemon.port('submissions');
    await sendWithNodemailer({ port, secure: true, auth: alice }, { from: 'alice@example.test', to: ['friend@remote.test', 'bob@example.test'] }, buildMessage({ from: 'alice@example.test', subject: 'Mixed' }));
    const entry = await daemon.context.store.database.prisma.queueMessage.findFirst({ orderBy: { id: 'desc' }, include: { recipients: true } });
    assert.deepEqual(entry!.recipients.map((r) => r.address), ['friend@remote.test']);
    assert.equal(entry!.mailFrom, 'alice@example.test');
    assert.equal((await newestFor(bob.id)).message.subject, 'Mixed');
    await assert.rejects(
      sendWithNodemailer({ port, secure: true, auth: alice }, { from: 'alice@example.test', to: ['ghost@example.test'] }, buildMessage({ from: 'alice@example.test' })),
      (e: Error & { response?: string }) => /550 5\.1\.1/.test(e.response ?? e.message),
    );
  });

  it('refuses a wrong password, and locks out after repeated failures', async () => {
    const port = daemon.port('submissions');
    await assert.rejects(
      sendWithNodemailer({ port, secure: true, auth: { user: 'bob@example.test', pass: 'wrong' } }, { from: 'bob@example.test', to: ['alice@example.test'] }, buildMessage()),
      (e: Error & { response?: string }) => /^535 5\.7\.8/.test(e.response ?? ''),
    );
    for (let i = 0; i < 10; i++) {
      await sendWithNodemailer({ port, secure: true, auth: { user: 'bob@example.test', pass: `guess ${i}` } }, { from: 'bob@example.test', to: ['alice@example.test'] }, buildMessage()).catch(() => undefined);
    }
    await assert.rejects(
      sendWithNodemailer({ port, secure: true, auth: { user: 'bob@example.test', pass: TEST_PASSWORD } }, { from: 'bob@example.test', to: ['alice@example.test'] }, buildMessage()),
      (e: Error & { response?: string }) => /^454 4\.7\.0 Too many failed logins/.test(e.response ?? ''),
    );
  });

  it('works with nodemailer\'s transport on 465', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: daemon.port('submissions'), secure: true, auth: alice, tls: { rejectUnauthorized: false } });
    const info = await transport.sendMail({
      from: 'alice@example.test',
      to: 'bob@example.test',
      subject: 'Via transport',
      text: 'Plain part',
      attachments: [{ filename: 'note.txt', content: 'attached bytes' }],
    });
    transport.close();
    assert.deepEqual(info.accepted, ['bob@example.test']);
    const { message } = await newestFor(bob.id);
    assert.equal(message.subject, 'Via transport');
    assert.equal(message.hasAttachments, true);
  });

  // The daemon runs in this process: clients run asynchronously so it can answer them.
  const run = (command: string, args: string[]) =>
    promisify(execFile)(command, args, { encoding: 'utf8' }).then(
      ({ stdout, stderr }) => ({ status: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ status: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
    );

  it('works with Python\'s smtplib (STARTTLS on 587, and SMTP_SSL on 465)', async () => {
    const script = `
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
msg = "From: alice@example.test\\r\\nTo: bob@example.test\\r\\nSubject: From smtplib %s\\r\\n\\r\\nHi\\r\\n"
with smtplib.SMTP("127.0.0.1", ${daemon.port('submission')}) as s:
    s.starttls(context=ctx); s.login("alice@example.test", "${TEST_PASSWORD}")
    s.sendmail("alice@example.test", ["bob@example.test"], msg % "587")
with smtplib.SMTP_SSL("127.0.0.1", ${daemon.port('submissions')}, context=ctx) as s:
    s.login("alice@example.test", "${TEST_PASSWORD}")
    s.sendmail("alice@example.test", ["bob@example.test"], msg % "465")
    try:
        s.sendmail("bob@example.test", ["bob@example.test"], msg % "spoof")
        sys.exit("spoofed sender accepted")
    except smtplib.SMTPSenderRefused as e:
        assert e.smtp_code == 553, e
print("ok")
`;
    const result = await run('python3', ['-c', script]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /ok/);
  });

  it('works with swaks', async () => {
    const result = await run('swaks', [
      '--server', `127.0.0.1:${daemon.port('submission')}`, '--tls',
      '--auth', 'PLAIN', '--auth-user', 'alice@example.test', '--auth-password', TEST_PASSWORD,
      '--from', 'alice@example.test', '--to', 'bob@example.test', '--header', 'Subject: From swaks', '--body', 'swaks body',
    ]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.equal((await newestFor(bob.id)).message.subject, 'From swaks');
  });
});

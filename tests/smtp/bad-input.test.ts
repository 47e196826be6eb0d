// Hostile and broken SMTP clients: each gets the right reply, nothing half
// stored, and the server keeps serving everyone else.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { RawSmtp, sendWithNodemailer } from '../support/smtp-client.ts';
import { createSmtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { DEFAULT_CONNECTION_LIMITS } from '../../mail-daemon/limits/connection-gate.ts';
import { withCrlf } from '../../mail-daemon/store/prepared-message.ts';

describe('SMTP bad input', () => {
  let daemon: TestDaemon;
  let port: number;

  before(async () => {
    daemon = await startTestDaemon('sqlite', [createSmtpService({ socketTimeoutMs: 1500 })], { DNS_SERVERS: '127.0.0.1:9' });
    port = daemon.port('smtp');
    await addTestAccounts(daemon.context.store, 'example.test', ['alice']);
  });
  after(() => daemon.dispose());

  async function session(): Promise<RawSmtp> {
    const raw = await RawSmtp.open(port);
    assert.match(await raw.reply(), /^220 mail\.example\.test ESMTP ready/);
    return raw;
  }

  async function stillServes() {
    const result = await sendWithNodemailer({ port }, { from: 'sender@remote.test', to: ['alice@example.test'] }, buildMessage({ subject: 'still up' }));
    assert.deepEqual(result.accepted, ['alice@example.test']);
  }

  it('answers commands out of order with 503', async () => {
    const raw = await session();
    assert.match(await raw.command('MAIL FROM:<a@remote.test>'), /^503 /, 'MAIL before EHLO');
    await raw.command('EHLO client.test');
    assert.match(await raw.command('RCPT TO:<alice@example.test>'), /^503 /, 'RCPT before MAIL');
    assert.match(await raw.command('DATA'), /^503 /, 'DATA before RCPT');
    await raw.command('MAIL FROM:<a@remote.test>');
    assert.match(await raw.command('MAIL FROM:<a@remote.test>'), /^503 /, 'nested MAIL');
    assert.match(await raw.command('DATA'), /^503 /, 'DATA without a recipient');
    assert.match(await raw.command('FROBNICATE'), /^500 /);
    raw.close();
  });

  it('answers malformed addresses with 501', async () => {
    const raw = await session();
    await raw.command('EHLO client.test');
    assert.match(await raw.command('MAIL FROM:<no at sign>'), /^501 /);
    assert.match(await raw.command('MAIL FROM:a@remote.test'), /^501 /);
    assert.match(await raw.command('MAIL FROM:<a@remote.test>'), /^250 /);
    assert.match(await raw.command('RCPT TO:<alice@@example.test>'), /^501 /);
    assert.match(await raw.command('RCPT TO:<"quoted local"@example.test>'), /^5\d\d /);
    assert.match(await raw.command('RCPT TO:<>'), /^501 /);
    raw.close();
  });

  it('stores a message with bare LFs as CRLF and never ends DATA on a bare LF dot', async () => {
    const raw = await session();
    await raw.command('EHLO client.test');
    await raw.command('MAIL FROM:<a@remote.test>');
    await raw.command('RCPT TO:<alice@example.test>');
    assert.match(await raw.command('DATA'), /^354 /);
    raw.write('Subject: bare lf\r\n\r\nline one\nline two\n.\nMAIL FROM:<smuggled@remote.test>\r\n.\r\n');
    assert.match(await raw.reply(), /^250 /);
    raw.close();
    const [message] = await daemon.context.store.database.prisma.message.findMany({ where: { subject: 'bare lf' }, include: { content: true } });
    const stored = Buffer.from(message.content.raw).toString('latin1');
    assert.match(stored, /line one\r\nline two\r\n\.\r\nMAIL FROM:<smuggled@remote\.test>\r\n$/, 'the smuggled command stayed message text');
    assert.doesNotMatch(stored, /[^\r]\n/, 'no bare LF is stored');
    assert.equal(message.size, message.content.raw.length);
  });

  it('turns bare LFs into CRLF without touching CRLF input', () => {
    const crlf = Buffer.from('a\r\nb\r\n');
    assert.equal(withCrlf(crlf), crlf, 'CRLF input is returned as is');
    assert.equal(withCrlf(Buffer.from('\na\nb\r\nc\n')).toString(), '\r\na\r\nb\r\nc\r\n');
  });

  it('drops a client that stalls, and keeps serving others', async () => {
    const raw = await session();
    await raw.command('EHLO client.test');
    await raw.command('MAIL FROM:<a@remote.test>');
    const closed = new Promise((resolve) => raw.socket.once('close', resolve));
    assert.match(await raw.reply(4000), /^421 /);
    await closed;
    await stillServes();
  });

  it('limits simultaneous connections from one address', async () => {
    const open = await Promise.all(Array.from({ length: DEFAULT_CONNECTION_LIMITS.perAddress }, () => session()));
    const extra = await RawSmtp.open(port);
    assert.match(await extra.reply(), /^421 4\.7\.0 Too many connections/);
    extra.close();
    open.forEach((raw) => raw.close());
    await new Promise((r) => setTimeout(r, 200));
    await stillServes();
  });

  it('survives garbage bytes and an abrupt disconnect mid-DATA', async () => {
    const raw = await session();
    raw.write(Buffer.from([0, 255, 254, 13, 10, 1, 2, 3, 13, 10]).toString('latin1'));
    assert.match(await raw.reply(), /^5\d\d /);
    raw.close();
    const cut = await session();
    await cut.command('EHLO client.test');
    await cut.command('MAIL FROM:<a@remote.test>');
    await cut.command('RCPT TO:<alice@example.test>');
    await cut.command('DATA');
    const before = await daemon.context.store.database.prisma.message.count();
    cut.write('Subject: cut off\r\n\r\nhalf a mess');
    cut.socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await daemon.context.store.database.prisma.message.count(), before, 'nothing stored from an unfinished DATA');
    await stillServes();
  });
});

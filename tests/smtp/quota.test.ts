// The hard quota (issue 14 item 5), through real clients: SMTP refuses at
// MAIL FROM (SIZE= over the server's limit), at RCPT (SIZE= over the mailbox's
// quota: 552 5.2.2; a full mailbox: 452 4.2.2) and after DATA (no SIZE=
// given), delivers to the other recipients of a message one mailbox cannot
// take and bounces that one; IMAP APPEND (imapflow) gets NO [OVERQUOTA]; the
// webmail's save and send say the mailbox is full; and crossing 90% brings
// one warning message.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts, inboxOf, TEST_PASSWORD } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { RawSmtp, sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { imapService } from '../../mail-daemon/imap/imap-service.ts';
import { createAccount, type AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { getQuota } from '../../mail-daemon/store/quota.ts';
import { listMessages, getMessageContent } from '../../mail-daemon/store/messages.ts';
import { saveDraft, sendDraft } from '../../mail-daemon/webmail/compose.ts';
import { newDraft } from '../../mail-daemon/webmail/reply.ts';

const QUOTA = 100_000;
const MAX_MESSAGE_SIZE = 1_000_000;

type SmtpFailure = Error & { response?: string; rejectedErrors?: { response?: string }[] };

describe('hard quota', () => {
  let daemon: TestDaemon;
  let bob: AccountView;

  before(async () => {
    daemon = await startTestDaemon('sqlite', [smtpService, imapService], { DNS_SERVERS: '127.0.0.1:9', MAX_MESSAGE_SIZE: String(MAX_MESSAGE_SIZE) });
    [bob] = await addTestAccounts(daemon.context.store, 'example.test', ['bob']);
  });
  after(() => daemon.dispose());

  let count = 0;
  const smallAccount = () => createAccount(daemon.context.store, { address: `small${++count}@example.test`, password: TEST_PASSWORD, quotaBytes: QUOTA });
  /** A message of about `bytes` bytes. */
  const messageOf = (bytes: number, to: string, subject: string, from?: string) => buildMessage({ from, to, subject, body: `${'x'.repeat(76)}\n`.repeat(Math.ceil(bytes / 78)) });
  const toPort25 = (to: string[], message: Buffer, size?: number) => sendWithNodemailer({ port: daemon.port('smtp') }, { from: 'sender@remote.test', to, size }, message);
  const refusal = (error: SmtpFailure) => error.rejectedErrors?.[0]?.response ?? error.response ?? '';
  const used = async (account: AccountView) => (await getQuota(daemon.context.store, account.id)).usedBytes;
  async function subjects(account: AccountView) {
    const inbox = await inboxOf(daemon.context.store, account.id);
    return (await listMessages(daemon.context.store, account.id, inbox.id)).map((m) => m.subject);
  }

  it('refuses at MAIL FROM a SIZE= over the server\'s limit, and at RCPT one over the mailbox\'s quota', async () => {
    const small = await smallAccount();
    // nodemailer itself will not announce a SIZE= above the server's: a raw transcript.
    const smtp = await RawSmtp.open(daemon.port('smtp'));
    try {
      assert.match(await smtp.reply(), /^220 /);
      assert.match(await smtp.command('EHLO client.remote.test'), /250[ -]SIZE 1000000/);
      assert.match(await smtp.command(`MAIL FROM:<sender@remote.test> SIZE=${MAX_MESSAGE_SIZE + 1}`), /^552 5\.3\.4 /);
      assert.match(await smtp.command(`MAIL FROM:<sender@remote.test> SIZE=${QUOTA + 1}`), /^250 /);
      assert.match(await smtp.command(`RCPT TO:<${small.address}>`), /^552 5\.2\.2 .*quota/);
    } finally {
      smtp.close();
    }
    assert.equal(await used(small), 0);
  });

  it('refuses after DATA a message bigger than the quota (552 5.2.2), then one that would pass it (452 4.2.2)', async () => {
    const small = await smallAccount();
    await assert.rejects(toPort25([small.address], messageOf(QUOTA + 5_000, small.address, 'too big')), (e: SmtpFailure) => /^552 5\.2\.2 /.test(refusal(e)));
    await toPort25([small.address], messageOf(60_000, small.address, 'sixty'));
    await assert.rejects(toPort25([small.address], messageOf(45_000, small.address, 'would pass')), (e: SmtpFailure) => /^452 4\.2\.2 Mailbox full/.test(refusal(e)));
    assert.deepEqual(await subjects(small), ['sixty']);
    assert.ok((await used(small)) <= QUOTA);
  });

  it('warns once at 90%, then refuses at RCPT once the mailbox is full', async () => {
    const small = await smallAccount();
    await toPort25([small.address], messageOf(85_000, small.address, 'eighty-five'));
    assert.deepEqual(await subjects(small), ['eighty-five']);
    await toPort25([small.address], messageOf(6_000, small.address, 'past ninety'));
    await toPort25([small.address], messageOf(1_000, small.address, 'still past ninety'));
    const inbox = await subjects(small);
    assert.equal(inbox.filter((s) => /^Your mailbox is 9\d% full$/.test(s)).length, 1, `one warning: ${inbox}`);
    assert.deepEqual(inbox.filter((s) => !s.startsWith('Your mailbox')), ['eighty-five', 'past ninety', 'still past ninety']);
    // Full to the byte (the admin lowered the quota): even a small message is refused at RCPT.
    await daemon.context.store.database.prisma.account.update({ where: { id: small.id }, data: { quotaBytes: BigInt(await used(small)) } });
    const smtp = await RawSmtp.open(daemon.port('smtp'));
    try {
      assert.match(await smtp.reply(), /^220 /);
      assert.match(await smtp.command('EHLO client.remote.test'), /^250/);
      assert.match(await smtp.command('MAIL FROM:<sender@remote.test>'), /^250 /);
      assert.match(await smtp.command(`RCPT TO:<${small.address}>`), /^452 4\.2\.2 /, 'at RCPT, before any data');
    } finally {
      smtp.close();
    }
    await assert.rejects(toPort25([small.address], messageOf(10, small.address, 'one more')), (e: SmtpFailure) => /^452 4\.2\.2 Mailbox full/.test(refusal(e)));
  });

  it('delivers to the others and bounces for the one mailbox that cannot take it', async () => {
    const small = await smallAccount();
    const carol = await createAccount(daemon.context.store, { address: 'carol@example.test', password: TEST_PASSWORD });
    await toPort25([small.address], messageOf(80_000, small.address, 'most of it'));
    const message = messageOf(30_000, `${small.address}, ${carol.address}`, 'for both', bob.address);
    await sendWithNodemailer({ port: daemon.port('submission'), auth: { user: bob.address, pass: TEST_PASSWORD } }, { from: bob.address, to: [small.address, carol.address] }, message);
    assert.deepEqual(await subjects(carol), ['for both']);
    assert.deepEqual(await subjects(small), ['most of it']);
    const inbox = await inboxOf(daemon.context.store, bob.id);
    const bounce = (await listMessages(daemon.context.store, bob.id, inbox.id)).find((m) => m.fromAddress.startsWith('mailer-daemon@'));
    assert.ok(bounce, 'bob got a bounce');
    const raw = (await getMessageContent(daemon.context.store, bob.id, bounce.id)).raw.toString('latin1');
    assert.match(raw, new RegExp(`Final-Recipient: rfc822; ?${small.address}`, 'i'));
    assert.match(raw, /Status: 5\.2\.2/);
  });

  it('answers IMAP APPEND over the quota with NO [OVERQUOTA] (RFC 9208)', async () => {
    const small = await smallAccount();
    const imap = new ImapFlow({ host: '127.0.0.1', port: daemon.port('imaps'), secure: true, tls: { rejectUnauthorized: false }, auth: { user: small.address, pass: TEST_PASSWORD }, logger: false });
    await imap.connect();
    try {
      await imap.append('INBOX', messageOf(50_000, small.address, 'appended'));
      await assert.rejects(imap.append('INBOX', messageOf(60_000, small.address, 'too much')), (e: Error & { serverResponseCode?: string }) => e.serverResponseCode === 'OVERQUOTA');
      assert.deepEqual(await subjects(small), ['appended']);
    } finally {
      await imap.logout();
    }
  });

  it('tells the webmail user that a draft cannot be saved, or a message sent, when the mailbox is full', async () => {
    const small = await smallAccount();
    await toPort25([small.address], messageOf(QUOTA - 2_000, small.address, 'nearly all'));
    const draft = await newDraft(daemon.context.store, small.id);
    const big = { ...draft, to: [bob.address], subject: 'big draft', html: `<p>${'z'.repeat(5_000)}</p>` };
    await assert.rejects(saveDraft(daemon.context.store, small.id, big), { name: 'ComposeError', message: /mailbox is full/ });
    await assert.rejects(sendDraft(daemon.context, small.id, big), { name: 'ComposeError', message: /mailbox is full/ });
    assert.deepEqual(await subjects(bob).then((s) => s.filter((x) => x === 'big draft')), [], 'nothing was sent');
  });
});

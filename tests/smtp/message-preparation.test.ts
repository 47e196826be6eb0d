// The preparation thread (delivery/message-preparation.ts): while several
// messages come in at once, their parsing and junk filter tokens leave the
// main thread (issue 12). What it gives must be exactly what parsing on the
// main thread gives, whatever the message; the only one coming in, and a big
// one, are prepared on the main thread; closing waits for what is on the
// thread; a thread that dies leaves what it held to the main thread; and over
// SMTP, twenty sessions at once file spam and ham as one does.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestStore, type TestStore } from '../support/databases.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { RawSmtp } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { closePreparationThread, preparerFor, startPreparationThread, terminatePreparationThread } from '../../mail-daemon/delivery/message-preparation.ts';
import { prepareMessage } from '../../mail-daemon/store/prepared-message.ts';
import { messageTokens, tokensForSender } from '../../mail-daemon/spam/message-tokens.ts';
import type { MimeNode } from '../../mail-daemon/store/mime-structure.ts';
import { metricsRegistry } from '../../mail-daemon/metrics/metrics.ts';
import { listMessages } from '../../mail-daemon/store/messages.ts';
import { findSpecialUseMailbox } from '../../mail-daemon/store/mailboxes.ts';

async function prepared(thread: 'thread' | 'main'): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('mail_messages_prepared_total')!.get();
  return metric.values.find((v) => v.labels.thread === thread)?.value ?? 0;
}

const MANY_WORDS = Array.from({ length: 2000 }, (_, i) => `word${i.toString(36)}x`).join(' ');
const MESSAGES: Record<string, Buffer> = {
  plain: buildMessage({ subject: 'Notes from Tuesday', body: 'Hi Alice,\nthe build works again.\n' }),
  'bare line feeds': Buffer.from('From: Bob <bob@remote.test>\nTo: alice@example.test\nSubject: bare LF\n\nline one\nline two\n'),
  'multipart with an attachment and encoded words': Buffer.from(
    [
      'From: =?utf-8?q?J=C3=BCrgen?= <j@remote.test>',
      'To: alice@example.test, Carol <carol@example.test>',
      'Cc: dave@example.test',
      'Subject: =?utf-8?b?R3LDvMOfZQ==?=',
      'Message-ID: <m1@remote.test>',
      'In-Reply-To: <m0@remote.test>',
      'References: <m0@remote.test>',
      'Authentication-Results: mail.example.test; spf=pass smtp.mailfrom=remote.test; dkim=none; dmarc=fail',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<p>Gr=C3=BC=C3=9Fe, see <a href=3D"https://files.example.net/x">the file</a></p>',
      '--b1',
      'Content-Type: application/pdf; name="a.pdf"',
      'Content-Disposition: attachment; filename="a.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0xLjQK',
      '--b1--',
      '',
    ].join('\r\n'),
  ),
  'more words than the filter keeps': buildMessage({ subject: 'A long one', body: `${MANY_WORDS}\n` }),
};

describe('message preparation thread', () => {
  let store: TestStore;

  before(async () => {
    store = await createTestStore('sqlite');
  });
  after(async () => {
    await closePreparationThread(store);
    await store.dispose();
  });

  let busy = true;

  it('gives the content, summary and junk tokens that parsing on the main thread gives, for a sender known or not', async () => {
    assert.equal(await startPreparationThread(store, () => !busy, () => undefined), true);
    const before = await prepared('thread');
    for (const [name, raw] of Object.entries(MESSAGES)) {
      const { prepared: onThread, junkTokens } = await preparerFor(store).prepare(raw, true);
      const here = await prepareMessage(raw);
      // A message without a Message-ID gets a conversation of its own, a new random id each time it is parsed.
      if (!here.summary.messageId) onThread.summary.threadId = here.summary.threadId;
      assert.deepEqual(onThread, here, name);
      const structure = JSON.parse(here.content.structure) as MimeNode;
      for (const knownSender of [false, true]) {
        assert.deepEqual(tokensForSender(junkTokens!, knownSender), messageTokens(here.content.raw, structure, { knownSender }), `${name}, known sender ${knownSender}`);
      }
    }
    assert.equal((await prepared('thread')) - before, Object.keys(MESSAGES).length);
    // Without a junk filter to feed, no tokens.
    assert.equal((await preparerFor(store).prepare(MESSAGES.plain, false)).junkTokens, undefined);
  });

  it('prepares the only message coming in on the main thread', async () => {
    busy = false;
    const quiet = await prepared('main');
    await preparerFor(store).prepare(MESSAGES.plain, true);
    assert.equal((await prepared('main')) - quiet, 1);
  });
});

describe('message preparation thread with a message over 256 kB', () => {
  let store: TestStore;
  after(async () => {
    await closePreparationThread(store);
    await store.dispose();
  });

  it('prepares it on the main thread, and the rest on the thread; closing waits for what the thread has', async () => {
    store = await createTestStore('sqlite');
    assert.equal(await startPreparationThread(store, () => false, () => undefined), true);
    const [mainBefore, threadBefore] = [await prepared('main'), await prepared('thread')];
    const big = buildMessage({ subject: 'Big', body: `${'0123456789abcdef '.repeat(16 * 1024)}\n` });
    assert.equal((await preparerFor(store).prepare(big, true)).prepared.summary.subject, 'Big');
    assert.equal((await prepared('main')) - mainBefore, 1);
    const many = Array.from({ length: 50 }, (_, i) => preparerFor(store).prepare(buildMessage({ subject: `Message ${i}` }), true));
    await closePreparationThread(store);
    assert.deepEqual(
      (await Promise.all(many)).map((p) => p.prepared.summary.subject),
      many.map((_, i) => `Message ${i}`),
    );
    assert.equal((await prepared('thread')) - threadBefore, 50);
  });
});

describe('message preparation thread that dies', () => {
  let store: TestStore;
  after(async () => {
    await closePreparationThread(store);
    await store.dispose();
  });

  it('prepares what it held on the main thread, and every message after, and says so once', async () => {
    store = await createTestStore('sqlite');
    const logged: string[] = [];
    assert.equal(await startPreparationThread(store, () => false, (line) => logged.push(line)), true);
    const mainBefore = await prepared('main');
    // Big enough (under 256 kB) that the thread still holds some when it dies.
    const body = `${'lorem ipsum dolor sit amet '.repeat(7000)}\n`;
    const held = Array.from({ length: 50 }, (_, i) => preparerFor(store).prepare(buildMessage({ subject: `Held ${i}`, body }), true));
    await terminatePreparationThread(store);
    const answers = await Promise.all(held);
    const heldOnMain = (await prepared('main')) - mainBefore;
    assert.ok(heldOnMain > 0, 'the thread died with messages still on it');
    assert.deepEqual(
      answers.map((p) => p.prepared.summary.subject),
      held.map((_, i) => `Held ${i}`),
    );
    const after = await preparerFor(store).prepare(buildMessage({ subject: 'After' }), true);
    assert.equal(after.prepared.summary.subject, 'After');
    assert.equal((await prepared('main')) - mainBefore, heldOnMain + 1, 'the message after was prepared on the main thread');
    assert.equal(logged.filter((line) => line.includes('the preparation thread stopped')).length, 1, logged.join('\n'));
  });
});

describe('junk filter with twenty SMTP sessions at once', () => {
  let daemon: TestDaemon;
  let dns: TestDnsServer;

  before(async () => {
    dns = await startTestDnsServer({});
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: dns.address });
    // The SMTP service starts the thread in the background: its start, as already asked.
    assert.equal(await startPreparationThread(daemon.context.store, () => false, () => undefined), true);
  });
  after(async () => {
    await daemon.dispose();
    await dns.close();
  });

  it('sends spam to Junk and ham to the Inbox, with the tokens worked out on the preparation thread', async () => {
    const [alice] = await addTestAccounts(daemon.context.store, 'example.test', ['alice']);
    const threadBefore = await prepared('thread');
    const spam = (n: number) =>
      buildMessage({
        from: 'Best Offers <offers@deals.example>',
        subject: `Make money fast - FREE offer ${n}, act now!`,
        body: 'Dear friend,\n\nYou have been selected to receive a FREE investment opportunity. Earn $5000 per week from home! Click here to order now, this limited time offer expires soon. 100% guaranteed, no risk. To be removed from our mailing list reply with REMOVE in the subject.\n',
      });
    const ham = (n: number) =>
      buildMessage({
        from: 'Bob <bob@remote.test>',
        subject: `Notes from the meeting ${n}`,
        body: 'Hi Alice,\n\nthanks for the review of the patch yesterday. I fixed the build problem in the kernel module and updated the tests; the thread has the details. Can we talk about the release on Thursday?\n\nBob\n',
      });
    // Twenty sessions at once (spam 0-9, ham 10-19), each message's end of
    // data sent only once every one is in: so all are in flight together,
    // and the first to end is surely checked and parsed on the thread.
    const sessions = await Promise.all(
      [...Array.from({ length: 10 }, (_, n) => spam(n)), ...Array.from({ length: 10 }, (_, n) => ham(n + 10))].map(async (raw) => {
        const session = await RawSmtp.openData(daemon.port('smtp'), 'sender@remote.test', alice.address);
        session.write(raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/\r\n$/, ''));
        return session;
      }),
    );
    for (const session of sessions) session.write('\r\n.\r\n');
    for (const session of sessions) {
      assert.match(await session.reply(), /^250 /);
      session.close();
    }
    const subjects = async (specialUse: string) => {
      const mailbox = (await findSpecialUseMailbox(daemon.context.store.database.prisma, alice.id, specialUse))!;
      return (await listMessages(daemon.context.store, alice.id, mailbox.id)).map((m) => m.subject).sort();
    };
    const numbers = Array.from({ length: 10 }, (_, n) => n);
    assert.deepEqual(await subjects('\\Junk'), numbers.map((n) => `Make money fast - FREE offer ${n}, act now!`).sort());
    assert.deepEqual(await subjects('\\Inbox'), numbers.map((n) => `Notes from the meeting ${n + 10}`).sort());
    assert.ok((await prepared('thread')) - threadBefore > 0, 'some messages were prepared on the thread');
  });
});

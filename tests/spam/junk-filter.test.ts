// The learning junk filter on the MX with real sockets: mail from a first
// contact is scored by the base model plus the account's own counts, spam goes
// to Junk with an X-Junk-Filter field saying why; a sender the account wrote
// to (in the envelope or the From field) stays in the Inbox; the account learns from IMAP MOVE/COPY into and out
// of Junk and from $Junk/$NotJunk (imapflow), and from the web app's Spam and
// Not spam actions; the filter can be turned off.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { ENGINES } from '../support/databases.ts';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { imapService } from '../../mail-daemon/imap/imap-service.ts';
import { listMessages, getMessageContent } from '../../mail-daemon/store/messages.ts';
import { findSpecialUseMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { applyMessageAction } from '../../mail-daemon/webmail/message-actions.ts';
import { setSpamFilter } from '../../mail-daemon/settings/account-settings.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

const SPAM = {
  from: 'Best Offers <offers@deals.example>',
  subject: 'Make money fast - FREE offer, act now!',
  body: 'Dear friend,\n\nYou have been selected to receive a FREE investment opportunity. Earn $5000 per week from home! Click here to order now, this limited time offer expires soon. 100% guaranteed, no risk. To be removed from our mailing list reply with REMOVE in the subject.\n',
};
const HAM = {
  from: 'Bob <bob@remote.test>',
  subject: 'Notes from the meeting on Tuesday',
  body: 'Hi Alice,\n\nthanks for the review of the patch yesterday. I fixed the build problem in the kernel module and updated the tests; the thread has the details. Can we talk about the release on Thursday?\n\nBob\n',
};
/** Bland words the base model has never seen: only the account's own training can make them spam. */
function newsletter(n: number, to: string) {
  return buildMessage({
    from: `Quorvex Weekly <news${n}@quorvex.example>`,
    to,
    subject: `Quorvex zindle bulletin ${n}`,
    body: `Quorvex zindle bulletin number ${n}: the plimbat report, the vostrel figures and the grunstable notes for this week. Quorvex zindle plimbat vostrel grunstable.\n`,
  });
}

for (const engine of ENGINES) {
  describe(`junk filter on ${engine}`, () => {
    let daemon: TestDaemon;
    let dns: TestDnsServer;
    let alice: AccountView, bob: AccountView, carol: AccountView, dave: AccountView, erin: AccountView;
    let port: number;
    let imap: ImapFlow;

    before(async () => {
      dns = await startTestDnsServer({});
      daemon = await startTestDaemon(engine, [smtpService, imapService], { DNS_SERVERS: dns.address });
      port = daemon.port('smtp');
      [alice, bob, carol, dave, erin] = await addTestAccounts(daemon.context.store, 'example.test', ['alice', 'bob', 'carol', 'dave', 'erin']);
    });
    after(async () => {
      await imap?.logout().catch(() => undefined);
      await daemon.dispose();
      await dns.close();
    });

    async function send(fields: Parameters<typeof buildMessage>[0] & { to: string }, mailFrom = 'sender@remote.test') {
      const result = await sendWithNodemailer({ port }, { from: mailFrom, to: [fields.to] }, buildMessage(fields));
      assert.deepEqual(result.accepted, [fields.to]);
    }
    async function sendRaw(raw: Buffer, to: string) {
      assert.deepEqual((await sendWithNodemailer({ port }, { from: 'sender@remote.test', to: [to] }, raw)).accepted, [to]);
    }
    async function subjectsIn(accountId: number, specialUse: string): Promise<string[]> {
      const mailbox = (await findSpecialUseMailbox(daemon.context.store.database.prisma, accountId, specialUse))!;
      return (await listMessages(daemon.context.store, accountId, mailbox.id)).map((m) => m.subject);
    }
    async function newestRaw(accountId: number, specialUse: string): Promise<string> {
      const mailbox = (await findSpecialUseMailbox(daemon.context.store.database.prisma, accountId, specialUse))!;
      const messages = await listMessages(daemon.context.store, accountId, mailbox.id);
      return (await getMessageContent(daemon.context.store, accountId, messages[messages.length - 1].id)).raw.toString('utf8');
    }

    it('sends spam from a first contact to Junk with a field saying why, and ham to the Inbox', async () => {
      await send({ ...SPAM, to: 'alice@example.test' });
      await send({ ...HAM, to: 'alice@example.test' });
      assert.deepEqual(await subjectsIn(alice.id, '\\Junk'), [SPAM.subject]);
      assert.deepEqual(await subjectsIn(alice.id, '\\Inbox'), [HAM.subject]);
      const junk = await newestRaw(alice.id, '\\Junk');
      assert.match(junk, /^X-Junk-Filter: spam, score [01]\.\d{3} >= 0\.\d+, first contact; "[^"]+" [01]\.\d\d/);
      assert.doesNotMatch(await newestRaw(alice.id, '\\Inbox'), /X-Junk-Filter/);
    });

    /** `account` writes to offers@deals.example over submission (587), then SPAM comes from there with `mailFrom` as envelope sender: it stays in the Inbox. */
    async function spamFromCorrespondent(account: AccountView, mailFrom: string) {
      const sent = await sendWithNodemailer(
        { port: daemon.port('submission'), auth: { user: account.address, pass: TEST_PASSWORD } },
        { from: account.address, to: ['offers@deals.example'] },
        buildMessage({ from: account.address, to: 'offers@deals.example', subject: 'Question about your offer' }),
      );
      assert.deepEqual(sent.accepted, ['offers@deals.example']);
      await send({ ...SPAM, to: account.address }, mailFrom);
      assert.deepEqual(await subjectsIn(account.id, '\\Inbox'), [SPAM.subject]);
      assert.deepEqual(await subjectsIn(account.id, '\\Junk'), []);
    }

    it('keeps the same spam in the Inbox when it comes from someone the account wrote to', async () => {
      await spamFromCorrespondent(bob, 'offers@deals.example');
    });

    it('keeps it in the Inbox too when only the From field is someone the account wrote to (another envelope sender)', async () => {
      // The filter state read before the message is parsed knows only the envelope sender (deliver-mail.ts startDeliveryReads).
      await spamFromCorrespondent(erin, 'bounce-77@mailer.example');
    });

    it('learns from IMAP: MOVE into Junk makes the next such message junk, MOVE out of Junk undoes it', async () => {
      imap = new ImapFlow({ host: '127.0.0.1', port: daemon.port('imap'), secure: false, tls: { rejectUnauthorized: false }, auth: { user: 'carol@example.test', pass: TEST_PASSWORD }, logger: false });
      await imap.connect();
      await sendRaw(newsletter(1, 'carol@example.test'), 'carol@example.test');
      assert.deepEqual(await subjectsIn(carol.id, '\\Inbox'), ['Quorvex zindle bulletin 1'], 'unknown words: the base model lets it through');
      await imap.mailboxOpen('INBOX');
      assert.ok(await imap.messageMove('1:*', 'Junk'));

      await sendRaw(newsletter(2, 'carol@example.test'), 'carol@example.test');
      assert.deepEqual(await subjectsIn(carol.id, '\\Junk'), ['Quorvex zindle bulletin 1', 'Quorvex zindle bulletin 2']);
      assert.match(await newestRaw(carol.id, '\\Junk'), /^X-Junk-Filter: spam[^\r\n]*"(subject:)?(quorvex|zindle|plimbat|vostrel|grunstable)"/);

      // Both back out of Junk: trained as ham now (the first one's spam counts taken back).
      await imap.mailboxOpen('Junk');
      assert.ok(await imap.messageMove('1:*', 'INBOX'));
      await sendRaw(newsletter(3, 'carol@example.test'), 'carol@example.test');
      assert.deepEqual(await subjectsIn(carol.id, '\\Junk'), []);
      assert.ok((await subjectsIn(carol.id, '\\Inbox')).includes('Quorvex zindle bulletin 3'));
      const totals = await daemon.context.store.database.prisma.spamToken.findUnique({ where: { accountId_token: { accountId: carol.id, token: '' } } });
      assert.deepEqual({ ham: totals?.ham, spam: totals?.spam }, { ham: 2, spam: 0 });
    });

    it('learns from the $Junk keyword set over IMAP, and from COPY into Junk', async () => {
      await imap.logout();
      imap = new ImapFlow({ host: '127.0.0.1', port: daemon.port('imap'), secure: false, tls: { rejectUnauthorized: false }, auth: { user: 'dave@example.test', pass: TEST_PASSWORD }, logger: false });
      await imap.connect();
      await sendRaw(newsletter(1, 'dave@example.test'), 'dave@example.test');
      await imap.mailboxOpen('INBOX');
      assert.ok(await imap.messageFlagsAdd('1', ['$Junk']));
      await sendRaw(newsletter(2, 'dave@example.test'), 'dave@example.test');
      assert.deepEqual(await subjectsIn(dave.id, '\\Junk'), ['Quorvex zindle bulletin 2']);

      // $NotJunk on the junked one turns it into ham; with both trained, one spam and one ham, the next is not junk.
      await imap.mailboxOpen('Junk');
      assert.ok(await imap.messageFlagsAdd('1', ['$NotJunk']));
      await sendRaw(newsletter(3, 'dave@example.test'), 'dave@example.test');
      assert.ok((await subjectsIn(dave.id, '\\Inbox')).includes('Quorvex zindle bulletin 3'));
      // COPY of an Inbox message into Junk trains it as spam too.
      await imap.mailboxOpen('INBOX');
      const before = await daemon.context.store.database.prisma.spamToken.findUnique({ where: { accountId_token: { accountId: dave.id, token: '' } } });
      assert.ok(await imap.messageCopy('2', 'Junk'));
      const after = await daemon.context.store.database.prisma.spamToken.findUnique({ where: { accountId_token: { accountId: dave.id, token: '' } } });
      assert.equal(after!.spam, before!.spam + 1);
    });

    it('learns from the web app\'s Spam and Not spam actions', async () => {
      const store = daemon.context.store;
      const [erin] = await addTestAccounts(store, 'web.test', ['erin']);
      await sendRaw(newsletter(1, 'erin@web.test'), 'erin@web.test');
      const inbox = (await findSpecialUseMailbox(store.database.prisma, erin.id, '\\Inbox'))!;
      const [first] = await listMessages(store, erin.id, inbox.id);
      await applyMessageAction(store, erin.id, [first.id], { kind: 'spam' });
      await sendRaw(newsletter(2, 'erin@web.test'), 'erin@web.test');
      assert.deepEqual(await subjectsIn(erin.id, '\\Junk'), ['Quorvex zindle bulletin 1', 'Quorvex zindle bulletin 2']);
      const junk = (await findSpecialUseMailbox(store.database.prisma, erin.id, '\\Junk'))!;
      const junked = await listMessages(store, erin.id, junk.id);
      await applyMessageAction(store, erin.id, junked.map((m) => m.id), { kind: 'not-spam' });
      await sendRaw(newsletter(3, 'erin@web.test'), 'erin@web.test');
      assert.deepEqual(await subjectsIn(erin.id, '\\Junk'), []);
    });

    it('lets everything through to the Inbox when the account turns the filter off', async () => {
      const [frank] = await addTestAccounts(daemon.context.store, 'off.test', ['frank']);
      await setSpamFilter(daemon.context.store, frank.id, false);
      await send({ ...SPAM, to: 'frank@off.test' });
      assert.deepEqual(await subjectsIn(frank.id, '\\Inbox'), [SPAM.subject]);
      assert.deepEqual(await subjectsIn(frank.id, '\\Junk'), []);
    });
  });
}

// A recipient's own settings applied by SMTP delivery: filters file and mark
// mail, forwarding sends it on (with or without a copy), and a vacation
// auto-reply goes out from <> once per sender (RFC 3834).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { addFilter } from '../../mail-daemon/settings/filters.ts';
import { setForwarding, setVacation } from '../../mail-daemon/settings/account-settings.ts';
import { createMailbox, findMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { listMessages } from '../../mail-daemon/store/messages.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

describe('SMTP delivery with account rules', () => {
  let daemon: TestDaemon;
  let port: number;
  let alice: AccountView, bob: AccountView, carol: AccountView;

  before(async () => {
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: '127.0.0.1:9' });
    port = daemon.port('smtp');
    const store = daemon.context.store;
    [alice, bob, carol] = await addTestAccounts(store, 'example.test', ['alice', 'bob', 'carol']);
    await createMailbox(store, alice.id, 'Lists');
    await addFilter(store, alice.id, { field: 'subject', value: '[list]', action: 'move', folder: 'Lists' });
    await addFilter(store, alice.id, { field: 'from', value: 'news@', action: 'read' });
    await setForwarding(store, bob, 'bob@elsewhere.test', false);
    await setForwarding(store, carol, 'carol@elsewhere.test', true);
    await setVacation(store, alice.id, { enabled: true, subject: 'Away', body: 'Back on Monday.', start: null, end: null });
  });
  after(() => daemon.dispose());

  const send = (from: string, to: string, fields: Parameters<typeof buildMessage>[0]) =>
    sendWithNodemailer({ port }, { from, to: [to] }, buildMessage({ from, to, ...fields }));

  async function subjects(account: AccountView, folder: string) {
    const mailbox = (await findMailbox(daemon.context.store, account.id, folder))!;
    return (await listMessages(daemon.context.store, account.id, mailbox.id)).map((m) => ({ subject: m.subject, flags: m.flags }));
  }

  async function queued() {
    const entries = await daemon.context.store.database.prisma.queueMessage.findMany({ include: { recipients: true, content: true }, orderBy: { id: 'asc' } });
    return entries.map((e) => ({ mailFrom: e.mailFrom, to: e.recipients.map((r) => r.address), raw: Buffer.from(e.content.raw).toString() }));
  }

  it('files and marks mail by the recipient\'s filters', async () => {
    await send('news@lists.test', 'alice@example.test', { subject: '[list] weekly', headers: { 'List-Id': '<weekly.lists.test>' } });
    assert.deepEqual(await subjects(alice, 'Lists'), [{ subject: '[list] weekly', flags: ['\\Seen'] }]);
    assert.deepEqual(await subjects(alice, 'INBOX'), []);
  });

  it('forwards without a copy, or with one', async () => {
    await send('someone@remote.test', 'bob@example.test', { subject: 'for bob' });
    await send('someone@remote.test', 'carol@example.test', { subject: 'for carol' });
    assert.deepEqual(await subjects(bob, 'INBOX'), []);
    assert.deepEqual((await subjects(carol, 'INBOX')).map((m) => m.subject), ['for carol']);
    // Sent on with an SRS sender of the forwarding domain (so SPF passes at elsewhere.test).
    const forwards = (await queued()).filter((q) => q.mailFrom.startsWith('SRS0='));
    assert.deepEqual(forwards.map((f) => f.to), [['bob@elsewhere.test'], ['carol@elsewhere.test']]);
    for (const f of forwards) assert.match(f.mailFrom, /^SRS0=[\w-]{4}=[A-Z2-7]{2}=remote\.test=someone@example\.test$/);
  });

  it('answers once per sender while on vacation, never to lists or <>', async () => {
    await send('friend@remote.test', 'alice@example.test', { subject: 'lunch?' });
    await send('friend@remote.test', 'alice@example.test', { subject: 'lunch again?' });
    const replies = (await queued()).filter((q) => q.mailFrom === '');
    assert.equal(replies.length, 1, 'one reply for two messages from one sender');
    assert.deepEqual(replies[0].to, ['friend@remote.test']);
    assert.match(replies[0].raw, /^Auto-Submitted: auto-replied\r$/m);
    assert.match(replies[0].raw, /^Subject: Away\r$/m);
    assert.match(replies[0].raw, /^DKIM-Signature: /m, 'signed like any mail from the domain');
    // The list message of the first test got no reply either.
    assert.ok(!replies.some((r) => r.to.includes('news@lists.test')));
  });
});

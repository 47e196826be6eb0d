// A recipient's own rules (filters, forwarding, vacation) apply on every way
// mail reaches an account: port 25, submission (587), the webmail's send, an
// alias, and a forward from another account; and a forward to an address we
// host is delivered here, never queued as if remote (issue 14, items 1 and 2).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { addTestAccounts, TEST_PASSWORD } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { addFilter } from '../../mail-daemon/settings/filters.ts';
import { setForwarding, setVacation } from '../../mail-daemon/settings/account-settings.ts';
import { addAlias } from '../../mail-daemon/aliases/aliases.ts';
import { sendDraft } from '../../mail-daemon/webmail/compose.ts';
import { newDraft } from '../../mail-daemon/webmail/reply.ts';
import { createMailbox, findMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { listMessages } from '../../mail-daemon/store/messages.ts';
import type { AccountView } from '../../mail-daemon/accounts/accounts.ts';

describe('account rules on every delivery path', () => {
  let daemon: TestDaemon;
  let alice: AccountView, bob: AccountView, carol: AccountView, dave: AccountView;

  before(async () => {
    daemon = await startTestDaemon('sqlite', [smtpService], { DNS_SERVERS: '127.0.0.1:9' });
    const store = daemon.context.store;
    [alice, bob, carol, dave] = await addTestAccounts(store, 'newcomer.test', ['alice', 'bob', 'carol', 'dave']);
    await createMailbox(store, carol.id, 'Invoices');
    await addFilter(store, carol.id, { field: 'subject', value: 'invoice', action: 'move', folder: 'Invoices' });
    await setVacation(store, carol.id, { enabled: true, subject: 'Carol is away', body: 'Back on Monday.', start: null, end: null });
    await createMailbox(store, alice.id, 'Receipts');
    await addFilter(store, alice.id, { field: 'subject', value: 'receipt', action: 'move', folder: 'Receipts' });
    // Dave sends everything on to alice, here, without keeping a copy.
    await setForwarding(store, dave, 'alice@newcomer.test', false);
    await addAlias(store, 'accounts@newcomer.test', ['carol@newcomer.test']);
  });
  after(() => daemon.dispose());

  async function subjects(account: AccountView, folder: string) {
    const mailbox = (await findMailbox(daemon.context.store, account.id, folder))!;
    return (await listMessages(daemon.context.store, account.id, mailbox.id)).map((m) => m.subject);
  }
  const queued = () => daemon.context.store.database.prisma.queueMessage.count();

  const submit = (from: AccountView, to: string, subject: string) =>
    sendWithNodemailer(
      { port: daemon.port('submission'), auth: { user: from.address, pass: TEST_PASSWORD } },
      { from: from.address, to: [to] },
      buildMessage({ from: from.address, to, subject }),
    );

  it('delivers a forward to a local address here, with that account\'s filters, and queues nothing', async () => {
    await sendWithNodemailer({ port: daemon.port('smtp') }, { from: 'shop@remote.test', to: [dave.address] }, buildMessage({ from: 'shop@remote.test', to: dave.address, subject: 'Your receipt 17' }));
    assert.deepEqual(await subjects(alice, 'Receipts'), ['Your receipt 17']);
    assert.deepEqual(await subjects(dave, 'INBOX'), []);
    assert.equal(await queued(), 0, 'nothing went to the outbound queue');
  });

  it('files mail submitted on 587 by the recipient\'s filter, and the vacation reply reaches the local sender', async () => {
    await submit(bob, carol.address, 'Your invoice 4711');
    assert.deepEqual(await subjects(carol, 'Invoices'), ['Your invoice 4711']);
    assert.deepEqual(await subjects(carol, 'INBOX'), []);
    assert.deepEqual(await subjects(bob, 'INBOX'), ['Carol is away']);
    assert.equal(await queued(), 0);
  });

  it('files mail sent from the webmail by the recipient\'s filter', async () => {
    const draft = await newDraft(daemon.context.store, alice.id);
    await sendDraft(daemon.context, alice.id, { ...draft, to: [carol.address], subject: 'Invoice 4712 attached', html: '<p>Here.</p>' });
    assert.deepEqual(await subjects(carol, 'Invoices'), ['Your invoice 4711', 'Invoice 4712 attached']);
    assert.deepEqual(await subjects(alice, 'INBOX'), ['Carol is away']);
  });

  it('files mail to an alias by the filters of the account behind it', async () => {
    await submit(bob, 'accounts@newcomer.test', 'Invoice 4713');
    assert.deepEqual(await subjects(carol, 'Invoices'), ['Your invoice 4711', 'Invoice 4712 attached', 'Invoice 4713']);
  });

  it('follows a forward on submission too: bob to dave lands in alice\'s folder', async () => {
    await submit(bob, dave.address, 'receipt for the team lunch');
    assert.deepEqual(await subjects(alice, 'Receipts'), ['Your receipt 17', 'receipt for the team lunch']);
    assert.equal(await queued(), 0);
  });

  it('keeps mail here when two accounts forward to each other', async () => {
    const store = daemon.context.store;
    await setForwarding(store, alice, 'dave@newcomer.test', false);
    try {
      await submit(bob, alice.address, 'ping pong');
      // Alice forwards to dave, dave back to alice (already reached): the loop
      // ends, and as nobody kept a copy, the addressed account keeps it.
      assert.deepEqual(await subjects(alice, 'INBOX'), ['Carol is away', 'ping pong']);
      assert.deepEqual(await subjects(dave, 'INBOX'), []);
    } finally {
      await setForwarding(store, alice, null, true);
    }
  });
});

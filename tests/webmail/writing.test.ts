// The webmail's writing and finding on both engines: send between two local
// users through submitMessage (DKIM-signed, a copy in Sent), reply with
// In-Reply-To/References and the thread shared, forward carrying the
// attachment, drafts saved, replaced and reopened, refusals that keep the
// draft, and search by from, to, subject, body, dates, attachment, unread.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf, TEST_PASSWORD } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { findSpecialUseMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { getMessage, getMessageContent } from '../../mail-daemon/store/messages.ts';
import { listMessagePage, listThread } from '../../mail-daemon/webmail/message-list.ts';
import { getMessagePart, openMessage } from '../../mail-daemon/webmail/message-view.ts';
import { saveDraft, sendDraft, type Draft } from '../../mail-daemon/webmail/compose.ts';
import { newDraft, reopenDraft, replyDraft } from '../../mail-daemon/webmail/reply.ts';
import { applyMessageAction } from '../../mail-daemon/webmail/message-actions.ts';
import { createAccount } from '../../mail-daemon/accounts/accounts.ts';
import { addAlias } from '../../mail-daemon/aliases/aliases.ts';
import { addDomain } from '../../mail-daemon/domains/domains.ts';
import { suggestAddresses } from '../../mail-daemon/webmail/address-suggestions.ts';
import { searchByQuery, searchMessages } from '../../mail-daemon/webmail/search.ts';
import { subscribeMailEvents, type MailEvent } from '../../mail-daemon/webmail/mail-events.ts';
import { updateProfile } from '../../mail-daemon/settings/account-settings.ts';
import { loadConfig } from '../../mail-daemon/config/config.ts';

const HOSTNAME = 'mail.example.test';
const FILE = Buffer.from('col1,col2\n1,2\n\u00e9\n', 'utf8');

for (const engine of ENGINES) {
  describe(`webmail writing and search on ${engine}`, () => {
    let store: TestStore;
    let alice: number;
    let bob: number;

    before(async () => {
      store = await createTestStore(engine);
      [{ id: alice }, { id: bob }] = await addTestAccounts(store, 'example.test', ['alice', 'bob']);
      await updateProfile(store, alice, { displayName: 'Alice Liddell', signature: 'Alice\nExample Inc.' });
    });
    after(() => store.dispose());
    // Local mail only: no SRS key is ever needed, so no DATA_DIR.
    const flow = () => ({ store, config: { hostname: HOSTNAME, dataDir: '/nonexistent', srsSecrets: [], spam: loadConfig({ MAIL_HOSTNAME: HOSTNAME }).spam }, log: () => undefined });

    const special = async (accountId: number, use: string) => (await findSpecialUseMailbox(store.database.prisma, accountId, use))!.id;
    const newest = async (accountId: number, use: string) => (await listMessagePage(store, accountId, await special(accountId, use), { limit: 1 })).messages[0];

    it('sends with an attachment to a local user: delivered, signed, a copy in Sent, live event for the recipient', async () => {
      const events: MailEvent[] = [];
      const stop = await subscribeMailEvents(store, bob, (e) => events.push(e));
      const draft = await newDraft(store, alice);
      assert.match(draft.html, /-- <br>Alice<br>Example Inc\./);
      const result = await sendDraft(flow(), alice, {
        ...draft,
        to: ['Bob <BOB@example.test>'],
        subject: 'Quarterly numbers',
        html: '<p>See the <b>attached</b> sheet, flamingo.</p>' + draft.html,
        attachments: [{ filename: 'numbers.csv', contentType: 'text/csv', content: FILE }],
      });
      stop();
      assert.ok(events.some((e) => e.kind === 'messages-added'));

      const received = await newest(bob, '\\Inbox');
      assert.equal(received.subject, 'Quarterly numbers');
      assert.equal(received.fromAddress, 'alice@example.test');
      assert.equal(received.hasAttachments, true);
      const raw = (await getMessageContent(store, bob, received.id)).raw.toString();
      assert.match(raw, /^DKIM-Signature: /m);
      assert.match(raw, /Content-Type: multipart\/alternative/);
      assert.match(raw, /Content-Type: text\/plain/);
      const view = await openMessage(store, bob, received.id);
      assert.match(view.text, /See the attached sheet, flamingo\./);
      const csv = view.attachments.find((a) => a.filename === 'numbers.csv')!;
      assert.deepEqual((await getMessagePart(store, bob, received.id, csv.path)).content, FILE);

      const sent = await newest(alice, '\\Sent');
      assert.equal(sent.id, result.sentId);
      assert.equal(sent.seen, true);
      assert.equal(sent.threadId, received.threadId);
    });

    it('replies with In-Reply-To and References; the thread holds both; the original is marked answered', async () => {
      const original = await newest(bob, '\\Inbox');
      const reply = await replyDraft(store, bob, original.id, 'reply');
      assert.deepEqual(reply.to, ['Alice Liddell <alice@example.test>']);
      assert.equal(reply.subject, 'Re: Quarterly numbers');
      assert.match(reply.html, /wrote:<\/p><blockquote/);
      await sendDraft(flow(), bob, { ...reply, html: '<p>Thanks, got it.</p>' + reply.html });
      const answer = await newest(alice, '\\Inbox');
      const full = await getMessage(store, alice, answer.id);
      assert.equal(full.inReplyTo, (await getMessage(store, bob, original.id)).messageId);
      assert.ok(full.references.includes(full.inReplyTo));
      assert.equal(answer.threadId, original.threadId);
      assert.deepEqual((await listThread(store, alice, answer.threadId)).map((m) => m.subject), ['Quarterly numbers', 'Re: Quarterly numbers']);
      assert.equal((await getMessage(store, bob, original.id)).answered, true);
    });

    it('reply-all leaves out the sender himself; forward carries the attachment', async () => {
      await deliverMessage(store, buildMessage({
        from: 'Carol <carol@remote.test>',
        to: 'alice@example.test, dave@remote.test',
        subject: 'Group',
        headers: { Cc: 'bob@example.test' },
      }), [{ accountId: alice }]);
      const group = await newest(alice, '\\Inbox');
      const all = await replyDraft(store, alice, group.id, 'reply-all');
      assert.deepEqual(all.to, ['Carol <carol@remote.test>']);
      assert.deepEqual(all.cc, ['dave@remote.test', 'bob@example.test']);

      const sent = (await listMessagePage(store, alice, await special(alice, '\\Sent'))).messages.find((m) => m.subject === 'Quarterly numbers')!;
      const forward = await replyDraft(store, alice, sent.id, 'forward');
      assert.equal(forward.subject, 'Fwd: Quarterly numbers');
      assert.equal(forward.attachments.length, 1);
      await sendDraft(flow(), alice, { ...forward, to: ['bob@example.test'] });
      const forwarded = await newest(bob, '\\Inbox');
      assert.equal(forwarded.subject, 'Fwd: Quarterly numbers');
      const view = await openMessage(store, bob, forwarded.id);
      const csv = view.attachments.find((a) => a.filename === 'numbers.csv')!;
      assert.deepEqual((await getMessagePart(store, bob, forwarded.id, csv.path)).content, FILE);
      assert.ok((await getMessage(store, alice, sent.id)).flags.includes('$Forwarded'));
    });

    it('saves a draft, replaces it on the next save, reopens it with Bcc and attachments, and sending removes it', async () => {
      const drafts = await special(alice, '\\Drafts');
      const draft: Draft = {
        to: ['bob@example.test'], cc: [], bcc: ['secret@remote.test'], subject: 'Work in progress', html: '<p>first</p>',
        attachments: [{ filename: 'a.csv', contentType: 'text/csv', content: FILE }],
      };
      const { draftId } = await saveDraft(store, alice, draft);
      const { draftId: second } = await saveDraft(store, alice, { ...draft, html: '<p>second</p>', draftId });
      const list = (await listMessagePage(store, alice, drafts)).messages;
      assert.deepEqual(list.map((m) => m.id), [second]);
      assert.equal(list[0].draft, true);
      const reopened = await reopenDraft(store, alice, second);
      assert.deepEqual(reopened.bcc, ['secret@remote.test']);
      assert.deepEqual(reopened.to, ['bob@example.test']);
      assert.match(reopened.html, /second/);
      assert.equal(reopened.attachments.length, 1);
      assert.equal(reopened.draftId, second);

      // Refusals keep the draft: a bad address, a local user that does not exist, a From that is not hers.
      await assert.rejects(sendDraft(flow(), alice, { ...reopened, to: ['not an address'] }), { name: 'ComposeError', field: 'to' });
      await assert.rejects(sendDraft(flow(), alice, { ...reopened, to: ['nobody@example.test'] }), /No such user here: nobody@example\.test/);
      await assert.rejects(sendDraft(flow(), alice, { ...reopened, from: 'bob@example.test' }), { name: 'ComposeError', field: 'from' });
      await assert.rejects(reopenDraft(store, bob, second), { code: 'NONEXISTENT' });
      assert.equal((await listMessagePage(store, alice, drafts)).messages.length, 1);

      await sendDraft(flow(), alice, { ...reopened, to: [], bcc: ['bob@example.test'] });
      assert.equal((await listMessagePage(store, alice, drafts)).messages.length, 0);
      const got = await newest(bob, '\\Inbox');
      // Bcc: not in the message Bob gets, kept in Alice's Sent copy.
      assert.doesNotMatch((await getMessageContent(store, bob, got.id)).raw.toString(), /^Bcc:/im);
      assert.match((await getMessageContent(store, alice, (await newest(alice, '\\Sent')).id)).raw.toString(), /^Bcc: bob@example\.test\r\n/m);
      assert.equal(got.subject, 'Work in progress');
      assert.deepEqual((await getMessagePart(store, bob, got.id, (await openMessage(store, bob, got.id)).attachments[0].path)).content, FILE);
    });

    it('searches by body word, from, to, subject, dates, attachment and unread, in one folder or all', async () => {
      const inbox = (await inboxOf(store, bob)).id;
      const subjects = async (criteria: Parameters<typeof searchMessages>[2], accountId = bob) =>
        (await searchMessages(store, accountId, criteria)).messages.map((m) => m.subject).sort();
      assert.deepEqual(await subjects({ text: 'flamingo' }), ['Fwd: Quarterly numbers', 'Quarterly numbers', 'Re: Quarterly numbers']);
      assert.deepEqual(await subjects({ text: 'flamingo', mailboxId: inbox }), ['Fwd: Quarterly numbers', 'Quarterly numbers']);
      assert.deepEqual(await subjects({ text: 'FLAMINGO', hasAttachment: true, mailboxId: inbox }), ['Fwd: Quarterly numbers', 'Quarterly numbers']);
      assert.deepEqual(await subjects({ from: 'liddell' }), ['Fwd: Quarterly numbers', 'Quarterly numbers', 'Work in progress']);
      assert.deepEqual(await subjects({ to: 'alice@' }), ['Re: Quarterly numbers']);
      assert.deepEqual(await subjects({ subject: 'progress' }), ['Work in progress']);
      // Every message here was opened (so read) above; one marked unread again.
      assert.deepEqual(await subjects({ unread: true, mailboxId: inbox }), []);
      await applyMessageAction(store, bob, [(await newest(bob, '\\Inbox')).id], { kind: 'seen', value: false });
      assert.deepEqual(await subjects({ unread: true, mailboxId: inbox }), ['Work in progress']);
      assert.deepEqual(await subjects({ since: new Date(Date.now() + 60_000) }), []);
      assert.deepEqual(await subjects({ before: new Date(Date.now() + 60_000), subject: 'progress' }), ['Work in progress']);
      assert.deepEqual(await subjects({ text: 'flamingo', mailboxId: (await inboxOf(store, alice)).id }, alice), ['Re: Quarterly numbers']);
      const page = await searchMessages(store, bob, { text: 'flamingo' }, { limit: 2 });
      assert.equal(page.messages.length, 2);
      assert.ok(page.nextCursor);
      assert.deepEqual(page.highlight, ['flamingo']);
      const rest = await searchMessages(store, bob, { text: 'flamingo' }, { limit: 2, cursor: page.nextCursor });
      assert.equal(rest.messages.length, 1);
      assert.equal(rest.nextCursor, null);
      await assert.rejects(searchMessages(store, alice, { mailboxId: inbox, text: 'flamingo' }), { code: 'NONEXISTENT' });
    });

    it('searches in the search box\'s language: from:, to:, subject:, has:, is:, in: and phrases', async () => {
      const subjects = async (query: string, accountId = bob) => (await searchByQuery(store, accountId, query)).messages.map((m) => m.subject).sort();
      assert.deepEqual(await subjects('from:liddell'), ['Fwd: Quarterly numbers', 'Quarterly numbers', 'Work in progress']);
      assert.deepEqual(await subjects('from:liddell subject:progress'), ['Work in progress']);
      assert.deepEqual(await subjects('to:alice@ flamingo'), ['Re: Quarterly numbers']);
      assert.deepEqual(await subjects('flamingo has:attachment in:inbox'), ['Fwd: Quarterly numbers', 'Quarterly numbers']);
      assert.deepEqual(await subjects('flamingo in:INBOX'), ['Fwd: Quarterly numbers', 'Quarterly numbers']);
      assert.deepEqual(await subjects('is:unread in:inbox'), ['Work in progress']);
      assert.deepEqual(await subjects('from:liddell is:read in:inbox'), ['Fwd: Quarterly numbers', 'Quarterly numbers']);
      assert.deepEqual(await subjects('is:flagged'), []);
      await applyMessageAction(store, bob, [(await newest(bob, '\\Inbox')).id], { kind: 'flagged', value: true });
      assert.deepEqual(await subjects('is:flagged'), ['Work in progress']);
      assert.deepEqual(await subjects(`after:${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`), []);
      assert.deepEqual(await subjects(`subject:progress before:${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`), ['Work in progress']);
      assert.deepEqual(await subjects('subject:"in progress"'), ['Work in progress']);
      await assert.rejects(searchByQuery(store, bob, 'in:"No such folder"'), { code: 'NONEXISTENT' });
    });

    it('suggests addresses mail came from and went to, never the account itself or another account\'s', async () => {
      assert.deepEqual(await suggestAddresses(store, bob, 'ALI'), [{ name: 'Alice Liddell', address: 'alice@example.test' }]);
      assert.deepEqual(await suggestAddresses(store, alice, 'car'), [{ name: 'Carol', address: 'carol@remote.test' }]);
      assert.deepEqual(await suggestAddresses(store, alice, 'bob'), [{ name: '', address: 'bob@example.test' }]);
      assert.deepEqual(await suggestAddresses(store, alice, 'alice'), []);
      assert.deepEqual(await suggestAddresses(store, bob, 'car'), []);
    });

    it('suggests the mailboxes and aliases of the account\'s own domain, not of other domains', async () => {
      await createAccount(store, { address: 'bobby@example.test', password: TEST_PASSWORD, displayName: 'Roberta Jones' });
      await addAlias(store, 'board@example.test', ['alice@example.test']);
      await addDomain(store, 'elsewhere.test', { verified: true });
      await createAccount(store, { address: 'boris@elsewhere.test', password: TEST_PASSWORD });
      assert.deepEqual(await suggestAddresses(store, alice, 'bo'), [
        { name: '', address: 'board@example.test' },
        { name: '', address: 'bob@example.test' },
        { name: 'Roberta Jones', address: 'bobby@example.test' },
      ]);
      assert.deepEqual(await suggestAddresses(store, alice, 'rob'), [{ name: 'Roberta Jones', address: 'bobby@example.test' }]);
    });
  });
}

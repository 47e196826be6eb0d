// The webmail's reading side on both engines: folders with unread counts, the
// message list in pages and by conversation, opening a message (hostile HTML
// neutralized, cid: images mapped, attachments by section number with their
// name and type, raw source), the actions on a selection, and ownership: ids
// of another user's message, part or folder open nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addTestAccounts, inboxOf } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import { findMailbox, findSpecialUseMailbox } from '../../mail-daemon/store/mailboxes.ts';
import { getMessage } from '../../mail-daemon/store/messages.ts';
import { listFolders } from '../../mail-daemon/webmail/folders.ts';
import { listMessagePage, listThread } from '../../mail-daemon/webmail/message-list.ts';
import { openMessage, getMessagePart, getRawSource } from '../../mail-daemon/webmail/message-view.ts';
import { applyMessageAction } from '../../mail-daemon/webmail/message-actions.ts';
import { allowRemoteImagesFrom, remoteImagesAllowedFrom } from '../../mail-daemon/settings/remote-image-senders.ts';
import { ValidationError } from '../../mail-daemon/errors/validation-error.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const PDF = Buffer.from('%PDF-1.4\n% fake pdf for tests\n%%EOF\n');

const HOSTILE_HTML = `<html><head><style>body{background:url(http://evil.test/css)}</style>
<script>alert('head')</script><base href="http://evil.test/"></head>
<body onload="alert('load')">
<p style="color: red; position: fixed; top: 0; background-image: url('http://evil.test/bg')">Hello <b>there</b></p>
<img src="http://tracker.test/pixel.gif" onerror="alert('img')" width="1" height="1">
<img src="cid:logo@mail.test" alt="logo">
<a href="javascript:alert('link')">bad link</a> <a href="JaVaScRiPt&#58;alert(1)">bad 2</a>
<a href="https://good.test/page">good link</a>
<iframe src="http://evil.test/frame"></iframe><object data="http://evil.test/x"></object>
<form action="http://evil.test/post"><input name="q"><button>go</button></form>
<svg onload="alert('svg')"><script>alert('svg2')</script></svg>
<div style="width: expression(alert('css'))">w</div>
<meta http-equiv="refresh" content="0;url=http://evil.test/">
<link rel="stylesheet" href="http://evil.test/style.css">
</body></html>`;

function richMessage(): Buffer {
  const b1 = 'b1_related';
  const b2 = 'b2_alternative';
  const b0 = 'b0_mixed';
  return Buffer.from(
    [
      'From: "Mallory Sender" <mallory@remote.test>',
      'To: alice@example.test',
      'Subject: Report with pictures',
      'Date: Fri, 20 Nov 2026 10:00:00 +0000',
      'Message-ID: <rich-1@remote.test>',
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${b0}"`,
      '',
      `--${b0}`,
      `Content-Type: multipart/related; boundary="${b1}"`,
      '',
      `--${b1}`,
      `Content-Type: multipart/alternative; boundary="${b2}"`,
      '',
      `--${b2}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello there, plain version.',
      `--${b2}`,
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      HOSTILE_HTML.replace(/=/g, '=3D').replace(/\n/g, '\r\n'),
      `--${b2}--`,
      `--${b1}`,
      'Content-Type: image/png',
      'Content-ID: <logo@mail.test>',
      'Content-Transfer-Encoding: base64',
      '',
      PNG.toString('base64'),
      `--${b1}--`,
      `--${b0}`,
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename*=utf-8\'\'Bericht%20%C3%BCber%20Q3.pdf',
      'Content-Transfer-Encoding: base64',
      '',
      PDF.toString('base64'),
      `--${b0}--`,
      '',
    ].join('\r\n'),
  );
}

for (const engine of ENGINES) {
  describe(`webmail reading on ${engine}`, () => {
    let store: TestStore;
    let alice: number;
    let bob: number;
    let inbox: number;
    let bobInbox: number;
    let richId: number;
    let bobMessageId: number;

    before(async () => {
      store = await createTestStore(engine);
      const [a, b] = await addTestAccounts(store, 'example.test', ['alice', 'bob']);
      alice = a.id;
      bob = b.id;
      inbox = (await inboxOf(store, alice)).id;
      bobInbox = (await inboxOf(store, bob)).id;
      // 30 plain messages an hour apart, three of them one conversation.
      for (let i = 0; i < 30; i++) {
        const headers: Record<string, string> = {};
        if (i === 10 || i === 20) headers['In-Reply-To'] = '<thread-root@remote.test>';
        if (i === 10 || i === 20) headers.References = '<thread-root@remote.test>';
        await deliverMessage(store, buildMessage({ subject: `Message ${i}`, messageId: i === 5 ? '<thread-root@remote.test>' : undefined, headers }), [{ accountId: alice }], {
          internalDate: new Date(Date.UTC(2026, 10, 1, i)),
        });
      }
      [{ messageId: richId }] = await deliverMessage(store, richMessage(), [{ accountId: alice }], { internalDate: new Date(Date.UTC(2026, 10, 3)) });
      [{ messageId: bobMessageId }] = await deliverMessage(store, richMessage(), [{ accountId: bob }]);
    });
    after(() => store.dispose());

    it('lists folders with unread counts, special folders first', async () => {
      const folders = await listFolders(store, alice);
      assert.deepEqual(folders.slice(0, 6).map((f) => f.name), ['INBOX', 'Drafts', 'Sent', 'Archive', 'Junk', 'Trash']);
      const inboxView = folders.find((f) => f.id === inbox)!;
      assert.equal(inboxView.total, 31);
      assert.equal(inboxView.unread, 31);
    });

    it('pages the list newest first with a cursor, no row twice and none lost', async () => {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await listMessagePage(store, alice, inbox, { cursor, limit: 7 });
        seen.push(...page.messages.map((m) => m.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      assert.equal(pages, 5);
      assert.equal(new Set(seen).size, 31);
      const first = await listMessagePage(store, alice, inbox, { limit: 3 });
      assert.equal(first.messages[0].id, richId);
      assert.equal(first.messages[0].hasAttachments, true);
      assert.equal(first.messages[1].subject, 'Message 29');

      const oldest: string[] = [];
      cursor = null;
      do {
        const page = await listMessagePage(store, alice, inbox, { cursor, limit: 10, order: 'oldest' });
        oldest.push(...page.messages.map((m) => m.subject));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(oldest, [...Array.from({ length: 30 }, (_, i) => `Message ${i}`), 'Report with pictures']);
    });

    it('groups by conversation: the thread shows once, at its newest message, with its count', async () => {
      const all = [];
      let cursor: string | null = null;
      do {
        const page = await listMessagePage(store, alice, inbox, { cursor, limit: 4, threads: true });
        all.push(...page.messages);
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(all.length, 29);
      const thread = all.find((m) => m.threadCount === 3)!;
      assert.equal(thread.subject, 'Message 20');
      assert.equal(thread.threadUnread, 3);
      assert.deepEqual((await listThread(store, alice, thread.threadId)).map((m) => m.subject), ['Message 5', 'Message 10', 'Message 20']);
      assert.deepEqual(await listThread(store, bob, thread.threadId), []);
    });

    it('opens HTML mail with scripts, handlers, javascript: links, escaping CSS and remote images taken out', async () => {
      const view = await openMessage(store, alice, richId);
      assert.doesNotMatch(view.html, /<script|onload|onerror|javascript:|<iframe|<object|<form|<input|<meta|<link|<base|<svg|<style|expression|position|url\(/i);
      assert.doesNotMatch(view.html, /evil\.test|tracker\.test/);
      assert.match(view.html, /<a href="https:\/\/good\.test\/page" target="_blank" rel="noopener noreferrer nofollow">good link<\/a>/);
      assert.match(view.html, /<p style="color: red; top: 0">Hello <b>there<\/b><\/p>/);
      assert.equal(view.blockedRemote, 1);
      const logo = view.attachments.find((a) => a.contentId === 'logo@mail.test')!;
      assert.equal(logo.inline, true);
      assert.ok(view.html.includes(`<img alt="logo" src="/api/mail/messages/${richId}/parts/${logo.path}?inline=1" />`), view.html);
      assert.equal(view.text.trim(), 'Hello there, plain version.');
      assert.equal(view.from[0].address, 'mallory@remote.test');
      assert.equal(view.from[0].name, 'Mallory Sender');

      const allowed = await openMessage(store, alice, richId, { allowRemote: true });
      assert.match(allowed.html, /<img width="1" height="1" src="http:\/\/tracker\.test\/pixel\.gif" \/>/);
      assert.doesNotMatch(allowed.html, /onerror|evil\.test/);
      assert.equal(allowed.remoteShown, true);
      assert.equal(view.remoteShown, false);
    });

    it('shows remote images of a sender allowed for good, for that account only', async () => {
      await assert.rejects(allowRemoteImagesFrom(store, alice, 'not an address'), ValidationError);
      assert.equal(await allowRemoteImagesFrom(store, alice, 'Mallory@Remote.test'), 'mallory@remote.test');
      const view = await openMessage(store, alice, richId, { markSeen: false });
      assert.equal(view.remoteShown, true);
      assert.match(view.html, /tracker\.test\/pixel\.gif/);
      assert.equal(await remoteImagesAllowedFrom(store, bob, 'mallory@remote.test'), false, 'another account is not affected');
      await store.database.prisma.remoteImageSender.deleteMany({ where: { accountId: alice } });
      assert.equal((await openMessage(store, alice, richId, { markSeen: false })).remoteShown, false);
    });

    it('opening marks read; the part download has its bytes, name and type', async () => {
      assert.equal((await getMessage(store, alice, richId)).seen, true);
      const view = await openMessage(store, alice, richId);
      const pdf = view.attachments.find((a) => a.contentType === 'application/pdf')!;
      assert.equal(pdf.path, '2');
      assert.equal(pdf.filename, 'Bericht über Q3.pdf');
      assert.equal(pdf.inline, false);
      const download = await getMessagePart(store, alice, richId, pdf.path);
      assert.deepEqual(download.content, PDF);
      assert.equal(download.filename, 'Bericht über Q3.pdf');
      assert.equal(download.contentType, 'application/pdf');
      assert.deepEqual((await getMessagePart(store, alice, richId, '1.2')).content, PNG);
      await assert.rejects(getMessagePart(store, alice, richId, '1'), { code: 'NONEXISTENT' });
      await assert.rejects(getMessagePart(store, alice, richId, '9'), { code: 'NONEXISTENT' });
      await assert.rejects(getMessagePart(store, alice, richId, '../1'), { code: 'NONEXISTENT' });
      assert.deepEqual(await getRawSource(store, alice, richId), richMessage());
    });

    it("never opens another user's message, part, folder or selection", async () => {
      await assert.rejects(openMessage(store, alice, bobMessageId), { code: 'NONEXISTENT' });
      await assert.rejects(getMessagePart(store, alice, bobMessageId, '2'), { code: 'NONEXISTENT' });
      await assert.rejects(getRawSource(store, alice, bobMessageId), { code: 'NONEXISTENT' });
      await assert.rejects(listMessagePage(store, alice, bobInbox), { code: 'NONEXISTENT' });
      await assert.rejects(applyMessageAction(store, alice, [richId], { kind: 'move', mailboxId: bobInbox }), { code: 'NONEXISTENT' });
      assert.deepEqual(await applyMessageAction(store, alice, [bobMessageId], { kind: 'delete' }), { count: 0 });
      const bobs = await getMessage(store, bob, bobMessageId);
      assert.equal(bobs.mailboxId, bobInbox);
      assert.equal(bobs.seen, false);
    });

    it('marks, flags, moves, archives, sends to Junk, deletes to Trash and then for good', async () => {
      const page = await listMessagePage(store, alice, inbox, { limit: 31 });
      const [a, b, c] = page.messages.filter((m) => m.id !== richId).map((m) => m.id);
      await applyMessageAction(store, alice, [a, b], { kind: 'seen', value: true });
      await applyMessageAction(store, alice, [a], { kind: 'flagged', value: true });
      assert.equal((await getMessage(store, alice, a)).flagged, true);
      assert.equal((await listFolders(store, alice)).find((f) => f.id === inbox)!.unread, 28);

      const archive = (await findSpecialUseMailbox(store.database.prisma, alice, '\\Archive'))!;
      const junk = (await findSpecialUseMailbox(store.database.prisma, alice, '\\Junk'))!;
      const trash = (await findSpecialUseMailbox(store.database.prisma, alice, '\\Trash'))!;
      await applyMessageAction(store, alice, [a], { kind: 'archive' });
      await applyMessageAction(store, alice, [b], { kind: 'spam' });
      await applyMessageAction(store, alice, [c], { kind: 'delete' });
      const folders = new Map((await listFolders(store, alice)).map((f) => [f.id, f]));
      assert.equal(folders.get(archive.id)!.total, 1);
      assert.equal(folders.get(junk.id)!.total, 1);
      assert.equal(folders.get(trash.id)!.total, 1);
      assert.equal(folders.get(inbox)!.total, 28);
      const archived = (await listMessagePage(store, alice, archive.id)).messages[0];
      assert.equal(archived.flagged, true);

      const trashed = (await listMessagePage(store, alice, trash.id)).messages[0];
      await applyMessageAction(store, alice, [trashed.id], { kind: 'delete' });
      assert.equal((await listMessagePage(store, alice, trash.id)).messages.length, 0);

      const projects = await findMailbox(store, alice, 'INBOX');
      await applyMessageAction(store, alice, [archived.id], { kind: 'move', mailboxId: projects!.id });
      assert.equal((await listFolders(store, alice)).find((f) => f.id === inbox)!.total, 29);
    });
  });
}

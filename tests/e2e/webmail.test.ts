// Webmail end to end on the running platform (`npm start` on a fresh data
// directory) in Debian's Chromium: Alice sends Bob a message with an
// attachment; Bob sees it arrive without a reload, opens it, downloads the
// attachment (same bytes) and replies; the thread shows both. Search finds it
// by a body word. Flag, move and delete in the web show in an IMAP session
// (imapflow) and IMAP changes show in the web. A hostile HTML message runs no
// script and loads nothing remote until its images are allowed. Alice cannot
// open Bob's message, attachment or folder by changing an id.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import type { BrowserContext, Page } from 'playwright-core';
import { startPlatform, type Platform } from './platform-fixture.ts';
import { openDatabase } from '../../prisma/database.ts';
import { closeMailStore, createMailStore, type MailStore } from '../../mail-daemon/store/context.ts';
import { addDomain } from '../../mail-daemon/domains/domains.ts';
import { createAccount } from '../../mail-daemon/accounts/accounts.ts';
import { findMailbox } from '../../mail-daemon/store/mailboxes.ts';

const PASSWORD = 'a long secret for the web';
const ATTACHMENT = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256)), Buffer.from('\n%%EOF\n')]);

describe('webmail in the browser', { timeout: 600_000 }, () => {
  let platform: Platform;
  let store: MailStore;
  let beacon: Server;
  let beaconHits = 0;
  let beaconUrl = '';
  const contexts: BrowserContext[] = [];

  async function signedIn(address: string): Promise<Page> {
    const context = await platform.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${platform.base}/login`);
    await page.fill('input[name=address]', address);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 30_000 });
    await page.goto(`${platform.base}/mail`);
    await page.waitForSelector('[data-testid=message-list]');
    return page;
  }

  const smtp = () => nodemailer.createTransport({ host: '127.0.0.1', port: platform.smtpPort, secure: false, ignoreTLS: true });
  const row = (page: Page, subject: string) => page.locator('[data-testid=message-row]', { hasText: subject });

  before(async () => {
    beacon = createServer((_request, response) => {
      beaconHits++;
      response.writeHead(200, { 'Content-Type': 'image/gif' }).end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
    });
    await new Promise<void>((resolve) => beacon.listen(0, '127.0.0.1', resolve));
    beaconUrl = `http://127.0.0.1:${(beacon.address() as { port: number }).port}/beacon.gif`;
    platform = await startPlatform();
    store = createMailStore(await openDatabase(`file:${join(platform.dataDir, 'mail.db')}`));
    await addDomain(store, 'web.test', { verified: true });
    await createAccount(store, { address: 'alice@web.test', password: PASSWORD, displayName: 'Alice', role: 'admin' });
    await createAccount(store, { address: 'bob@web.test', password: PASSWORD, displayName: 'Bob' });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await closeMailStore(store).catch(() => undefined);
    await platform?.stop();
    beacon?.close();
  });

  it('sends with an attachment; the other user sees it live, downloads it, replies; the thread shows both', async () => {
    const [alice, bob] = [await signedIn('alice@web.test'), await signedIn('bob@web.test')];

    await alice.click('[data-testid=compose]');
    const composer = alice.locator('[data-testid=composer]');
    await composer.locator('input[name=to]').fill('bob@web.test');
    await composer.locator('input[name=subject]').fill('Flight plans');
    await composer.locator('[data-testid=compose-body]').click();
    await alice.keyboard.type('The pelican lands at noon. ');
    await composer.locator('[data-testid=attach]').setInputFiles({ name: 'plans.pdf', mimeType: 'application/pdf', buffer: ATTACHMENT });
    await composer.locator('[data-testid=send]').click();
    await alice.waitForSelector('[data-testid=notice] >> text=Message sent');

    // Live: no reload on Bob's side.
    await row(bob, 'Flight plans').waitFor({ timeout: 15_000 });
    await bob.waitForFunction(() => document.title === 'Inbox (1) · bob@web.test');
    await row(bob, 'Flight plans').locator('button').first().click();
    await bob.waitForSelector('[data-testid=reader-subject] >> text=Flight plans');
    const frame = bob.frameLocator('[data-testid=message-frame]');
    await frame.locator('text=The pelican lands at noon.').waitFor();
    const [download] = await Promise.all([bob.waitForEvent('download'), bob.click('[data-testid=attachment] >> text=plans.pdf')]);
    assert.equal(download.suggestedFilename(), 'plans.pdf');
    assert.deepEqual(readFileSync((await download.path())!), ATTACHMENT);
    await bob.waitForFunction(() => document.title === 'Inbox · bob@web.test');

    await bob.click('button:text-is("Reply")');
    const reply = bob.locator('[data-testid=composer]');
    assert.match(await reply.locator('input[name=to]').inputValue(), /alice@web\.test/);
    assert.equal(await reply.locator('input[name=subject]').inputValue(), 'Re: Flight plans');
    await reply.locator('[data-testid=compose-body]').click();
    await bob.keyboard.press('Control+Home');
    await bob.keyboard.type('Noted, see you there. ');
    await reply.locator('[data-testid=send]').click();
    await bob.waitForSelector('[data-testid=notice] >> text=Message sent');

    await row(alice, 'Re: Flight plans').waitFor({ timeout: 15_000 });
    await row(alice, 'Re: Flight plans').locator('button').first().click();
    const thread = alice.locator('[data-testid=thread]');
    await thread.waitFor();
    assert.equal(await thread.locator('li').count(), 2);
    await thread.locator('li', { hasText: 'Flight plans' }).first().waitFor();
  });

  it('drafts save on their own and reopen; a refused send shows why and keeps the draft', async () => {
    const alice = await signedIn('alice@web.test');
    await alice.keyboard.press('c');
    const composer = alice.locator('[data-testid=composer]');
    await composer.locator('input[name=to]').fill('nobody@web.test');
    await composer.locator('input[name=subject]').fill('Half written');
    await composer.locator('[data-testid=compose-body]').click();
    await alice.keyboard.type('Some thoughts about the heron. ');
    await composer.locator('text=/Draft saved/').waitFor({ timeout: 15_000 });

    await composer.locator('[data-testid=send]').click();
    await composer.locator('[data-testid=compose-error]', { hasText: 'No such user here: nobody@web.test' }).waitFor();
    await composer.locator('button[aria-label^="Close"]').click();

    await alice.click('[data-testid="folder-Drafts"]');
    await row(alice, 'Half written').waitFor();
    assert.equal(await row(alice, 'Half written').count(), 1);
    await row(alice, 'Half written').locator('button').first().click();
    const reopened = alice.locator('[data-testid=composer]');
    assert.equal(await reopened.locator('input[name=to]').inputValue(), 'nobody@web.test');
    assert.equal(await reopened.locator('input[name=subject]').inputValue(), 'Half written');
    await reopened.locator('[data-testid=compose-body]', { hasText: 'heron' }).waitFor();
    await reopened.locator('input[name=to]').fill('bob@web.test');
    await reopened.locator('[data-testid=send]').click();
    await alice.waitForSelector('[data-testid=notice] >> text=Message sent');
    await waitFor(async () => (await row(alice, 'Half written').count()) === 0);
  });

  it('creates a nested folder, drags a message onto it, renames and deletes it', async () => {
    const bob = await signedIn('bob@web.test');
    bob.on('dialog', (dialog) => void dialog.accept());
    await bob.click('text=New folder');
    // The name is checked in the form: empty, then taken by a folder that exists.
    const name = bob.getByLabel('New folder name');
    await name.press('Enter');
    assert.equal(await bob.getByTestId('folder-name-error').textContent(), 'Enter a name.');
    await name.fill('Sent');
    await name.press('Enter');
    await bob.getByTestId('folder-name-error').filter({ hasText: /exists/ }).waitFor();
    await name.fill('Projects/2026');
    await name.press('Enter');
    await bob.getByTestId('folder-name-form').waitFor({ state: 'detached' });
    const folder = bob.locator('[data-testid="folder-Projects/2026"]');
    await folder.waitFor();
    await bob.locator('[data-testid="folder-Projects"]').waitFor();

    await row(bob, 'Half written').dragTo(folder);
    await waitFor(async () => (await row(bob, 'Half written').count()) === 0);
    await folder.click();
    await row(bob, 'Half written').waitFor();

    await bob.click('nav[aria-label=Folders] >> text=Rename');
    await bob.getByLabel('New name for Projects/2026').fill('Projects/Done');
    await bob.getByRole('button', { name: 'Rename', exact: true }).last().click();
    await bob.locator('[data-testid="folder-Projects/Done"]').waitFor();
    await bob.click('nav[aria-label=Folders] >> text=Delete');
    await bob.locator('[data-testid="folder-Projects/Done"]').waitFor({ state: 'detached' });
    await bob.locator('[data-testid="folder-INBOX"][aria-current=page]').waitFor();
  });

  it('search finds the message by a body word, highlighted', async () => {
    const bob = await signedIn('bob@web.test');
    await bob.keyboard.press('/');
    await bob.keyboard.type('pelican');
    await bob.keyboard.press('Enter');
    await bob.waitForSelector('text=Search results');
    // The message and Bob's reply, which quotes it.
    await row(bob, 'Re: Flight plans').waitFor();
    assert.equal(await row(bob, 'Flight plans').count(), 2);
    await row(bob, 'Flight plans').filter({ hasNotText: 'Re: Flight' }).locator('mark', { hasText: 'pelican' }).first().waitFor();
  });

  it('flag, move and delete show in IMAP at once, and IMAP changes show in the web', async () => {
    const bob = await signedIn('bob@web.test');
    const imap = new ImapFlow({ host: '127.0.0.1', port: platform.imapPort, secure: false, auth: { user: 'bob@web.test', pass: PASSWORD }, logger: false, doSTARTTLS: false });
    await imap.connect();
    try {
      await smtp().sendMail({ from: 'carol@remote.test', to: 'bob@web.test', subject: 'Sync me', text: 'Hello IMAP.' });
      await row(bob, 'Sync me').waitFor({ timeout: 15_000 });
      const lock = await imap.getMailboxLock('INBOX');
      const uidOf = async (subject: string) => (await imap.search({ subject }, { uid: true })) as number[];
      const flagsOf = async (uid: number) => ((await imap.fetchOne(String(uid), { flags: true }, { uid: true })) || { flags: new Set<string>() }).flags!;
      const [uid] = await uidOf('Sync me');

      // Web flag -> IMAP.
      await row(bob, 'Sync me').locator('button').first().click();
      await bob.waitForSelector('[data-testid=reader-subject] >> text=Sync me');
      await bob.keyboard.press('s');
      await waitFor(async () => (await flagsOf(uid)).has('\\Flagged'));
      assert.ok((await flagsOf(uid)).has('\\Seen'));

      // IMAP unread -> web shows it bold again.
      await imap.messageFlagsRemove(String(uid), ['\\Seen'], { uid: true });
      await row(bob, 'Sync me').locator('.font-semibold').first().waitFor({ timeout: 10_000 });

      // Web archive -> IMAP sees it leave the Inbox and arrive in Archive.
      await bob.keyboard.press('Escape');
      await row(bob, 'Sync me').locator('input[type=checkbox]').check();
      await bob.keyboard.press('e');
      await waitFor(async () => (await uidOf('Sync me')).length === 0);
      lock.release();
      const archive = await imap.status('Archive', { messages: true });
      assert.equal(archive && archive.messages, 1);

      // IMAP delivery (APPEND) -> the web list without a reload.
      await imap.append('INBOX', 'From: dave@remote.test\r\nTo: bob@web.test\r\nSubject: Appended by IMAP\r\n\r\nHi.\r\n');
      await row(bob, 'Appended by IMAP').waitFor({ timeout: 10_000 });

      // Web delete -> Trash in IMAP.
      await row(bob, 'Appended by IMAP').locator('input[type=checkbox]').check();
      await bob.keyboard.press('#');
      await waitFor(async () => ((await imap.status('Trash', { messages: true })) || { messages: 0 }).messages === 1);
    } finally {
      await imap.logout().catch(() => undefined);
    }
  });

  it('hostile HTML runs no script and loads nothing remote until images are allowed', async () => {
    await smtp().sendMail({
      from: 'mallory@remote.test',
      to: 'bob@web.test',
      subject: 'Totally normal newsletter',
      text: 'plain',
      html: `<html><head><style>body{background:url(${beaconUrl}?css)}</style><script>console.log('SCRIPT-RAN')</script>
        <meta http-equiv="refresh" content="0;url=${beaconUrl}?refresh"></head>
        <body onload="console.log('ONLOAD-RAN')"><p style="position:fixed;top:0;left:0;width:100%;height:100%;background-image:url('${beaconUrl}?inline')">Hello</p>
        <img src="${beaconUrl}?img" onerror="console.log('ONERROR-RAN')"><a id="evil" href="javascript:console.log('LINK-RAN')">click me</a>
        <svg><script>console.log('SVG-RAN')</script></svg><iframe src="${beaconUrl}?frame"></iframe></body></html>`,
    });
    const bob = await signedIn('bob@web.test');
    const consoleLines: string[] = [];
    const remote: string[] = [];
    bob.on('console', (message) => consoleLines.push(message.text()));
    bob.on('request', (request) => !request.url().startsWith(platform.base) && remote.push(request.url()));
    await row(bob, 'Totally normal newsletter').locator('button').first().click();
    const frame = bob.frameLocator('[data-testid=message-frame]');
    await frame.locator('text=Hello').waitFor();
    await frame.locator('#evil, a:text("click me")').first().click().catch(() => undefined);
    await bob.waitForTimeout(1500);
    assert.deepEqual(consoleLines.filter((l) => l.includes('RAN')), []);
    assert.deepEqual(remote, []);
    assert.equal(beaconHits, 0);

    await bob.click('[data-testid=show-images]');
    await waitFor(async () => beaconHits > 0);
    assert.deepEqual(consoleLines.filter((l) => l.includes('RAN')), []);

    // Allowed for good from one browser, the sender's images show in another without asking.
    const beaconImage = `img[src^="${beaconUrl}"]`;
    const laptop = await signedIn('bob@web.test');
    await row(laptop, 'Totally normal newsletter').locator('button').first().click();
    await laptop.locator('[data-testid=show-images]').waitFor();
    assert.equal(await laptop.frameLocator('[data-testid=message-frame]').locator(beaconImage).count(), 0);
    await laptop.getByRole('button', { name: /^Always from / }).click();
    await laptop.frameLocator('[data-testid=message-frame]').locator(beaconImage).waitFor({ state: 'attached' });
    const phone = await signedIn('bob@web.test');
    await row(phone, 'Totally normal newsletter').locator('button').first().click();
    await phone.frameLocator('[data-testid=message-frame]').locator(beaconImage).waitFor({ state: 'attached' });
    assert.equal(await phone.locator('[data-testid=show-images]').count(), 0);
  });

  it("one user cannot open another user's message, attachment or folder by id", async () => {
    const alice = await signedIn('alice@web.test');
    const bobAccount = await store.database.prisma.account.findUniqueOrThrow({ where: { address: 'bob@web.test' } });
    const bobInbox = (await findMailbox(store, bobAccount.id, 'INBOX'))!;
    const bobMessage = await store.database.prisma.message.findFirstOrThrow({ where: { mailboxId: bobInbox.id, subject: 'Flight plans' } });
    const statusOf = (path: string) => alice.evaluate(async (url) => (await fetch(url)).status, path);
    assert.equal(await statusOf(`/api/mail/messages/${bobMessage.id}`), 404);
    assert.equal(await statusOf(`/api/mail/messages/${bobMessage.id}/parts/2`), 404);
    assert.equal(await statusOf(`/api/mail/messages/${bobMessage.id}/raw`), 404);
    assert.equal(await statusOf(`/api/mail/messages/${bobMessage.id}/draft?mode=forward`), 404);
    assert.equal(await statusOf(`/api/mail/folders/${bobInbox.id}/messages`), 404);
    // Search names folders by name (in:), among the account's own only: Bob's message is never found.
    assert.equal(await statusOf(`/api/mail/search?q=${encodeURIComponent('pelican in:"No such folder"')}`), 404);
    const found = await alice.evaluate(async () => (await (await fetch('/api/mail/search?q=pelican')).json()).messages.map((m: { id: number }) => m.id));
    assert.ok(!found.includes(bobMessage.id));
    const moved = await alice.evaluate(async (ids) => {
      const r = await fetch('/api/mail/actions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids, action: { kind: 'delete' } }) });
      return r.json();
    }, [bobMessage.id]);
    assert.deepEqual(moved, { count: 0 });
    const page = await alice.goto(`${platform.base}/mail/${bobInbox.id}`);
    assert.equal(page?.status(), 404);
    // A change asked for by another site's page is refused, even with the session.
    const cookie = (await alice.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const aliceMessage = await store.database.prisma.message.findFirstOrThrow({ where: { mailbox: { account: { address: 'alice@web.test' } } } });
    const forged = await fetch(`${platform.base}/api/mail/actions`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.test', 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [aliceMessage.id], action: { kind: 'delete' } }),
    });
    assert.equal(forged.status, 403);
    // And without a session, nothing at all.
    const anonymous = await fetch(`${platform.base}/api/mail/messages/${bobMessage.id}`);
    assert.equal(anonymous.status, 401);
  });

  it('everything above ran under the Content-Security-Policy without a violation', () => {
    assert.deepEqual(platform.cspViolations(), []);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((wake) => setTimeout(wake, 100));
  }
}

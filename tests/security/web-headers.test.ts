// Issue 11, 1: every answer of the web app carries a Content-Security-Policy
// (scripts from this site or with the answer's nonce, no plugins, no <base>
// elsewhere, no framing), nosniff and no-referrer; pages, API routes, static
// files and errors alike. Chromium enforces it: an inline script without the
// nonce does not run, while the app's own scripts all do. Plain HTTP gets no
// HSTS and no Secure cookie, whatever X-Forwarded-Proto a client sends when
// no proxy is trusted; web-https.test.ts has the HTTPS side.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import type { Platform } from '../e2e/platform-fixture.ts';
import { assertPolicy, PASSWORD, signInOverHttp, startWebPlatform, submitSignIn } from './web-platform.ts';

describe('security headers over plain HTTP', { timeout: 300_000 }, () => {
  let platform: Platform;
  let cookie = '';

  before(async () => {
    platform = await startWebPlatform([{ address: 'hal@headers.test', role: 'admin' }]);
    cookie = (await signInOverHttp(platform.base, 'hal@headers.test', PASSWORD)).cookie;
  });

  after(async () => {
    await platform?.stop();
  });

  it('pages, API routes, static files and errors all carry the policy, nosniff and no-referrer, and no HSTS', async () => {
    const login = await fetch(`${platform.base}/login`);
    const html = await login.text();
    const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    const stylesheet = /<link[^>]+href="(\/_next\/static\/[^"]+\.css)"/.exec(html)?.[1];
    assert.ok(script && stylesheet, 'the sign-in page links its script and style');
    const answers: [string, string, RequestInit?][] = [
      ['/login', 'page'],
      ['/settings', 'a page for the signed-in', { headers: { Cookie: cookie } }],
      ['/settings', 'a redirect to sign in', { redirect: 'manual' }],
      ['/api/health', 'API route'],
      ['/api/mail/folders', 'API route, signed in', { headers: { Cookie: cookie } }],
      ['/api/mail/folders', 'API route refusing (401)'],
      ['/api/auth/csrf', 'next-auth'],
      [script, 'static script'],
      [stylesheet, 'static stylesheet'],
      ['/favicon.svg', 'public file'],
      ['/no-such-page', 'not found page'],
      ['/_next/static/no-such-file.js', 'missing static file'],
      ['/api/mail/folders/999999', 'API error', { method: 'DELETE', headers: { Cookie: cookie } }],
    ];
    for (const [path, what, init] of answers) {
      const response = await fetch(`${platform.base}${path}`, init);
      await response.arrayBuffer();
      assertPolicy(response, `${what} ${path} (${response.status})`);
      assert.equal(response.headers.get('strict-transport-security'), null, path);
    }
  });

  it("each page has a fresh nonce, and every script Next writes carries it", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${platform.base}/settings`, { headers: { Cookie: cookie } });
      const nonce = assertPolicy(response, '/settings');
      nonces.add(nonce);
      const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
      assert.ok(scripts.length > 1);
      for (const tag of scripts) assert.ok(tag.includes(` nonce="${nonce}"`), tag);
    }
    assert.equal(nonces.size, 3);
  });

  it('a message part and the message source keep their own sandbox policy', async () => {
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: platform.smtpPort, secure: false, ignoreTLS: true })
      .sendMail({ from: 'someone@elsewhere.example', to: 'hal@headers.test', subject: 'Parts', text: 'hello', attachments: [{ filename: 'a.txt', content: 'attached' }] });
    const folders = (await (await fetch(`${platform.base}/api/mail/folders`, { headers: { Cookie: cookie } })).json()) as { folders: { id: number; name: string }[] };
    const inbox = folders.folders.find((f) => f.name === 'INBOX')!;
    let id = 0;
    for (let tries = 0; !id && tries < 100; tries++) {
      const list = (await (await fetch(`${platform.base}/api/mail/folders/${inbox.id}/messages`, { headers: { Cookie: cookie } })).json()) as { messages: { id: number }[] };
      id = list.messages[0]?.id ?? 0;
      if (!id) await new Promise((wake) => setTimeout(wake, 100));
    }
    for (const path of [`/api/mail/messages/${id}/raw`, `/api/mail/messages/${id}/parts/2`]) {
      const response = await fetch(`${platform.base}${path}`, { headers: { Cookie: cookie } });
      assert.equal(response.status, 200, path);
      const policy = response.headers.get('content-security-policy') ?? '';
      assert.match(policy, /^sandbox; default-src 'none'.*; frame-ancestors 'none'$/, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    }
  });

  it('without TRUST_PROXY a client saying X-Forwarded-Proto: https gets no HSTS and no Secure cookie', async () => {
    const claimed = { 'X-Forwarded-Proto': 'https' };
    const response = await fetch(`${platform.base}/login`, { headers: claimed });
    assert.equal(response.headers.get('strict-transport-security'), null);
    const { setCookies } = await signInOverHttp(platform.base, 'hal@headers.test', PASSWORD, claimed);
    const session = setCookies.find((line) => line.includes('session-token='))!;
    assert.match(session, /^next-auth\.session-token=/);
    assert.doesNotMatch(session, /;\s*Secure/i);
  });

  it('in Chromium the app runs with no violation, and a script without the nonce does not run', async () => {
    const context = await platform.browser.newContext();
    const violations: string[] = [];
    context.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const page = await context.newPage();
    await submitSignIn(page, `${platform.base}/login`, 'hal@headers.test');
    await page.waitForURL('**/mail/*');
    for (const path of ['/mail', '/domains', '/admin', '/settings']) {
      await page.goto(`${platform.base}${path}`, { waitUntil: 'networkidle' });
    }
    // A script put into the page the way an injection would: inline, without the nonce.
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.injectedRan = true';
      document.body.append(script);
      await new Promise((wake) => setTimeout(wake, 100));
      return Boolean((window as { injectedRan?: boolean }).injectedRan);
    });
    assert.equal(ran, false);
    assert.equal(violations.filter((v) => !v.includes('window.injectedRan') && !/inline script/i.test(v)).length, 0, violations.join('\n'));
    assert.ok(violations.length >= 1, 'the blocked script is reported');
    await context.close();
  });
});

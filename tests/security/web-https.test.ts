// Issue 11, 1: over HTTPS the web app sends HSTS and its session cookie is
// Secure: served directly (WEB_TLS=true, driven by curl) and behind a
// trusted reverse proxy that says X-Forwarded-Proto: https (TRUST_PROXY=true).
// Over plain HTTP to that same proxy-trusting server, neither.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Platform } from '../e2e/platform-fixture.ts';
import { assertPolicy, PASSWORD, signInOverHttp, startWebPlatform } from './web-platform.ts';

const HSTS = 'max-age=31536000';

describe('behind a trusted proxy (TRUST_PROXY=true)', { timeout: 300_000 }, () => {
  let platform: Platform;
  before(async () => {
    platform = await startWebPlatform([{ address: 'tia@https.test', role: 'admin' }], { TRUST_PROXY: 'true' });
  });
  after(() => platform?.stop());

  it('X-Forwarded-Proto: https brings HSTS and a Secure session cookie that works', async () => {
    const proxied = { 'X-Forwarded-Proto': 'https' };
    for (const path of ['/login', '/api/health', '/favicon.svg', '/no-such-page']) {
      const response = await fetch(`${platform.base}${path}`, { headers: proxied });
      assertPolicy(response, path);
      assert.equal(response.headers.get('strict-transport-security'), HSTS, path);
    }
    const { setCookies, cookie } = await signInOverHttp(platform.base, 'tia@https.test', PASSWORD, proxied);
    const session = setCookies.find((line) => line.includes('session-token='))!;
    assert.match(session, /^__Secure-next-auth\.session-token=/);
    assert.match(session, /;\s*Secure/i);
    assert.match(session, /;\s*HttpOnly/i);
    assert.equal((await fetch(`${platform.base}/api/mail/folders`, { headers: { ...proxied, Cookie: cookie } })).status, 200);
  });

  it('a request the proxy marks as plain HTTP gets neither', async () => {
    const plain = { 'X-Forwarded-Proto': 'http' };
    assert.equal((await fetch(`${platform.base}/login`, { headers: plain })).headers.get('strict-transport-security'), null);
    const { setCookies } = await signInOverHttp(platform.base, 'tia@https.test', PASSWORD, plain);
    assert.doesNotMatch(setCookies.find((line) => line.includes('session-token='))!, /Secure/i);
  });
});

describe('HTTPS served directly (WEB_TLS=true), with curl', { timeout: 300_000 }, () => {
  let platform: Platform;
  let jarDir = '';
  const curl = async (...args: string[]) => (await promisify(execFile)('curl', ['-sSk', ...args], { encoding: 'utf8' })).stdout;

  before(async () => {
    platform = await startWebPlatform([{ address: 'tia@https.test', role: 'admin' }], { WEB_TLS: 'true' });
    jarDir = mkdtempSync(join(tmpdir(), 'web-https-'));
  });
  after(async () => {
    await platform?.stop();
    rmSync(jarDir, { recursive: true, force: true });
  });

  it('serves HTTPS with HSTS and the policy on every answer', async () => {
    assert.match(platform.base, /^https:/);
    for (const path of ['/login', '/api/health', '/favicon.svg', '/no-such-page']) {
      const head = await curl('-D', '-', '-o', '/dev/null', `${platform.base}${path}`);
      assert.match(head, /^strict-transport-security: max-age=31536000\r$/im, path);
      assert.match(head, /^content-security-policy: .*script-src 'self' 'nonce-[^']+'.*frame-ancestors 'none'/im, path);
      assert.match(head, /^x-content-type-options: nosniff\r$/im, path);
      assert.match(head, /^referrer-policy: no-referrer\r$/im, path);
    }
  });

  it('signs in with a Secure session cookie, which then reads the folders', async () => {
    const jar = join(jarDir, 'cookies');
    const { csrfToken } = JSON.parse(await curl('-c', jar, `${platform.base}/api/auth/csrf`)) as { csrfToken: string };
    const head = await curl('-b', jar, '-c', jar, '-D', '-', '-o', '/dev/null',
      '--data-urlencode', `csrfToken=${csrfToken}`, '--data-urlencode', 'address=tia@https.test', '--data-urlencode', `password=${PASSWORD}`, '-d', 'json=true',
      `${platform.base}/api/auth/callback/credentials`);
    const session = /^set-cookie: (__Secure-next-auth\.session-token=.*)$/im.exec(head)?.[1] ?? '';
    assert.match(session, /;\s*Secure/i, head);
    const folders = JSON.parse(await curl('-b', jar, `${platform.base}/api/mail/folders`)) as { folders: { name: string }[] };
    assert.ok(folders.folders.some((f) => f.name === 'INBOX'));
  });
});

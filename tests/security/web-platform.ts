// What the web security tests share: the platform with its accounts, signing
// in (in Chromium or over plain requests), and the headers every answer needs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startPlatform, type Platform } from '../e2e/platform-fixture.ts';
import { openDatabase } from '../../prisma/database.ts';
import { closeMailStore, createMailStore } from '../../mail-daemon/store/context.ts';
import { addDomain } from '../../mail-daemon/domains/domains.ts';
import { createAccount } from '../../mail-daemon/accounts/accounts.ts';
import { setSpamFilter } from '../../mail-daemon/settings/account-settings.ts';

export const PASSWORD = 'a long secret for the web security tests';

/**
 * The platform (startPlatform's env) with these accounts, all with PASSWORD,
 * on their verified domains. Give a platform admin among them: until one
 * exists every page leads to setup. Their junk filters are off: where a
 * test's message lands is not what these tests are about.
 */
export async function startWebPlatform(accounts: { address: string; role?: 'admin' }[], env: Record<string, string> = {}): Promise<Platform> {
  const platform = await startPlatform(env);
  const store = createMailStore(await openDatabase(`file:${join(platform.dataDir, 'mail.db')}`));
  try {
    for (const domain of new Set(accounts.map(({ address }) => address.split('@')[1]))) await addDomain(store, domain, { verified: true });
    for (const { address, role } of accounts) {
      const account = await createAccount(store, { address, password: PASSWORD, role });
      await setSpamFilter(store, account.id, false);
    }
  } finally {
    await closeMailStore(store);
  }
  return platform;
}

/** Opens `url` (the sign-in page, perhaps with a query), fills in the form once React runs it, and submits it. */
export async function submitSignIn(page: Page, url: string, address: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('form[data-hydrated="true"]');
  await page.getByLabel('Address').fill(address);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// Signs in over plain HTTP requests the way next-auth's client does: the
// CSRF token and its cookie, then the credentials callback. Returns the
// Set-Cookie lines of that answer (where the session cookie is) and a
// Cookie header with every cookie so far.
export interface HttpSignIn {
  setCookies: string[];
  cookie: string;
}

const cookiePairs = (setCookies: string[]) => setCookies.map((line) => line.split(';')[0]);

export async function signInOverHttp(base: string, address: string, password: string, headers: Record<string, string> = {}): Promise<HttpSignIn> {
  const csrf = await fetch(`${base}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookies = cookiePairs(csrf.headers.getSetCookie());
  const answer = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrfCookies.join('; ') },
    body: new URLSearchParams({ csrfToken, address, password, json: 'true' }),
  });
  const setCookies = answer.headers.getSetCookie();
  if (!setCookies.some((line) => /next-auth\.session-token=/.test(line))) throw new Error(`sign-in of ${address} failed: ${answer.status} ${await answer.text()}`);
  return { setCookies, cookie: [...csrfCookies, ...cookiePairs(setCookies)].join('; ') };
}

/** The nonce of a policy that meets the issue, or a failed assertion naming what is missing. */
export function assertPolicy(response: Response, what: string): string {
  const policy = response.headers.get('content-security-policy') ?? '';
  const directives = new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
  const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(directives.get('script-src')?.find((v) => v.startsWith("'nonce-")) ?? '')?.[1];
  assert.deepEqual(directives.get('script-src')?.filter((v) => !v.startsWith("'nonce-")), ["'self'"], `${what}: script-src in "${policy}"`);
  assert.ok(nonce, `${what}: a nonce in "${policy}"`);
  assert.deepEqual(directives.get('object-src'), ["'none'"], what);
  assert.deepEqual(directives.get('base-uri'), ["'self'"], what);
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"], what);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer', what);
  return nonce!;
}

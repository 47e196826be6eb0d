// The platform end to end, in Debian's Chromium against `npm start` on the
// embedded database: first-run setup, signup of a second user, sign-in
// failure and lockout, a domain added by that user whose DNS records turn
// "found" against the test's DNS server, a mailbox and an alias on it, a
// message over SMTP read back over IMAP, two-factor sign-in with an app
// password, and every admin page, route and server action tried directly by
// a user who does not administer the domain.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import type { BrowserContext, Page } from 'playwright-core';
import { sendWithNodemailer } from '../support/smtp-client.ts';
import { currentCode } from '../../mail-daemon/accounts/totp.ts';
import { startPlatform, type Platform } from './platform-fixture.ts';
import { callServerAction, serverActions } from './server-actions.ts';
import { openDatabase } from '../../prisma/database.ts';
import { closeMailStore, createMailStore } from '../../mail-daemon/store/context.ts';
import { countSubmission, listLimitedAccounts } from '../../mail-daemon/spam/send-limits.ts';

const PASSWORD = 'correct horse battery';
const CAROL_PASSWORD = 'a private phrase 42';
const NEW_CAROL_PASSWORD = 'a newer phrase 43';
const DAVE_PASSWORD = 'another long phrase 7';

let platform: Platform;

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await platform.browser.newContext({ baseURL: platform.base });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return { context, page };
}

/** Waits for hydration, so that forms submit through JavaScript. */
async function open(page: Page, path: string): Promise<void> {
  await page.goto(path, { waitUntil: 'networkidle' });
  await page.waitForFunction(() => document.querySelectorAll('form[data-hydrated="false"]').length === 0);
}

/** Submits a form and waits for its server action's answer (and the render after it). */
async function submit(page: Page, scope: string | null, button: string): Promise<void> {
  const root = scope ? page.getByTestId(scope) : page;
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && Boolean(r.request().headers()['next-action']));
  await root.getByRole('button', { name: button, exact: true }).click();
  await answered;
  // The form is pending (its button disabled) until the answer is rendered.
  await page.waitForFunction(() => !document.querySelector('button[type=submit]:disabled'));
}

async function fieldError(page: Page, field: string, scope: string | null = null): Promise<string> {
  const root = scope ? page.getByTestId(scope) : page;
  const error = root.getByTestId(`error-${field}`);
  await error.waitFor();
  return (await error.textContent()) ?? '';
}

async function signIn(page: Page, address: string, password: string, code?: string): Promise<string> {
  await open(page, '/login');
  await page.getByLabel('Address').fill(address);
  await page.getByLabel('Password').fill(password);
  let before = '';
  if (code) {
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authenticator code').fill(code);
    before = (await page.getByTestId('login-error').textContent()) ?? '';
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signed in, or a message other than the one already shown.
  const outcome = await Promise.race([
    page.waitForURL('**/mail/*').then(() => 'signed in'),
    page
      .waitForFunction((shown) => {
        const text = document.querySelector('[data-testid=login-error]')?.textContent ?? '';
        return text && text !== shown ? text : false;
      }, before)
      .then((handle) => handle.jsonValue() as Promise<string>),
  ]);
  return outcome;
}

/** Waits for a page; on failure says what the page showed instead. */
async function arrive(page: Page, pattern: string): Promise<void> {
  try {
    await page.waitForURL(pattern);
  } catch (error) {
    const text = await page.locator('body').innerText().catch(() => '');
    throw new Error(`${(error as Error).message}\nat ${page.url()}:\n${text.slice(0, 1500)}`);
  }
}

async function cookieHeader(context: BrowserContext): Promise<string> {
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

describe('the platform in a browser', { timeout: 400_000 }, () => {
  let admin: { context: BrowserContext; page: Page };
  let carol: { context: BrowserContext; page: Page };
  let carolAppPassword = '';

  before(async () => {
    platform = await startPlatform({ SIGNUP_LIMIT_PER_HOUR: '12' });
  });
  after(async () => {
    if (process.env.E2E_PLATFORM_LOG && platform) writeFileSync(process.env.E2E_PLATFORM_LOG, platform.output());
    await platform?.stop();
  });

  it('first run: every page leads to setup, which makes the domain and the admin and signs in', { timeout: 60_000 }, async () => {
    admin = await newPage();
    const { page } = admin;
    await open(page, '/settings');
    assert.match(page.url(), /\/setup$/);
    await open(page, '/');
    assert.match(page.url(), /\/setup$/);
    assert.equal(await page.getByTestId('hostname').textContent(), 'mail.e2e.test');

    await submit(page, null, 'Create');
    assert.equal(await fieldError(page, 'domain'), 'Enter a domain name.');
    assert.equal(await fieldError(page, 'localPart'), 'Enter the name before the @.');
    assert.equal(await fieldError(page, 'password'), 'Enter a password.');

    await page.getByLabel('Primary domain').fill('not a domain');
    await page.getByLabel('Your address (before the @)').fill('boss');
    await page.getByLabel('Password').fill('short');
    await submit(page, null, 'Create');
    assert.match(await fieldError(page, 'domain'), /not a valid domain name/);

    await page.getByLabel('Primary domain').fill('primary.test');
    await submit(page, null, 'Create');
    assert.match(await fieldError(page, 'password'), /at least 8 characters/);

    await page.getByLabel('Password').fill(PASSWORD);
    await submit(page, null, 'Create');
    await arrive(page, '**/mail/*');
    assert.equal(await page.getByTestId('signed-in-as').textContent(), 'boss@primary.test');

    // Setup is done: the page now sends to sign-in.
    const again = await fetch(`${platform.base}/setup`, { redirect: 'manual' });
    assert.equal(again.headers.get('location'), '/login');
  });

  it('the admin opens signup on the primary domain', { timeout: 60_000 }, async () => {
    const { page } = admin;
    await open(page, '/domains/primary.test');
    await page.getByTestId('domain-settings').getByLabel('Anyone may sign up').check();
    await submit(page, 'domain-settings', 'Save');
    await page.getByTestId('domain-settings').getByText('Saved.').waitFor();
  });

  it('signup checks the address and the password next to the fields, then signs the new user in', { timeout: 60_000 }, async () => {
    carol = await newPage();
    const { page } = carol;
    await open(page, '/signup');
    await submit(page, null, 'Sign up');
    assert.equal(await fieldError(page, 'localPart'), 'Enter the name before the @.');
    assert.equal(await fieldError(page, 'password'), 'Enter a password.');

    const attempts: [string, string, RegExp, string][] = [
      ['postmaster', PASSWORD, /reserved/, 'localPart'],
      ['car ol', PASSWORD, /not a valid mail address/, 'localPart'],
      ['c'.repeat(65), PASSWORD, /at most 64 characters/, 'localPart'],
      ['boss', PASSWORD, /already taken/, 'localPart'],
      ['carol', 'password', /too easy/, 'password'],
    ];
    for (const [localPart, password, message, field] of attempts) {
      await page.getByLabel('Name before the @').fill(localPart);
      await page.getByLabel('Password').fill(password);
      await submit(page, null, 'Sign up');
      await page.getByTestId(`error-${field}`).filter({ hasText: message }).waitFor();
    }
    await page.getByLabel('Name before the @').fill('carol');
    await page.getByLabel('Your name').fill('Carol C');
    await page.getByLabel('Password').fill(CAROL_PASSWORD);
    await submit(page, null, 'Sign up');
    await arrive(page, '**/mail/*');
    assert.equal(await page.getByTestId('signed-in-as').textContent(), 'carol@primary.test');
  });

  it('account settings show their errors and save: password, profile, forwarding, vacation, filters', { timeout: 60_000 }, async () => {
    const { page } = carol;
    await open(page, '/settings');
    const pw = 'password';
    await page.getByTestId(pw).getByLabel('Current password').fill('not my password');
    await page.getByTestId(pw).getByLabel('New password', { exact: true }).fill(NEW_CAROL_PASSWORD);
    await page.getByTestId(pw).getByLabel('New password again').fill(NEW_CAROL_PASSWORD);
    await submit(page, pw, 'Change password');
    assert.equal(await fieldError(page, 'currentPassword', pw), 'The current password is not right.');
    await page.getByTestId(pw).getByLabel('Current password').fill(CAROL_PASSWORD);
    await page.getByTestId(pw).getByLabel('New password again').fill('something else entirely');
    await submit(page, pw, 'Change password');
    assert.equal(await fieldError(page, 'repeatPassword', pw), 'The two new passwords differ.');
    // A second session, made with the old password, ends with the change.
    const elsewhere = await newPage();
    assert.equal(await signIn(elsewhere.page, 'carol@primary.test', CAROL_PASSWORD), 'signed in');
    await page.getByTestId(pw).getByLabel('New password again').fill(NEW_CAROL_PASSWORD);
    // This session signs in again with the new password, and the form says it worked.
    await submit(page, pw, 'Change password');
    await page.getByTestId(pw).getByTestId('form-message').filter({ hasText: 'Your password is changed.' }).waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.getByTestId('signed-in-as').textContent(), 'carol@primary.test');
    await open(elsewhere.page, '/settings');
    assert.match(elsewhere.page.url(), /\/login$/);
    await elsewhere.context.close();

    await page.getByTestId('profile').getByLabel('Display name').fill('x'.repeat(201));
    await submit(page, 'profile', 'Save');
    assert.equal(await fieldError(page, 'displayName', 'profile'), 'Use at most 200 characters.');
    await page.getByTestId('profile').getByLabel('Display name').fill('Carol C');
    await page.getByTestId('profile').getByLabel('Signature').fill('-- \nCarol');
    await submit(page, 'profile', 'Save');
    await page.getByTestId('profile').getByText('Saved.').waitFor();

    await page.getByTestId('forwarding').getByLabel('Forward to').fill('not an address');
    await submit(page, 'forwarding', 'Save');
    assert.match(await fieldError(page, 'forwardTo', 'forwarding'), /not a valid mail address/);
    await page.getByTestId('forwarding').getByLabel('Forward to').fill('carol@elsewhere.example');
    await submit(page, 'forwarding', 'Save');
    await page.getByTestId('forwarding').getByText('Mail is forwarded to carol@elsewhere.example.').waitFor();

    const v = 'vacation';
    await page.getByTestId(v).getByLabel('Reply automatically').check();
    await submit(page, v, 'Save');
    assert.equal(await fieldError(page, 'vacationSubject', v), 'Enter a subject for the auto-reply.');
    await page.getByTestId(v).getByLabel('Subject').fill('Away');
    await page.getByTestId(v).getByLabel('Message').fill('Back next week.');
    await page.getByTestId(v).getByLabel('From (optional)').fill('2030-02-10');
    await page.getByTestId(v).getByLabel('Until (optional)').fill('2030-02-01');
    await submit(page, v, 'Save');
    assert.equal(await fieldError(page, 'vacationEnd', v), 'The end is before the start.');
    await page.getByTestId(v).getByLabel('Until (optional)').fill('2030-02-20');
    await submit(page, v, 'Save');
    await page.getByTestId(v).getByText('The auto-reply is on.').waitFor();

    const f = 'filters';
    await submit(page, f, 'Add filter');
    assert.equal(await fieldError(page, 'value', f), 'Enter the text to look for.');
    await page.getByTestId(f).getByLabel('If').selectOption('subject');
    await page.getByTestId(f).getByLabel('contains').fill('[list]');
    await page.getByTestId(f).getByLabel('then').selectOption('read');
    await submit(page, f, 'Add filter');
    await page.getByTestId(f).getByText('If subject contains “[list]”, mark as read').waitFor();

    // Mail client setup, and the autoconfig that clients read by themselves.
    const setup = (await page.getByTestId('client-setup').innerText()).replace(/\s+/g, ' ');
    assert.match(setup, new RegExp(`IMAP mail\\.e2e\\.test ${platform.imapPort} STARTTLS`));
    for (const path of ['/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=carol%40primary.test', '/mail/config-v1.1.xml?emailaddress=carol%40primary.test']) {
      const xml = await (await fetch(`${platform.base}${path}`)).text();
      assert.match(xml, /<emailProvider id="primary\.test">/);
      assert.match(xml, new RegExp(`<incomingServer type="imap">\\s*<hostname>mail\\.e2e\\.test</hostname>\\s*<port>${platform.imapPort}</port>\\s*<socketType>STARTTLS</socketType>`));
    }
  });

  it('the user adds a domain and sees its DNS records turn "found"', { timeout: 60_000 }, async () => {
    const { page } = carol;
    await open(page, '/domains');
    await submit(page, 'add-domain', 'Add domain');
    assert.equal(await fieldError(page, 'domain', 'add-domain'), 'Enter a domain name.');
    for (const [value, message] of [
      ['bad_domain', /not a valid domain name/],
      [`${'a'.repeat(250)}.test`, /at most 253 characters/],
      ['primary.test', /already hosted here/],
    ] as const) {
      await page.getByTestId('add-domain').getByLabel('Domain name').fill(value);
      await submit(page, 'add-domain', 'Add domain');
      await page.getByTestId('error-domain').filter({ hasText: message }).waitFor();
    }
    await page.getByTestId('add-domain').getByLabel('Domain name').fill('carol.test');
    await submit(page, 'add-domain', 'Add domain');
    await arrive(page, '**/domains/carol.test/dns');
    assert.match((await page.getByTestId('verification').textContent()) ?? '', /Not verified/);

    // Unverified, the domain takes no mail.
    await assert.rejects(
      sendWithNodemailer({ port: platform.smtpPort, ignoreTLS: true }, { from: 'outside@sender.example', to: ['anyone@carol.test'] }, 'Subject: early\r\n\r\nhi\r\n'),
      /all recipients were rejected/,
    );

    // Publish what the page says, in the test's DNS server.
    const zone = platform.dns.zone;
    for (const purpose of ['Ownership', 'MX', 'SPF', 'DKIM', 'DMARC']) {
      const card = page.getByTestId(`dns-${purpose}`);
      const [type, name, value] = await Promise.all(['dns-type', 'dns-name', 'dns-value'].map(async (id) => (await card.getByTestId(id).textContent()) ?? ''));
      const entry = (zone[name.toLowerCase()] ??= {});
      if (type === 'MX') {
        const [priority, exchange] = value.split(' ');
        entry.MX = [{ priority: Number(priority), exchange }];
      } else {
        (entry.TXT ??= []).push(value);
      }
    }
    // One record published with another value shows as different.
    zone['carol.test'].TXT = zone['carol.test'].TXT!.map((v) => (v.startsWith('v=spf1') ? 'v=spf1 a -all' : v));
    await page.getByRole('button', { name: 'Check DNS' }).click();
    await page.getByTestId('dns-Ownership').getByTestId('dns-status').filter({ hasText: 'Found' }).waitFor();
    for (const purpose of ['Ownership', 'MX', 'DKIM', 'DMARC']) {
      assert.equal(await page.getByTestId(`dns-${purpose}`).getByTestId('dns-status').textContent(), 'Found', purpose);
    }
    // What was found, beside what is expected.
    assert.equal(await page.getByTestId('dns-SPF').getByTestId('dns-status').textContent(), 'Different');
    assert.equal(await page.getByTestId('dns-SPF').getByTestId('dns-found').textContent(), 'Foundv=spf1 a -all');
    assert.equal(await page.getByTestId('dns-SPF').getByTestId('dns-value').textContent(), 'v=spf1 mx -all');
    assert.equal(await page.getByTestId('dns-DMARC').getByTestId('dns-found').count(), 0);
    zone['carol.test'].TXT = zone['carol.test'].TXT!.map((v) => (v.startsWith('v=spf1') ? 'v=spf1 mx -all' : v));
    await page.getByRole('button', { name: 'Check DNS' }).click();
    await page.getByTestId('dns-SPF').getByTestId('dns-status').filter({ hasText: /^Found$/ }).waitFor();
    assert.match((await page.getByTestId('verification').textContent()) ?? '', /Ownership verified/);
    // Verified, the ownership record may go: its absence is no fault any more.
    zone['carol.test'].TXT = zone['carol.test'].TXT!.filter((v) => !v.startsWith('mail-verify='));
    await page.getByRole('button', { name: 'Check DNS' }).click();
    await page.getByTestId('dns-Ownership').getByTestId('dns-status').filter({ hasText: 'Not needed any more' }).waitFor();
    // The mail host's addresses and reverse DNS, with advice: the test's DNS has none.
    assert.match((await page.getByTestId('mail-host').textContent()) ?? '', /Publish an A record for mail\.e2e\.test/);
    // Each value has its copy button, and it copies.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('dns-SPF').getByRole('button', { name: 'Copy value' }).click();
    await page.getByTestId('dns-SPF').getByRole('button', { name: 'Copy value' }).filter({ hasText: 'Copied' }).waitFor();

    // A new DKIM key has a new selector, whose record is not published yet.
    const oldName = (await page.getByTestId('dns-DKIM').getByTestId('dns-name').textContent()) ?? '';
    await submit(page, 'dkim', 'Rotate DKIM key');
    await page.getByTestId('dkim').getByText(/^New DKIM key with selector/).waitFor();
    await page.getByTestId('dns-DKIM').getByTestId('dns-name').filter({ hasNotText: oldName }).waitFor();
    await page.getByRole('button', { name: 'Check DNS' }).click();
    await page.getByTestId('dns-DKIM').getByTestId('dns-status').filter({ hasText: /^Missing$/ }).waitFor();
  });

  it('the domain admin creates a mailbox and an alias, with errors for bad input', { timeout: 60_000 }, async () => {
    const { page } = carol;
    await open(page, '/domains/carol.test');
    const form = 'create-mailbox';
    await submit(page, form, 'Create mailbox');
    assert.equal(await fieldError(page, 'localPart', form), 'Enter the name before the @.');
    assert.equal(await fieldError(page, 'password', form), 'Enter a password.');
    await page.getByTestId(form).getByLabel('Name before the @').fill('dave');
    await page.getByTestId(form).getByLabel('Password').fill(DAVE_PASSWORD);
    await page.getByTestId(form).getByLabel('Quota').fill('0');
    await submit(page, form, 'Create mailbox');
    assert.equal(await fieldError(page, 'quotaMb', form), 'The quota is at least 1 MB.');
    await page.getByTestId(form).getByLabel('Quota').fill('100');
    await submit(page, form, 'Create mailbox');
    await page.getByTestId('mailbox-dave@carol.test').waitFor();

    const alias = 'add-alias';
    await submit(page, alias, 'Add alias');
    assert.equal(await fieldError(page, 'localPart', alias), 'Enter the name before the @.');
    assert.equal(await fieldError(page, 'targets', alias), 'Enter at least one target address.');
    await page.getByTestId(alias).getByLabel('Alias name before the @').fill('dave');
    await page.getByTestId(alias).getByLabel('Deliver to').fill('someone@elsewhere.example');
    await submit(page, alias, 'Add alias');
    await page.getByTestId(alias).getByTestId('error-localPart').filter({ hasText: /already taken/ }).waitFor();
    await page.getByTestId(alias).getByLabel('Alias name before the @').fill('team');
    await page.getByTestId(alias).getByLabel('Deliver to').fill('not-an-address');
    await submit(page, alias, 'Add alias');
    await page.getByTestId(alias).getByTestId('error-targets').filter({ hasText: /not a valid mail address/ }).waitFor();
    await page.getByTestId(alias).getByLabel('Deliver to').fill('dave@carol.test, someone@elsewhere.example');
    await submit(page, alias, 'Add alias');
    await page.getByTestId('alias-team@carol.test').waitFor();
    assert.match((await page.getByTestId('alias-team@carol.test').textContent()) ?? '', /dave@carol\.test, someone@elsewhere\.example/);
  });

  let aliasMailReceivedId = '';
  it('the new mailbox receives a message over SMTP and reads it through IMAP', { timeout: 60_000 }, async () => {
    const message = [
      'From: Outside <outside@sender.example>',
      'To: team@carol.test',
      'Subject: Hello through the alias',
      'Message-ID: <e2e-1@sender.example>',
      '',
      'Sent over SMTP in the e2e test.',
      '',
    ].join('\r\n');
    const sent = await sendWithNodemailer({ port: platform.smtpPort, ignoreTLS: true }, { from: 'outside@sender.example', to: ['team@carol.test'] }, message);
    assert.deepEqual(sent.accepted, ['team@carol.test']);
    // The id of its Received: field, which the delivery log shows (checked below).
    aliasMailReceivedId = /accepted as (\w+)/.exec(sent.response)?.[1] ?? '';
    assert.ok(aliasMailReceivedId, sent.response);

    const client = new ImapFlow({ host: '127.0.0.1', port: platform.imapPort, secure: false, tls: { rejectUnauthorized: false }, auth: { user: 'dave@carol.test', pass: DAVE_PASSWORD }, logger: false });
    await client.connect();
    try {
      await client.mailboxOpen('INBOX');
      const subjects: string[] = [];
      for await (const m of client.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
      assert.deepEqual(subjects.sort(), ['Hello through the alias', 'Welcome to your new mailbox']);
    } finally {
      await client.logout();
    }
  });

  it('sign-in failures say so, and repeated ones refuse the failing address with a clear message', { timeout: 60_000 }, async () => {
    const { context, page } = await newPage();
    try {
      assert.equal(await signIn(page, 'dave@carol.test', 'wrong password'), 'The address or password is not right.');
      for (let i = 0; i < 9; i++) await signIn(page, 'dave@carol.test', `wrong ${i}`);
      assert.match(await signIn(page, 'dave@carol.test', DAVE_PASSWORD), /Too many failed sign-ins from your address; try again in 15 minutes\./);
    } finally {
      await context.close();
    }
    // Each failure is one line of the web app's output, which the shipped fail2ban filter reads.
    const failures = platform.output().split('\n').filter((line) => line.includes('login failed: service=web'));
    assert.equal(failures.length, 11, failures.join('\n'));
    for (const line of failures) assert.match(line, /^\[web\] web: \S+Z login failed: service=web client=127\.0\.0\.1 reason=(bad-credentials|rate-limited) account="dave@carol\.test"$/);
    const log = join(platform.dataDir, 'platform-output.log');
    writeFileSync(log, platform.output());
    const found = execFileSync('fail2ban-regex', ['-o', 'ip', log, join(process.cwd(), 'mail-daemon/fail2ban/filter.d/mailplatform.conf')], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(found, Array(11).fill('127.0.0.1'));
  });

  it('two-factor sign-in: the web asks for the code, mail clients take only app passwords', { timeout: 60_000 }, async () => {
    const { page } = carol;
    await open(page, '/settings');
    await submit(page, 'two-factor', 'Set up');
    const secret = (await page.getByTestId('two-factor').getByTestId('revealed').textContent()) ?? '';
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await page.getByTestId('two-factor').getByLabel('Code from the app').fill('123');
    await submit(page, 'two-factor', 'Turn on');
    assert.equal(await fieldError(page, 'code', 'two-factor'), 'The code is 6 digits.');
    await page.getByTestId('two-factor').getByLabel('Code from the app').fill(currentCode(secret));
    await submit(page, 'two-factor', 'Turn on');
    // The recovery codes come with it, shown this once, with a download.
    const shown = page.getByTestId('two-factor').getByTestId('recovery-codes-shown');
    assert.equal(await shown.locator('li').count(), 10);
    const [download] = await Promise.all([page.waitForEvent('download'), shown.getByRole('button', { name: 'Download' }).click()]);
    assert.equal(download.suggestedFilename(), 'recovery-codes.txt');
    const reloadedAfterCodes = page.waitForEvent('load');
    await shown.getByRole('button', { name: 'I have saved them' }).click();
    await reloadedAfterCodes;
    await page.getByTestId('two-factor').getByText(/^On\. The web asks for a code/).waitFor();
    await page.getByTestId('recovery-codes-left').getByText('10 of 10 recovery codes left.').waitFor();

    await open(page, '/settings');
    await submit(page, 'app-passwords', 'Create app password');
    assert.equal(await fieldError(page, 'name', 'app-passwords'), 'Enter a name for the client.');
    await page.getByTestId('app-passwords').getByLabel('Client name').fill('IMAP test');
    await submit(page, 'app-passwords', 'Create app password');
    carolAppPassword = (await page.getByTestId('app-passwords').getByTestId('revealed').textContent()) ?? '';
    assert.match(carolAppPassword, /^[a-z]{6}( [a-z]{6}){3}$/);

    const imapLogin = async (pass: string) => {
      const client = new ImapFlow({ host: '127.0.0.1', port: platform.imapPort, secure: false, tls: { rejectUnauthorized: false }, auth: { user: 'carol@primary.test', pass }, logger: false });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.logout();
        return true;
      } catch {
        return false;
      }
    };
    assert.equal(await imapLogin(NEW_CAROL_PASSWORD), false, 'the main password no longer works over IMAP');
    assert.equal(await imapLogin(carolAppPassword), true, 'the app password does');

    // Recovery codes, for the day the app is lost: made on request with the password, shown once.
    await open(page, '/settings');
    await page.getByTestId('recovery-codes').getByLabel('Password').fill('not the password');
    await submit(page, 'recovery-codes', 'Make new recovery codes');
    assert.equal(await fieldError(page, 'password', 'recovery-codes'), 'The password is not right.');
    await page.getByTestId('recovery-codes').getByLabel('Password').fill(NEW_CAROL_PASSWORD);
    await submit(page, 'recovery-codes', 'Make new recovery codes');
    const recoveryCodes = await page.getByTestId('recovery-codes').getByTestId('recovery-codes-shown').locator('li').allTextContents();
    assert.equal(recoveryCodes.length, 10);

    const fresh = await newPage();
    try {
      assert.equal(await signIn(fresh.page, 'carol@primary.test', NEW_CAROL_PASSWORD), 'Enter the code from your authenticator app, or one of your recovery codes.');
      assert.equal(await signIn(fresh.page, 'carol@primary.test', NEW_CAROL_PASSWORD, recoveryCodes[3]), 'signed in');
      await fresh.page.waitForLoadState('networkidle');
      await fresh.page.getByRole('button', { name: 'Sign out' }).click();
      await arrive(fresh.page, '**/login');
      assert.match(await signIn(fresh.page, 'carol@primary.test', NEW_CAROL_PASSWORD, recoveryCodes[3]), /That code is not right/, 'a recovery code signs in once');
      // The next step's code: the one just used to turn 2FA on is spent.
      const next = currentCode(secret, Date.now() + 30_000);
      assert.equal(await signIn(fresh.page, 'carol@primary.test', NEW_CAROL_PASSWORD, next), 'signed in');
      await fresh.page.waitForLoadState('networkidle');
      await fresh.page.getByRole('button', { name: 'Sign out' }).click();
      await arrive(fresh.page, '**/login');
      await open(fresh.page, '/settings');
      assert.match(fresh.page.url(), /\/login$/, 'signed out');
    } finally {
      await fresh.context.close();
    }
  });

  it('a user who is not a domain admin gets 403 or 404 from every admin page, route and server action', { timeout: 60_000 }, async () => {
    const cookie = await cookieHeader(carol.context);
    for (const path of ['/admin', '/admin/queue', '/admin/log', '/domains/primary.test', '/domains/primary.test/dns', '/domains/nowhere.test']) {
      const response = await fetch(`${platform.base}${path}`, { headers: { cookie }, redirect: 'manual' });
      assert.equal(response.status, 404, path);
    }
    const api = await fetch(`${platform.base}/api/domains/primary.test/dns-check`, { headers: { cookie } });
    assert.equal(api.status, 404);
    assert.equal((await fetch(`${platform.base}/api/domains/carol.test/dns-check`)).status, 401, 'signed out');
    assert.equal((await fetch(`${platform.base}/api/domains/carol.test/dns-check`, { headers: { cookie } })).status, 200, 'her own domain');

    const target = { domain: 'primary.test', address: 'boss@primary.test' };
    const attempts: Record<string, Record<string, string>> = {
      rotateDkimAction: { domain: target.domain },
      updateDomainAction: { domain: target.domain, signupOpen: '', catchAllTarget: 'carol@primary.test' },
      createMailboxAction: { domain: target.domain, localPart: 'intruder', password: PASSWORD, quotaMb: '10', role: 'domain_admin' },
      resetMailboxPasswordAction: { address: target.address, password: 'taken over at last' },
      setMailboxQuotaAction: { address: target.address, quotaMb: '1' },
      setMailboxDisabledAction: { address: target.address, disabled: 'on' },
      deleteMailboxAction: { address: target.address, confirmAddress: target.address },
      addAliasAction: { domain: target.domain, localPart: 'intruder', targets: 'carol@primary.test' },
      removeAliasAction: { address: 'team@carol.test'.replace('carol.test', target.domain) },
      setDomainSuspendedAction: { domain: target.domain, suspended: 'on' },
      removeDomainAction: { domain: target.domain, confirmName: target.domain },
      addDomainAdminAction: { domain: target.domain, address: 'carol@primary.test' },
      removeDomainAdminAction: { domain: target.domain, address: target.address },
      retryQueueEntryAction: { id: '1' },
      deleteQueueEntryAction: { id: '1' },
      liftSendLimitAction: { id: '1' },
    };
    const actions = serverActions({ domain: 'carol.test' });
    const adminActions = actions.filter((a) => a.name in attempts);
    assert.equal(adminActions.length, Object.keys(attempts).length, `actions in the build: ${actions.map((a) => a.name).join(', ')}`);
    for (const action of adminActions) {
      const answer = await callServerAction(platform.base, action, attempts[action.name], cookie);
      assert.equal(answer.httpStatus, 404, `${action.name}: ${answer.httpStatus} ${answer.body.slice(0, 300)}`);
      assert.equal(answer.state, null, `${action.name} answered no result`);
      // Signed out, the same request is sent to sign in and does nothing either.
      const anonymous = await callServerAction(platform.base, action, attempts[action.name]);
      assert.equal(anonymous.state, null, `${action.name} signed out`);
      assert.match(anonymous.redirect ?? '', /\/login/, `${action.name} signed out: ${anonymous.httpStatus}`);
    }
    // Nothing changed: the admin can still sign in, the domain still works.
    const check = await newPage();
    try {
      assert.equal(await signIn(check.page, 'boss@primary.test', PASSWORD), 'signed in');
      await open(check.page, '/admin');
      const rows = await check.page.getByTestId('all-domains').textContent();
      assert.match(rows ?? '', /primary\.testactive/);
      assert.doesNotMatch((await check.page.getByTestId('all-accounts').textContent()) ?? '', /intruder/);
    } finally {
      await check.context.close();
    }
  });

  it('the platform admin sees storage, the queue and the delivery log, and suspends an account', { timeout: 60_000 }, async () => {
    const { page } = admin;
    await open(page, '/admin');
    const accounts = (await page.getByTestId('all-accounts').innerText()).replace(/\s+/g, ' ');
    assert.match(accounts, /dave@carol\.test user \d+ KB of 100\.0 MB active/);
    assert.match((await page.getByTestId('all-domains').innerText()).replace(/\s+/g, ' '), /carol\.test active 1 1 \d+ KB/);

    await open(page, '/admin/log?q=team%40carol.test');
    assert.match(await page.getByTestId('delivery-log').innerText(), /team@carol\.test/);
    await open(page, `/admin/log?q=${aliasMailReceivedId}`);
    const traced = await page.getByTestId('delivery-log').innerText();
    assert.match(traced, /^[1-9]\d* matching/);
    assert.match(traced, new RegExp(`inbound[\\s\\S]*team@carol\\.test[\\s\\S]*${aliasMailReceivedId}`));
    await open(page, '/admin/log?q=nobody-at-all');
    assert.match(await page.getByTestId('delivery-log').innerText(), /^0 matching/);
    // dave goes over a sending limit (the submission path's own function, on the platform's database).
    const store = createMailStore(await openDatabase(`file:${join(platform.dataDir, 'mail.db')}`));
    try {
      const dave = await store.database.prisma.account.findUniqueOrThrow({ where: { address: 'dave@carol.test' } });
      const tight = { messagesPerHour: 1, recipientsPerDay: 100 };
      await countSubmission(store, tight, dave.id, 1);
      await assert.rejects(countSubmission(store, tight, dave.id, 1), /451|Sending limit reached/);
      await open(page, '/admin/queue');
      await page.getByTestId('queue').waitFor();
      const limited = page.getByTestId('send-limit-dave@carol.test');
      assert.match(await limited.innerText(), /dave@carol\.test\s+at most 1 messages per hour, hit \d{4}-/);
      await submit(page, 'send-limit-dave@carol.test', 'Lift limit');
      await page.getByTestId('send-limits').waitFor({ state: 'detached' });
      assert.deepEqual(await listLimitedAccounts(store), []);
      await countSubmission(store, tight, dave.id, 1);
    } finally {
      await closeMailStore(store);
    }

    await open(page, '/admin');
    const row = page.getByTestId('all-accounts').locator('tr', { hasText: 'dave@carol.test' });
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && Boolean(r.request().headers()['next-action']));
    await row.getByRole('button', { name: 'Suspend' }).click();
    await answered;
    await row.getByText('suspended').waitFor();
    const client = new ImapFlow({ host: '127.0.0.1', port: platform.imapPort, secure: false, tls: { rejectUnauthorized: false }, auth: { user: 'dave@carol.test', pass: DAVE_PASSWORD }, logger: false });
    client.on('error', () => undefined);
    await assert.rejects(client.connect(), 'a suspended account cannot sign in over IMAP');
  });

  it('the domain admin deletes a mailbox only after confirming its address', { timeout: 60_000 }, async () => {
    const { page } = carol;
    await open(page, '/domains/carol.test');
    const row = page.getByTestId('mailbox-dave@carol.test');
    // Row actions sit in the row's menu.
    await row.getByText('Manage').click();
    await row.getByLabel('Type the address to delete').fill('dave');
    let answered = page.waitForResponse((r) => r.request().method() === 'POST' && Boolean(r.request().headers()['next-action']));
    await row.getByRole('button', { name: 'Delete' }).click();
    await answered;
    await row.getByTestId('error-confirmAddress').filter({ hasText: 'Type dave@carol.test to confirm.' }).waitFor();
    await row.getByLabel('Type the address to delete').fill('dave@carol.test');
    answered = page.waitForResponse((r) => r.request().method() === 'POST' && Boolean(r.request().headers()['next-action']));
    await row.getByRole('button', { name: 'Delete' }).click();
    await answered;
    await row.waitFor({ state: 'detached' });
  });

  it('a domain is removed only when it has no mailboxes or aliases, and only after typing its name', { timeout: 60_000 }, async () => {
    const { page } = carol;
    await open(page, '/domains/carol.test');
    const form = page.getByTestId('remove-domain-form');
    await form.getByLabel('Type carol.test to confirm').fill('carol');
    await submit(page, 'remove-domain-form', 'Remove domain');
    assert.equal(await fieldError(page, 'confirmName', 'remove-domain-form'), 'Type carol.test to confirm.');
    await form.getByLabel('Type carol.test to confirm').fill('carol.test');
    await submit(page, 'remove-domain-form', 'Remove domain');
    await form.getByTestId('form-message').filter({ hasText: /still has \d+ account\(s\) and \d+ alias\(es\); remove them first/ }).waitFor();

    await open(page, '/domains');
    await page.getByTestId('add-domain').getByLabel('Domain name').fill('passing.test');
    await submit(page, 'add-domain', 'Add domain');
    await arrive(page, '**/domains/passing.test/dns');
    await open(page, '/domains/passing.test');
    // Its admins: the one who added it, never removed while the last one; another account added and removed.
    const admins = page.getByTestId('domain-admins');
    await admins.getByTestId('domain-admin-carol@primary.test').waitFor();
    let answered = page.waitForResponse((r) => r.request().method() === 'POST' && Boolean(r.request().headers()['next-action']));
    await admins.getByTestId('domain-admin-carol@primary.test').getByRole('button', { name: 'Remove' }).click();
    await answered;
    await admins.getByTestId('form-message').filter({ hasText: 'carol@primary.test is the last administrator of passing.test; add another one first.' }).waitFor();
    await admins.getByLabel('Address of an existing account').fill('nobody@primary.test');
    await submit(page, 'add-domain-admin', 'Add domain admin');
    assert.equal(await fieldError(page, 'address', 'add-domain-admin'), 'There is no account nobody@primary.test.');
    await admins.getByLabel('Address of an existing account').fill('boss@primary.test');
    await submit(page, 'add-domain-admin', 'Add domain admin');
    const boss = admins.getByTestId('domain-admin-boss@primary.test');
    await boss.waitFor();
    answered = page.waitForResponse((r) => r.request().method() === 'POST' && Boolean(r.request().headers()['next-action']));
    await boss.getByRole('button', { name: 'Remove' }).click();
    await answered;
    await boss.waitFor({ state: 'detached' });
    await page.getByTestId('remove-domain-form').getByLabel('Type passing.test to confirm').fill('passing.test');
    await page.getByTestId('remove-domain-form').getByRole('button', { name: 'Remove domain' }).click();
    await arrive(page, '**/domains');
    assert.equal((await fetch(`${platform.base}/domains/passing.test`, { headers: { cookie: await cookieHeader(carol.context) }, redirect: 'manual' })).status, 404);
  });

  it('signup is rate-limited per client address', { timeout: 60_000 }, async () => {
    const { context, page } = await newPage();
    try {
      await open(page, '/signup');
      let message = '';
      for (let i = 0; i < 12 && !/Too many signups/.test(message); i++) {
        await page.getByLabel('Name before the @').fill('postmaster');
        await page.getByLabel('Password').fill(PASSWORD);
        await submit(page, null, 'Sign up');
        await page.getByTestId('form-message').waitFor();
        await page.waitForTimeout(50);
        message = (await page.getByTestId('form-message').textContent()) ?? '';
      }
      assert.match(message, /Too many signups from your address; try again in \d+ minutes?\./);
      // A made-up X-Forwarded-For does not make a new client address (no TRUST_PROXY here).
      await page.setExtraHTTPHeaders({ 'x-forwarded-for': '203.0.113.77' });
      await page.getByLabel('Password').fill(`${PASSWORD} again`);
      await submit(page, null, 'Sign up');
      await page.waitForTimeout(50);
      assert.match((await page.getByTestId('form-message').textContent()) ?? '', /Too many signups from your address/);
    } finally {
      await context.close();
    }
  });

  it('everything above ran under the Content-Security-Policy without a violation', () => {
    assert.deepEqual(platform.cspViolations(), []);
  });
});

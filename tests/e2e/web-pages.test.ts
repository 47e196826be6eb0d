// Every page of the web app in Debian's Chromium, as a new admin and a new
// user meet them (tests/e2e/web-tour.ts): setup and sign-in land in the
// inbox; one navigation on every signed-in page with the current place
// marked; titles that say where you are; at 390x844 no page is wider than
// the screen; axe-core finds no serious or critical violation at 390 px or
// at 1280 px; and reading, replying and sending work with the keyboard alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { startPlatform, type Platform } from './platform-fixture.ts';
import type { MailStore } from '../../mail-daemon/store/context.ts';
import { addDomain } from '../../mail-daemon/domains/domains.ts';
import { createAccount } from '../../mail-daemon/accounts/accounts.ts';
import { addAlias } from '../../mail-daemon/aliases/aliases.ts';
import { setForwarding } from '../../mail-daemon/settings/account-settings.ts';
import { ADMIN, DESKTOP, TOUR_PASSWORD, arrive, PHONE, TOUR, USER, closeTour, documentWidth, seedTour, setUpThroughThePage, signedInContext, visit, type TourStop } from './web-tour.ts';

async function seriousViolations(page: Page): Promise<string[]> {
  // The message body's frame is the sender's HTML in a sandbox without
  // scripts: axe cannot run in it, and it is not our markup. Legacy mode runs
  // axe in the page itself, without the blank page finishRun would open.
  const results = await new AxeBuilder({ page }).setLegacyMode().options({ iframes: false }).exclude('[data-testid=message-frame]').analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** 1,000 mailboxes and 1,000 aliases, made through the domain functions as mailctl makes them, four at a time. */
async function seedBigDomain(store: MailStore): Promise<void> {
  await addDomain(store, 'big.test', { verified: true });
  const local = (i: number) => `user${String(i).padStart(4, '0')}`;
  for (let i = 0; i < 1000; i += 4) {
    await Promise.all([0, 1, 2, 3].map((j) => createAccount(store, { address: `${local(i + j)}@big.test`, password: TOUR_PASSWORD, displayName: i + j === 777 ? 'Lucky Seven' : '' })));
  }
  for (let i = 0; i < 1000; i++) await addAlias(store, `list${String(i).padStart(4, '0')}@big.test`, [`${local(i)}@big.test`]);
}

describe('the pages of the web app', { timeout: 1_200_000 }, () => {
  let platform: Platform;
  let store: MailStore;
  let bigDomain: Promise<void> = Promise.resolve();
  const contexts: BrowserContext[] = [];

  before(async () => {
    platform = await startPlatform();
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    if (store) await closeTour(store);
    await platform?.stop();
  });

  it('setup fits a phone, passes axe, and lands the new admin in the inbox', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      const context = await platform.browser.newContext({ baseURL: platform.base, viewport });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto('/setup', { waitUntil: 'networkidle' });
      assert.equal(await page.title(), 'Set up');
      if (viewport === PHONE) {
        const { document, viewport: width } = await documentWidth(page);
        assert.ok(document <= width, `setup is ${document} px wide at ${width}`);
      }
      assert.deepEqual(await seriousViolations(page), [], `setup at ${viewport.width} px`);
      if (viewport === DESKTOP) {
        await setUpThroughThePage(page);
        assert.match(new URL(page.url()).pathname, /^\/mail\/\d+$/);
        // Setup sends the admin a welcome message.
        await page.waitForFunction(() => document.title === 'Inbox (1) · admin@example.test');
        assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mail' }).getAttribute('aria-current'), 'page');
      }
    }
    store = await seedTour(platform);
    // The big domain fills while the other tests run (each mailbox hashes a password).
    bigDomain = seedBigDomain(store);
    bigDomain.catch(() => undefined);
  });

  it('sign-in and signup land in the inbox', async () => {
    const context = await signedInContext(platform.browser, platform.base, 'user', { viewport: DESKTOP });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/', { waitUntil: 'load' });
    assert.match(new URL(page.url()).pathname, /^\/mail\/\d+$/);

    await store.database.prisma.domain.update({ where: { name: 'example.test' }, data: { signupOpen: true } });
    const fresh = await platform.browser.newContext({ baseURL: platform.base, viewport: DESKTOP });
    contexts.push(fresh);
    const signup = await fresh.newPage();
    await signup.goto('/signup', { waitUntil: 'networkidle' });
    await signup.waitForFunction(() => document.querySelector('form[data-hydrated="true"]'));
    await signup.getByLabel('Name before the @').fill('newbie');
    await signup.getByLabel('Password').fill('a long phrase of my own 9');
    await signup.getByRole('button', { name: 'Sign up' }).click();
    await arrive(signup, '**/mail/*');
    await signup.waitForFunction(() => document.title === 'Inbox (1) · newbie@example.test');
  });

  it('one navigation on every signed-in page, the current place marked; titles say where you are', async () => {
    const titles: Record<string, string> = {
      inbox: 'Inbox (4) · admin@example.test',
      settings: 'Settings',
      domains: 'Domains',
      domain: 'example.test · Domains',
      dns: 'DNS · example.test · Domains',
      platform: 'Platform',
      queue: 'Queue · Platform',
      'delivery-log': 'Delivery log · Platform',
      'user-inbox': 'Inbox (1) · bob@example.test',
      'user-settings': 'Settings',
      'sign-in': 'Sign in',
      'sign-up': 'Sign up',
    };
    const current: Record<string, string> = { inbox: 'Mail', settings: 'Settings', domains: 'Domains', domain: 'Domains', dns: 'Domains', platform: 'Platform', queue: 'Platform', 'delivery-log': 'Platform', 'user-inbox': 'Mail', 'user-settings': 'Settings' };
    const byRole = new Map<string, BrowserContext>();
    for (const stop of TOUR.filter((s) => titles[s.name])) {
      if (!byRole.has(stop.as)) byRole.set(stop.as, await signedInContext(platform.browser, platform.base, stop.as, { viewport: DESKTOP }));
      const page = await byRole.get(stop.as)!.newPage();
      await visit(page, stop);
      await page.waitForFunction((t) => document.title === t, titles[stop.name]).catch(async () => assert.equal(await page.title(), titles[stop.name], stop.name));
      if (stop.as !== 'signed-out') {
        const nav = page.getByRole('navigation', { name: 'Main' });
        const links = await nav.getByRole('link').allTextContents();
        assert.deepEqual(links, stop.as === 'admin' ? ['Mail', 'Settings', 'Domains', 'Platform'] : ['Mail', 'Settings'], stop.name);
        assert.deepEqual(await nav.locator('a[aria-current=page]').allTextContents(), [current[stop.name]], stop.name);
      }
      await page.close();
    }
    for (const context of byRole.values()) await context.close();
  });

  it('every page fits a 390 px screen, and axe finds no serious or critical violation at 390 and 1280 px', async () => {
    const report: string[] = [];
    const problems: string[] = [];
    for (const viewport of [PHONE, DESKTOP]) {
      const byRole = new Map<TourStop['as'], BrowserContext>();
      for (const stop of TOUR) {
        if (!byRole.has(stop.as)) byRole.set(stop.as, await signedInContext(platform.browser, platform.base, stop.as, { viewport }));
        const page = await byRole.get(stop.as)!.newPage();
        await visit(page, stop);
        const { document, viewport: width } = await documentWidth(page);
        const violations = await seriousViolations(page);
        report.push(`${stop.name.padEnd(14)} ${String(viewport.width).padStart(4)} px: document ${document} px, axe serious/critical: ${violations.length}`);
        if (document > width) problems.push(`${stop.name} is ${document} px wide at ${width} px`);
        for (const v of violations) problems.push(`${stop.name} at ${viewport.width} px: ${v}`);
        await page.close();
      }
      for (const context of byRole.values()) await context.close();
    }
    console.log(report.join('\n'));
    assert.deepEqual(problems, []);
  });

  it('keyboard only: open a message, reply, send', async () => {
    const context = await signedInContext(platform.browser, platform.base, 'user', { viewport: DESKTOP });
    contexts.push(context);
    const page = await context.newPage();
    await visit(page, { name: 'user-inbox', as: 'user', path: '/mail' });
    // Tab from the top of the page to the first message, as a keyboard user does.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid=message-row]')))) break;
    }
    assert.ok(await page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid=message-row]'))), 'Tab reaches the message list');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=reader-subject]', { hasText: 'Welcome aboard' }).waitFor();
    await page.keyboard.press('r');
    const composer = page.locator('[data-testid=composer]');
    await composer.waitFor();
    // The caret is in the body, above the quote: typing goes there at once.
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'compose-body');
    await page.keyboard.type('Thanks, glad to be here.');
    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=notice]', { hasText: 'Message sent' }).waitFor();
    // The reply reaches the admin, the new words first, above the quote.
    let reply = null;
    for (let i = 0; i < 100 && !reply; i++) {
      reply = await store.database.prisma.message.findFirst({ where: { subject: 'Re: Welcome aboard', mailbox: { account: { address: ADMIN } } } });
      if (!reply) await new Promise((wake) => setTimeout(wake, 100));
    }
    assert.ok(reply, `${USER}'s reply reached ${ADMIN}`);
    assert.match(reply.preview, /^Thanks, glad to be here\./);
  });

  it('search takes from:, subject:, is:, has: and in:, and the Options panel writes the same words', async () => {
    const context = await signedInContext(platform.browser, platform.base, 'admin', { viewport: DESKTOP });
    contexts.push(context);
    const page = await context.newPage();
    await visit(page, { name: 'inbox', as: 'admin', path: '/mail' });
    const search = async (query: string) => {
      await page.getByTestId('search').fill(query);
      await page.getByTestId('search').press('Enter');
      await page.getByText('Search results').waitFor();
    };
    await search('from:bob subject:lunch');
    await page.getByTestId('message-row').filter({ hasText: 'Lunch on Friday?' }).waitFor();
    assert.equal(await page.getByTestId('message-row').count(), 1);
    await search('has:attachment in:inbox');
    await page.getByTestId('message-row').filter({ hasText: 'Monthly report' }).waitFor();
    assert.equal(await page.getByTestId('message-row').count(), 1);
    await search('from:"Bob Builder" river');
    await page.getByTestId('message-row').filter({ hasText: 'Lunch on Friday?' }).waitFor();
    assert.equal(await page.getByTestId('message-row').count(), 1);

    await page.getByTestId('search').fill('report');
    await page.getByRole('button', { name: 'Options' }).click();
    await page.getByTestId('search-from').fill('newsletter');
    assert.equal(await page.getByTestId('search').inputValue(), 'report from:newsletter');
    await page.getByLabel('Has attachment').check();
    await page.getByLabel('Only this folder').check();
    assert.equal(await page.getByTestId('search').inputValue(), 'report from:newsletter has:attachment in:INBOX');
    await page.getByTestId('search-from').fill('');
    assert.equal(await page.getByTestId('search').inputValue(), 'report has:attachment in:INBOX');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByTestId('message-row').filter({ hasText: 'Monthly report' }).waitFor();
    assert.equal(await page.getByTestId('message-row').count(), 1);
  });

  it('settings show forwarding, vacation, filters and two-factor at a glance, and a setup hint is not a success', async () => {
    const admin = await store.database.prisma.account.findUniqueOrThrow({ where: { address: ADMIN } });
    await setForwarding(store, admin, 'archive@elsewhere.example', true);
    const context = await signedInContext(platform.browser, platform.base, 'admin', { viewport: DESKTOP });
    contexts.push(context);
    const page = await context.newPage();
    await visit(page, { name: 'settings', as: 'admin', path: '/settings' });
    const status = (section: string) => page.getByTestId(section).getByTestId('section-status').textContent();
    assert.equal(await status('forwarding'), 'On: to archive@elsewhere.example, keeping a copy');
    assert.equal(await status('vacation'), 'Off');
    assert.equal(await status('filters'), 'None');
    assert.equal(await status('two-factor'), 'Off');
    await page.getByTestId('two-factor').getByRole('button', { name: 'Set up' }).click();
    const hint = page.getByTestId('two-factor').getByTestId('form-message');
    await hint.filter({ hasText: 'Scan the code' }).waitFor();
    assert.equal(await hint.getAttribute('data-tone'), 'hint');
  });

  it('the selection toolbar stays inside the message list at 1280 px, beside an open message', async () => {
    const context = await signedInContext(platform.browser, platform.base, 'admin', { viewport: DESKTOP });
    contexts.push(context);
    const page = await context.newPage();
    await visit(page, TOUR.find((s) => s.name === 'reading')!);
    await page.getByTestId('message-row').first().getByRole('checkbox').check();
    await page.getByTestId('message-row').nth(1).getByRole('checkbox').check();
    const toolbar = page.getByTestId('selection-toolbar');
    await toolbar.waitFor();
    const box = (await toolbar.boundingBox())!;
    const list = (await page.getByRole('region', { name: 'Messages' }).boundingBox())!;
    const reader = (await page.getByTestId('reader').boundingBox())!;
    assert.ok(box.x >= list.x && box.x + box.width <= list.x + list.width + 0.5, `toolbar ${JSON.stringify(box)} inside the list ${JSON.stringify(list)}`);
    assert.ok(box.x + box.width <= reader.x + 0.5, 'the toolbar does not reach into the reading pane');
    // Every control of the toolbar is inside it, none pushed out.
    for (const control of await toolbar.locator('button, select').all()) {
      const b = (await control.boundingBox())!;
      assert.ok(b.x >= box.x - 0.5 && b.x + b.width <= box.x + box.width + 0.5 && b.y >= box.y - 0.5 && b.y + b.height <= box.y + box.height + 0.5, `${await control.textContent()} inside the toolbar`);
    }
  });

  it('compose: suggestions from your domain as you type, and undo send', async () => {
    const context = await signedInContext(platform.browser, platform.base, 'user', { viewport: DESKTOP });
    contexts.push(context);
    const page = await context.newPage();
    await visit(page, { name: 'user-inbox', as: 'user', path: '/mail' });
    await page.getByTestId('compose').click();
    const composer = page.getByTestId('composer');
    await composer.locator('input[name=to]').pressSequentially('ca');
    // carol is a mailbox of bob's domain; sales@ one of its aliases.
    await page.waitForFunction(() => [...document.querySelectorAll('#address-suggestions option')].some((o) => (o as HTMLOptionElement).value === 'Carol <carol@example.test>'));
    await composer.locator('input[name=to]').fill('sa');
    await composer.locator('input[name=to]').pressSequentially('l');
    await page.waitForFunction(() => [...document.querySelectorAll('#address-suggestions option')].some((o) => (o as HTMLOptionElement).value === 'sales@example.test'));

    await composer.locator('input[name=to]').fill('carol@example.test');
    await composer.locator('input[name=subject]').fill('Taken back');
    await composer.getByTestId('compose-body').click();
    await page.keyboard.type('On second thought.');
    await composer.getByTestId('send').click();
    await page.getByTestId('undo-send').getByRole('button', { name: 'Undo' }).click();
    // The composer is back as it was, and nothing went out.
    await composer.getByTestId('compose-body').filter({ hasText: 'On second thought.' }).waitFor();
    assert.equal(await composer.locator('input[name=subject]').inputValue(), 'Taken back');
    await new Promise((wake) => setTimeout(wake, 6000));
    assert.equal(await store.database.prisma.message.count({ where: { subject: 'Taken back', mailbox: { account: { address: 'carol@example.test' } } } }), 0);
    await composer.getByTestId('send').click();
    await page.getByTestId('notice').filter({ hasText: 'Message sent' }).waitFor();
    let arrived = 0;
    for (let i = 0; i < 100 && arrived === 0; i++) {
      arrived = await store.database.prisma.message.count({ where: { subject: 'Taken back', mailbox: { account: { address: 'carol@example.test' }, specialUse: '\\Inbox' } } });
      if (arrived === 0) await new Promise((wake) => setTimeout(wake, 100));
    }
    assert.equal(arrived, 1);
  });

  it('a domain with 1,000 mailboxes and 1,000 aliases: searched and paged, row actions in a menu, your own row protected', async () => {
    await bigDomain;

    const context = await signedInContext(platform.browser, platform.base, 'admin', { viewport: DESKTOP });
    contexts.push(context);
    const page = await context.newPage();
    await visit(page, { name: 'big', as: 'admin', path: '/domains/big.test' });
    assert.equal(await page.getByTestId('mp-range').textContent(), '1–50 of 1,000 mailboxes');
    assert.equal(await page.getByTestId('ap-range').textContent(), '1–50 of 1,000 aliases');
    assert.equal(await page.getByTestId('mailboxes').locator('tbody tr').count(), 50);
    assert.equal(await page.getByTestId('aliases').locator('tbody tr').count(), 50);

    await page.getByTestId('mailboxes').getByRole('link', { name: 'Next' }).click();
    await page.getByTestId('mailbox-user0050@big.test').waitFor();
    assert.equal(await page.getByTestId('mp-range').textContent(), '51–100 of 1,000 mailboxes');

    await page.getByRole('searchbox', { name: 'Search mailboxes' }).fill('lucky');
    await page.getByRole('searchbox', { name: 'Search mailboxes' }).press('Enter');
    await page.getByTestId('mailbox-user0777@big.test').waitFor();
    assert.equal(await page.getByTestId('mp-range').textContent(), '1–1 of 1 mailboxes');
    await page.getByRole('searchbox', { name: 'Search aliases' }).fill('list099');
    await page.getByRole('searchbox', { name: 'Search aliases' }).press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=ap-range]')?.textContent === '1–10 of 10 aliases');
    // The mailbox search is kept while the aliases are searched.
    assert.equal(await page.getByTestId('mp-range').textContent(), '1–1 of 1 mailboxes');

    // Row actions live in a menu, closed until asked for; the display name and storage show in the row.
    const row = page.getByTestId('mailbox-user0777@big.test');
    assert.match((await row.textContent()) ?? '', /Lucky Seven/);
    assert.match((await row.textContent()) ?? '', /0 KB of 5\.0 GB/);
    assert.equal(await row.getByLabel('New password').isVisible(), false);
    await row.getByText('Manage').click();
    assert.equal(await row.getByLabel('New password').isVisible(), true);
    assert.equal(await row.getByRole('button', { name: 'Delete' }).isVisible(), true);
    assert.deepEqual(await seriousViolations(page), []);

    // Your own row offers no Disable or Delete at all.
    await visit(page, { name: 'own', as: 'admin', path: '/domains/example.test' });
    const own = page.getByTestId(`mailbox-${ADMIN}`);
    await own.getByText('Manage').click();
    assert.equal(await own.getByRole('button', { name: 'Delete' }).count(), 0);
    assert.equal(await own.getByRole('button', { name: 'Disable' }).count(), 0);
    await own.getByText('Your own mailbox cannot be disabled or deleted here.').waitFor();
  });

  it('serves the MTA-STS policy (RFC 8461) to mta-sts.<domain> of a verified domain only', async () => {
    const get = (host: string) =>
      new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const url = new URL('/.well-known/mta-sts.txt', platform.base);
        const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
        });
        req.on('error', reject);
        req.end();
      });
    assert.deepEqual(await get('mta-sts.example.test'), {
      status: 200,
      type: 'text/plain; charset=utf-8',
      body: 'version: STSv1\r\nmode: testing\r\nmx: mail.e2e.test\r\nmax_age: 604800\r\n',
    });
    assert.equal((await get('MTA-STS.Example.Test:443')).status, 200);
    assert.equal((await get('mta-sts.newcomer.test')).status, 404, 'an unverified domain has no policy');
    assert.equal((await get('mta-sts.nowhere.test')).status, 404);
    assert.equal((await get('example.test')).status, 404);
  });
});

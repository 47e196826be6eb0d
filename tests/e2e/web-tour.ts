// A tour of every page of the web app, shared by the e2e tests of the pages
// (phone width, accessibility) and by `npm run screenshots`: the platform is
// set up through its own setup page, then filled through the domain
// functions (a second domain, users, aliases) and real SMTP (a few messages,
// one with a very long unbroken subject and preview), and each stop names a
// page and how to reach its state (a message open, the composer open).
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openDatabase } from '../../prisma/database.ts';
import { closeMailStore, createMailStore, type MailStore } from '../../mail-daemon/store/context.ts';
import { addDomain } from '../../mail-daemon/domains/domains.ts';
import { createAccount } from '../../mail-daemon/accounts/accounts.ts';
import { addAlias } from '../../mail-daemon/aliases/aliases.ts';
import { deliverMessage } from '../../mail-daemon/store/deliver.ts';
import type { Platform } from './platform-fixture.ts';

export const TOUR_PASSWORD = 'a long secret for the tour';
export const ADMIN = 'admin@example.test';
export const USER = 'bob@example.test';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

export interface TourStop {
  name: string;
  /** Who looks at it: nobody, the platform admin, or a plain user. */
  as: 'signed-out' | 'admin' | 'user';
  path: string;
  /** After the page loaded: bring it to the state to look at. */
  then?: (page: Page) => Promise<void>;
}

/** Waits for a page; on failure says what the page showed instead. */
export async function arrive(page: Page, pattern: string): Promise<void> {
  try {
    await page.waitForURL(pattern, { timeout: 45_000 });
  } catch (error) {
    const text = await page.locator('body').innerText().catch(() => '');
    throw new Error(`${(error as Error).message}\nat ${page.url()}:\n${text.slice(0, 1500)}`);
  }
}

/** Setup through the page, as a new admin does it; ends in the admin's inbox. */
export async function setUpThroughThePage(page: Page): Promise<void> {
  await page.goto('/setup', { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelectorAll('form[data-hydrated="false"]').length === 0);
  await page.getByLabel('Primary domain').fill('example.test');
  await page.getByLabel('Your address (before the @)').fill('admin');
  await page.getByLabel('Your name').fill('Ada Admin');
  await page.getByLabel('Password').fill(TOUR_PASSWORD);
  await page.getByRole('button', { name: 'Create' }).click();
  await arrive(page, '**/mail/*');
}

/** The rest of the tour's data, through the domain functions and SMTP. */
export async function seedTour(platform: Pick<Platform, 'dataDir' | 'smtpPort'>, smtpHost = '127.0.0.1'): Promise<MailStore> {
  const store = createMailStore(await openDatabase(`file:${join(platform.dataDir, 'mail.db')}`));
  await addDomain(store, 'newcomer.test', { verified: false });
  await createAccount(store, { address: USER, password: TOUR_PASSWORD, displayName: 'Bob Builder' });
  await createAccount(store, { address: 'carol@example.test', password: TOUR_PASSWORD, displayName: 'Carol', role: 'domain_admin' });
  await addAlias(store, 'sales@example.test', [ADMIN, USER]);
  const smtp = nodemailer.createTransport({ host: smtpHost, port: platform.smtpPort, secure: false, ignoreTLS: true });
  const unbroken = 'https://example.test/a-very-long-link-that-does-not-break-anywhere/' + 'x'.repeat(300);
  // From outside: port 25 refuses a hosted sender domain without SPF or DKIM.
  const mails = [
    { from: '"Bob Builder" <bob@builders.example>', subject: 'Lunch on Friday?', text: 'Shall we try the new place by the river? It opens at noon.' },
    { from: '"Carol" <carol@remote.example>', subject: `A subject that goes on ${'and on '.repeat(30)}`, text: unbroken },
    { from: 'newsletter@news.example', subject: 'Monthly report', html: '<h1>Report</h1><p>Numbers went <b>up</b>.</p>', attachments: [{ filename: 'report.csv', content: 'a,b\n1,2\n' }] },
  ];
  for (const mail of mails) await smtp.sendMail({ to: ADMIN, ...mail });
  smtp.close();
  // From the admin to Bob, inside the platform: delivered by the store, as the web's own sending does.
  const bob = await store.database.prisma.account.findUniqueOrThrow({ where: { address: USER } });
  const welcome = ['From: "Ada Admin" <admin@example.test>', `To: ${USER}`, 'Subject: Welcome aboard', `Message-ID: <welcome-aboard@example.test>`, `Date: ${new Date().toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '', 'Hello Bob, welcome.', ''].join('\r\n');
  await deliverMessage(store, Buffer.from(welcome), [{ accountId: bob.id }]);
  return store;
}

export async function closeTour(store: MailStore): Promise<void> {
  await closeMailStore(store).catch(() => undefined);
}

export async function signedInContext(
  browser: Browser,
  base: string,
  as: TourStop['as'],
  options: { viewport: { width: number; height: number }; colorScheme?: 'light' | 'dark' },
): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: base, viewport: options.viewport, colorScheme: options.colorScheme ?? 'light' });
  context.setDefaultTimeout(45_000);
  if (as === 'signed-out') return context;
  const page = await context.newPage();
  await page.goto('/login', { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('form[data-hydrated="true"]'), undefined, { timeout: 60_000 });
  await page.getByLabel('Address').fill(as === 'admin' ? ADMIN : USER);
  await page.getByLabel('Password').fill(TOUR_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await arrive(page, '**/mail/*');
  await page.close();
  return context;
}

const openFirstMessage = async (page: Page) => {
  await page.locator('[data-testid=message-row]', { hasText: 'Lunch on Friday?' }).locator('button').first().click();
  await page.locator('[data-testid=reader]').waitFor();
};

const openComposer = async (page: Page) => {
  const compose = page.locator('[data-testid=compose]:visible, button:visible:text-is("Compose")').first();
  await compose.click();
  await page.locator('[data-testid=composer]').waitFor();
};

export const TOUR: TourStop[] = [
  { name: 'sign-in', as: 'signed-out', path: '/login' },
  { name: 'sign-up', as: 'signed-out', path: '/signup' },
  { name: 'inbox', as: 'admin', path: '/mail' },
  { name: 'reading', as: 'admin', path: '/mail', then: openFirstMessage },
  { name: 'compose', as: 'admin', path: '/mail', then: openComposer },
  { name: 'settings', as: 'admin', path: '/settings' },
  { name: 'domains', as: 'admin', path: '/domains' },
  { name: 'domain', as: 'admin', path: '/domains/example.test' },
  { name: 'dns', as: 'admin', path: '/domains/example.test/dns' },
  { name: 'platform', as: 'admin', path: '/admin' },
  { name: 'queue', as: 'admin', path: '/admin/queue' },
  { name: 'delivery-log', as: 'admin', path: '/admin/log' },
  { name: 'user-inbox', as: 'user', path: '/mail' },
  { name: 'user-settings', as: 'user', path: '/settings' },
];

/** Opens a stop and waits until it has settled (hydrated, its state reached). */
export async function visit(page: Page, stop: TourStop): Promise<void> {
  // Not "networkidle": the webmail holds its event stream open.
  await page.goto(stop.path, { waitUntil: 'load' });
  // Generous: on a loaded machine hydration can take a while.
  await page.waitForFunction(() => document.querySelectorAll('[data-hydrated="false"]').length === 0, undefined, { timeout: 60_000 });
  if (stop.then) await stop.then(page);
}

/** How wide the document is against the window: wider means sideways scrolling. */
export function documentWidth(page: Page): Promise<{ document: number; viewport: number }> {
  return page.evaluate(() => ({ document: document.documentElement.scrollWidth, viewport: window.innerWidth }));
}

// `npm run screenshots`: a PNG of every page of the web app (the tour in
// web-tour.ts, setup included) at 390x844 and 1280x800, in the light and the
// dark theme, written to screenshots/ (git ignores it), so a reviewer sees
// them all at once. It runs the platform as the e2e tests do: a fresh data
// directory, loopback ports, Debian's Chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { startPlatform } from './platform-fixture.ts';
import { DESKTOP, PHONE, TOUR, closeTour, seedTour, setUpThroughThePage, signedInContext, visit, type TourStop } from './web-tour.ts';

const out = new URL('../../screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const SIZES = [PHONE, DESKTOP];
const THEMES = ['light', 'dark'] as const;

const platform = await startPlatform();
let written = 0;
try {
  const file = (name: string, width: number, theme: string) => join(out, `${name}-${width}-${theme}.png`);
  for (const viewport of SIZES) {
    for (const colorScheme of THEMES) {
      const context = await platform.browser.newContext({ baseURL: platform.base, viewport, colorScheme });
      const page = await context.newPage();
      await page.goto('/setup', { waitUntil: 'load' });
      await page.screenshot({ path: file('setup', viewport.width, colorScheme), fullPage: true });
      written++;
      await context.close();
    }
  }
  const setup = await platform.browser.newContext({ baseURL: platform.base, viewport: DESKTOP });
  await setUpThroughThePage(await setup.newPage());
  await setup.close();
  const store = await seedTour(platform);
  for (const viewport of SIZES) {
    for (const colorScheme of THEMES) {
      const contexts = new Map<TourStop['as'], BrowserContext>();
      for (const stop of TOUR) {
        if (!contexts.has(stop.as)) contexts.set(stop.as, await signedInContext(platform.browser, platform.base, stop.as, { viewport, colorScheme }));
        const page = await contexts.get(stop.as)!.newPage();
        await visit(page, stop);
        await page.screenshot({ path: file(stop.name, viewport.width, colorScheme), fullPage: true });
        written++;
        await page.close();
      }
      for (const context of contexts.values()) await context.close();
    }
  }
  await closeTour(store);
  console.log(`${written} screenshots in ${out}`);
} finally {
  await platform.stop();
}

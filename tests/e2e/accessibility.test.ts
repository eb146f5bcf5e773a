/**
 * axe-core in Chromium on the reader's page (light and dark, desktop and phone), an
 * entry's own page with its correction history, and the embed page: no serious or critical
 * violations. The console's pages: accessibility-console.test.ts.
 */
import type { Browser } from 'playwright-core';
import type { Entry } from '../../shared/schemas';
import { launchBrowser } from '../support/chromium';
import { closeAll, startServer, type TestServer } from '../support/harness';
import { LOOKS, seedA11yBriefing } from './support/a11y-briefing';
import { newContext, openLive, seriousViolations, serveHostPage } from './support/browser';

let browser: Browser;
let server: TestServer;
let pinned: Entry;
let corrected: Entry;
let withPosts: Entry;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer();
  ({ pinned, corrected, withPosts } = await seedA11yBriefing(server));
});

afterAll(async () => {
  await closeAll();
  await browser.close();
});

test.each([
  ['light', 1280],
  ['dark', 1280],
  ['light', 320],
  ['dark', 375],
] as const)('the reader page in %s at %i px has no serious or critical violations', async (colorScheme, width) => {
  const { context } = await newContext(browser, { colorScheme, viewport: { width, height: 800 } });
  const page = await openLive(context, `${server.url}/b/a11y`);
  expect(await seriousViolations(page)).toEqual([]);
  // Usable at that width: nothing wider than the screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
});

test('an entry page has no serious or critical violations', async () => {
  const { context } = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/b/a11y/e/${pinned.id}`);
  expect(await seriousViolations(page)).toEqual([]);
});

test.each(LOOKS)(
  'embedded posts’ cards on the reader page in %s at %i px have no serious or critical violations',
  async (colorScheme, width) => {
    const { context } = await newContext(browser, { colorScheme, viewport: { width, height: 800 } });
    // Offline: nothing may load from the services anyway, and this page must not need them.
    await context.route(/^https:/, (route) => route.abort());
    const page = await openLive(context, `${server.url}/b/a11y`);
    const cards = page.locator(`#e-${withPosts.id} .lb-post`);
    expect(await cards.count()).toBe(2);
    expect(await cards.first().getByRole('button', { name: 'Show post' }).isVisible()).toBe(true);
    expect(await seriousViolations(page, `#e-${withPosts.id}`)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  },
);

test.each(LOOKS)(
  'a corrected entry’s page and its history in %s at %i px have no serious or critical violations',
  async (colorScheme, width) => {
    const { context } = await newContext(browser, { colorScheme, viewport: { width, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/b/a11y/e/${corrected.id}#history`);
    expect(await page.locator('#history .lb-version').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  },
);

test.each(LOOKS)(
  'a history opened in place on the reader page in %s at %i px has no serious or critical violations',
  async (colorScheme, width) => {
    const { context } = await newContext(browser, { colorScheme, viewport: { width, height: 800 } });
    const page = await openLive(context, `${server.url}/b/a11y`);
    await page.locator(`#e-${corrected.id} .lb-updated`).click();
    await page.locator(`#e-${corrected.id} .lb-history .lb-version`).waitFor({ timeout: 5000 });
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  },
);

test.each(['light', 'dark'] as const)('the embed page in %s has no serious or critical violations', async (theme) => {
  const { context } = await newContext(browser, { colorScheme: theme });
  const page = await context.newPage();
  await page.goto(`${server.url}/embed/a11y?theme=${theme}`);
  await page.locator('live-briefing [data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  expect(await seriousViolations(page)).toEqual([]);
});

test('the list of briefings has no serious or critical violations', async () => {
  const { context } = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  expect(await seriousViolations(page)).toEqual([]);
});

test('the feed is keyboard operable: a control takes focus, shows it, and acts on Enter', async () => {
  const { context } = await newContext(browser);
  const page = await openLive(context, `${server.url}/b/a11y`);
  const keyOnly = page.locator('[data-action="key-only"]');
  await keyOnly.focus();
  await page.keyboard.press('Enter');
  expect(await keyOnly.getAttribute('aria-pressed')).toBe('true');
  expect(await page.locator('[data-lb="feed"] > article').count()).toBe(1);
  // The focus ring is visible.
  expect(await keyOnly.evaluate((element) => getComputedStyle(element).outlineStyle)).toBe('solid');
  await page.keyboard.press('Enter');
  expect(await page.locator('[data-lb="feed"] > article').count()).toBe(5);
});

test('the axe check itself finds what it should (an image without alt text is critical)', async () => {
  const host = await serveHostPage(
    '<!doctype html><html lang="en"><head><title>Broken</title></head><body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>',
  );
  const { context } = await newContext(browser);
  const page = await context.newPage();
  await page.goto(host.url);
  expect(await seriousViolations(page)).toEqual([expect.stringMatching(/^critical image-alt:/)]);
});

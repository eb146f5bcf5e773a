/**
 * axe-core in Chromium on the reader's page (light and dark, desktop and phone), an
 * entry's own page with its correction history, the embed page and every page of the
 * console: no serious or critical violations.
 */
import type { Browser } from 'playwright-core';
import type { Entry } from '../../shared/schemas';
import { launchBrowser } from '../support/chromium';
import { addUser, openBriefing, signInPage } from '../support/console';
import { closeAll, startServer, type TestServer } from '../support/harness';
import { newContext, openLive, seriousViolations, serveHostPage } from './support/browser';

let browser: Browser;
let server: TestServer;
let pinned: Entry;
let corrected: Entry;
let withPosts: Entry;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer();
  // A briefing with every kind of content an entry can have.
  await server.api.post('/api/v1/briefings', {
    slug: 'a11y',
    title: 'Accessible briefing',
    summary: '- First point **in bold**\n- Second point with [a link](https://example.org/)',
  });
  const publish = async (body: Record<string, unknown>): Promise<Entry> =>
    (await server.api.post<{ entry: Entry }>('/api/v1/briefings/a11y/entries', body)).body.entry;
  // A byline with a role line and an avatar, which also puts a list of contributors on the page.
  const reporter = await addUser(server, 'olena', 'Olena Kovalenko', 'contributor');
  await server.app.console.users.update(reporter.id, (current) => ({
    ...current,
    roleLine: 'Kyiv correspondent',
    avatarUrl: 'https://example.org/olena.jpg',
  }));
  await publish({ body: 'A plain update.', authorId: reporter.id });
  await publish({
    title: 'With everything',
    body: 'Text with a [link](https://example.org/more), a list:\n\n- one\n- two\n\n> and a quote',
    keyEvent: true,
    media: [{ url: 'https://example.org/photo.jpg', alt: 'A described photo', caption: 'The caption', credit: 'Photographer' }],
    links: [{ title: 'Related story', url: 'https://example.org/related' }],
    sources: 'With reporting by the desk',
  });
  pinned = await publish({ body: 'Pinned advice for readers.', pinned: true });
  corrected = await publish({
    title: 'Corrected',
    body: 'The first figure was **wrong**.',
    links: [{ title: 'Source', url: 'https://example.org/s' }],
  });
  await server.api.patch(`/api/v1/briefings/a11y/entries/${corrected.id}`, {
    body: 'The figure is now right.',
    media: [{ url: 'https://example.org/chart.png', alt: 'A chart of the figures' }],
  });
  withPosts = await publish({
    title: 'With posts from elsewhere',
    body: 'What was said on other services.',
    embeds: [{ url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }, { url: 'https://x.com/Reuters/status/1790000000000000000' }],
  });
  await addUser(server, 'ada', 'Ada Admin', 'admin');
});

/** The schemes and widths every page is checked at. */
const LOOKS = [
  ['light', 1280],
  ['dark', 1280],
  ['light', 320],
  ['dark', 320],
] as const;
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

test.each(LOOKS)('the console’s sign-in page in %s at %i px has no serious or critical violations', async (colorScheme, width) => {
  const { context } = await newContext(browser, { colorScheme, viewport: { width, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/console`);
  await page.getByLabel('Username').waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
});

describe.each(LOOKS)('the console in %s at %i px', (colorScheme, width) => {
  test.each([
    ['the list of briefings', '#/', 'main .briefing-link'],
    ['a briefing open with the composer', '#/b/a11y', ''],
    ['the people page', '#/users', 'main table'],
    ['the tokens page', '#/tokens', 'main table'],
    ['the webhooks page', '#/webhooks', 'main table'],
    ['the audit page', '#/audit', 'main table'],
    ['your profile', '#/profile', 'main form'],
  ])('%s has no serious or critical violations', async (_name, hash, ready) => {
    const { page } = await signInPage(browser, server.url, 'ada', { viewport: { width, height: 800 }, colorScheme });
    if (hash === '#/b/a11y') {
      await openBriefing(page, 'a11y');
      await page.locator('textarea').first().waitFor();
    } else {
      await page.evaluate((target) => {
        location.hash = target;
      }, hash);
      await page.locator(ready).first().waitFor();
      // the page's rows come from the console API
      await page.waitForLoadState('networkidle');
    }
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  });
});

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

/**
 * Embedded posts in Chromium: the reader page with a YouTube and an X post asks nothing of
 * either service until the reader clicks "Show post", which then opens the player in a
 * sandboxed frame; the card's link works with JavaScript off; the widget does the same in
 * its shadow root. The services are never reached: their addresses are answered by a
 * local stand-in page, so the test runs offline and sees every request that would leave.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { EMBED_SANDBOX } from '../../shared/embeds';
import type { Entry } from '../../shared/schemas';
import { addUser, openBriefing, signInPage } from '../support/console';
import { createBriefing, publish } from '../support/fixtures';
import { feedIds, newContext, openLive, serveHostPage } from './support/browser';
import { browserAndServerPerTest } from './support/fixture';

const e2e = browserAndServerPerTest();

const YOUTUBE = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
const TWEET = 'https://x.com/Reuters/status/1790000000000000000';
const YOUTUBE_FRAME = 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ';
const STAND_IN = '<!doctype html><html><head><title>Stand-in</title></head><body><p id="stand-in">A provider stand-in</p></body></html>';

/**
 * Every request of the context to a host other than the ones named is recorded and answered
 * by the stand-in page (offline); our own service and the test's host page go through.
 */
async function recordForeignRequests(context: BrowserContext, ownHosts: string[]): Promise<string[]> {
  const foreign: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (ownHosts.includes(url.host)) return route.continue();
    foreign.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: STAND_IN });
  });
  return foreign;
}

async function briefingWithPosts(): Promise<string> {
  const { server } = e2e;
  await createBriefing(server.api, 'posts');
  const { entry } = await publish(server.api, 'posts', 'Two posts from elsewhere.', { embeds: [{ url: YOUTUBE }, { url: TWEET }] });
  return entry.id;
}

/** Loads the page fully and lets its scripts settle: whatever would load by itself has been asked for by then. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
}

test('the reader page asks nothing of YouTube or X until "Show post", which opens a sandboxed player', async () => {
  const { browser, server } = e2e;
  const id = await briefingWithPosts();
  const { context, errors } = await newContext(browser);
  const foreign = await recordForeignRequests(context, [new URL(server.url).host]);
  const page = await openLive(context, `${server.url}/b/posts`);
  await settled(page);
  expect(await feedIds(page)).toEqual([id]);
  const cards = page.locator(`#e-${id} .lb-post`);
  expect(await cards.count()).toBe(2);
  expect(await cards.nth(0).locator('.lb-post-provider').textContent()).toBe('YouTube');
  expect(await cards.nth(1).locator('.lb-post-provider').textContent()).toBe('X');

  expect(await page.locator('iframe').count()).toBe(0);
  expect(foreign).toEqual([]);

  await cards.nth(0).getByRole('button', { name: 'Show post' }).click();
  const frame = cards.nth(0).locator('iframe');
  await frame.waitFor({ timeout: 5000 });
  expect(await frame.getAttribute('src')).toBe(YOUTUBE_FRAME);
  expect(await frame.getAttribute('sandbox')).toBe(EMBED_SANDBOX);
  expect(await frame.getAttribute('title')).toBe('Post on YouTube');
  // The stand-in answered for the player, inside the frame (the page's CSP let it in).
  await page.frameLocator(`#e-${id} .lb-post--youtube iframe`).locator('#stand-in').waitFor({ timeout: 5000 });
  await settled(page);
  expect(foreign).toEqual([YOUTUBE_FRAME]);
  // The other post still waits for its own click.
  expect(await cards.nth(1).locator('iframe').count()).toBe(0);
  expect(await cards.nth(1).getByRole('button', { name: 'Show post' }).isVisible()).toBe(true);
  expect(errors).toEqual([]);
});

test('an entry published live shows its cards and loads nothing either', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'later');
  const { context, errors } = await newContext(browser);
  const foreign = await recordForeignRequests(context, [new URL(server.url).host]);
  const page = await openLive(context, `${server.url}/b/later`);
  const { entry } = await publish(server.api, 'later', 'Now with a post.', { embeds: [{ url: 'https://t.me/durov/123' }] });
  const card = page.locator(`#e-${entry.id} .lb-post--telegram`);
  await card.waitFor({ timeout: 2000 });
  await settled(page);
  expect(foreign).toEqual([]);
  // By keyboard: the button takes focus and Enter opens the player, which then has the focus.
  await card.getByRole('button', { name: 'Show post' }).focus();
  await page.keyboard.press('Enter');
  expect(await card.locator('iframe').getAttribute('src')).toBe('https://t.me/durov/123?embed=1');
  expect(await card.locator('iframe').evaluate((frame) => frame === document.activeElement)).toBe(true);
  expect(errors).toEqual([]);
});

test('with JavaScript off the card is a link that leads to the post, and there is no button', async () => {
  const { browser, server } = e2e;
  const id = await briefingWithPosts();
  const { context } = await newContext(browser, { javaScriptEnabled: false });
  const foreign = await recordForeignRequests(context, [new URL(server.url).host]);
  const page = await context.newPage();
  await page.goto(`${server.url}/b/posts/e/${id}`);
  await settled(page);
  expect(foreign).toEqual([]);
  const card = page.locator('.lb-post--youtube');
  expect(await card.getByRole('button', { name: 'Show post' }).isVisible()).toBe(false);
  const link = card.getByRole('link', { name: 'View on YouTube' });
  expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
  await link.click();
  await page.waitForURL(YOUTUBE, { timeout: 5000 });
  expect(await page.locator('#stand-in').textContent()).toBe('A provider stand-in');
  expect(foreign).toEqual([YOUTUBE]);
});

test('in the widget on another site: a card whose link opens a new tab, and the player only after a click', async () => {
  const { browser, server } = e2e;
  const id = await briefingWithPosts();
  const host = await serveHostPage(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="${server.url}/embed.js"></script></head><body><live-briefing slug="posts"></live-briefing></body></html>`);
  const { context, errors } = await newContext(browser);
  const foreign = await recordForeignRequests(context, [new URL(server.url).host, new URL(host.url).host]);
  const page = await context.newPage();
  await page.goto(host.url);
  await page.locator('live-briefing [data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  await settled(page);
  const card = page.locator(`live-briefing [data-id="${id}"] .lb-post--x`);
  expect(await card.getByRole('link', { name: 'View on X' }).getAttribute('target')).toBe('_blank');
  expect(await page.locator('live-briefing iframe').count()).toBe(0);
  expect(foreign).toEqual([]);
  await card.getByRole('button', { name: 'Show post' }).click();
  const frame = card.locator('iframe');
  await frame.waitFor({ timeout: 5000 });
  expect(await frame.getAttribute('src')).toBe('https://platform.twitter.com/embed/Tweet.html?id=1790000000000000000');
  expect(await frame.getAttribute('sandbox')).toBe(EMBED_SANDBOX);
  expect(errors).toEqual([]);
});

test('the console keeps an entry’s embeds through a correction, and its composer publishes new ones with a card in the preview', async () => {
  const { browser, server } = e2e;
  const id = await briefingWithPosts();
  await addUser(server, 'olena', 'Olena Kovalenko', 'editor');
  const { page } = await signInPage(browser, server.url, 'olena');
  const foreign = await recordForeignRequests(page.context(), [new URL(server.url).host]);
  await openBriefing(page, 'posts');
  const item = page.locator(`.feed .entry[data-entry="${id}"]`);
  expect(await item.locator('.entry-embed .label').allTextContents()).toEqual(['YouTube', 'X']);

  await item.getByRole('button', { name: 'Edit' }).click();
  const embedsField = page.getByLabel('Embedded posts');
  expect(await embedsField.inputValue()).toBe(`${YOUTUBE}\n${TWEET}`);
  await page.getByLabel('Text', { exact: true }).fill('Two posts from elsewhere, corrected.');
  await page.getByRole('button', { name: 'Save correction' }).click();
  await page.getByText('Correction saved. Readers see it as updated.').waitFor();
  const corrected = (await server.api.get<{ entry: Entry }>(`/api/v1/briefings/posts/entries/${id}`)).body.entry;
  expect(corrected.body).toBe('Two posts from elsewhere, corrected.');
  expect(corrected.embeds).toEqual([
    { url: YOUTUBE, provider: 'youtube' },
    { url: TWEET, provider: 'x' },
  ]);

  await page.getByLabel('Text', { exact: true }).fill('A new one with a video.');
  await embedsField.fill('https://vimeo.com/76979871\nhttps://example.com/not-a-post');
  await page.locator('.preview-body .entry-embed .label', { hasText: 'Vimeo' }).waitFor();
  await page.locator('.preview-body .entry-embed.invalid', { hasText: 'https://example.com/not-a-post' }).waitFor();
  await embedsField.fill('https://vimeo.com/76979871');
  await page.locator('.preview-body .entry-embed.invalid').waitFor({ state: 'detached' });
  await page.keyboard.press('Control+Enter');
  await page.getByText('Published. Readers have it now.').waitFor();
  const entries = (await server.api.get<{ entries: Entry[] }>('/api/v1/briefings/posts/entries')).body.entries;
  expect(entries[0]?.embeds).toEqual([{ url: 'https://vimeo.com/76979871', provider: 'vimeo' }]);
  // The console shows cards, never the services' players.
  expect(foreign).toEqual([]);
});

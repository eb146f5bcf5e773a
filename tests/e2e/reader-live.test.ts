/**
 * The reader's page in headless Chromium against a real server and Redis: live changes,
 * the "new updates" button, JavaScript off, and going offline and back.
 */
import type { Entry } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import { waitFor } from '../support/harness';
import { feedIds, newContext, openLive, setVisibility } from './support/browser';
import { browserAndServerPerTest } from './support/fixture';

const e2e = browserAndServerPerTest();

const long = (n: number): string =>
  `Update number ${n}. ${'The water level is being measured again by the river authority, and crews are checking every street. '.repeat(4)}`;

test('an entry published over the API appears on an open page within a second', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'appear');
  const first = await publish(server.api, 'appear', 'The first update, rendered on the server.');
  const { context, errors } = await newContext(browser);
  const page = await openLive(context, `${server.url}/b/appear`);
  expect(await feedIds(page)).toEqual([first.entry.id]);

  const published = await publish(server.api, 'appear', 'A **second** update, pushed live.', { title: 'Breaking' });
  const shownAt = Date.now();
  const article = page.locator(`#e-${published.entry.id}`);
  await article.waitFor({ timeout: 1000 });
  expect(Date.now() - shownAt).toBeLessThan(1000);
  expect(await article.locator('.lb-entry-title').textContent()).toBe('Breaking');
  expect(await article.locator('.lb-body strong').textContent()).toBe('second');
  expect(await article.locator('time').getAttribute('datetime')).toBe(published.entry.publishedAt);
  expect(await feedIds(page)).toEqual([published.entry.id, first.entry.id]);
  // Announced politely, in the live region only.
  expect(await page.locator('[data-lb="announce"]').textContent()).toBe('New update: Breaking');
  expect(errors).toEqual([]);
});

test('an edit, a delete, a pin and a key-event mark apply live', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'changes');
  const a = await publish(server.api, 'changes', 'Entry A as first written.');
  const b = await publish(server.api, 'changes', 'Entry B, soon deleted.');
  const { context, errors } = await newContext(browser);
  const page = await openLive(context, `${server.url}/b/changes`);

  const edit = await server.api.patch<{ entry: Entry }>(`/api/v1/briefings/changes/entries/${a.entry.id}`, { body: 'Entry A, corrected.' });
  expect(edit.status).toBe(200);
  const entryA = page.locator(`#e-${a.entry.id}`);
  await entryA.locator('.lb-body', { hasText: 'Entry A, corrected.' }).waitFor({ timeout: 2000 });
  const updatedAt = edit.body.entry.updatedAt ?? '';
  const clock = new Intl.DateTimeFormat('en', { timeZone: 'UTC', hour: 'numeric', minute: '2-digit' }).format(Date.parse(updatedAt));
  expect(await entryA.locator('.lb-updated').textContent()).toBe(`Updated ${clock}`);
  expect(await entryA.locator('.lb-updated time').getAttribute('datetime')).toBe(updatedAt);
  expect(await page.locator(`[data-lb="feed"] [data-id="${a.entry.id}"]`).count()).toBe(1);

  expect((await server.api.delete(`/api/v1/briefings/changes/entries/${b.entry.id}`)).status).toBe(200);
  await page.locator(`#e-${b.entry.id}`).waitFor({ state: 'detached', timeout: 2000 });
  expect(await feedIds(page)).toEqual([a.entry.id]);

  await server.api.patch(`/api/v1/briefings/changes/entries/${a.entry.id}`, { pinned: true });
  await page.locator(`[data-lb="pinned"] [data-id="${a.entry.id}"]`).waitFor({ timeout: 2000 });
  expect(await entryA.locator('.lb-flag--pin').count()).toBe(1);

  await server.api.patch(`/api/v1/briefings/changes/entries/${a.entry.id}`, { keyEvent: true });
  await page.locator('[data-lb="key-events"] a', { hasText: 'Entry A, corrected.' }).waitFor({ timeout: 2000 });
  expect(await page.locator('[data-lb="key-events"] a').getAttribute('href')).toBe(`#e-${a.entry.id}`);

  await server.api.patch(`/api/v1/briefings/changes/entries/${a.entry.id}`, { pinned: false });
  await page.locator(`[data-lb="pinned"] [data-id="${a.entry.id}"]`).waitFor({ state: 'detached', timeout: 2000 });

  await server.api.patch('/api/v1/briefings/changes', { summary: '- A **new** summary point' });
  await page.locator('[data-lb="summary"] li strong', { hasText: 'new' }).waitFor({ timeout: 2000 });
  expect(await page.locator('[data-lb="summary-box"]').isVisible()).toBe(true);

  await server.api.patch('/api/v1/briefings/changes', { title: 'Renamed live', status: 'ended' });
  await page.locator('[data-lb="title"]', { hasText: 'Renamed live' }).waitFor({ timeout: 2000 });
  expect(await page.locator('[data-lb="badge"]').textContent()).toBe('Ended');
  expect(await page.title()).toBe('Renamed live');
  expect(errors).toEqual([]);
});

test('scrolled down, a new entry waits behind "1 new update" and the page does not move', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'scrolled');
  for (let n = 1; n <= 8; n++) await publish(server.api, 'scrolled', long(n));
  const { context, errors } = await newContext(browser, { viewport: { width: 1024, height: 700 } });
  const page = await openLive(context, `${server.url}/b/scrolled`);
  const before = await feedIds(page);
  await page.evaluate(() => window.scrollTo(0, 1400));
  await page.waitForFunction(() => window.scrollY === 1400);

  const fresh = await publish(server.api, 'scrolled', 'Arrived while the reader was reading further down.');
  const button = page.locator('[data-lb="reveal"]');
  await button.waitFor({ state: 'visible', timeout: 2000 });
  expect(await button.textContent()).toBe('1 new update');
  expect(await page.evaluate(() => window.scrollY)).toBe(1400);
  expect(await feedIds(page)).toEqual(before);
  expect(await page.title()).toBe('(1) Briefing scrolled');

  await button.click();
  await page.locator(`#e-${fresh.entry.id}`).waitFor({ timeout: 2000 });
  expect(await feedIds(page)).toEqual([fresh.entry.id, ...before]);
  await button.waitFor({ state: 'hidden' });
  expect(await page.title()).toBe('Briefing scrolled');
  expect(errors).toEqual([]);
});

test('with JavaScript off the page shows the entries, and "Load older" is a working link', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'nojs');
  const ids: string[] = [];
  for (let n = 1; n <= 23; n++) ids.push((await publish(server.api, 'nojs', `Plain update ${n}`)).entry.id);
  const { context } = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/b/nojs`);
  const newest = [...ids].reverse();
  expect(await feedIds(page)).toEqual(newest.slice(0, 20));
  expect(await page.locator('#e-' + newest[0] + ' .lb-body').textContent()).toBe('Plain update 23');
  expect(await page.locator('h1').textContent()).toBe('Briefing nojs');
  // What only a script can serve stays out of sight.
  expect(await page.locator('.lb-controls').isVisible()).toBe(false);
  expect(await page.locator('.lb-share').first().isVisible()).toBe(false);

  await page.locator('a.lb-load-older').click();
  await page.waitForURL(/\?before=/);
  expect(await feedIds(page)).toEqual(newest.slice(20));
  expect(await page.locator('a.lb-load-older').count()).toBe(0);
});

test('"Load older" with JavaScript adds older entries below without leaving the page', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'older');
  const ids: string[] = [];
  for (let n = 1; n <= 24; n++) ids.push((await publish(server.api, 'older', `Update ${n}`)).entry.id);
  const { context, errors } = await newContext(browser);
  const page = await openLive(context, `${server.url}/b/older`);
  const url = page.url();
  await page.locator('[data-lb="older"]').click();
  await page.locator(`#e-${ids[0]}`).waitFor({ timeout: 2000 });
  expect(page.url()).toBe(url);
  expect(await feedIds(page)).toEqual([...ids].reverse());
  await page.locator('[data-lb="older"]').waitFor({ state: 'hidden' });
  expect(errors).toEqual([]);
});

test('offline while 3 entries are published: back online, it shows all 3 once, in order', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'offline');
  const first = await publish(server.api, 'offline', 'Before the tunnel.');
  const { context } = await newContext(browser);
  const page = await openLive(context, `${server.url}/b/offline`);

  await context.setOffline(true);
  await page.locator('[data-lb="connection"][data-state="offline"]').waitFor({ timeout: 5000 });
  // Really gone: the server holds no socket for it, so the 3 can only come back by resuming.
  await waitFor(() => (server.app.io.engine.clientsCount === 0 ? true : undefined), 5000, 'the socket to close');
  const missed: string[] = [];
  for (let n = 1; n <= 3; n++) missed.push((await publish(server.api, 'offline', `Missed ${n}`)).entry.id);
  expect(await feedIds(page)).toEqual([first.entry.id]);

  await context.setOffline(false);
  await page.locator('[data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  await page.locator(`#e-${missed[2]}`).waitFor({ timeout: 5000 });
  expect(await feedIds(page)).toEqual([...missed].reverse().concat(first.entry.id));
  // No entry twice anywhere in the feed.
  const all = await feedIds(page);
  expect(new Set(all).size).toBe(all.length);
});

test('a tab hidden for long lets its connection go, and catches up when shown again', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'hidden');
  const first = await publish(server.api, 'hidden', 'Seen before the tab was hidden.');
  const { context } = await newContext(browser);
  const page = await context.newPage();
  // The page's clock is ours to move: five minutes pass in a moment.
  await page.clock.install();
  await page.goto(`${server.url}/b/hidden`);
  await page.locator('[data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });

  await setVisibility(page, 'hidden');
  await page.clock.runFor(5 * 60_000 + 1000);
  await waitFor(() => (server.app.io.engine.clientsCount === 0 ? true : undefined), 5000, 'the hidden tab to let go');
  const missed = await publish(server.api, 'hidden', 'Published while nobody looked.');

  await setVisibility(page, 'visible');
  await page.locator(`#e-${missed.entry.id}`).waitFor({ timeout: 5000 });
  expect(await feedIds(page)).toEqual([missed.entry.id, first.entry.id]);
  await page.locator('[data-lb="connection"][data-state="live"]').waitFor();
});

/**
 * Ended coverage in Chromium: ending a briefing closes an open page's live connection and
 * says so; a page of an ended briefing opens no WebSocket; reopening brings it back.
 */
import type { Page, WebSocket } from 'playwright-core';
import { createBriefing, publish } from '../support/fixtures';
import { waitFor } from '../support/harness';
import { newContext, openLive, serveHostPage } from './support/browser';
import { browserAndServerPerTest } from './support/fixture';

const e2e = browserAndServerPerTest();

/** Every Socket.IO WebSocket the page opens, with whether it has closed. */
function watchSockets(page: Page): { opened: WebSocket[]; closed: Set<WebSocket> } {
  const opened: WebSocket[] = [];
  const closed = new Set<WebSocket>();
  page.on('websocket', (socket) => {
    if (!socket.url().includes('/socket.io/')) return;
    opened.push(socket);
    socket.on('close', () => closed.add(socket));
  });
  return { opened, closed };
}

test('ending a briefing closes an open page’s live connection within 5 s and says so', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'closing');
  await publish(server.api, 'closing', 'The last update before the end.');
  const { context, errors } = await newContext(browser);
  const page = await context.newPage();
  const sockets = watchSockets(page);
  await page.goto(`${server.url}/b/closing`);
  await page.locator('[data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  expect(sockets.opened).toHaveLength(1);

  expect((await server.api.patch('/api/v1/briefings/closing', { status: 'ended' })).status).toBe(200);
  const endedAt = Date.now();
  await waitFor(
    () => (sockets.opened.every((socket) => sockets.closed.has(socket)) ? true : undefined),
    5000,
    'the page’s WebSocket to close',
  );
  expect(Date.now() - endedAt).toBeLessThan(5000);
  expect(await page.locator('[data-lb="badge"]').textContent()).toBe('Ended');
  const line = page.locator('[data-lb="connection"]');
  expect(await line.getAttribute('data-state')).toBe('ended');
  expect(await line.textContent()).toBe('Coverage has ended');

  // It stays closed: no reconnection follows, and a correction does not arrive live.
  const correction = await publish(server.api, 'closing', 'A correction after the end.');
  await page.waitForTimeout(1500);
  expect(sockets.opened).toHaveLength(1);
  expect(await page.locator(`#e-${correction.entry.id}`).count()).toBe(0);
  // The next load shows it.
  await page.reload();
  await page.locator(`#e-${correction.entry.id}`).waitFor({ timeout: 5000 });
  expect(errors).toEqual([]);
});

test('a visit to an ended briefing opens no WebSocket; after reopening a new visit does', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'over');
  await publish(server.api, 'over', 'What happened.');
  await server.api.patch('/api/v1/briefings/over', { status: 'ended' });
  const { context, errors } = await newContext(browser);

  const page = await context.newPage();
  const sockets = watchSockets(page);
  await page.goto(`${server.url}/b/over`);
  await page.locator('[data-lb="connection"][data-state="ended"]').waitFor({ timeout: 5000 });
  expect(await page.locator('[data-lb="connection"]').textContent()).toBe('Coverage has ended');
  // Time for a socket the script would open to show.
  await page.waitForTimeout(1500);
  expect(sockets.opened).toHaveLength(0);
  await page.close();

  await server.api.patch('/api/v1/briefings/over', { status: 'live' });
  // A new visitor (pages may be cached for a few seconds, as a CDN would).
  const { context: later, errors: laterErrors } = await newContext(browser);
  const again = await openLive(later, `${server.url}/b/over`);
  expect(await again.locator('[data-lb="badge"]').textContent()).toBe('Live');
  const published = await publish(server.api, 'over', 'Coverage resumes.');
  await again.locator(`#e-${published.entry.id}`).waitFor({ timeout: 2000 });
  expect([...errors, ...laterErrors]).toEqual([]);
});

test('a page left open on an ended briefing looks back now and then, and goes live again once it is reopened', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'paused');
  await server.api.patch('/api/v1/briefings/paused', { status: 'ended' });
  const { context, errors } = await newContext(browser);
  // The browser's clock is driven, not waited for: the look back comes once a minute.
  await context.clock.install();
  const page = await context.newPage();
  const sockets = watchSockets(page);
  await page.goto(`${server.url}/b/paused`);
  await page.locator('[data-lb="connection"][data-state="ended"]').waitFor({ timeout: 5000 });

  // A minute on, still ended: still no socket.
  await page.clock.fastForward(61_000);
  await page.waitForTimeout(500);
  expect(sockets.opened).toHaveLength(0);

  await server.api.patch('/api/v1/briefings/paused', { status: 'live' });
  await page.clock.fastForward(61_000);
  await page.locator('[data-lb="connection"][data-state="live"]').waitFor({ timeout: 5000 });
  expect(sockets.opened).toHaveLength(1);
  await page.locator('[data-lb="badge"]', { hasText: 'Live' }).waitFor({ timeout: 5000 });
  const published = await publish(server.api, 'paused', 'Back on air.');
  await page.locator(`#e-${published.entry.id}`).waitFor({ timeout: 5000 });
  expect(errors).toEqual([]);
});

test('the widget of an ended briefing lets its connection go after the snapshot', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'widget-over');
  await publish(server.api, 'widget-over', 'Final word.');
  await server.api.patch('/api/v1/briefings/widget-over', { status: 'ended' });
  const { context, errors } = await newContext(browser);
  const page = await context.newPage();
  const sockets = watchSockets(page);
  const host = await serveHostPage(
    `<!doctype html><html lang="en"><head><title>Host</title><script type="module" src="${server.url}/embed.js"></script></head><body><live-briefing slug="widget-over"></live-briefing></body></html>`,
  );
  await page.goto(host.url);
  await page.locator('live-briefing [data-lb="connection"][data-state="ended"]').waitFor({ timeout: 10_000 });
  await page.locator('live-briefing [data-lb="feed"] article', { hasText: 'Final word.' }).waitFor({ timeout: 5000 });
  await waitFor(
    () => (sockets.opened.every((socket) => sockets.closed.has(socket)) ? true : undefined),
    5000,
    'the widget’s WebSocket to close',
  );
  expect(errors).toEqual([]);
});

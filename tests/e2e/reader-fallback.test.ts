/**
 * Readers behind a proxy that passes plain HTTP but refuses WebSockets: the reader's page
 * and the widget on another site fall back by themselves to polling `GET …/changes`, show
 * every change in order and once within 5 s, and return to the WebSocket once it works.
 */
import type { Page } from 'playwright-core';
import { launchBrowser, proxyArgs } from '../support/chromium';
import { createBriefing, publish } from '../support/fixtures';
import { startForwardProxy } from '../support/forward-proxy';
import { closeAll, onClose, startServer, waitFor } from '../support/harness';
import { feedIds, newContext, serveHostPage, setVisibility } from './support/browser';

afterEach(closeAll);

const SLUG = 'behind-proxy';
/** The contract's ceiling for a change to reach a reader without WebSocket. */
const WITHIN_MS = 5000;
/** The page probes the WebSocket now and then (at most every minute) while it polls. */
const PROBE_CEILING_MS = 75_000;
const EMBED = 'live-briefing';

function connectionLine(page: Page, scope: string): ReturnType<Page['locator']> {
  return page.locator(`${scope} [data-lb="connection"]`.trim());
}

/** Publishes an entry and waits until each page shows it, failing past the contract's 5 s. */
async function publishAndSee(
  pages: { page: Page; scope: string }[],
  publishIt: () => ReturnType<typeof publish>,
): Promise<{ id: string; ms: number }> {
  const started = Date.now();
  const { entry } = await publishIt();
  await Promise.all(
    pages.map(({ page, scope }) =>
      page.locator(`${scope} [data-lb="feed"] [data-id="${entry.id}"]`.trim()).waitFor({ timeout: WITHIN_MS - (Date.now() - started) }),
    ),
  );
  return { id: entry.id, ms: Date.now() - started };
}

test('behind a proxy refusing WebSockets, the page and the widget poll, show every entry once and in order, then return to the WebSocket', async () => {
  const server = await startServer();
  const proxy = await startForwardProxy();
  const browser = await launchBrowser(proxyArgs(proxy.url));
  onClose(() => browser.close());
  await createBriefing(server.api, SLUG);
  const first = await publish(server.api, SLUG, 'Rendered with the page.');

  const { context, errors } = await newContext(browser);
  const reader = await context.newPage();
  await reader.goto(`${server.url}/b/${SLUG}`);
  const host = await serveHostPage(`<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="${server.url}/embed.js"></script></head>
<body><live-briefing slug="${SLUG}" limit="20"></live-briefing></body></html>`);
  const embedded = await context.newPage();
  await embedded.goto(host.url);
  const pages = [
    { page: reader, scope: '' },
    { page: embedded, scope: EMBED },
  ];

  for (const { page, scope } of pages) {
    await connectionLine(page, scope).and(page.locator('[data-state="polling"]')).waitFor({ timeout: 10_000 });
    expect(await connectionLine(page, scope).textContent()).toBe('Updating every few seconds');
  }
  // The WebSocket really was tried and refused: the fallback is not an accident of the set-up.
  expect(proxy.refusedWebSockets).toBeGreaterThanOrEqual(2);
  expect(proxy.passedWebSockets).toBe(0);
  // …while the pages themselves did come through it.
  expect(proxy.plainRequests).toBeGreaterThan(0);

  const ids = [first.entry.id];
  const delays: number[] = [];
  for (let n = 1; n <= 3; n++) {
    const shown = await publishAndSee(pages, () => publish(server.api, SLUG, `Polled update ${n}`));
    ids.unshift(shown.id);
    delays.push(shown.ms);
    for (const { page, scope } of pages) expect(await feedIds(page, scope)).toEqual(ids);
  }
  expect(Math.max(...delays)).toBeLessThan(WITHIN_MS);

  // The WebSocket works again: both pages find it by themselves and go live over it.
  proxy.webSockets = 'pass';
  for (const { page, scope } of pages) {
    await connectionLine(page, scope).and(page.locator('[data-state="live"]')).waitFor({ timeout: PROBE_CEILING_MS });
    expect(await connectionLine(page, scope).textContent()).toBe('Updating live');
  }
  expect(proxy.passedWebSockets).toBeGreaterThanOrEqual(2);

  const refusedBefore = proxy.refusedWebSockets;
  for (let n = 1; n <= 2; n++) {
    const shown = await publishAndSee(pages, () => publish(server.api, SLUG, `Live update ${n}`));
    ids.unshift(shown.id);
  }
  // Nothing arrives twice across the handover, and nothing polls behind the socket's back.
  await waitFor(async () => ((await feedIds(reader)).length === ids.length ? true : undefined), 1000, 'the feed to settle');
  for (const { page, scope } of pages) {
    expect(await feedIds(page, scope)).toEqual(ids);
    expect(await connectionLine(page, scope).getAttribute('data-state')).toBe('live');
  }
  expect(proxy.refusedWebSockets).toBe(refusedBefore);
  // Chromium reports each refused WebSocket on the console; nothing else may go wrong.
  expect(errors.filter((error) => !/WebSocket/.test(error))).toEqual([]);
}, 180_000);

test('behind a proxy that never answers the WebSocket, the page polls after a few seconds', async () => {
  const server = await startServer();
  const proxy = await startForwardProxy();
  proxy.webSockets = 'hold';
  const browser = await launchBrowser(proxyArgs(proxy.url));
  onClose(() => browser.close());
  await createBriefing(server.api, SLUG);
  const first = await publish(server.api, SLUG, 'Rendered with the page.');
  const { context } = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/b/${SLUG}`);
  // Published at once: the page must find out by itself, in time, that the WebSocket will not come.
  const shown = await publishAndSee([{ page, scope: '' }], () => publish(server.api, SLUG, 'Right after the page loaded.'));
  expect(await connectionLine(page, '').getAttribute('data-state')).toBe('polling');
  expect(proxy.heldWebSockets).toBeGreaterThanOrEqual(1);
  expect(proxy.refusedWebSockets + proxy.passedWebSockets).toBe(0);
  expect(await feedIds(page)).toEqual([shown.id, first.entry.id]);
});

test('a polling page back online after more changes than a catch-up replays starts over from a snapshot, each entry once', async () => {
  const server = await startServer({ LIVEBRIEF_REPLAY_LIMIT: '3' });
  const proxy = await startForwardProxy();
  const browser = await launchBrowser(proxyArgs(proxy.url));
  onClose(() => browser.close());
  await createBriefing(server.api, SLUG);
  const first = await publish(server.api, SLUG, 'Before the tunnel.');
  const { context, errors } = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/b/${SLUG}`);
  await connectionLine(page, '').and(page.locator('[data-state="polling"]')).waitFor({ timeout: 10_000 });

  await context.setOffline(true);
  await connectionLine(page, '').and(page.locator('[data-state="offline"]')).waitFor({ timeout: 5000 });
  const missed: string[] = [];
  // More than the replay limit behind: `…/changes` answers 410, only a snapshot can catch up.
  for (let n = 1; n <= 5; n++) missed.push((await publish(server.api, SLUG, `Missed ${n}`)).entry.id);
  expect(await feedIds(page)).toEqual([first.entry.id]);

  await context.setOffline(false);
  await page.locator(`[data-id="${missed[4]}"]`).waitFor({ timeout: WITHIN_MS });
  await connectionLine(page, '').and(page.locator('[data-state="polling"]')).waitFor({ timeout: WITHIN_MS });
  expect(await feedIds(page)).toEqual([...missed].reverse().concat(first.entry.id));

  // And it goes on polling from the snapshot's cursor.
  const next = await publishAndSee([{ page, scope: '' }], () => publish(server.api, SLUG, 'After the tunnel.'));
  expect(await feedIds(page)).toEqual([next.id, ...[...missed].reverse(), first.entry.id]);
  // Chromium reports the 410 that sent it to the snapshot: the path this test is about was taken.
  expect(errors.filter((error) => /\(Gone\)/.test(error))).toHaveLength(1);
  expect(errors.filter((error) => !/WebSocket|ERR_INTERNET_DISCONNECTED|\(Gone\)/.test(error))).toEqual([]);
});

test('a polling tab hidden for long stops polling, and catches up when shown again', async () => {
  const server = await startServer();
  const proxy = await startForwardProxy();
  const browser = await launchBrowser(proxyArgs(proxy.url));
  onClose(() => browser.close());
  await createBriefing(server.api, SLUG);
  const first = await publish(server.api, SLUG, 'Seen before the tab was hidden.');
  const { context } = await newContext(browser);
  const page = await context.newPage();
  // The page's clock is ours to move: five minutes pass in a moment.
  await page.clock.install();
  await page.goto(`${server.url}/b/${SLUG}`);
  await connectionLine(page, '').and(page.locator('[data-state="polling"]')).waitFor({ timeout: 10_000 });

  await setVisibility(page, 'hidden');
  await page.clock.runFor(5 * 60_000 + 1000);
  // Let a poll that was in flight finish, then nothing more may come (3 s: more than a poll's interval).
  await new Promise((resolve) => setTimeout(resolve, 500));
  const requestsWhileHidden = proxy.plainRequests;
  const missed = await publish(server.api, SLUG, 'Published while nobody looked.');
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(proxy.plainRequests).toBe(requestsWhileHidden);
  expect(await feedIds(page)).toEqual([first.entry.id]);

  await setVisibility(page, 'visible');
  await page.locator(`[data-id="${missed.entry.id}"]`).waitFor({ timeout: WITHIN_MS });
  expect(await feedIds(page)).toEqual([missed.entry.id, first.entry.id]);
  await connectionLine(page, '').and(page.locator('[data-state="polling"]')).waitFor({ timeout: WITHIN_MS });
});

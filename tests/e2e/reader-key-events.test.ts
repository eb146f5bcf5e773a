/**
 * A long briefing (300 entries, a key event every 25th) in Chromium: the key-events index
 * and the "Key events only" filter show every key event, not only the loaded ones; a jump
 * to the oldest lands on it with JavaScript and without; the index follows publishing and
 * unmarking live.
 */
import type { Page } from 'playwright-core';
import { compareEntries } from '../../shared/apply-change';
import type { Entry } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import type { TestServer } from '../support/harness';
import { feedIds, newContext, openLive } from './support/browser';
import { browserAndServerPerFile } from './support/fixture';

const SLUG = 'long';
/** Key events, newest first, as published in the file's set-up. */
let keyIds: string[] = [];

/** 300 entries through the API, eight requests at a time; every 25th is a key event. */
async function publishLongBriefing(server: TestServer): Promise<void> {
  await createBriefing(server.api, SLUG);
  const entries: Entry[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < 300) {
      const i = next++;
      entries.push((await publish(server.api, SLUG, `Update number ${i}`, { title: `Update ${i}`, keyEvent: i % 25 === 0 })).entry);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  keyIds = entries
    .filter((entry) => entry.keyEvent)
    .sort(compareEntries)
    .map((entry) => entry.id);
}

const e2e = browserAndServerPerFile(publishLongBriefing);

async function indexIds(page: Page): Promise<string[]> {
  return page
    .locator('[data-lb="key-events"] a')
    .evaluateAll((links) => links.map((link) => /#e-(.+)$/.exec(link.getAttribute('href') ?? '')?.[1] ?? ''));
}

/** Waits until the element is within the viewport. */
async function waitInView(page: Page, selector: string): Promise<void> {
  await page.waitForFunction(
    (target) => {
      const box = document.querySelector(target)?.getBoundingClientRect();
      return box !== undefined && box.height > 0 && box.top >= -1 && box.top < window.innerHeight;
    },
    selector,
    { timeout: 5000 },
  );
}

test('the index and the "Key events only" filter show every key event of the briefing', async () => {
  const { browser, server } = e2e;
  expect(keyIds).toHaveLength(12);
  const { context, errors } = await newContext(browser, { timezoneId: 'Asia/Tokyo' });
  const page = await openLive(context, `${server.url}/b/${SLUG}`);
  expect(await indexIds(page)).toEqual(keyIds);
  expect(await page.locator('[data-lb="feed"] > article').count()).toBe(20);

  await page.locator('[data-action="key-only"]').click();
  await page.waitForFunction((count) => document.querySelectorAll('[data-lb="feed"] > article').length === count, keyIds.length, {
    timeout: 5000,
  });
  expect(await feedIds(page)).toEqual(keyIds);
  // Every index link now points into the page.
  const hrefs = await page.locator('[data-lb="key-events"] a').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
  expect(hrefs.every((href) => href?.startsWith('#e-'))).toBe(true);
  // and the filter off brings back the loaded entries as the server drew them
  await page.locator('[data-action="key-only"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-lb="feed"] > article').length === 20, undefined, { timeout: 5000 });
  // The page state carries no entry HTML: redrawing every entry (another zone) and moving them keeps their text.
  await page.locator('[data-action="zone"]').click();
  await page.locator('[data-action="order"]').click();
  expect(await page.locator('[data-lb="zone"]').textContent()).toBe('GMT+9');
  const bodies = await page.locator('[data-lb="feed"] > article .lb-body').allTextContents();
  expect(bodies).toHaveLength(20);
  expect(bodies.filter((body) => /^Update number \d+$/.test(body))).toHaveLength(20);
  expect(errors).toEqual([]);
});

test('"jump to" the oldest key event lands on it, with JavaScript', async () => {
  const { browser, server } = e2e;
  const oldest = keyIds[keyIds.length - 1] ?? '';
  const { context, errors } = await newContext(browser);
  const page = await openLive(context, `${server.url}/b/${SLUG}`);
  expect(await page.locator(`#e-${oldest}`).count()).toBe(0);
  await page.locator(`[data-lb="key-events"] a[href$="#e-${oldest}"]`).click();
  await page.waitForURL(/around=/);
  await waitInView(page, `#e-${oldest}`);
  expect(await page.locator(`#e-${oldest} .lb-entry-title`).textContent()).toBe('Update 0');
  expect(errors).toEqual([]);
});

test('"jump to" the oldest key event lands on it, without JavaScript', async () => {
  const { browser, server } = e2e;
  const oldest = keyIds[keyIds.length - 1] ?? '';
  const { context } = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/b/${SLUG}`);
  expect(await indexIds(page)).toEqual(keyIds);
  await page.locator(`[data-lb="key-events"] a[href$="#e-${oldest}"]`).click();
  await page.waitForURL(/around=/);
  await waitInView(page, `#e-${oldest}`);
  // The page it lands on continues to older updates and back to the latest.
  expect(await page.locator('.lb-archive-note a').getAttribute('href')).toBe(`/b/${SLUG}`);
});

test('a new key event joins the index live; unmarking one (loaded or not) takes it out', async () => {
  const { browser, server } = e2e;
  const { context, errors } = await newContext(browser);
  const page = await openLive(context, `${server.url}/b/${SLUG}`);
  const fresh = await publish(server.api, SLUG, 'Bridge reopened', { title: 'Bridge reopened', keyEvent: true });
  await page.waitForFunction((id) => document.querySelector(`[data-lb="key-events"] a[href="#e-${id}"]`) !== null, fresh.entry.id, {
    timeout: 5000,
  });
  expect(await indexIds(page)).toEqual([fresh.entry.id, ...keyIds]);
  expect(await page.locator('[data-lb="key-events"] li').first().textContent()).toContain('Bridge reopened');

  const oldest = keyIds[keyIds.length - 1] ?? '';
  expect((await server.api.patch(`/api/v1/briefings/${SLUG}/entries/${fresh.entry.id}`, { keyEvent: false })).status).toBe(200);
  expect((await server.api.patch(`/api/v1/briefings/${SLUG}/entries/${oldest}`, { keyEvent: false })).status).toBe(200);
  await page.waitForFunction((count) => document.querySelectorAll('[data-lb="key-events"] li').length === count, keyIds.length - 1, {
    timeout: 5000,
  });
  expect(await indexIds(page)).toEqual(keyIds.slice(0, -1));
  expect(errors).toEqual([]);
});

/**
 * A reader opens what a corrected entry said before by clicking "Updated HH:mm" on the
 * reader page: without JavaScript the link leads to the entry's page and its history; with
 * JavaScript the same history opens in place, and a click that asks for it leads there too.
 */
import type { Page } from 'playwright-core';
import type { Entry } from '../../shared/schemas';
import type { TestServer } from '../support/harness';
import { createBriefing, publish } from '../support/fixtures';
import { newContext } from './support/browser';
import { browserAndServerPerTest } from './support/fixture';

const e2e = browserAndServerPerTest();

/** A briefing with one entry corrected once: "Three people were hurt." became "Two people were hurt." */
async function correctedEntry(server: TestServer): Promise<Entry> {
  await createBriefing(server.api, 'corrected');
  const { entry } = await publish(server.api, 'corrected', 'Three people were hurt.');
  const edit = await server.api.patch<{ entry: Entry }>(`/api/v1/briefings/corrected/entries/${entry.id}`, {
    body: 'Two people were hurt.',
  });
  expect(edit.status).toBe(200);
  return entry;
}

async function expectHistoryOnItsPage(page: Page, entry: Entry): Promise<void> {
  await page.waitForURL(`**/b/corrected/e/${entry.id}#history`);
  const history = page.locator('#history');
  expect(await history.locator('h2').textContent()).toBe('Earlier versions');
  await history.locator('.lb-version', { hasText: 'Three people were hurt.' }).waitFor({ timeout: 5000 });
  expect(await history.locator('.lb-version').count()).toBe(1);
  expect(await history.locator('.lb-version-when').textContent()).toMatch(/^As first published at /);
  // Scrolled to: the history's heading is on screen.
  const box = await history.locator('h2').boundingBox();
  expect(box && box.y >= 0 && box.y < (page.viewportSize()?.height ?? 0)).toBe(true);
  // The current text is the page's own entry.
  expect(await page.locator('#entry .lb-body').textContent()).toContain('Two people were hurt.');
}

test('without JavaScript, clicking "Updated …" leads to the entry’s page at its history', async () => {
  const { browser, server } = e2e;
  const entry = await correctedEntry(server);
  const { context, errors } = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/b/corrected`);
  const updated = page.locator(`#e-${entry.id} .lb-updated`);
  expect(await updated.textContent()).toMatch(/^Updated \d/);
  await updated.click();
  await expectHistoryOnItsPage(page, entry);
  expect(errors).toEqual([]);
});

test('with JavaScript, clicking "Updated …" opens the earlier version in place; again closes it', async () => {
  const { browser, server } = e2e;
  const entry = await correctedEntry(server);
  const { context, errors } = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/b/corrected`);
  await page.locator('[data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  const article = page.locator(`#e-${entry.id}`);
  const updated = article.locator('.lb-updated');
  await updated.click();
  const history = article.locator('.lb-history');
  await history.locator('.lb-version', { hasText: 'Three people were hurt.' }).waitFor({ timeout: 5000 });
  expect(page.url()).toBe(`${server.url}/b/corrected`);
  expect(await updated.getAttribute('aria-expanded')).toBe('true');
  expect(await history.locator('h4').textContent()).toBe('Earlier versions');
  // Focus moves to what opened, for keyboard and screen-reader users.
  expect(await page.evaluate(() => document.activeElement?.className)).toBe('lb-history-title');
  expect(await article.locator('.lb-body').first().textContent()).toBe('Two people were hurt.');

  await updated.click();
  await history.waitFor({ state: 'detached', timeout: 2000 });
  expect(await updated.getAttribute('aria-expanded')).toBe('false');

  // Asked for on its own (a new tab's click, here: Shift), the link still leads to the entry's page.
  const [popup] = await Promise.all([context.waitForEvent('page'), updated.click({ modifiers: ['Shift'] })]);
  await popup.waitForLoadState();
  await expectHistoryOnItsPage(popup, entry);
  expect(errors).toEqual([]);
});

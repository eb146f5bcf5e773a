/**
 * "Load older" in the console's feed, in headless Chromium: the console shows the newest
 * 20 entries, the button (by keyboard) brings in the rest in order and once each, and the
 * older entries take the same actions (seen on a reader's page) and keep getting live
 * changes.
 */
import type { Page } from 'playwright-core';
import type { Entry } from '../../shared/schemas';
import { addUser, openBriefing, signInPage } from '../support/console';
import { createBriefing, publish } from '../support/fixtures';
import { browserAndServerPerFile } from './support/fixture';
import { newContext, openLive } from './support/browser';

const e2e = browserAndServerPerFile(async (server) => {
  await addUser(server, 'olena', 'Olena Kovalenko', 'editor');
});

/** The ids in the console's feed list (pinned entries are listed above it, apart), top to bottom. */
async function consoleFeedIds(page: Page): Promise<string[]> {
  return page
    .locator('ol[aria-label="Published entries, newest first"] > li')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-entry') ?? ''));
}

it('shows the newest 20, loads the rest in order once each, and older entries take actions and live changes', async () => {
  const slug = 'console-older';
  await createBriefing(e2e.server.api, slug);
  const ids: string[] = [];
  for (let n = 1; n <= 26; n++) ids.push((await publish(e2e.server.api, slug, `Old update number ${n}.`)).entry.id);
  const newest = [...ids].reverse();

  const { context: readerContext, errors: readerErrors } = await newContext(e2e.browser);
  const reader = await openLive(readerContext, `${e2e.server.url}/b/${slug}`);

  const { page } = await signInPage(e2e.browser, e2e.server.url, 'olena');
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await openBriefing(page, slug);
  const feed = page.locator('ol[aria-label="Published entries, newest first"]');
  await feed.locator(`[data-entry="${newest[19]}"]`).waitFor();
  expect(await consoleFeedIds(page)).toEqual(newest.slice(0, 20));

  // By keyboard: the button is focusable and Enter loads the next page.
  const older = page.getByRole('button', { name: 'Load older' });
  await older.waitFor();
  await older.focus();
  await page.keyboard.press('Enter');
  await feed.locator(`[data-entry="${ids[0]}"]`).waitFor({ timeout: 5000 });
  const all = await consoleFeedIds(page);
  expect(all).toEqual(newest);
  expect(new Set(all).size).toBe(26);
  // Everything is loaded: the button goes, and the keyboard lands on the first entry it brought.
  await older.waitFor({ state: 'hidden' });
  await page.locator('.panel .status', { hasText: '6 older entries loaded.' }).waitFor();
  await expect(page.evaluate(() => document.activeElement?.getAttribute('data-entry'))).resolves.toBe(newest[20]);

  // Actions on old entries: a pin and a correction, both on the reader's page at once.
  const pinTarget = ids[1] ?? '';
  await feed.locator(`[data-entry="${pinTarget}"] [data-action="pin"]`).click();
  await page.locator(`.pinned-list [data-entry="${pinTarget}"] [data-action="pin"]`, { hasText: 'Unpin' }).waitFor();
  expect(await consoleFeedIds(page)).not.toContain(pinTarget);
  await reader.locator(`[data-lb="pinned"] [data-id="${pinTarget}"]`).waitFor({ timeout: 2000 });

  const editTarget = ids[2] ?? '';
  await feed.locator(`[data-entry="${editTarget}"] [data-action="edit"]`).click();
  await page.getByLabel('Text', { exact: true }).fill('Old update number 3, corrected from the console.');
  await page.getByRole('button', { name: 'Save correction' }).click();
  await page.getByText('Correction saved.').waitFor();
  await feed.locator(`[data-entry="${editTarget}"] .entry-body`, { hasText: 'corrected from the console' }).waitFor();
  // The reader's page, with its own "Load older", has the correction too.
  await reader.locator('[data-lb="older"]').click();
  await reader.locator(`#e-${editTarget} .lb-body`, { hasText: 'corrected from the console' }).waitFor({ timeout: 2000 });

  // Live changes made elsewhere reach the older entries: an edit, then a delete.
  const liveTarget = ids[3] ?? '';
  const edited = await e2e.server.api.patch<{ entry: Entry }>(`/api/v1/briefings/${slug}/entries/${liveTarget}`, {
    body: 'Old update number 4, corrected over the API.',
  });
  expect(edited.status).toBe(200);
  await feed.locator(`[data-entry="${liveTarget}"] .entry-body`, { hasText: 'corrected over the API' }).waitFor({ timeout: 2000 });
  const gone = ids[0] ?? '';
  expect((await e2e.server.api.delete(`/api/v1/briefings/${slug}/entries/${gone}`)).status).toBe(200);
  await feed.locator(`[data-entry="${gone}"]`).waitFor({ state: 'detached', timeout: 2000 });

  expect(await consoleFeedIds(page)).toEqual(newest.filter((id) => id !== pinTarget && id !== gone));
  await expect(page.getByRole('button', { name: 'Load older' }).isVisible()).resolves.toBe(false);
  const stored = (await e2e.server.api.get<{ entry: Entry }>(`/api/v1/briefings/${slug}/entries/${editTarget}`)).body.entry;
  expect(stored.body).toBe('Old update number 3, corrected from the console.');
  expect(pageErrors).toEqual([]);
  expect(readerErrors).toEqual([]);
}, 60_000);

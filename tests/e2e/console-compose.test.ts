/**
 * The console in headless Chromium, one editor: sign in, compose and publish with
 * Ctrl+Enter and see it on a reader's page in another browser profile within a second;
 * a double click and a retry after a lost response publish once; a reload keeps the text;
 * a draft stays away from readers; a scheduled entry appears at its time.
 */
import type { Page } from 'playwright-core';
import type { Entry } from '../../shared/schemas';
import { addUser, openBriefing, signInPage } from '../support/console';
import { createBriefing } from '../support/fixtures';
import { connectReader, waitFor } from '../support/harness';
import { FoldingReader } from '../support/reader';
import { browserAndServerPerFile } from './support/fixture';

let slugCount = 0;

const e2e = browserAndServerPerFile(async (server) => {
  await addUser(server, 'olena', 'Olena Kovalenko', 'editor');
});

async function newBriefing(): Promise<string> {
  const slug = `compose-${++slugCount}`;
  await createBriefing(e2e.server.api, slug);
  return slug;
}

async function editorOn(slug: string): Promise<Page> {
  const { page } = await signInPage(e2e.browser, e2e.server.url, 'olena');
  await openBriefing(page, slug);
  return page;
}

async function published(slug: string): Promise<Entry[]> {
  return (await e2e.server.api.get<{ entries: Entry[] }>(`/api/v1/briefings/${slug}/entries`)).body.entries;
}

it('signs in, publishes with Ctrl+Enter, and a reader page in another browser shows it within 1 s', async () => {
  const slug = await newBriefing();
  const readerContext = await e2e.browser.newContext();
  const readerPage = await readerContext.newPage();
  await readerPage.goto(`${e2e.server.url}/b/${slug}`);
  await readerPage.locator('[data-state="live"]').waitFor();
  const socketReader = new FoldingReader(await connectReader(e2e.server.url), slug);
  await socketReader.subscribe();

  const page = await editorOn(slug);
  await page.getByLabel('Title (optional)').fill('Bridge closed');
  await page.getByLabel('Text', { exact: true }).fill('The **Old Bridge** is closed to traffic until further notice.');
  await page.locator('.preview-body strong', { hasText: 'Old Bridge' }).waitFor();
  const sentAt = Date.now();
  await page.keyboard.press('Control+Enter');
  await readerPage.getByText('is closed to traffic until further notice').waitFor({ timeout: 1000 });
  const seenAt = Date.now();
  expect(seenAt - sentAt).toBeLessThanOrEqual(1000);
  const view = await socketReader.waitForView(1, 1000);
  expect(view.entries[0]).toMatchObject({ title: 'Bridge closed', author: { name: 'Olena Kovalenko' } });
  await page.getByText('Published. Readers have it now.').waitFor();
  // The composer is empty again, and the console's own feed shows the entry as readers do.
  await expect(page.getByLabel('Text', { exact: true }).inputValue()).resolves.toBe('');
  await page.locator('.feed .entry', { hasText: 'Bridge closed' }).waitFor();
  await readerContext.close();
});

it('publishes once on a double click, and once when the first response is lost and the editor retries', async () => {
  const slug = await newBriefing();
  const page = await editorOn(slug);
  await page.getByLabel('Text', { exact: true }).fill('Double click test');
  await page.getByRole('button', { name: 'Publish now' }).dblclick();
  await page.getByText('Published. Readers have it now.').waitFor();

  // The server publishes, but the answer never reaches the browser: it sees a network error.
  let dropped = 0;
  await page.route(`**/api/v1/briefings/${slug}/entries`, async (route) => {
    if (dropped === 0) {
      dropped++;
      await route.fetch();
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await page.getByLabel('Text', { exact: true }).fill('Retry test');
  await page.keyboard.press('Control+Enter');
  await page.getByText('Not sent: no connection to the server.').waitFor();
  await expect(page.getByLabel('Text', { exact: true }).inputValue()).resolves.toBe('Retry test');
  await page.getByRole('button', { name: 'Publish now' }).click();
  await page.getByText('Published. Readers have it now.').waitFor();

  const entries = await published(slug);
  expect(entries.map((entry) => entry.body).sort()).toEqual(['Double click test', 'Retry test']);
  expect(dropped).toBe(1);
});

it('keeps the text being composed across a reload', async () => {
  const slug = await newBriefing();
  const page = await editorOn(slug);
  await page.getByLabel('Title (optional)').fill('Half-written');
  await page.getByLabel('Text', { exact: true }).fill('Line one of an entry that is not finished');
  await page.getByLabel('Key event').check();
  await page.reload();
  await page.locator('.title-row .badge').waitFor();
  await expect(page.getByLabel('Text', { exact: true }).inputValue()).resolves.toBe('Line one of an entry that is not finished');
  await expect(page.getByLabel('Title (optional)').inputValue()).resolves.toBe('Half-written');
  await expect(page.getByLabel('Key event').isChecked()).resolves.toBe(true);
  expect(await published(slug)).toHaveLength(0);
});

it('keeps a draft invisible to readers', async () => {
  const slug = await newBriefing();
  const reader = new FoldingReader(await connectReader(e2e.server.url), slug);
  await reader.subscribe();
  const page = await editorOn(slug);
  await page.getByLabel('Text', { exact: true }).fill('Unconfirmed: a second fire at the depot');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.getByText('Draft saved.').waitFor();
  await page.locator('.queue-item.draft', { hasText: 'a second fire at the depot' }).waitFor();

  const page2 = await e2e.server.api.get<{ entries: Entry[]; seq: number }>(`/api/v1/briefings/${slug}/entries`);
  expect(page2.body).toMatchObject({ entries: [], seq: 0 });
  const changes = await e2e.server.api.get<{ changes: unknown[] }>(`/api/v1/briefings/${slug}/changes?since=0`);
  expect(changes.body.changes).toEqual([]);
  expect(reader.changesSinceAck()).toEqual([]);
  const readerPage = await (await e2e.browser.newContext()).newPage();
  await readerPage.goto(`${e2e.server.url}/b/${slug}`);
  await expect(readerPage.getByText('a second fire at the depot').count()).resolves.toBe(0);
  await readerPage.context().close();
});

it('publishes a scheduled entry at its time, not before', async () => {
  const slug = await newBriefing();
  const reader = new FoldingReader(await connectReader(e2e.server.url), slug);
  await reader.subscribe();
  const page = await editorOn(slug);
  await page.getByLabel('Text', { exact: true }).fill('Curfew begins now');
  await page.locator('details.schedule summary').click();
  const at = new Date(Date.now() + 3000);
  at.setMilliseconds(0);
  // datetime-local takes the browser's local time; the browser runs with this process's zone.
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
  await page.getByLabel('Publish at (your time)').fill(local);
  await page.locator('#composer-schedule-note', { hasText: 'Readers see' }).waitFor();
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await page.getByText('Scheduled:').waitFor();
  await page.locator('.queue-item.scheduled', { hasText: 'Curfew begins now' }).waitFor();
  expect(await published(slug)).toHaveLength(0);

  const view = await reader.waitForView(1, 10_000);
  const arrived = Date.now();
  expect(arrived).toBeGreaterThanOrEqual(at.getTime());
  expect(arrived - at.getTime()).toBeLessThan(2000);
  expect(view.entries[0]).toMatchObject({ body: 'Curfew begins now', publishedAt: at.toISOString() });
  // The console's feed gets it and the queue lets it go.
  await page.locator('.feed .entry', { hasText: 'Curfew begins now' }).waitFor();
  await waitFor(async () => ((await page.locator('.queue-item.scheduled').count()) === 0 ? true : undefined), 5000, 'queue to empty');
});

/**
 * "N readers now" in the console: in the list of briefings and in a briefing's header, the
 * editor's own console not counted.
 */
import { addUser, openBriefing, signInPage } from '../support/console';
import { createBriefing } from '../support/fixtures';
import { connectReader } from '../support/harness';
import { FoldingReader } from '../support/reader';
import { browserAndServerPerFile } from './support/fixture';

const e2e = browserAndServerPerFile(async (server) => {
  await addUser(server, 'olena', 'Olena Kovalenko', 'editor');
});

/** Counts are written every 3 s and asked for every 5 s. */
const SHOWN_WITHIN_MS = 15_000;

it('the list and the workspace header show how many readers follow a briefing now', async () => {
  await createBriefing(e2e.server.api, 'busy');
  await createBriefing(e2e.server.api, 'calm');
  const readers = await Promise.all([connectReader(e2e.server.url), connectReader(e2e.server.url)]);
  for (const socket of readers) await new FoldingReader(socket, 'busy').subscribe(null);

  const { page } = await signInPage(e2e.browser, e2e.server.url, 'olena');
  const row = (slug: string) => page.locator('.briefing-link', { has: page.locator(`[data-slug="${slug}"]`) });
  await row('busy').locator('.readers', { hasText: '2 readers now' }).waitFor({ timeout: SHOWN_WITHIN_MS });
  await row('calm').locator('.readers', { hasText: '0 readers now' }).waitFor({ timeout: SHOWN_WITHIN_MS });

  await openBriefing(page, 'busy');
  await page.locator('.title-row .readers', { hasText: '2 readers now' }).waitFor({ timeout: SHOWN_WITHIN_MS });
  readers[0]?.disconnect();
  await page.locator('.title-row .readers', { hasText: '1 reader now' }).waitFor({ timeout: SHOWN_WITHIN_MS });
}, 60_000);

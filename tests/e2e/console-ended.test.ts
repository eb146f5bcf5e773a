/**
 * The console keeps following a briefing after its coverage ended: readers are let go, but
 * editors still correct what stays published, and see it.
 */
import { addUser, openBriefing, signInPage } from '../support/console';
import { createBriefing, publish } from '../support/fixtures';
import { browserAndServerPerFile } from './support/fixture';

const e2e = browserAndServerPerFile(async (server) => {
  await addUser(server, 'olena', 'Olena Kovalenko', 'editor');
});

it('an editor’s workspace stays live through the end of coverage and shows corrections made after it', async () => {
  await createBriefing(e2e.server.api, 'wrap-up');
  const { page } = await signInPage(e2e.browser, e2e.server.url, 'olena');
  await openBriefing(page, 'wrap-up');

  expect((await e2e.server.api.patch('/api/v1/briefings/wrap-up', { status: 'ended' })).status).toBe(200);
  await page.locator('.title-row .badge', { hasText: 'Ended' }).waitFor({ timeout: 5000 });
  await page.locator('.connection.live').waitFor({ timeout: 10_000 });

  await publish(e2e.server.api, 'wrap-up', 'A note added after the end.');
  await page.locator('.feed .entry', { hasText: 'A note added after the end.' }).waitFor({ timeout: 5000 });
});

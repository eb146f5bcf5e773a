/**
 * The console's session in headless Chromium: an idle tab signs itself out after the
 * session's idle lifetime and says so (the browser's clock is driven, not waited for); a
 * session ended on the server shows as signed out; an approval of a submission its author
 * changed since it was read shows both versions and publishes only on an explicit choice.
 */
import type { Draft } from '../../shared/console';
import type { Entry } from '../../shared/schemas';
import { addUser, DESKTOP, login, openBriefing, PASSWORD, signInPage } from '../support/console';
import { createBriefing } from '../support/fixtures';
import { onClose } from '../support/harness';
import { browserAndServerPerFile } from './support/fixture';

const users: Record<string, string> = {};
const e2e = browserAndServerPerFile(async (server) => {
  users.ann = (await addUser(server, 'ann', 'Ann Editor', 'editor')).id;
  users.cora = (await addUser(server, 'cora', 'Cora Contributor', 'contributor')).id;
});

async function sessionOf(page: import('playwright-core').Page): Promise<unknown> {
  return page.evaluate(async () => ((await (await fetch('/console/api/session')).json()) as { session: unknown }).session);
}

it('an idle console signs itself out after the idle lifetime and says so; activity keeps it signed in', async () => {
  const context = await e2e.browser.newContext({ viewport: DESKTOP });
  onClose(() => context.close());
  await context.clock.install();
  const page = await context.newPage();
  await page.goto(`${e2e.server.url}/console`);
  await page.getByLabel('Username').fill('ann');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.topbar').waitFor();

  // 11 h without activity, a key pressed, 11 h more: never 12 h idle, still signed in.
  await page.clock.fastForward('11:00:00');
  await page.keyboard.press('Shift');
  await page.clock.fastForward('11:00:00');
  await expect(page.locator('.topbar').isVisible()).resolves.toBe(true);
  expect(await sessionOf(page)).not.toBeNull();

  // Past 12 h since that key: signed out, with the reason, and the server's session ended too.
  await page.clock.fastForward('01:01:00');
  await page.locator('[data-notice="signed-out"]', { hasText: 'Signed out after 12 h without activity' }).waitFor();
  await expect(page.locator('.topbar').count()).resolves.toBe(0);
  expect(await sessionOf(page)).toBeNull();
});

it('a session ended on the server shows the console signed out at its next request', async () => {
  await createBriefing(e2e.server.api, 'ended');
  const { page } = await signInPage(e2e.browser, e2e.server.url, 'ann');
  await e2e.server.app.console.sessions.destroyAllOf(users.ann ?? '');
  await page.evaluate(() => {
    location.hash = '#/b/ended';
  });
  await page.locator('[data-notice="signed-out"]', { hasText: 'Your session has ended' }).waitFor();
});

it('approving a submission changed since it was read shows both versions and publishes only the one chosen', async () => {
  await createBriefing(e2e.server.api, 'approve');
  const contributor = (await login(e2e.server.url, 'cora')).client;
  if (!contributor) throw new Error('no session');
  const submitted = await contributor.request<{ draft: Draft }>('POST', '/console/api/briefings/approve/drafts', {
    kind: 'submitted',
    fields: { body: 'Two people were injured' },
  });
  const { page } = await signInPage(e2e.browser, e2e.server.url, 'ann');
  await openBriefing(page, 'approve');
  const item = page.locator(`.queue-item[data-draft="${submitted.body.draft.id}"]`);
  await item.getByText('Two people were injured').waitFor();

  // The author changes the text while the editor's queue still shows what the editor read
  // (its refresh answered with the queue as it was: a slow network, a busy editor).
  const asRead = { drafts: [submitted.body.draft], scheduled: [] };
  await page.route('**/console/api/briefings/approve/queue', (route) => route.fulfill({ json: asRead }));
  const edited = await contributor.request(
    'PATCH',
    `/console/api/briefings/approve/drafts/${submitted.body.draft.id}`,
    { fields: { body: 'Twenty people were injured' } },
    { headers: { 'if-match': '"1"' } },
  );
  expect(edited.status).toBe(200);
  await item.getByRole('button', { name: 'Approve & publish' }).click();

  const dialog = page.locator('dialog .draft-conflict');
  await dialog.waitFor();
  await dialog.locator('.version.mine', { hasText: 'What you read (version 1)' }).getByText('Two people were injured').waitFor();
  await dialog.locator('.version.theirs', { hasText: 'Now (version 2)' }).getByText('Twenty people were injured').waitFor();
  const published = async (): Promise<string[]> =>
    (await e2e.server.api.get<{ entries: Entry[] }>('/api/v1/briefings/approve/entries')).body.entries.map((entry) => entry.body);
  expect(await published()).toEqual([]);

  await page.unroute('**/console/api/briefings/approve/queue');
  await dialog.getByRole('button', { name: 'Approve version 2' }).click();
  await page.locator('.feed .entry', { hasText: 'Twenty people were injured' }).waitFor();
  expect(await published()).toEqual(['Twenty people were injured']);
});

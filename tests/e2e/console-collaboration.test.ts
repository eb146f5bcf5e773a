/**
 * The console in headless Chromium, several people: a contributor's submission reaches
 * readers only when an editor approves it; two editors correcting one entry are warned and,
 * on a stale save, shown both versions so no text is lost; a correction shows "Updated"
 * and its history.
 */
import type { Entry } from '../../shared/schemas';
import { addUser, openBriefing, signInPage } from '../support/console';
import { createBriefing, publish } from '../support/fixtures';
import { connectReader } from '../support/harness';
import { FoldingReader } from '../support/reader';
import { browserAndServerPerFile } from './support/fixture';

const e2e = browserAndServerPerFile(async (server) => {
  await addUser(server, 'ann', 'Ann Editor', 'editor');
  await addUser(server, 'bob', 'Bob Editor', 'editor');
  await addUser(server, 'cora', 'Cora Contributor', 'contributor');
});

it("a contributor's submission reaches readers only after an editor approves it", async () => {
  await createBriefing(e2e.server.api, 'review');
  const reader = new FoldingReader(await connectReader(e2e.server.url), 'review');
  await reader.subscribe();

  const contributor = await signInPage(e2e.browser, e2e.server.url, 'cora');
  await openBriefing(contributor.page, 'review');
  await contributor.page.getByRole('button', { name: 'Submit for review' }).waitFor();
  await expect(contributor.page.getByRole('button', { name: 'Publish now' }).count()).resolves.toBe(0);
  await contributor.page.getByLabel('Text', { exact: true }).fill('Queues at the petrol stations on the ring road');
  await contributor.page.keyboard.press('Control+Enter');
  await contributor.page.getByText('Submitted. An editor will review it').waitFor();

  const editor = await signInPage(e2e.browser, e2e.server.url, 'ann');
  await openBriefing(editor.page, 'review');
  const item = editor.page.locator('.queue-item.submitted', { hasText: 'Queues at the petrol stations' });
  await item.waitFor();
  await expect(item.locator('.author').textContent()).resolves.toBe('Cora Contributor');
  expect(reader.changesSinceAck()).toEqual([]);
  expect((await e2e.server.api.get<{ entries: Entry[] }>('/api/v1/briefings/review/entries')).body.entries).toEqual([]);

  await item.getByRole('button', { name: 'Approve & publish' }).click();
  const view = await reader.waitForView(1, 5000);
  expect(view.entries.map((entry) => [entry.body, entry.author.name])).toEqual([
    ['Queues at the petrol stations on the ring road', 'Cora Contributor'],
  ]);
  await editor.page.locator('.feed .entry', { hasText: 'Queues at the petrol stations' }).waitFor();
  await item.waitFor({ state: 'detached' });
  expect(reader.problems).toEqual([]);
});

it('two editors on one entry: the second is warned, a stale save shows both versions, and no text is lost', async () => {
  await createBriefing(e2e.server.api, 'conflict');
  const { entry } = await publish(e2e.server.api, 'conflict', 'Three people were injured.');

  const ann = await signInPage(e2e.browser, e2e.server.url, 'ann');
  await openBriefing(ann.page, 'conflict');
  const bob = await signInPage(e2e.browser, e2e.server.url, 'bob');
  await openBriefing(bob.page, 'conflict');
  await ann.page.locator('.presence .person', { hasText: 'Bob Editor' }).waitFor();

  await ann.page.locator(`[data-entry="${entry.id}"] [data-action="edit"]`).click();
  await bob.page.locator(`[data-entry="${entry.id}"] .badge.editing`, { hasText: 'Ann Editor is editing' }).waitFor();
  await bob.page.locator(`[data-entry="${entry.id}"] [data-action="edit"]`).click();
  await bob.page.getByRole('alert').filter({ hasText: 'Ann Editor is editing this entry too' }).waitFor();

  await ann.page.getByLabel('Text', { exact: true }).fill('Three people were injured.\nOne of them is in a serious condition.');
  await bob.page.getByLabel('Text', { exact: true }).fill('Three people were injured, police said.');
  await ann.page.keyboard.press('Control+Enter');
  await ann.page.getByText('Correction saved.').waitFor();

  await bob.page.keyboard.press('Control+Enter');
  const dialog = bob.page.locator('dialog .conflict');
  await dialog.waitFor();
  await dialog.locator('.version.theirs', { hasText: 'One of them is in a serious condition.' }).waitFor();
  await dialog.locator('.version.mine', { hasText: 'Three people were injured, police said.' }).waitFor();
  // Nothing was overwritten: readers still have Ann's version.
  const meanwhile = (await e2e.server.api.get<{ entry: Entry }>(`/api/v1/briefings/conflict/entries/${entry.id}`)).body.entry;
  expect(meanwhile.body).toBe('Three people were injured.\nOne of them is in a serious condition.');

  await dialog.getByRole('button', { name: 'Merge both…' }).click();
  const merged = bob.page.getByLabel('Text', { exact: true }).last();
  // The suggested merge holds every line of both versions, theirs in their order.
  await expect(merged.inputValue()).resolves.toBe(
    'Three people were injured, police said.\nThree people were injured.\nOne of them is in a serious condition.',
  );
  await merged.fill('Three people were injured, police said.\nOne of them is in a serious condition.');
  await bob.page.getByRole('button', { name: 'Save merged version' }).click();
  await bob.page.getByText('Correction saved.').waitFor();

  const final = (await e2e.server.api.get<{ entry: Entry }>(`/api/v1/briefings/conflict/entries/${entry.id}`)).body.entry;
  expect(final.body).toBe('Three people were injured, police said.\nOne of them is in a serious condition.');
  expect(final.version).toBe(3);
});

it('a correction shows "Updated" and its history, in the console and on the reader page', async () => {
  await createBriefing(e2e.server.api, 'history');
  const { entry } = await publish(e2e.server.api, 'history', 'The fire started at 9:00.');
  const editor = await signInPage(e2e.browser, e2e.server.url, 'ann');
  await openBriefing(editor.page, 'history');
  const card = editor.page.locator(`.feed [data-entry="${entry.id}"]`);
  await card.waitFor();
  await expect(card.locator('.updated').count()).resolves.toBe(0);
  await card.locator('[data-action="edit"]').click();
  await editor.page.getByLabel('Text', { exact: true }).fill('The fire started at 8:30, not 9:00 as we first reported.');
  await editor.page.getByRole('button', { name: 'Save correction' }).click();
  await card.locator('.updated', { hasText: /^Updated \d/ }).waitFor();
  await card.locator('.entry-body', { hasText: 'started at 8:30' }).waitFor();

  await card.locator('[data-action="history"]').click();
  const history = editor.page.locator('dialog .history li');
  await history.nth(1).waitFor();
  await expect(history.count()).resolves.toBe(2);
  await expect(history.nth(0).textContent()).resolves.toContain('started at 8:30');
  await expect(history.nth(1).textContent()).resolves.toContain('The fire started at 9:00.');

  const readerPage = await (await e2e.browser.newContext()).newPage();
  await readerPage.goto(`${e2e.server.url}/b/history`);
  await readerPage
    .getByText(/Updated \d/)
    .first()
    .waitFor();
  await readerPage.getByText('started at 8:30').waitFor();
  await readerPage.context().close();
  const versions = await e2e.server.api.get<{ versions: { body: string }[] }>(`/api/v1/briefings/history/entries/${entry.id}/versions`);
  expect(versions.body.versions.map((version) => version.body)).toEqual([
    'The fire started at 9:00.',
    'The fire started at 8:30, not 9:00 as we first reported.',
  ]);
});

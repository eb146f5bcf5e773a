/**
 * Bylines in Chromium: an editor publishes on behalf of a contributor with the composer's
 * "Byline" select; a reader's live page shows that entry with the contributor's round
 * avatar, name and role line, and after a reload lists the contributors. A contributor sets
 * their own role line on "Your profile"; an editor takes their avatar from an uploaded photo.
 */
import sharp from 'sharp';
import type { PublicUser, SessionInfo } from '../../shared/console';
import type { Entry } from '../../shared/schemas';
import { addUser, openBriefing, signInPage } from '../support/console';
import { createBriefing } from '../support/fixtures';
import { newContext, openLive } from './support/browser';
import { browserAndServerPerFile } from './support/fixture';

let reporter: PublicUser;

const e2e = browserAndServerPerFile(async (server) => {
  await addUser(server, 'eve', 'Eve Editor', 'editor');
  reporter = await addUser(server, 'olena', 'Olena Kovalenko', 'contributor');
  await server.app.console.users.update(reporter.id, (current) => ({
    ...current,
    roleLine: 'Kyiv correspondent',
    avatarUrl: 'https://cdn.example.org/olena.jpg',
  }));
});

it('publishes on behalf of a contributor; the reader page shows avatar, name and role line, and the contributors', async () => {
  await createBriefing(e2e.server.api, 'bylines');
  const { context, errors } = await newContext(e2e.browser);
  // Nothing leaves the machine: the avatar's host is not reachable, and the page must not need it.
  await context.route(/^https:/, (route) => route.abort());
  const reader = await openLive(context, `${e2e.server.url}/b/bylines`);

  const { page } = await signInPage(e2e.browser, e2e.server.url, 'eve');
  await openBriefing(page, 'bylines');
  const byline = page.getByLabel('Byline');
  await byline.locator('option', { hasText: 'Olena Kovalenko · Kyiv correspondent' }).waitFor({ state: 'attached' });
  await byline.selectOption({ label: 'Olena Kovalenko · Kyiv correspondent' });
  await page.getByLabel('Text', { exact: true }).fill('Explosions heard in the city centre.');
  await page.getByRole('button', { name: 'Publish now' }).click();
  await page.getByText('Published. Readers have it now.').waitFor();

  const article = reader.locator('[data-lb="feed"] > article', { hasText: 'Explosions heard' });
  await article.waitFor({ timeout: 5000 });
  const author = article.locator('.lb-author');
  expect(await author.locator('.lb-author-name').textContent()).toBe('Olena Kovalenko');
  expect(await author.locator('.lb-author-role').textContent()).toBe('Kyiv correspondent');
  const avatar = author.locator('img.lb-avatar');
  expect(await avatar.getAttribute('alt')).toBe('');
  expect(await avatar.getAttribute('src')).toBe('https://cdn.example.org/olena.jpg');
  const look = await avatar.evaluate((image) => {
    const style = getComputedStyle(image);
    return { radius: style.borderRadius, width: image.getBoundingClientRect().width, loading: image.getAttribute('loading') };
  });
  expect(look).toEqual({ radius: '50%', width: 32, loading: 'lazy' });

  const entries = (await e2e.server.api.get<{ entries: Entry[] }>('/api/v1/briefings/bylines/entries')).body.entries;
  expect(entries[0]?.author).toMatchObject({ id: `user:${reporter.id}`, name: 'Olena Kovalenko', role: 'Kyiv correspondent' });

  await reader.reload();
  const contributors = reader.getByRole('region', { name: 'Contributors' });
  expect(await contributors.locator('.lb-author-name').allTextContents()).toEqual(['Olena Kovalenko']);
  expect(await contributors.locator('.lb-author-role').allTextContents()).toEqual(['Kyiv correspondent']);
  expect(errors.filter((error) => !/ERR_FAILED|net::/.test(error))).toEqual([]);
});

it('a contributor sets their own role line on “Your profile”', async () => {
  const { page } = await signInPage(e2e.browser, e2e.server.url, 'olena');
  await page.getByRole('link', { name: 'Your profile' }).click();
  await page.getByLabel(/^Role line/).fill('Senior Kyiv correspondent');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Saved. Your next entries carry this byline.').waitFor();
  const session = await page.evaluate(async () => (await fetch('/console/api/session')).json() as Promise<{ session: SessionInfo }>);
  expect(session.session.user.roleLine).toBe('Senior Kyiv correspondent');
});

it('an editor takes their avatar from a photo on their device, stored as a /media/ path', async () => {
  const { page } = await signInPage(e2e.browser, e2e.server.url, 'eve');
  await page.getByRole('link', { name: 'Your profile' }).click();
  const square = await sharp({ create: { width: 600, height: 600, channels: 3, background: { r: 140, g: 40, b: 20 } } })
    .jpeg()
    .toBuffer();
  await page.locator('#profile-avatar-photo').setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: square });
  await page.getByText('Uploaded me.jpg. Save to use it.').waitFor();
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Saved. Your next entries carry this byline.').waitFor();
  const session = await page.evaluate(async () => (await fetch('/console/api/session')).json() as Promise<{ session: SessionInfo }>);
  // The smallest JPEG rendition, on this service: it loads, and it is an image.
  expect(session.session.user.avatarUrl).toMatch(/^\/media\/[0-9a-f]{32}-600x600\/\d+\.jpg$/);
  const avatar = await fetch(`${e2e.server.url}${session.session.user.avatarUrl ?? ''}`);
  expect(avatar.status).toBe(200);
  expect(avatar.headers.get('content-type')).toBe('image/jpeg');
});

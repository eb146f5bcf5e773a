/**
 * The reader's controls (key events only, order, time zone) and a briefing in a
 * right-to-left language with its own date-fns locale, loaded on its own.
 */
import { publish } from '../support/fixtures';
import { feedIds, newContext, openLive } from './support/browser';
import { browserAndServerPerTest } from './support/fixture';

const e2e = browserAndServerPerTest();

test('order and time-zone controls redraw the feed, and the choice is remembered', async () => {
  const { browser, server } = e2e;
  await server.api.post('/api/v1/briefings', { slug: 'zones', title: 'Zones', timeZone: 'Asia/Tokyo' });
  const ids = [
    (await publish(server.api, 'zones', 'One', { keyEvent: true })).entry.id,
    (await publish(server.api, 'zones', 'Two')).entry.id,
    (await publish(server.api, 'zones', 'Three')).entry.id,
  ];
  const { context, errors } = await newContext(browser, { timezoneId: 'America/New_York' });
  const page = await openLive(context, `${server.url}/b/zones`);
  expect(await page.locator('[data-lb="zone"]').textContent()).toBe('GMT+9');
  const absolute = page.locator(`#e-${ids[0]} .lb-abs`);
  expect(await absolute.textContent()).toMatch(/GMT\+9$/);

  await page.locator('[data-action="order"]').click();
  expect(await feedIds(page)).toEqual(ids);
  await page.locator('[data-action="zone"]').click();
  expect(await page.locator('[data-lb="zone"]').textContent()).toMatch(/^E[SD]T$/);
  expect(await page.locator(`#e-${ids[0]} .lb-abs`).textContent()).toMatch(/E[SD]T$/);

  // Oldest first: a new entry goes to the end, never above what the reader sees.
  const fourth = await publish(server.api, 'zones', 'Four');
  await page.locator(`#e-${fourth.entry.id}`).waitFor({ timeout: 2000 });
  expect(await feedIds(page)).toEqual([...ids, fourth.entry.id]);

  await page.reload();
  await page.locator('[data-lb="connection"][data-state="live"]').waitFor();
  expect(await feedIds(page)).toEqual([...ids, fourth.entry.id]);
  expect(await page.locator('[data-action="zone"]').getAttribute('aria-pressed')).toBe('true');
  expect(errors).toEqual([]);
});

test('a right-to-left briefing renders rtl with its own locale, loaded alone', async () => {
  const { browser, server } = e2e;
  await server.api.post('/api/v1/briefings', { slug: 'rtl', title: 'موجز مباشر', locale: 'ar', timeZone: 'Asia/Dubai' });
  await publish(server.api, 'rtl', 'التحديث الأول');
  const { context, errors } = await newContext(browser);
  const scripts: string[] = [];
  context.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
  });
  const page = await openLive(context, `${server.url}/b/rtl`);
  expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
  expect(await page.locator('html').getAttribute('lang')).toBe('ar');
  const fresh = await publish(server.api, 'rtl', 'التحديث الثاني');
  const relative = page.locator(`#e-${fresh.entry.id} .lb-rel`);
  await relative.waitFor({ timeout: 2000 });
  // date-fns' Arabic, drawn in the browser.
  expect(await relative.textContent()).toBe('منذ أقل من دقيقة');
  expect(scripts.filter((path) => path.startsWith('/assets/locales/'))).toEqual(['/assets/locales/ar.js']);
  expect(errors).toEqual([]);
});

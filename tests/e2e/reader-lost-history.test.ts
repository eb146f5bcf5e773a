/**
 * The reader's page through a Redis that comes back from an older snapshot: the page drops
 * what Redis lost and shows what was published after, without a reload.
 */
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/chromium';
import { createBriefing, publish } from '../support/fixtures';
import { closeAll, startRedis, startServer, waitFor } from '../support/harness';
import { feedIds, newContext, openLive } from './support/browser';

let browser: Browser | null = null;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(closeAll);

test('an open page follows a Redis restored from an older snapshot: lost entries go, later ones come', async () => {
  if (!browser) throw new Error('no browser');
  const redis = await startRedis({ appendOnly: false });
  const { url, api } = await startServer({ REDIS_URL: redis.url });
  await createBriefing(api, 'restored');
  const kept = [];
  for (const body of ['Kept one.', 'Kept two.', 'Kept three.']) kept.push((await publish(api, 'restored', body)).entry.id);
  const admin = new Redis(redis.url);
  await admin.save();
  admin.disconnect();
  for (const body of ['Lost one.', 'Lost two.']) await publish(api, 'restored', body);

  const { context, errors } = await newContext(browser);
  const page = await openLive(context, `${url}/b/restored`);
  expect(await feedIds(page)).toHaveLength(5);

  await redis.stop();
  await redis.start();
  await waitFor(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 15_000, 'Redis back');
  const after = (await publish(api, 'restored', 'Published after the restart.')).entry.id;

  await waitFor(
    async () => {
      const ids = await feedIds(page);
      return ids.length === 4 && ids[0] === after ? ids : undefined;
    },
    15_000,
    'the page to show the restored history and the new entry',
  );
  expect(await feedIds(page)).toEqual([after, ...kept.reverse()]);
  expect(await page.locator('[data-lb="feed"]').textContent()).not.toContain('Lost');
  await page.locator('[data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  expect(errors.filter((error) => !/WebSocket|ERR_CONNECTION|Failed to load resource/.test(error))).toEqual([]);
});

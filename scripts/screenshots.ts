/**
 * `npm run screenshots`: the reader's page (desktop and a 375 px phone, light and dark),
 * the "new updates" button, and an embed in another site's page, as PNGs in
 * docs/screenshots/. Starts its own server on a free port with the demo briefing under a
 * throwaway Redis prefix, and removes that data afterwards.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { chromium, type Browser, type BrowserContextOptions } from 'playwright-core';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { DEMO_SLUG } from '../server/demo/content';
import { demoAuthor, seedDemo } from '../server/demo/seed';
import { buildEntry } from '../server/entries';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/e2e/support/browser';

const OUT = path.resolve(__dirname, '../docs/screenshots');
const PREFIX = `lbshots:${process.pid}:`;

function hostPage(serviceUrl: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The Valley Courier</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script type="module" src="${serviceUrl}/embed.js"></script>
<style>
  body { margin: 0; font: 17px/1.6 'Liberation Sans', Arial, sans-serif; color: #222; background: #fafaf7; }
  header { background: #1d3557; color: #fff; padding: 14px 32px; font: 700 26px/1 'Liberation Serif', Georgia, serif; letter-spacing: .02em; }
  nav { background: #e9edf2; padding: 8px 32px; font-size: 14px; color: #1d3557; }
  main { display: grid; grid-template-columns: minmax(0, 1fr) 300px; gap: 40px; max-width: 1100px; margin: 0 auto; padding: 28px 32px; }
  h1 { font: 700 34px/1.15 'Liberation Serif', Georgia, serif; margin: 0 0 12px; }
  .standfirst { font-size: 19px; color: #444; margin: 0 0 20px; }
  aside { font-size: 14px; color: #555; border-left: 3px solid #1d3557; padding-left: 16px; }
  p { margin: 0 0 16px; }
</style></head><body>
<header>The Valley Courier</header>
<nav>News · Weather · Travel · Sport · Opinion</nav>
<main><article>
<h1>Flooding in Kestrel Bridge: our live coverage</h1>
<p class="standfirst">Follow the latest from the river as it happens, updated by our partners' newsroom.</p>
<live-briefing slug="${DEMO_SLUG}" limit="3" theme="auto"></live-briefing>
<p>This page embeds a live briefing with one script tag and one element; the widget's styles and this page's never mix.</p>
</article>
<aside><p><strong>Most read</strong></p><p>Council sets out plans for the new market hall</p><p>Rowing club celebrates 150 years on the Aldwyn</p><p>Road works on the ring road delayed until spring</p></aside>
</main></body></html>`;
}

async function deletePrefix(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

async function shoot(browser: Browser, url: string, file: string, options: BrowserContextOptions, prepare?: (page: import('playwright-core').Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('[data-lb="connection"][data-state="live"]').first().waitFor({ timeout: 10_000 });
  await prepare?.(page);
  // Images in view are loaded before the picture is taken (lazy ones below it need not be).
  await page.waitForFunction(() =>
    Array.from(document.images).every((image) => image.complete || image.getBoundingClientRect().top > window.innerHeight),
  );
  await page.screenshot({ path: path.join(OUT, file) });
  await context.close();
  process.stdout.write(`wrote docs/screenshots/${file}\n`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const config = loadConfig({ ...process.env, PORT: '0', REDIS_PREFIX: PREFIX, LOG_LEVEL: 'silent', LIVEBRIEF_PUBLISHER_NAME: 'Kestrel Bridge Live' });
  const app = await createApp(config, pino({ level: 'silent' }));
  const address = await app.listen();
  const url = `http://127.0.0.1:${address.port}`;
  const host = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(hostPage(url));
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    await seedDemo(app.store, url);
    const page = `${url}/b/${DEMO_SLUG}`;
    const desktop = { viewport: { width: 1280, height: 1100 } };
    const phone = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
    await shoot(browser, page, 'reader-desktop-light.png', { ...desktop, colorScheme: 'light' });
    await shoot(browser, page, 'reader-desktop-dark.png', { ...desktop, colorScheme: 'dark' });
    await shoot(browser, page, 'reader-phone-light.png', { ...phone, colorScheme: 'light' });
    await shoot(browser, page, 'reader-phone-dark.png', { ...phone, colorScheme: 'dark' }, async (tab) => {
      await tab.evaluate(() => document.querySelector('.lb-feed-col')?.scrollIntoView({ behavior: 'instant' }));
    });
    await shoot(browser, page, 'reader-new-updates.png', { ...phone, colorScheme: 'light' }, async (tab) => {
      // Reading a few entries down the feed when two updates arrive.
      await tab.evaluate(() => document.querySelector('#lb-feed > article:nth-child(3)')?.scrollIntoView({ behavior: 'instant' }));
      for (const body of ['Crews have reopened one lane of the ring road.', 'The Corn Exchange rest centre has beds for 80 more people tonight.']) {
        await app.store.createEntry(buildEntry(DEMO_SLUG, { body }, demoAuthor(0), new Date()), {});
      }
      await tab.locator('[data-lb="reveal"]').waitFor({ state: 'visible' });
    });
    await shoot(browser, hostUrl, 'embed-in-host-page.png', { viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => host.close(() => resolve()));
    await app.close();
    await deletePrefix(config.redisUrl);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

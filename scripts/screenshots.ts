/**
 * `npm run screenshots`: the reader's page (desktop and a 375 px phone, light and dark),
 * the "new updates" button, an embed in another site's page, the Arabic briefing (right to
 * left, desktop and phone), a correction's history, an entry with embedded posts (before
 * and after "Show post") and an uploaded photo with bylines and avatars, as PNGs in
 * docs/screenshots/. Starts its own server on a free port with the demo briefing under a
 * throwaway Redis prefix, and removes that data afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import sharp from 'sharp';
import { DEMO_SLUG } from '../server/demo/content';
import { ARABIC_DEMO } from '../server/demo/content-ar';
import { demoAuthor, seedDemo } from '../server/demo/seed';
import { buildEntry } from '../server/entries';
import { serveHostPage } from '../tests/e2e/support/browser';
import { launchBrowser } from '../tests/support/chromium';
import { closeAll, onClose, startServer } from '../tests/support/harness';

const OUT = path.resolve(__dirname, '../docs/screenshots');

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

async function shoot(
  browser: Browser,
  url: string,
  file: string,
  options: BrowserContextOptions,
  prepare?: (page: Page) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(url);
  // A live page is pictured once it is live; an entry's own page has no connection.
  if (!url.includes('/e/')) await page.locator('[data-lb="connection"][data-state="live"]').first().waitFor({ timeout: 10_000 });
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
  const mediaDir = mkdtempSync(path.join(tmpdir(), 'livebrief-screenshots-'));
  onClose(() => rmSync(mediaDir, { recursive: true, force: true }));
  const { app, url } = await startServer({
    LIVEBRIEF_PUBLISHER_NAME: 'Kestrel Bridge Live',
    LIVEBRIEF_MEDIA_DIR: mediaDir,
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  });
  const host = await serveHostPage(hostPage(url));
  const browser = await launchBrowser();
  onClose(() => browser.close());
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
    for (const body of [
      'Crews have reopened one lane of the ring road.',
      'The Corn Exchange rest centre has beds for 80 more people tonight.',
    ]) {
      await app.store.createEntry(buildEntry(DEMO_SLUG, { body }, demoAuthor(0), new Date()), {});
    }
    await tab.locator('[data-lb="reveal"]').waitFor({ state: 'visible' });
  });
  await shoot(browser, host.url, 'embed-in-host-page.png', { viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });

  const arabic = await seedDemo(app.store, url, Date.now(), ARABIC_DEMO.briefing.slug, ARABIC_DEMO);
  const arabicPage = `${url}/b/${arabic.slug}`;
  await shoot(browser, arabicPage, 'reader-arabic-desktop.png', { ...desktop, colorScheme: 'light' });
  await shoot(browser, arabicPage, 'reader-arabic-phone.png', { ...phone, colorScheme: 'light' });

  // Embedded posts: the cards as the page loads, then the players after "Show post". This
  // machine may have no way out, so each provider's frame is answered by a local stand-in
  // that says so; nothing else leaves the machine.
  const withEmbeds = buildEntry(
    DEMO_SLUG,
    {
      title: 'Officials post the evacuation map',
      body: 'The council has posted the updated evacuation map, and the fire service a video of the Old Bridge this evening.',
      embeds: [
        { url: 'https://x.com/example/status/1862000000000000000', provider: 'x' },
        { url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', provider: 'youtube' },
      ],
    },
    demoAuthor(1),
    new Date(),
  );
  await app.store.createEntry(withEmbeds, {});
  const embedsPage = `${url}/b/${DEMO_SLUG}/e/${withEmbeds.id}`;
  const embedsView = { viewport: { width: 900, height: 1100 }, colorScheme: 'light' as const };
  await shoot(browser, embedsPage, 'embeds-before-click.png', embedsView);
  await shoot(browser, embedsPage, 'embeds-after-click.png', { ...embedsView, viewport: { width: 900, height: 1700 } }, async (tab) => {
    await tab.context().route(
      (target) => !target.href.startsWith(url),
      (route) =>
        route.fulfill({
          contentType: 'text/html; charset=utf-8',
          body: `<!doctype html><body style="margin:0;display:grid;place-items:center;height:100vh;background:#111;color:#eee;font:16px system-ui">
<p>${new URL(route.request().url()).host}: the provider's player loads here<br>(a local stand-in: the screenshot is taken offline)</p></body>`,
        }),
    );
    // Each button gives way to its player when clicked.
    const buttons = tab.locator('[data-action="show-post"]');
    while ((await buttons.count()) > 0) await buttons.first().click();
    await tab.locator('.lb-post iframe').nth(1).waitFor();
    await tab.waitForTimeout(300);
  });

  // An uploaded photo with caption and credit, and bylines with avatars (drawn here: the
  // project ships no photographs of real people or places).
  // Entries' photos carry absolute URLs (as an upload answers); avatars are stored as /media/ paths.
  const upload = async (svg: string, base = `${url}/media/`): Promise<string> =>
    (await app.media.storeImage(await sharp(Buffer.from(svg)).png().toBuffer(), base)).url;
  const avatar = (initials: string, colour: string): Promise<string> =>
    upload(
      `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" height="256" fill="${colour}"/><text x="128" y="160" font-family="Liberation Sans, Arial" font-size="104" font-weight="700" fill="#fff" text-anchor="middle">${initials}</text></svg>`,
      '/media/',
    );
  const photo = await upload(
    `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000"><defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7d93a8"/><stop offset="1" stop-color="#c9d3da"/></linearGradient><linearGradient id="water" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#6b5a3e"/><stop offset="1" stop-color="#3f3524"/></linearGradient></defs><rect width="1600" height="1000" fill="url(#sky)"/><path d="M0 470 Q300 380 620 450 T1200 430 T1600 460 V1000 H0Z" fill="#4f6b4a"/><path d="M0 600 Q400 560 800 600 T1600 590 V1000 H0Z" fill="url(#water)"/><rect x="980" y="360" width="420" height="260" fill="#9b8f80"/><rect x="980" y="330" width="420" height="40" fill="#6d5f52"/><g fill="#e8e2d6">${[1010, 1090, 1170, 1250, 1330].map((x) => `<rect x="${x}" y="400" width="40" height="60"/>`).join('')}</g><rect x="960" y="590" width="470" height="30" fill="#3f3524" opacity=".6"/><path d="M150 640 l90 -30 l90 30 z" fill="#d9d2c3"/><rect x="200" y="640" width="80" height="26" fill="#c0392b"/></svg>`,
  );
  const ada = { id: 'demo-ada', name: 'Ada Brennan', role: 'Live editor', avatar: await avatar('AB', '#1d3557') };
  const jonas = { id: 'demo-jonas', name: 'Jonas Ede', role: 'Kestrel Bridge correspondent', avatar: await avatar('JE', '#8a3b12') };
  await app.store.createEntry(
    buildEntry(
      DEMO_SLUG,
      { body: 'The council says the Corn Exchange rest centre is full; new arrivals go to the Leisure Centre.' },
      ada,
      new Date(),
    ),
    {},
  );
  await app.store.createEntry(
    buildEntry(
      DEMO_SLUG,
      {
        title: 'Water reaches the Quay Row warehouses',
        body: 'The river is over the quay wall by the old warehouses, our correspondent reports. The footpath along the water is closed.',
        media: [
          {
            kind: 'image',
            url: photo,
            alt: 'Brown flood water covering the quay in front of a row of stone warehouses, with a small red boat moored to the left',
            caption: 'Quay Row this evening, looking downstream.',
            credit: 'Illustration: livebrief demo',
          },
        ],
      },
      jonas,
      new Date(),
    ),
    {},
  );
  await shoot(browser, page, 'photo-and-bylines.png', { ...desktop, colorScheme: 'light' }, async (tab) => {
    await tab.evaluate(() => document.querySelector('.lb-feed-col')?.scrollIntoView({ behavior: 'instant' }));
  });

  // The corrected entry's own page, at its history of earlier versions.
  const corrected = (await app.store.readPage(DEMO_SLUG, { limit: 20, withPinned: false })).entries.find((entry) => entry.updatedAt);
  if (!corrected) throw new Error('the demo has no corrected entry');
  await shoot(browser, `${url}/b/${DEMO_SLUG}/e/${corrected.id}#history`, 'entry-history.png', {
    viewport: { width: 900, height: 1000 },
    colorScheme: 'light',
  });
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`screenshots failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => closeAll());

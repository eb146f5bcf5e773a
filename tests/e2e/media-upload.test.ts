/**
 * An editor on a phone adds a photo from the device: the composer uploads it, the editor
 * writes its alt text, caption and credit, publishes, and the reader page shows it as a
 * sized, responsive image that loads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import type { Entry } from '../../shared/schemas';
import { launchBrowser } from '../support/chromium';
import { addUser, openBriefing, PHONE, signInPage } from '../support/console';
import { createBriefing } from '../support/fixtures';
import { closeAll, onClose, startServer, type TestServer } from '../support/harness';

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'livebrief-media-e2e-'));
  onClose(() => rm(dir, { recursive: true, force: true }));
  server = await startServer({ LIVEBRIEF_MEDIA_DIR: dir, LIVEBRIEF_MEDIA_MAX_BYTES: String(1024 * 1024) });
  browser = await launchBrowser();
  await addUser(server, 'olena', 'Olena Kovalenko', 'editor');
}, 30_000);
afterAll(async () => {
  await browser.close();
  await closeAll();
});

it('at 375 px, a photo picked in the composer is uploaded, described and published; the reader page shows it with srcset and size', async () => {
  await createBriefing(server.api, 'photo');
  const photo = await sharp({ create: { width: 1400, height: 1000, channels: 3, background: { r: 30, g: 90, b: 160 } } })
    .jpeg()
    .toBuffer();
  const { page } = await signInPage(browser, server.url, 'olena', { viewport: PHONE });
  await openBriefing(page, 'photo');
  page.setDefaultTimeout(8000);

  // A text file that calls itself a JPEG is refused with a sentence, and adds no image.
  await page
    .locator('#composer-photo')
    .setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a photo at all') });
  await page.getByText('Could not add notes.jpg: the file is not a photo').waitFor();
  // Too big for this server's limit (1 MB): said so, in MB.
  await page
    .locator('#composer-photo')
    .setInputFiles({ name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(2 * 1024 * 1024, 1) });
  await page.getByText('Could not add huge.jpg: larger than the 1 MB limit').waitFor();

  await page.getByLabel('Text', { exact: true }).fill('The square this morning.');
  await page.locator('#composer-photo').setInputFiles({ name: 'square.jpg', mimeType: 'image/jpeg', buffer: photo });
  await page.getByText('Added square.jpg.').waitFor();
  const url = await page.locator('#media-0-url').inputValue();
  expect(url).toMatch(new RegExp(`^${server.url}/media/[0-9a-f]{32}-1400x1000/1400\\.jpg$`));
  // The alt text is where the editor is sent, and is required.
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('media-0-alt');
  await page.keyboard.type('Crowd in the main square under a blue sky');
  await page.locator('#media-0-caption').fill('The main square at 9:00');
  await page.locator('#media-0-credit').fill('Photo: O. Kovalenko');
  await page.getByRole('button', { name: 'Publish now' }).click();
  await page.getByText('Published. Readers have it now.').waitFor();

  const entries = (await server.api.get<{ entries: Entry[] }>('/api/v1/briefings/photo/entries')).body.entries;
  expect(entries[0]?.media).toEqual([
    {
      kind: 'image',
      url,
      alt: 'Crowd in the main square under a blue sky',
      caption: 'The main square at 9:00',
      credit: 'Photo: O. Kovalenko',
    },
  ]);

  const reader = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2 });
  onClose(() => reader.close());
  const readerPage = await reader.newPage();
  await readerPage.goto(`${server.url}/b/photo`);
  const image = readerPage.getByRole('img', { name: 'Crowd in the main square under a blue sky' });
  await image.waitFor();
  expect(await image.getAttribute('srcset')).toContain('480w');
  expect(await image.getAttribute('width')).toBe('1400');
  expect(await image.getAttribute('height')).toBe('1000');
  await readerPage.waitForFunction(
    (alt) => {
      const img = [...document.images].find((candidate) => candidate.alt === alt);
      return img !== undefined && img.complete && img.naturalWidth > 0;
    },
    'Crowd in the main square under a blue sky',
    { timeout: 10_000 },
  );
  // A phone at 2× picks a rendition in a modern format, not the full-size JPEG.
  const chosen = await image.evaluate((img: HTMLImageElement) => img.currentSrc);
  expect(chosen).toMatch(/\/media\/[0-9a-f]{32}-1400x1000\/960\.(avif|webp)$/);
  expect(await readerPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
});

/**
 * `npm run screenshots:console`: starts the service in this process (its own Redis
 * prefix), fills a briefing with entries, drafts and people, and photographs the console in
 * headless Chromium, desktop and phone: the composer, the feed with its actions and the
 * conflict view. Writes docs/screenshots/console-*.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Entry } from '../shared/schemas';
import { addUser, DESKTOP, launchBrowser, login, openBriefing, PHONE, signInPage } from '../tests/support/console';
import { closeAll, onClose, startServer } from '../tests/support/harness';

const OUT = path.resolve(__dirname, '../docs/screenshots');
const SLUG = 'dnipro-floods';

async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false });
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startServer({ LOG_LEVEL: 'silent' });
  const api = server.api;
  await addUser(server, 'olena', 'Olena Kovalenko', 'editor');
  await addUser(server, 'marco', 'Marco Rossi', 'editor');
  await addUser(server, 'priya', 'Priya Nair', 'contributor');
  await api.post('/api/v1/briefings', {
    slug: SLUG,
    title: 'Floods in the Dnipro valley',
    summary: '- Water levels are falling in Zaporizhzhia\n- 1,200 people evacuated',
    locale: 'en',
    timeZone: 'Europe/Kyiv',
  });
  const publish = async (body: Record<string, unknown>): Promise<Entry> =>
    (await api.post<{ entry: Entry }>(`/api/v1/briefings/${SLUG}/entries`, body)).body.entry;
  await publish({ body: 'Rescue teams reached **Nikopol** overnight; roads east of the city remain closed.', sources: 'With reporting by Reuters' });
  const corrected = await publish({ title: 'Evacuations', body: 'About 1,000 people have left their homes.' });
  await api.patch(`/api/v1/briefings/${SLUG}/entries/${corrected.id}`, { body: 'About **1,200** people have left their homes, the regional administration said.' });
  await publish({
    title: 'Map of the affected districts',
    body: 'The shaded areas were under water at noon.',
    pinned: true,
    media: [{ url: `${server.url}/assets/demo/river-map.svg`, alt: 'Map of the Dnipro with flooded districts shaded', caption: 'Flooded districts at noon', credit: 'Regional administration' }],
    links: [{ title: 'How to find shelter', url: 'https://example.org/shelter' }],
  });
  const key = await publish({ title: 'Dam spillway opened', body: 'Engineers opened the spillway at 14:00 to relieve pressure on the dam.', keyEvent: true });
  const priya = await login(server.url, 'priya');
  await priya.client?.request('POST', `/console/api/briefings/${SLUG}/drafts`, { kind: 'submitted', fields: { body: 'Volunteers are handing out water at the central station.', sources: 'Priya Nair in Zaporizhzhia' } });
  await api.post(`/api/v1/briefings/${SLUG}/entries`, { body: 'Press conference with the governor.', publishAt: new Date(Date.now() + 2 * 3600_000).toISOString() });

  const browser = await launchBrowser();
  onClose(() => browser.close());

  // Marco has the key event open: Olena sees him in the presence bar and on the entry.
  const marco = await signInPage(browser, server.url, 'marco');
  await openBriefing(marco.page, SLUG);
  await marco.page.locator(`[data-entry="${key.id}"] [data-action="edit"]`).first().click();

  for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const { page } = await signInPage(browser, server.url, 'olena', { viewport });
    await openBriefing(page, SLUG);
    await page.locator('.person.editing').waitFor();
    await page.getByLabel('Title (optional)').fill('Second dam under watch');
    await page.getByLabel('Text', { exact: true }).fill('Officials say the **Kakhovka** reservoir level is stable.\n\n> "We are monitoring it hourly," the regional governor said.');
    await page.locator('details.extras summary', { hasText: 'See also' }).click();
    await page.getByRole('button', { name: 'Add link' }).click();
    await page.getByLabel('Link text').fill('Live river levels');
    await page.getByLabel('URL').fill('https://example.org/levels');
    await page.getByLabel('Sources').fill('With reporting by AFP');
    await page.locator('.preview-body blockquote').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, `console-composer-${label}`, { fullPage: label === 'desktop' });
    await page.locator('.side .panel').last().scrollIntoViewIfNeeded();
    if (label === 'desktop') {
      // An element screenshot scrolls the page: keep the sticky top bar from landing on it.
      await page.locator('.topbar').evaluate((bar) => {
        (bar as HTMLElement).style.position = 'static';
      });
      await page.locator('.side').screenshot({ path: path.join(OUT, 'console-feed-desktop.png') });
      process.stdout.write('wrote docs/screenshots/console-feed-desktop.png\n');
    } else {
      await page.locator('#feed-heading').evaluate((element) => window.scrollTo(0, element.getBoundingClientRect().top + window.scrollY - 60));
      await shot(page, 'console-feed-phone');
    }
  }

  // The conflict: Olena and Marco correct the same entry; Olena saves first.
  for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const current = await publish({ title: 'Evacuation buses', body: 'About **1,200** people have left their homes, the regional administration said.' });
    const { page } = await signInPage(browser, server.url, 'marco', { viewport });
    await openBriefing(page, SLUG);
    await page.locator(`[data-entry="${current.id}"] [data-action="edit"]`).first().click();
    await page.getByLabel('Text', { exact: true }).fill(`${current.body}\nBuses leave from the central station every hour.`);
    await api.patch(`/api/v1/briefings/${SLUG}/entries/${current.id}`, { body: `${current.body}\nShelters are open in schools 4 and 12.` }, { 'if-match': `"${current.version}"` });
    await page.keyboard.press('Control+Enter');
    await page.locator('.conflict').waitFor();
    await page.getByRole('button', { name: 'Merge both…' }).click();
    await shot(page, `console-conflict-${label}`);
    await page.keyboard.press('Escape');
  }
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => closeAll());

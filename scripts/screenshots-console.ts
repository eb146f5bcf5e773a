/**
 * `npm run screenshots:console`: starts the service in this process (its own Redis
 * prefix), fills a briefing with entries, drafts and people, and photographs the console in
 * headless Chromium, desktop and phone: the composer, the feed with its actions and the
 * conflict view; and a webhook's delivery log (a receiver on this machine that refuses the
 * first delivery, so a retry shows). Writes docs/screenshots/console-*.png. Like the reader's demo
 * (server/demo/), the story is made up: a flood in Kestrel Bridge on the River Aldwyn,
 * covered by people who do not exist.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Entry } from '../shared/schemas';
import { launchBrowser } from '../tests/support/chromium';
import { addUser, DESKTOP, login, openBriefing, PHONE, signInPage } from '../tests/support/console';
import { closeAll, onClose, startServer } from '../tests/support/harness';

const OUT = path.resolve(__dirname, '../docs/screenshots');
const SLUG = 'aldwyn-valley-floods';

async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false });
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startServer({
    LOG_LEVEL: 'silent',
    // The webhook receiver below runs on this machine.
    LIVEBRIEF_WEBHOOKS_ALLOW_PRIVATE: 'true',
    LIVEBRIEF_WEBHOOKS_POLL_MS: '200',
    LIVEBRIEF_WEBHOOKS_RETRY_MS: '500',
  });
  const api = server.api;
  await addUser(server, 'ada', 'Ada Brennan', 'editor');
  await addUser(server, 'jonas', 'Jonas Ede', 'editor');
  await addUser(server, 'priya', 'Priya Nand', 'contributor');
  await api.post('/api/v1/briefings', {
    slug: SLUG,
    title: 'Floods in the Aldwyn valley',
    summary: '- Water levels are falling at Kestrel Bridge\n- 1,200 people evacuated from the east bank',
    locale: 'en-GB',
    timeZone: 'Europe/London',
  });
  const publish = async (body: Record<string, unknown>): Promise<Entry> =>
    (await api.post<{ entry: Entry }>(`/api/v1/briefings/${SLUG}/entries`, body)).body.entry;
  await publish({
    body: 'Rescue crews reached **Weir Pool** overnight; roads east of the town remain closed.',
    sources: 'With reporting by our Harwood correspondent',
  });
  const corrected = await publish({ title: 'Evacuations', body: 'About 1,000 people have left their homes.' });
  await api.patch(`/api/v1/briefings/${SLUG}/entries/${corrected.id}`, {
    body: 'About **1,200** people have left their homes, the county council said.',
  });
  await publish({
    title: 'Map of the affected districts',
    body: 'The shaded areas were under water at noon.',
    pinned: true,
    media: [
      {
        url: `${server.url}/assets/demo/river-map.svg`,
        alt: 'Map of the River Aldwyn through Kestrel Bridge, with the two closed crossings marked',
        caption: 'Flooded districts at noon',
        credit: 'Graphic: livebrief demo',
      },
    ],
    links: [{ title: 'How to find shelter', url: 'https://example.org/shelter' }],
  });
  const key = await publish({
    title: 'Reservoir spillway opened',
    body: 'Engineers opened the spillway of the Upper Aldwyn reservoir at 14:00 to relieve pressure on the dam.',
    keyEvent: true,
  });
  const priya = await login(server.url, 'priya');
  await priya.client?.request('POST', `/console/api/briefings/${SLUG}/drafts`, {
    kind: 'submitted',
    fields: { body: 'Volunteers are handing out water at the Corn Exchange.', sources: 'Priya Nand in Kestrel Bridge' },
  });
  await api.post(`/api/v1/briefings/${SLUG}/entries`, {
    body: 'Press conference with the council leader.',
    publishAt: new Date(Date.now() + 2 * 3600_000).toISOString(),
  });

  const browser = await launchBrowser();
  onClose(() => browser.close());

  // Jonas has the key event open: Ada sees him in the presence bar and on the entry.
  const jonas = await signInPage(browser, server.url, 'jonas');
  await openBriefing(jonas.page, SLUG);
  await jonas.page.locator(`[data-entry="${key.id}"] [data-action="edit"]`).first().click();

  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    const { page } = await signInPage(browser, server.url, 'ada', { viewport });
    await openBriefing(page, SLUG);
    await page.locator('.person.editing').waitFor();
    await page.getByLabel('Title (optional)').fill('Second reservoir under watch');
    await page
      .getByLabel('Text', { exact: true })
      .fill(
        'Engineers say the **Lower Aldwyn** reservoir level is stable.\n\n> "We are checking it every hour," the county\'s chief engineer said.',
      );
    await page.locator('details.extras summary', { hasText: 'See also' }).click();
    await page.getByRole('button', { name: 'Add link' }).click();
    await page.getByLabel('Link text').fill('Live river levels');
    await page.getByLabel('URL').fill('https://example.org/levels');
    await page.getByLabel('Sources').fill('With reporting by our river desk');
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
      await page
        .locator('#feed-heading')
        .evaluate((element) => window.scrollTo(0, element.getBoundingClientRect().top + window.scrollY - 60));
      await shot(page, 'console-feed-phone');
    }
  }

  // A webhook: the newsroom's site receives every change; it was down for the first one.
  let received = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      response.writeHead(received === 1 ? 503 : 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  onClose(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/livebrief-hook`;
  await api.post('/api/v1/webhooks', { url: receiverUrl, briefings: 'all', events: ['entry.published', 'entry.updated', 'entry.deleted'] });
  await publish({ body: 'Trains to Harwood run again from 18:00, the operator says.' });
  await publish({ body: 'The Corn Exchange rest centre has room for 80 more people tonight.' });
  while (received < 3) await new Promise((resolve) => setTimeout(resolve, 100));
  await addUser(server, 'mara', 'Mara Quinn', 'admin');
  const admin = await signInPage(browser, server.url, 'mara', { viewport: DESKTOP, hash: '#/webhooks' });
  await admin.page.getByRole('button', { name: 'Deliveries' }).first().click();
  await admin.page.locator('.deliveries tr, .deliveries li').nth(2).waitFor();
  await shot(admin.page, 'console-webhooks-desktop');

  // The conflict: Ada and Jonas correct the same entry; Ada saves first.
  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    const current = await publish({
      title: 'Evacuation buses',
      body: 'About **1,200** people have left their homes, the county council said.',
    });
    const { page } = await signInPage(browser, server.url, 'jonas', { viewport });
    await openBriefing(page, SLUG);
    await page.locator(`[data-entry="${current.id}"] [data-action="edit"]`).first().click();
    await page.getByLabel('Text', { exact: true }).fill(`${current.body}\nBuses leave from the station forecourt every hour.`);
    await api.patch(
      `/api/v1/briefings/${SLUG}/entries/${current.id}`,
      { body: `${current.body}\nRest centres are open at the Corn Exchange and the Leisure Centre.` },
      { 'if-match': `"${current.version}"` },
    );
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

/**
 * A briefing in Russian or Arabic reads in that language all around its entries: no
 * English interface word on the page, in the "N new updates" button, in the widget.
 */
import type { Frame, Page } from 'playwright-core';
import { en } from '../../shared/i18n/en';
import { publish } from '../support/fixtures';
import type { TestServer } from '../support/harness';
import { newContext, openLive, serveHostPage } from './support/browser';
import { browserAndServerPerTest } from './support/fixture';

const e2e = browserAndServerPerTest();

/** Every word of three letters or more in the English catalogue, placeholders left out. */
const ENGLISH_WORDS = new Set(
  Object.values(en)
    .flatMap((message) => (typeof message === 'string' ? [message] : Object.values(message)))
    .flatMap((text) => text.replace(/\{\w+\}/g, ' ').split(/[^\p{L}]+/u))
    .filter((word) => word.length >= 3)
    .map((word) => word.toLowerCase()),
);

/** What the newsroom wrote (entries, the briefing's title and summary, the publisher's name): not interface words. */
const CONTENT = [
  '.lb-body',
  '.lb-entry-title',
  '.lb-links li',
  '.lb-sources',
  '.lb-author',
  '[data-lb="title"]',
  '.lb-title',
  '.lb-summary-body',
  '[data-lb="key-events"] span',
  '.lb-brand',
].join(', ');

/** The interface's visible text and labels: in the document, or inside the shadow root of `host`. */
async function interfaceText(page: Page | Frame, host?: string): Promise<string> {
  return page.evaluate(
    ({ content, host }) => {
      const root: Document | ShadowRoot | null | undefined = host ? document.querySelector(host)?.shadowRoot : document;
      if (!root) throw new Error(`no root ${host ?? ''}`);
      const parts: string[] = host ? [] : [document.title];
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest(content) || parent.closest('script, style, title')) continue;
        // Visually hidden text (for screen readers) counts: checkVisibility only drops what is not rendered.
        if (parent.checkVisibility()) parts.push(node.textContent ?? '');
      }
      for (const element of Array.from(root.querySelectorAll('[aria-label], [title], [alt]'))) {
        if (element.closest(content) || element.closest('head')) continue;
        for (const name of ['aria-label', 'title', 'alt']) parts.push(element.getAttribute(name) ?? '');
      }
      return parts.join(' \n ');
    },
    { content: CONTENT, host },
  );
}

function englishWords(text: string): string[] {
  return [...new Set(text.split(/[^\p{L}]+/u).filter((word) => ENGLISH_WORDS.has(word.toLowerCase())))];
}

/** A briefing with every kind of entry, so all of the feed's chrome shows: key events, "See also", pinned, a correction, "Load older". */
async function fullBriefing(server: TestServer, slug: string, locale: string, timeZone: string, words: string[]): Promise<void> {
  const [title, paragraph, link] = words as [string, string, string];
  const created = await server.api.post('/api/v1/briefings', { slug, title, summary: `- ${paragraph}`, locale, timeZone });
  expect(created.status).toBe(201);
  for (let n = 1; n <= 20; n++) await publish(server.api, slug, `${n}. ${paragraph}\n\n${paragraph} ${paragraph}`);
  await publish(server.api, slug, paragraph, { title: `${title} ${1}`, keyEvent: true });
  await publish(server.api, slug, paragraph, { links: [{ title: link, url: 'https://example.org/map' }], sources: link });
  await publish(server.api, slug, paragraph, { pinned: true, keyEvent: true });
  const corrected = await publish(server.api, slug, paragraph);
  const patched = await server.api.patch(`/api/v1/briefings/${slug}/entries/${corrected.entry.id}`, { body: `${paragraph} ${link}` });
  expect(patched.status).toBe(200);
}

test('a Russian briefing page has no English interface word, and counts new updates in Russian', async () => {
  const { browser, server } = e2e;
  await fullBriefing(server, 'ru', 'ru-RU', 'Europe/Moscow', [
    'Наводнение на Кубани',
    'Уровень воды в реке продолжает расти, спасатели эвакуируют жителей.',
    'Карта затоплений',
  ]);
  const { context, errors } = await newContext(browser, { viewport: { width: 1024, height: 700 } });
  const page = await openLive(context, `${server.url}/b/ru`);
  expect(await page.locator('html').getAttribute('lang')).toBe('ru-RU');
  expect(await page.locator('html').getAttribute('dir')).toBe('ltr');
  // The chrome this test means to see is there (in Russian).
  for (const selector of ['.lb-flag--key', '.lb-flag--pin', '.lb-links', '.lb-updated', '[data-lb="older"]', '[data-lb="key-events-box"]'])
    expect(await page.locator(selector).first().isVisible()).toBe(true);
  expect(await page.locator('[data-lb="connection"]').textContent()).toBe('Обновляется в реальном времени');
  const text = await interfaceText(page);
  // What the check reads is the chrome, entries' words left out.
  expect(text).toContain('Читайте также');
  expect(text).not.toContain('Уровень воды');
  expect(englishWords(text)).toEqual([]);

  await page.evaluate(() => window.scrollTo(0, 2000));
  await page.waitForFunction(() => window.scrollY === 2000);
  const button = page.locator('[data-lb="reveal"]');
  let published = 0;
  for (const [count, text] of [
    [1, '1 новое обновление'],
    [2, '2 новых обновления'],
    [5, '5 новых обновлений'],
  ] as const) {
    for (; published < count; published++) await publish(server.api, 'ru', 'Новое сообщение с места событий.');
    await page.waitForFunction((held) => document.title.startsWith(`(${held})`), count, { timeout: 3000 });
    await button.waitFor({ state: 'visible', timeout: 2000 });
    expect(await button.textContent()).toBe(text);
  }
  expect(await page.locator('[data-lb="announce"]').textContent()).toBe('5 новых обновлений');
  expect(englishWords(await interfaceText(page))).toEqual([]);

  await button.click();
  await button.waitFor({ state: 'hidden' });
  await page.locator('[data-lb="older"]').click();
  await page.locator('[data-lb="announce"]', { hasText: 'Загружено' }).waitFor({ timeout: 3000 });
  expect(englishWords(await interfaceText(page))).toEqual([]);
  expect(errors).toEqual([]);
});

test('an Arabic briefing reads right to left in Arabic, on its page, an entry’s page and in a widget on an English page', async () => {
  const { browser, server } = e2e;
  await fullBriefing(server, 'ar', 'ar', 'Asia/Dubai', [
    'فيضانات في المنطقة',
    'يواصل منسوب المياه الارتفاع وفرق الإنقاذ تُجلي السكان.',
    'خريطة المناطق المغمورة',
  ]);
  const { context, errors } = await newContext(browser);
  const page = await openLive(context, `${server.url}/b/ar`);
  expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
  expect(await page.locator('html').getAttribute('lang')).toBe('ar');
  expect(await page.locator('link[rel="alternate"][type="application/atom+xml"]').getAttribute('hreflang')).toBe('ar');
  for (const selector of ['.lb-flag--key', '.lb-flag--pin', '.lb-links', '.lb-updated', '[data-lb="older"]'])
    expect(await page.locator(selector).first().isVisible()).toBe(true);
  expect(englishWords(await interfaceText(page))).toEqual([]);

  const entryHref = await page.locator('[data-lb="feed"] .lb-permalink').first().getAttribute('href');
  const entryPage = await context.newPage();
  await entryPage.goto(`${server.url}${entryHref ?? ''}`);
  expect(await entryPage.locator('html').getAttribute('dir')).toBe('rtl');
  expect(englishWords(await interfaceText(entryPage))).toEqual([]);

  const host = await serveHostPage(`<!doctype html><html lang="en" dir="ltr"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="${server.url}/embed.js"></script></head>
<body><p>An English page with a widget in it.</p><live-briefing slug="ar" limit="5"></live-briefing></body></html>`);
  const hostPage = await context.newPage();
  await hostPage.goto(host.url);
  await hostPage.locator('live-briefing [data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  const root = hostPage.locator('live-briefing .lb-embed');
  // The widget learns its briefing's language from the snapshot and loads that one catalogue before it says "live".
  expect(await hostPage.locator('live-briefing [data-lb="connection"]').textContent()).toBe('تحديث مباشر');
  expect(await root.getAttribute('lang')).toBe('ar');
  expect(await root.getAttribute('dir')).toBe('rtl');
  expect(await hostPage.locator('html').getAttribute('dir')).toBe('ltr');
  expect(await hostPage.locator('live-briefing .lb-load-older').isVisible()).toBe(true);
  expect(englishWords(await interfaceText(hostPage, 'live-briefing'))).toEqual([]);

  // The widget's page of its own, in an iframe as a host page would put it.
  const framing = await serveHostPage(`<!doctype html><html lang="en"><body><iframe src="${server.url}/embed/ar"></iframe></body></html>`);
  const framingPage = await context.newPage();
  await framingPage.goto(framing.url);
  await framingPage.frameLocator('iframe').locator('live-briefing [data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  const frame = framingPage.frames().find((candidate) => candidate.url().startsWith(server.url));
  if (!frame) throw new Error('no embed frame');
  expect(await frame.locator('html').getAttribute('dir')).toBe('rtl');
  expect(englishWords(await interfaceText(frame, 'live-briefing'))).toEqual([]);
  expect(errors).toEqual([]);
});

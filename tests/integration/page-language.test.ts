/**
 * The pages' interface language over HTTP: a briefing's pages, its Atom feed and its
 * widget frame in its own language, with `lang`, `dir` and `hreflang`; its page's state
 * carries that one catalogue; the list keeps the service's words and marks each card.
 */
import type { PageState } from '../../shared/page-state';
import { CATALOGUES } from '../../shared/i18n/catalogues';
import { publish } from '../support/fixtures';
import { closeAll, startServer, type TestServer } from '../support/harness';

afterEach(closeAll);

async function text(server: TestServer, path: string): Promise<string> {
  const response = await fetch(`${server.url}${path}`);
  expect(response.status).toBe(200);
  return response.text();
}

function pageState(html: string): PageState {
  const json = /<script type="application\/json" id="lb-state">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error('no page state');
  return JSON.parse(json) as PageState;
}

test('a Russian briefing: Russian words, lang and hreflang, and only the Russian catalogue in its state', async () => {
  const server = await startServer();
  await server.api.post('/api/v1/briefings', { slug: 'vybory', title: 'Выборы', locale: 'ru-RU', timeZone: 'Europe/Moscow' });
  const entry = (await publish(server.api, 'vybory', 'Участки открылись.', { title: 'Начало', keyEvent: true })).entry;

  const page = await text(server, '/b/vybory');
  expect(page).toContain('<html lang="ru-RU" dir="ltr"');
  expect(page).toMatch(/<link rel="alternate" type="application\/atom\+xml" hreflang="ru-RU"/);
  expect(page).toContain('>Последние обновления<');
  expect(page).toContain('<span class="lb-flag lb-flag--key">Главное</span>');
  expect(page).not.toContain('Latest updates');
  const state = pageState(page);
  expect(state.words).toEqual({ language: 'ru', catalogue: CATALOGUES.ru });
  // Not a word of another catalogue (Georgian, Ukrainian…) travels with the page.
  expect(page).not.toContain('უახლესი განახლებები');
  expect(page).not.toContain('Останні оновлення');

  const entryPage = await text(server, `/b/vybory/e/${entry.id}`);
  expect(entryPage).toContain('← Вернуться к трансляции');
  expect(entryPage).toContain('Из трансляции «<a href="/b/vybory">Выборы</a>»');
  expect(pageState(entryPage).words.language).toBe('ru');

  const feed = await text(server, '/b/vybory/feed.xml');
  expect(feed).toContain('xml:lang="ru-RU"');
  expect(feed).toContain('<link rel="alternate" type="text/html" hreflang="ru-RU"');
  expect(feed).toContain('<category term="key-event" label="Главное"/>');

  const frame = await text(server, '/embed/vybory');
  expect(frame).toContain('<html lang="ru-RU" dir="ltr"');
  expect(frame).toContain('Выборы: следить за трансляцией');
});

test('an English briefing sends no catalogue; a language without one falls back to English', async () => {
  const server = await startServer();
  await server.api.post('/api/v1/briefings', { slug: 'news', title: 'News' });
  await server.api.post('/api/v1/briefings', { slug: 'nachrichten', title: 'Nachrichten', locale: 'de-DE' });
  expect(pageState(await text(server, '/b/news')).words).toEqual({ language: 'en', catalogue: {} });
  const german = await text(server, '/b/nachrichten');
  expect(pageState(german).words).toEqual({ language: 'en', catalogue: {} });
  expect(german).toContain('<html lang="de-DE" dir="ltr"');
  expect(german).toContain('>Latest updates<');
});

test('the list keeps its own words and marks each card with its briefing’s language', async () => {
  const server = await startServer();
  await server.api.post('/api/v1/briefings', { slug: 'news', title: 'News' });
  await server.api.post('/api/v1/briefings', { slug: 'akhbar', title: 'أخبار', locale: 'ar' });
  await server.api.post('/api/v1/briefings', { slug: 'nachrichten', title: 'Nachrichten', locale: 'de-DE' });
  await server.api.post('/api/v1/briefings', { slug: 'british', title: 'British', locale: 'en-GB' });
  const list = await text(server, '/');
  expect(list).toContain('<html lang="en" dir="ltr"');
  expect(list).toContain('<h1 class="lb-index-title">Live coverage</h1>');
  expect(list).toMatch(/<li class="lb-card lb-card--live" lang="ar" dir="rtl">\s*<p class="lb-card-meta">.*مباشر.*بدأت/);
  expect(list).toContain('<a href="/b/akhbar" hreflang="ar">أخبار</a>');
  expect(list).toContain('<a href="/b/news">News</a>');
  // Another language without a catalogue of its own is still another language.
  expect(list).toContain('<a href="/b/nachrichten" hreflang="de-DE">Nachrichten</a>');
  expect(list).toContain('<a href="/b/british">British</a>');
});

test('LIVEBRIEF_LANGUAGE gives the list and the not-found page the service’s own language', async () => {
  const server = await startServer({ LIVEBRIEF_LANGUAGE: 'ka-GE' });
  await server.api.post('/api/v1/briefings', { slug: 'news', title: 'News' });
  const list = await text(server, '/');
  expect(list).toContain('<html lang="ka" dir="ltr"');
  expect(list).toContain('<h1 class="lb-index-title">პირდაპირი გაშუქება</h1>');
  // The English briefing's card is in English, and its link says so.
  expect(list).toContain('<a href="/b/news" hreflang="en">News</a>');
  expect(list).toMatch(/<li class="lb-card lb-card--live" lang="en" dir="ltr">\s*<p class="lb-card-meta">.*Live.*Started/);
  const missing = await fetch(`${server.url}/b/nowhere`);
  expect(missing.status).toBe(404);
  expect(await missing.text()).toContain('<h1 class="lb-title">ვერ მოიძებნა</h1>');
});

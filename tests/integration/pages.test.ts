/**
 * The reader's pages over HTTP: schema.org JSON-LD, the Atom feed, caching, security and
 * cross-origin headers, and what a page carries for its script.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { PageState, PageView } from '../../shared/page-state';
import { LIMITS, type Cursor, type Entry } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import { closeAll, startServer, type TestServer } from '../support/harness';

afterEach(closeAll);

async function page(
  server: TestServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`, { headers });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** The contents of every <script type="…"> of that type, parsed. */
function scripts(html: string, type: string): unknown[] {
  const pattern = new RegExp(`<script type="${type.replace('+', '\\+')}"[^>]*>([\\s\\S]*?)</script>`, 'g');
  return [...html.matchAll(pattern)].map((match) => JSON.parse(match[1] ?? '') as unknown);
}

/** The page's state for its script: what entries and pinned entries it shows, and at which cursor. */
function pageState(html: string): PageState & { kind: 'briefing' } {
  const [state] = scripts(html, 'application/json') as PageState[];
  if (state?.kind !== 'briefing') throw new Error('no briefing state');
  return state;
}

const HOSTILE = 'Ends here </script><script>alert(1)</script> <!-- and a comment';

describe('the briefing page', () => {
  let server: TestServer;
  let entries: Entry[];

  beforeEach(async () => {
    server = await startServer({
      LIVEBRIEF_PUBLIC_URL: 'https://live.example.org/',
      LIVEBRIEF_PUBLISHER_NAME: 'The Example Times',
      LIVEBRIEF_PUBLISHER_LOGO: 'https://cdn.example.org/logo.png',
    });
    await server.api.post('/api/v1/briefings', { slug: 'ld', title: 'Storm <live>', summary: 'What we **know**' });
    entries = [
      (await publish(server.api, 'ld', 'First update, *plain*.')).entry,
      (await publish(server.api, 'ld', HOSTILE, { title: 'A hostile title </script>' })).entry,
    ];
  });

  test('has LiveBlogPosting JSON-LD with every field, escaped so no entry text closes the script', async () => {
    const { status, text } = await page(server, '/b/ld');
    expect(status).toBe(200);
    // Nothing an editor wrote can end the script element early.
    const ldBlock = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(text)?.[1] ?? '';
    expect(ldBlock).not.toContain('<');
    expect(ldBlock).toContain('\\u003c/script\\u003e');
    expect(text).not.toContain('<script>alert(1)');

    const [ld] = scripts(text, 'application/ld+json') as Record<string, unknown>[];
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'LiveBlogPosting',
      headline: 'Storm <live>',
      url: 'https://live.example.org/b/ld',
      datePublished: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      dateModified: entries[1]?.publishedAt,
      coverageStartTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      publisher: {
        '@type': 'Organization',
        name: 'The Example Times',
        logo: { '@type': 'ImageObject', url: 'https://cdn.example.org/logo.png' },
      },
    });
    expect(ld).not.toHaveProperty('coverageEndTime');
    const updates = ld?.liveBlogUpdate as Record<string, unknown>[];
    expect(updates).toHaveLength(2);
    const [hostile, first] = updates;
    expect(hostile).toEqual({
      '@type': 'BlogPosting',
      headline: 'A hostile title </script>',
      url: `https://live.example.org/b/ld/e/${entries[1]?.id}`,
      mainEntityOfPage: `https://live.example.org/b/ld/e/${entries[1]?.id}`,
      datePublished: entries[1]?.publishedAt,
      dateModified: entries[1]?.publishedAt,
      articleBody: 'Ends here  <!-- and a comment',
      author: { '@type': 'Person', name: 'Administrator' },
      publisher: expect.objectContaining({ name: 'The Example Times' }),
    });
    expect(first).toMatchObject({ headline: 'First update, plain.', articleBody: 'First update, plain.' });

    await server.api.patch('/api/v1/briefings/ld', { status: 'ended' });
    const ended = scripts((await page(server, '/b/ld')).text, 'application/ld+json')[0] as Record<string, unknown>;
    expect(ended.coverageEndTime).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
  });

  test('carries its cursor and initial state for the script, and Open Graph and Twitter cards', async () => {
    const { text } = await page(server, '/b/ld');
    const state = pageState(text);
    const view: PageView = state.view;
    const api = await server.api.get<Cursor>('/api/v1/briefings/ld/entries');
    expect({ epoch: view.epoch, seq: view.seq }).toEqual({ epoch: api.body.epoch, seq: api.body.seq });
    expect(view.entries.map((entry) => entry.id)).toEqual([entries[1]?.id, entries[0]?.id]);
    expect(state.live).toBe(true);
    expect(text).toContain('<meta property="og:title" content="Storm &lt;live&gt;">');
    expect(text).toContain('<meta property="og:url" content="https://live.example.org/b/ld">');
    expect(text).toContain('<meta name="twitter:card" content="summary">');
    expect(text).toContain('<link rel="alternate" type="application/atom+xml"');
    // The summary is Markdown rendered; entry text is escaped in the markup too.
    expect(text).toContain('What we <strong>know</strong>');
    expect(text).toContain('A hostile title &lt;/script&gt;');
    expect(text).toMatch(/<time class="lb-time" datetime="[^"]+"/);
  });

  test('is cacheable with a strict CSP: ETag, 304, short Cache-Control with stale-while-revalidate', async () => {
    const first = await page(server, '/b/ld');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(first.headers.get('cache-control')).toBe('public, max-age=10, stale-while-revalidate=60');
    const csp = first.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(first.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(first.text).not.toMatch(/<script(?![^>]*(type="application\/(ld\+)?json"|src=))[^>]*>/);
    expect(first.text).not.toMatch(/ style="/);
    // As a browser revalidates (fetch would add "no-cache" to a conditional request by itself).
    const revalidate = { 'if-none-match': etag ?? '', 'cache-control': 'max-age=0' };
    const again = await fetch(`${server.url}/b/ld`, { headers: revalidate });
    expect(again.status).toBe(304);

    await publish(server.api, 'ld', 'A change makes a new page.');
    const changed = await fetch(`${server.url}/b/ld`, { headers: revalidate });
    expect(changed.status).toBe(200);
  });

  test('the entry page shows the entry with its briefing and a link back', async () => {
    const id = entries[0]?.id ?? '';
    const { status, text } = await page(server, `/b/ld/e/${id}`);
    expect(status).toBe(200);
    expect(text).toContain('First update, <em>plain</em>.');
    expect(text).toContain(`href="/b/ld#e-${id}"`);
    expect(text).toContain('Storm &lt;live&gt;');
    const [ld] = scripts(text, 'application/ld+json') as Record<string, unknown>[];
    expect(ld).toMatchObject({ '@type': 'BlogPosting', url: `https://live.example.org/b/ld/e/${id}` });
    expect((await page(server, '/b/ld/e/nope')).status).toBe(404);
    expect((await page(server, '/b/missing')).status).toBe(404);
    expect((await page(server, '/b/ld?before=garbage')).status).toBe(400);
  });

  test('the Atom feed is well-formed Atom 1.0 with the newest entries', async () => {
    const response = await page(server, '/b/ld/feed.xml');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(XMLValidator.validate(response.text)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(response.text) as {
      feed: Record<string, unknown> & { entry: Record<string, unknown>[] };
    };
    const feed = parsed.feed;
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe('https://live.example.org/b/ld');
    expect(feed.title).toBe('Storm <live>');
    expect(feed.updated).toBe(entries[1]?.publishedAt);
    expect(feed.author).toEqual({ name: 'The Example Times' });
    expect(feed.link).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ '@rel': 'self', '@href': 'https://live.example.org/b/ld/feed.xml' }),
        expect.objectContaining({ '@rel': 'alternate', '@href': 'https://live.example.org/b/ld' }),
      ]),
    );
    expect(feed.entry).toHaveLength(2);
    const [hostile] = feed.entry;
    expect(hostile).toMatchObject({
      id: `https://live.example.org/b/ld/e/${entries[1]?.id}`,
      title: 'A hostile title </script>',
      published: entries[1]?.publishedAt,
      updated: entries[1]?.publishedAt,
      author: { name: 'Administrator' },
    });
    expect((hostile?.content as Record<string, string>)['@type']).toBe('html');
    expect((hostile?.content as Record<string, string>)['#text']).toContain('Ends here');
  });
});

describe('a briefing page asked for again', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer();
    await server.api.post('/api/v1/briefings', { slug: 'again', title: 'The first title' });
  });

  /** GETs the page twice (the second answer may reuse what the first rendered); both must be the page of now. */
  async function current(path = '/b/again', headers: Record<string, string> = {}): Promise<{ text: string; etag: string }> {
    const first = await page(server, path, headers);
    const second = await page(server, path, headers);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(pageState(second.text).view.seq).toBe(pageState(first.text).view.seq);
    return { text: second.text, etag: second.headers.get('etag') ?? '' };
  }

  /** The ETag of the page before a change no longer matches: a revalidating browser gets the new page. */
  async function expectRevalidated(stale: string, fresh: string): Promise<void> {
    expect(fresh).not.toBe(stale);
    const revalidate = (etag: string) =>
      fetch(`${server.url}/b/again`, { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } });
    expect((await revalidate(stale)).status).toBe(200);
    expect((await revalidate(fresh)).status).toBe(304);
  }

  test('shows each publish, correction, pin, deletion and briefing edit at once, with an ETag that follows', async () => {
    const empty = await current();
    expect(empty.text).toContain('The first title');

    const { entry, seq } = await publish(server.api, 'again', 'Water is rising at the bridge.');
    const published = await current();
    expect(pageState(published.text).view.seq).toBe(seq);
    expect(published.text).toContain('Water is rising at the bridge.');
    await expectRevalidated(empty.etag, published.etag);

    const entryPath = `/api/v1/briefings/again/entries/${entry.id}`;
    expect((await server.api.patch(entryPath, { body: 'Water is falling at the bridge.' })).status).toBe(200);
    const corrected = await current();
    expect(corrected.text).toContain('Water is falling at the bridge.');
    expect(corrected.text).not.toContain('Water is rising');
    await expectRevalidated(published.etag, corrected.etag);

    expect((await server.api.patch(entryPath, { pinned: true })).status).toBe(200);
    const pinned = await current();
    expect(pageState(pinned.text).view.pinned.map((item) => item.id)).toEqual([entry.id]);
    await expectRevalidated(corrected.etag, pinned.etag);

    expect((await server.api.delete(entryPath)).status).toBe(200);
    const deleted = await current();
    expect(deleted.text).not.toContain('Water is falling');
    expect(pageState(deleted.text).view.pinned).toEqual([]);
    await expectRevalidated(pinned.etag, deleted.etag);

    expect((await server.api.patch('/api/v1/briefings/again', { title: 'A new title' })).status).toBe(200);
    const retitled = await current();
    expect(retitled.text).toContain('A new title');
    expect(retitled.text).not.toContain('The first title');
    await expectRevalidated(deleted.etag, retitled.etag);
  });

  test.each(['br', 'gzip'])('goes out compressed (%s) to a browser that takes it, the same page with the same ETag', async (encoding) => {
    await publish(server.api, 'again', 'Water is rising at the bridge.');
    const plain = await current('/b/again', { 'accept-encoding': 'identity' });
    for (let asked = 0; asked < 2; asked++) {
      const compressed = await fetch(`${server.url}/b/again`, { headers: { 'accept-encoding': encoding } });
      expect(compressed.headers.get('content-encoding')).toBe(encoding);
      expect(compressed.headers.get('vary')).toContain('Accept-Encoding');
      expect(compressed.headers.get('etag')).toBe(plain.etag);
      expect(await compressed.text()).toBe(plain.text);
    }
    await publish(server.api, 'again', 'Water is falling at the bridge.');
    const changed = await fetch(`${server.url}/b/again`, { headers: { 'accept-encoding': encoding } });
    expect(await changed.text()).toContain('Water is falling at the bridge.');
  });

  test('links to the address it was asked at: another scheme or host gets its own page', async () => {
    await publish(server.api, 'again', 'An update.');
    const origin = new URL(server.url).host;
    expect((await current()).text).toContain(`<link rel="canonical" href="http://${origin}/b/again">`);
    // Through a proxy on loopback (trusted), a request that came in over HTTPS.
    expect((await current('/b/again', { 'x-forwarded-proto': 'https' })).text).toContain(
      `<link rel="canonical" href="https://${origin}/b/again">`,
    );
    expect((await current()).text).toContain(`<link rel="canonical" href="http://${origin}/b/again">`);
  });

  test('the live page and an archive page of the same briefing stay apart', async () => {
    const ids: string[] = [];
    for (let n = 0; n <= LIMITS.pageSizeDefault; n++) ids.push((await publish(server.api, 'again', `Update number ${n}.`)).entry.id);
    const live = pageState((await current()).text);
    expect(live.archive).toBe(false);
    expect(live.view.entries.map((item) => item.id)).not.toContain(ids[0]);
    const archive = pageState((await current(`/b/again?around=${ids[0]}`)).text);
    expect(archive.archive).toBe(true);
    expect(archive.view.entries.map((item) => item.id)).toEqual([ids[0]]);
    expect(pageState((await current()).text).view.entries.map((item) => item.id)).not.toContain(ids[0]);
  });
});

describe('cross-origin use', () => {
  test('embed.js, the assets and the JSON reads can be used from any origin by default', async () => {
    const server = await startServer();
    await createBriefing(server.api, 'open');
    const origin = { origin: 'https://news.example.com' };
    const script = await page(server, '/embed.js', origin);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('access-control-allow-origin')).toBe('*');
    expect(script.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const locale = await page(server, '/assets/locales/fr.js', origin);
    expect(locale.headers.get('access-control-allow-origin')).toBe('*');
    const api = await page(server, '/api/v1/briefings/open/entries', origin);
    expect(api.headers.get('access-control-allow-origin')).toBe('*');
    expect(api.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    // Writes are not opened to other origins.
    const write = await fetch(`${server.url}/api/v1/briefings`, {
      method: 'POST',
      headers: { ...origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(write.headers.get('access-control-allow-origin')).toBeNull();
    // The reader's own page stays same-origin; the frame page is frameable.
    expect((await page(server, '/b/open')).headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const frame = await page(server, '/embed/open');
    expect(frame.status).toBe(200);
    expect(frame.headers.get('x-frame-options')).toBeNull();
    expect(frame.headers.get('content-security-policy')).toContain('frame-ancestors *');
  });

  test('with an allowlist, only those origins get CORS, the frame and the socket', async () => {
    const server = await startServer({ LIVEBRIEF_EMBED_ORIGINS: 'https://news.example.com, https://blog.example.net' });
    await createBriefing(server.api, 'closed');
    const allowed = await page(server, '/embed.js', { origin: 'https://news.example.com' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://news.example.com');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const refused = await page(server, '/api/v1/briefings', { origin: 'https://evil.example' });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const frame = await page(server, '/embed/closed');
    expect(frame.headers.get('content-security-policy')).toContain(
      "frame-ancestors 'self' https://news.example.com https://blog.example.net",
    );

    const handshake = (origin: string): Promise<number> =>
      fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } }).then((response) => response.status);
    expect(await handshake('https://news.example.com')).toBe(200);
    expect(await handshake('https://evil.example')).toBe(403);
    expect(await handshake(server.url)).toBe(200);
  });
});

test('the list of briefings shows live ones first with a LIVE badge', async () => {
  const server = await startServer();
  await createBriefing(server.api, 'older-live');
  await createBriefing(server.api, 'finished');
  await server.api.patch('/api/v1/briefings/finished', { status: 'ended' });
  await createBriefing(server.api, 'newer-live');
  const { status, text } = await page(server, '/');
  expect(status).toBe(200);
  const order = [...text.matchAll(/<a href="\/b\/([a-z-]+)">/g)].map((match) => match[1]);
  expect(order).toEqual(['newer-live', 'older-live', 'finished']);
  expect(text.match(/lb-badge--live/g)).toHaveLength(2);
  expect(text.match(/lb-badge--ended/g)).toHaveLength(1);
});

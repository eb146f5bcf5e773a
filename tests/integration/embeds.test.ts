/**
 * Entries' `embeds` (contract v1.1): recognized and stored as `{ url, provider }`, refused
 * with 400 naming `embeds` when unknown, insecure or too many, replaced by PATCH, always an
 * array for readers (also for entries stored before the field existed), and linked from the
 * pages and the Atom feed.
 */
import { Redis } from 'ioredis';
import { Keys } from '../../server/store/keys';
import type { Entry } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import { closeAll, DEFAULT_REDIS, startServer, type TestServer } from '../support/harness';

afterEach(closeAll);

const B = '/api/v1/briefings';
const YOUTUBE = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
const TWEET = 'https://x.com/Reuters/status/1790000000000000000';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('embeds through the API', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
    await createBriefing(server.api, 'em');
  });

  test('a new entry stores each URL with its provider and returns them; readers get them everywhere', async () => {
    const created = await publish(server.api, 'em', 'With a video', { embeds: [{ url: YOUTUBE }, { url: TWEET }] });
    const expected = [
      { url: YOUTUBE, provider: 'youtube' },
      { url: TWEET, provider: 'x' },
    ];
    expect(created.entry.embeds).toEqual(expected);
    const one = await server.api.get<{ entry: Entry }>(`${B}/em/entries/${created.entry.id}`);
    expect(one.body.entry.embeds).toEqual(expected);
    const list = await server.api.get<{ entries: Entry[] }>(`${B}/em/entries`);
    expect(list.body.entries[0]?.embeds).toEqual(expected);
    const changes = await server.api.get<{ changes: { entry?: Entry }[] }>(`${B}/em/changes?since=0`);
    expect(changes.body.changes.at(-1)?.entry?.embeds).toEqual(expected);
  });

  test('an entry without embeds has []', async () => {
    const created = await publish(server.api, 'em', 'Plain');
    expect(created.entry.embeds).toEqual([]);
  });

  test.each([
    ['five of them', Array.from({ length: 5 }, () => ({ url: YOUTUBE }))],
    ['plain http', [{ url: 'http://www.youtube.com/watch?v=dQw4w9WgXcQ' }]],
    ['an unknown service', [{ url: 'https://example.com/video/1' }]],
    ['a look-alike host', [{ url: 'https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ' }]],
    ['credentials in the URL', [{ url: 'https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ' }]],
    ['not a list', { url: YOUTUBE }],
    ['no url', [{ href: YOUTUBE }]],
  ])('%s: 400 naming embeds, nothing stored', async (_what, embeds) => {
    const response = await server.api.post<ErrorBody>(`${B}/em/entries`, { body: 'x', embeds });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBeTruthy();
    expect(response.body.error.message).toMatch(/embeds/);
    const list = await server.api.get<{ entries: Entry[] }>(`${B}/em/entries`);
    expect(list.body.entries).toEqual([]);
  });

  test('PATCH replaces the embeds, leaves them alone when not named, and refuses a bad one', async () => {
    const created = await publish(server.api, 'em', 'x', { embeds: [{ url: YOUTUBE }] });
    const path = `${B}/em/entries/${created.entry.id}`;
    const replaced = await server.api.patch<{ entry: Entry }>(path, { embeds: [{ url: 'https://t.me/durov/123' }] });
    expect(replaced.status).toBe(200);
    expect(replaced.body.entry.embeds).toEqual([{ url: 'https://t.me/durov/123', provider: 'telegram' }]);
    // a correction of what the entry shows
    expect(replaced.body.entry.updatedAt).not.toBeNull();
    const other = await server.api.patch<{ entry: Entry }>(path, { title: 'Now titled' });
    expect(other.body.entry.embeds).toEqual([{ url: 'https://t.me/durov/123', provider: 'telegram' }]);
    const bad = await server.api.patch<ErrorBody>(path, { embeds: [{ url: 'http://t.me/durov/1' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/embeds/);
    const cleared = await server.api.patch<{ entry: Entry }>(path, { embeds: [] });
    expect(cleared.body.entry.embeds).toEqual([]);
    expect((await server.api.get<{ entry: Entry }>(path)).body.entry.embeds).toEqual([]);
  });

  test('an entry stored before embeds existed reads as []', async () => {
    const created = await publish(server.api, 'em', 'Old entry');
    const key = new Keys(server.prefix).briefing('em').entries;
    const redis = new Redis(DEFAULT_REDIS);
    try {
      const old: Partial<Entry> = { ...created.entry };
      delete old.embeds;
      await redis.hset(key, created.entry.id, JSON.stringify(old));
    } finally {
      redis.disconnect();
    }
    expect((await server.api.get<{ entry: Entry }>(`${B}/em/entries/${created.entry.id}`)).body.entry.embeds).toEqual([]);
    const list = await server.api.get<{ entries: Entry[] }>(`${B}/em/entries`);
    expect(list.body.entries[0]?.embeds).toEqual([]);
    const page = await fetch(`${server.url}/b/em`);
    expect(page.status).toBe(200);
    // and it can still be corrected
    const patched = await server.api.patch<{ entry: Entry }>(`${B}/em/entries/${created.entry.id}`, { embeds: [{ url: TWEET }] });
    expect(patched.status).toBe(200);
    expect(patched.body.entry.embeds).toEqual([{ url: TWEET, provider: 'x' }]);
  });
});

describe('embeds on the pages and in the feed', () => {
  let server: TestServer;
  let entry: Entry;
  beforeEach(async () => {
    server = await startServer();
    await createBriefing(server.api, 'em');
    entry = (await publish(server.api, 'em', 'With posts', { embeds: [{ url: YOUTUBE }, { url: TWEET }] })).entry;
  });

  test('the reader page and the entry page show a card with a plain link and nothing that loads from the provider', async () => {
    for (const path of ['/b/em', `/b/em/e/${entry.id}`]) {
      const response = await fetch(`${server.url}${path}`);
      const text = await response.text();
      expect(text).toContain(
        `<a class="lb-post-link" href="${YOUTUBE.replace('&', '&amp;')}" rel="noopener noreferrer">View on YouTube</a>`,
      );
      expect(text).toContain(`href="${TWEET}" rel="noopener noreferrer">View on X</a>`);
      expect(text).not.toMatch(/<(iframe|script|img|link)\b[^>]*(youtube|twitter|x\.com)/i);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain('frame-src https://www.youtube-nocookie.com https://platform.twitter.com');
      expect(csp).not.toMatch(/frame-src[^;]*\*/);
    }
  });

  test('the Atom feed links each embedded post', async () => {
    const text = await (await fetch(`${server.url}/b/em/feed.xml`)).text();
    expect(text).toContain(`<link rel="related" type="text/html" href="${TWEET}"/>`);
    expect(text).toContain(`<link rel="related" type="text/html" href="${YOUTUBE.replace('&', '&amp;')}"/>`);
    expect(text).toContain(`&lt;a href=&quot;${TWEET}&quot;&gt;View on X&lt;/a&gt;`);
  });
});

/**
 * The HTTP API of the contract, route by route, against the real app and the real Redis:
 * response shapes, every listed error status, the dense change log, pagination,
 * If-Match, Idempotency-Key, scheduled entries, auth and the body limits.
 */
import { createToken } from '../../server/auth/tokens';
import { compareEntries, type EntriesPage } from '../../shared/apply-change';
import type { ErrorBody, ErrorCode } from '../../shared/errors';
import type { Briefing, Change, Cursor, Entry } from '../../shared/schemas';
import { briefingOf, entryOf } from '../support/changes';
import { ADMIN_TOKEN, closeAll, startServer, waitFor, type ApiClient, type ApiResponse, type TestServer } from '../support/harness';

// ---------- shapes ----------

interface BriefingBody {
  briefing: Briefing;
}
interface BriefingsBody {
  briefings: Briefing[];
}
interface EntryBody {
  entry: Entry;
}
interface EntryWrite {
  entry: Entry;
  epoch: string;
  seq: number;
}
interface ChangesBody {
  epoch: string;
  seq: number;
  changes: Change[];
}

const BRIEFING_KEYS = ['createdAt', 'epoch', 'locale', 'seq', 'slug', 'status', 'summary', 'timeZone', 'title', 'updatedAt'];
const ENTRY_KEYS = [
  'author',
  'body',
  'embeds',
  'html',
  'id',
  'keyEvent',
  'links',
  'media',
  'pinned',
  'publishedAt',
  'slug',
  'sources',
  'title',
  'updatedAt',
  'version',
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function sortedKeys(value: object): string[] {
  return Object.keys(value).sort();
}

function expectBriefingShape(briefing: Briefing): void {
  expect(sortedKeys(briefing)).toEqual(BRIEFING_KEYS);
  expect(briefing.slug).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/);
  expect(typeof briefing.title).toBe('string');
  expect(typeof briefing.summary).toBe('string');
  expect(['live', 'ended']).toContain(briefing.status);
  expect(briefing.createdAt).toMatch(ISO_UTC);
  expect(briefing.updatedAt).toMatch(ISO_UTC);
  expect(typeof briefing.epoch).toBe('string');
  expect(briefing.epoch.length).toBeGreaterThan(0);
  expect(Number.isInteger(briefing.seq)).toBe(true);
}

function expectEntryShape(entry: Entry): void {
  expect(sortedKeys(entry)).toEqual(ENTRY_KEYS);
  expect(typeof entry.id).toBe('string');
  expect(Number.isInteger(entry.version)).toBe(true);
  expect(entry.version).toBeGreaterThanOrEqual(1);
  expect(entry.publishedAt).toMatch(ISO_UTC);
  if (entry.updatedAt !== null) expect(entry.updatedAt).toMatch(ISO_UTC);
  expect(sortedKeys(entry.author)).toEqual(['id', 'name']);
  expect(typeof entry.author.id).toBe('string');
  expect(typeof entry.author.name).toBe('string');
  expect(entry.title === null || typeof entry.title === 'string').toBe(true);
  expect(typeof entry.body).toBe('string');
  expect(typeof entry.html).toBe('string');
  expect(typeof entry.keyEvent).toBe('boolean');
  expect(typeof entry.pinned).toBe('boolean');
  expect(Array.isArray(entry.media)).toBe(true);
  for (const item of entry.media) expect(sortedKeys(item)).toEqual(['alt', 'caption', 'credit', 'kind', 'url']);
  expect(Array.isArray(entry.links)).toBe(true);
  for (const link of entry.links) expect(sortedKeys(link)).toEqual(['title', 'url']);
  expect(entry.sources === null || typeof entry.sources === 'string').toBe(true);
}

/** Nothing in an error body may look like a stack trace or a source location. */
function expectNoStack(body: unknown): void {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/"stack"/);
  expect(text).not.toMatch(/\n\s+at\s|\\n\s+at\s/);
  expect(text).not.toMatch(/\.(ts|js):\d+/);
  expect(text).not.toMatch(/node_modules/);
}

/** The contract's error shape, exactly, with the given status and code. */
function expectError(response: ApiResponse<unknown>, status: number, code: ErrorCode, field?: string): ErrorBody {
  expect({ status: response.status, body: response.body }).toMatchObject({ status, body: { error: { code } } });
  const body = response.body as ErrorBody;
  expect(sortedKeys(body)).toEqual(['error']);
  expect(sortedKeys(body.error)).toEqual(['code', 'message']);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  if (field !== undefined) expect(body.error.message).toContain(field);
  expect(response.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expectNoStack(body);
  return body;
}

// ---------- helpers ----------

let server: TestServer;
let api: ApiClient;
let anonymous: ApiClient;
let slugCounter = 0;

function freshSlug(stem = 'b'): string {
  slugCounter += 1;
  return `${stem}-${slugCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

const B = '/api/v1/briefings';

async function createBriefing(client: ApiClient = api, extra: Record<string, unknown> = {}): Promise<Briefing> {
  const slug = freshSlug();
  const response = await client.post<BriefingBody>(B, { slug, title: `Briefing ${slug}`, ...extra });
  expect(response.status).toBe(201);
  return response.body.briefing;
}

async function publish(slug: string, input: Record<string, unknown> = {}, client: ApiClient = api): Promise<EntryWrite> {
  const response = await client.post<EntryWrite>(`${B}/${slug}/entries`, { body: 'An update.', ...input });
  expect(response.status).toBe(201);
  return response.body;
}

async function getBriefing(slug: string, client: ApiClient = anonymous): Promise<Briefing> {
  const response = await client.get<BriefingBody>(`${B}/${slug}`);
  expect(response.status).toBe(200);
  return response.body.briefing;
}

async function allEntries(slug: string): Promise<Entry[]> {
  const response = await anonymous.get<EntriesPage>(`${B}/${slug}/entries?limit=100`);
  expect(response.status).toBe(200);
  expect(response.body.next).toBeNull();
  return response.body.entries;
}

async function changes(slug: string, since: number, server0: TestServer = server): Promise<ChangesBody> {
  const response = await server0.api.withToken(null).get<ChangesBody>(`${B}/${slug}/changes?since=${since}`);
  expect(response.status).toBe(200);
  return response.body;
}

beforeAll(async () => {
  server = await startServer();
  api = server.api;
  anonymous = api.withToken(null);
});

afterAll(async () => {
  await closeAll();
});

// ---------- service endpoints ----------

describe('service endpoints', () => {
  test('GET /healthz and /readyz answer 200', async () => {
    const health = await anonymous.get('/healthz');
    expect(health.status).toBe(200);
    const ready = await anonymous.get('/readyz');
    expect(ready.status).toBe(200);
  });

  test('an unknown /api path is a JSON 404 in the error shape', async () => {
    expectError(await anonymous.get('/api/v1/nothing-here'), 404, 'not_found');
    expectError(await anonymous.get('/api/v2/briefings'), 404, 'not_found');
    expectError(await api.post('/api/v1/nothing-here', { a: 1 }), 404, 'not_found');
    const briefing = await createBriefing();
    expectError(await anonymous.get(`${B}/${briefing.slug}/entries/some-id/more`), 404, 'not_found');
    expectError(await api.delete(`${B}/${briefing.slug}`), 404, 'not_found');
  });

  test('HSTS only over HTTPS: none on plain http, sent when a trusted proxy says the request came over https', async () => {
    for (const path of ['/healthz', '/', '/api/v1/briefings']) {
      const plain = await fetch(`${server.url}${path}`);
      expect(plain.headers.get('strict-transport-security')).toBeNull();
      const proxied = await fetch(`${server.url}${path}`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(proxied.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    }
  });
});

// ---------- briefings ----------

describe('briefings', () => {
  test('POST creates a briefing with the defaults: 201 { briefing }', async () => {
    const slug = freshSlug('create');
    const before = Date.now();
    const response = await api.post<BriefingBody>(B, { slug, title: '  Election night  ' });
    expect(response.status).toBe(201);
    expect(sortedKeys(response.body)).toEqual(['briefing']);
    const { briefing } = response.body;
    expectBriefingShape(briefing);
    expect(briefing).toMatchObject({
      slug,
      title: 'Election night',
      summary: '',
      status: 'live',
      locale: 'en',
      timeZone: 'UTC',
      seq: 0,
    });
    expect(Date.parse(briefing.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(briefing.createdAt)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await getBriefing(slug)).toEqual(briefing);
  });

  test('POST keeps summary, locale (canonicalised) and timeZone', async () => {
    const slug = freshSlug('locale');
    const response = await api.post<BriefingBody>(B, {
      slug,
      title: 'Kyiv',
      summary: 'What we know',
      locale: 'pt-br',
      timeZone: 'Europe/Kyiv',
    });
    expect(response.status).toBe(201);
    expect(response.body.briefing).toMatchObject({ summary: 'What we know', locale: 'pt-BR', timeZone: 'Europe/Kyiv' });
  });

  test('PATCH canonicalises the locale as POST does', async () => {
    const briefing = await createBriefing();
    const response = await api.patch<BriefingBody>(`${B}/${briefing.slug}`, { locale: 'en-us' });
    expect(response.status).toBe(200);
    expect(response.body.briefing.locale).toBe('en-US');
  });

  test('POST with a slug that exists is 409 and changes nothing', async () => {
    const briefing = await createBriefing();
    const again = await api.post(B, { slug: briefing.slug, title: 'Another title' });
    expectError(again, 409, 'conflict');
    expect(await getBriefing(briefing.slug)).toEqual(briefing);
  });

  test.each([
    ['slug', { slug: 'Upper-Case', title: 't' }],
    ['slug', { slug: '-leading-hyphen', title: 't' }],
    ['slug', { slug: 'under_score', title: 't' }],
    ['slug', { slug: 'a'.repeat(65), title: 't' }],
    ['slug', { slug: '', title: 't' }],
    ['slug', { slug: 42, title: 't' }],
    ['slug', { title: 't' }],
    ['title', { slug: 'fine-slug-title' }],
    ['title', { slug: 'fine-slug-title', title: '   ' }],
    ['title', { slug: 'fine-slug-title', title: 'x'.repeat(201) }],
    ['summary', { slug: 'fine-slug-summary', title: 't', summary: 7 }],
    ['locale', { slug: 'fine-slug-locale', title: 't', locale: 'not a locale!' }],
    ['locale', { slug: 'fine-slug-locale', title: 't', locale: 'en_US' }],
    ['locale', { slug: 'fine-slug-locale', title: 't', locale: '' }],
    ['timeZone', { slug: 'fine-slug-zone', title: 't', timeZone: 'Mars/Olympus_Mons' }],
    ['timeZone', { slug: 'fine-slug-zone', title: 't', timeZone: '' }],
  ])('POST with a bad %s is 400 naming the field', async (field, body) => {
    const before = await anonymous.get<BriefingsBody>(B);
    expectError(await api.post(B, body), 400, 'invalid', field);
    const after = await anonymous.get<BriefingsBody>(B);
    expect(after.body.briefings.map((b) => b.slug).sort()).toEqual(before.body.briefings.map((b) => b.slug).sort());
  });

  test('a 64-character slug is accepted', async () => {
    const slug = `z${'9'.repeat(63)}`;
    const response = await api.post<BriefingBody>(B, { slug, title: 'Long slug' });
    expect(response.status).toBe(201);
    expect(response.body.briefing.slug).toBe(slug);
  });

  test('GET /briefings lists every briefing as { briefings }', async () => {
    const first = await createBriefing();
    const second = await createBriefing();
    const response = await anonymous.get<BriefingsBody>(B);
    expect(response.status).toBe(200);
    expect(sortedKeys(response.body)).toEqual(['briefings']);
    for (const briefing of response.body.briefings) expectBriefingShape(briefing);
    const bySlug = new Map(response.body.briefings.map((b) => [b.slug, b]));
    expect(bySlug.get(first.slug)).toEqual(first);
    expect(bySlug.get(second.slug)).toEqual(second);
    expect(new Set(response.body.briefings.map((b) => b.slug)).size).toBe(response.body.briefings.length);
  });

  test('GET /briefings/:slug is { briefing }, 404 when unknown', async () => {
    const briefing = await createBriefing();
    const response = await anonymous.get<BriefingBody>(`${B}/${briefing.slug}`);
    expect(response.status).toBe(200);
    expect(sortedKeys(response.body)).toEqual(['briefing']);
    expect(response.body.briefing).toEqual(briefing);
    expectError(await anonymous.get(`${B}/no-such-briefing`), 404, 'not_found');
    expectError(await anonymous.get(`${B}/NOT_A_SLUG`), 404, 'not_found');
  });

  test('PATCH changes title, summary and status: 200 { briefing } with the next seq', async () => {
    const briefing = await createBriefing();
    const response = await api.patch<BriefingBody>(`${B}/${briefing.slug}`, {
      title: 'New title',
      summary: 'New summary',
      status: 'ended',
    });
    expect(response.status).toBe(200);
    expect(sortedKeys(response.body)).toEqual(['briefing']);
    const updated = response.body.briefing;
    expectBriefingShape(updated);
    expect(updated).toMatchObject({
      slug: briefing.slug,
      title: 'New title',
      summary: 'New summary',
      status: 'ended',
      locale: briefing.locale,
      timeZone: briefing.timeZone,
      createdAt: briefing.createdAt,
      epoch: briefing.epoch,
      seq: briefing.seq + 1,
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(briefing.updatedAt));
    expect(await getBriefing(briefing.slug)).toEqual(updated);
    const log = await changes(briefing.slug, 0);
    expect(log.changes).toEqual([
      {
        slug: briefing.slug,
        epoch: briefing.epoch,
        seq: 1,
        at: expect.stringMatching(ISO_UTC) as unknown,
        type: 'briefing.updated',
        briefing: updated,
      },
    ]);
  });

  test.each([
    ['status', { status: 'paused' }],
    ['status', { status: null }],
    ['title', { title: '' }],
    ['title', { title: 5 }],
    ['summary', { summary: 'x'.repeat(5001) }],
    ['body', {}],
  ])('PATCH with a bad %s is 400 naming the field and changes nothing', async (field, body) => {
    const briefing = await createBriefing();
    expectError(await api.patch(`${B}/${briefing.slug}`, body), 400, 'invalid', field);
    expect(await getBriefing(briefing.slug)).toEqual(briefing);
  });

  test('PATCH of an unknown briefing is 404', async () => {
    expectError(await api.patch(`${B}/no-such-briefing`, { title: 'x' }), 404, 'not_found');
    const list = await anonymous.get<BriefingsBody>(B);
    expect(list.body.briefings.some((b) => b.slug === 'no-such-briefing')).toBe(false);
  });
});

// ---------- entries ----------

describe('entries', () => {
  test('POST publishes: 201 { entry, epoch, seq } with every field', async () => {
    const briefing = await createBriefing();
    const response = await api.post<EntryWrite>(`${B}/${briefing.slug}/entries`, {
      body: '**Polls** have closed.',
      title: 'Polls close',
      keyEvent: true,
      pinned: true,
      media: [{ url: 'https://img.example.com/a.jpg', alt: 'Queue at a polling station', caption: 'Kyiv', credit: 'AP' }],
      links: [{ title: 'Results', url: 'https://example.com/results' }],
      sources: 'With reporting by Reuters and AFP',
    });
    expect(response.status).toBe(201);
    expect(sortedKeys(response.body)).toEqual(['entry', 'epoch', 'seq']);
    const { entry, epoch, seq } = response.body;
    expectEntryShape(entry);
    expect(epoch).toBe(briefing.epoch);
    expect(seq).toBe(1);
    expect(entry).toMatchObject({
      slug: briefing.slug,
      version: 1,
      updatedAt: null,
      author: { id: expect.any(String) as unknown, name: expect.any(String) as unknown },
      title: 'Polls close',
      body: '**Polls** have closed.',
      keyEvent: true,
      pinned: true,
      media: [{ kind: 'image', url: 'https://img.example.com/a.jpg', alt: 'Queue at a polling station', caption: 'Kyiv', credit: 'AP' }],
      links: [{ title: 'Results', url: 'https://example.com/results' }],
      sources: 'With reporting by Reuters and AFP',
    });
    expect(entry.html).toContain('<strong>Polls</strong>');
  });

  test('POST with only a body fills the defaults', async () => {
    const briefing = await createBriefing();
    const { entry } = await publish(briefing.slug, { body: 'Just text' });
    expect(entry).toMatchObject({ title: null, keyEvent: false, pinned: false, media: [], links: [], sources: null, version: 1 });
  });

  test('POST to an unknown briefing is 404 and creates nothing', async () => {
    expectError(await api.post(`${B}/no-such-briefing/entries`, { body: 'x' }), 404, 'not_found');
    expectError(await anonymous.get(`${B}/no-such-briefing`), 404, 'not_found');
  });

  test.each([
    ['body', {}],
    ['body', { body: '   ' }],
    ['body', { body: 12 }],
    ['body', { body: 'x'.repeat(20_001) }],
    ['title', { body: 'ok', title: 3 }],
    ['keyEvent', { body: 'ok', keyEvent: 'yes' }],
    ['pinned', { body: 'ok', pinned: 1 }],
    ['media', { body: 'ok', media: { url: 'https://example.com/a.jpg', alt: 'a' } }],
    ['media.0.url', { body: 'ok', media: [{ url: 'javascript:alert(1)', alt: 'a' }] }],
    ['media.0.alt', { body: 'ok', media: [{ url: 'https://example.com/a.jpg', alt: '' }] }],
    ['links.0.url', { body: 'ok', links: [{ title: 'x', url: 'data:text/html,hi' }] }],
    ['sources', { body: 'ok', sources: 'x'.repeat(301) }],
    ['publishAt', { body: 'ok', publishAt: 'tomorrow' }],
  ])('POST with a bad %s is 400 naming the field and publishes nothing', async (field, body) => {
    const briefing = await createBriefing();
    expectError(await api.post(`${B}/${briefing.slug}/entries`, body), 400, 'invalid', field);
    expect(await getBriefing(briefing.slug)).toEqual(briefing);
    expect(await allEntries(briefing.slug)).toEqual([]);
  });

  test('seq grows 1, 2, 3 … with no gaps across publish, edit, pin, metadata, unpin, key event, delete', async () => {
    const briefing = await createBriefing();
    const slug = briefing.slug;
    const seqs: number[] = [];
    const a = await publish(slug, { body: 'A' });
    seqs.push(a.seq);
    const b = await publish(slug, { body: 'B' });
    seqs.push(b.seq);
    const editA = await api.patch<EntryWrite>(`${B}/${slug}/entries/${a.entry.id}`, { body: 'A, corrected' });
    expect(editA.status).toBe(200);
    seqs.push(editA.body.seq);
    const pinB = await api.patch<EntryWrite>(`${B}/${slug}/entries/${b.entry.id}`, { pinned: true });
    expect(pinB.status).toBe(200);
    seqs.push(pinB.body.seq);
    const meta = await api.patch<BriefingBody>(`${B}/${slug}`, { title: 'Renamed' });
    expect(meta.status).toBe(200);
    seqs.push(meta.body.briefing.seq);
    const unpinB = await api.patch<EntryWrite>(`${B}/${slug}/entries/${b.entry.id}`, { pinned: false });
    seqs.push(unpinB.body.seq);
    const keyA = await api.patch<EntryWrite>(`${B}/${slug}/entries/${a.entry.id}`, { keyEvent: true });
    seqs.push(keyA.body.seq);
    const deleteA = await api.delete<Cursor>(`${B}/${slug}/entries/${a.entry.id}`);
    expect(deleteA.status).toBe(200);
    seqs.push(deleteA.body.seq);
    const c = await publish(slug, { body: 'C' });
    seqs.push(c.seq);

    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const epoch of [a.epoch, b.epoch, editA.body.epoch, pinB.body.epoch, meta.body.briefing.epoch, deleteA.body.epoch, c.epoch]) {
      expect(epoch).toBe(briefing.epoch);
    }
    expect((await getBriefing(slug)).seq).toBe(9);

    const log = await changes(slug, 0);
    expect(log.epoch).toBe(briefing.epoch);
    expect(log.seq).toBe(9);
    expect(log.changes.map((change) => change.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(log.changes.map((change) => change.type)).toEqual([
      'entry.published',
      'entry.published',
      'entry.updated',
      'entry.updated',
      'briefing.updated',
      'entry.updated',
      'entry.updated',
      'entry.deleted',
      'entry.published',
    ]);
    for (const change of log.changes) {
      expect(change.slug).toBe(slug);
      expect(change.epoch).toBe(briefing.epoch);
      expect(change.at).toMatch(ISO_UTC);
    }
    expect(entryOf(log.changes[0])).toEqual(a.entry);
    expect(entryOf(log.changes[1])).toEqual(b.entry);
    expect(entryOf(log.changes[2])).toEqual(editA.body.entry);
    expect(entryOf(log.changes[3])).toMatchObject({ id: b.entry.id, pinned: true });
    expect(briefingOf(log.changes[4])).toEqual(meta.body.briefing);
    expect(entryOf(log.changes[5])).toMatchObject({ id: b.entry.id, pinned: false });
    expect(entryOf(log.changes[6])).toMatchObject({ id: a.entry.id, keyEvent: true });
    expect(log.changes[7]).toMatchObject({ type: 'entry.deleted', id: a.entry.id });
    expect(entryOf(log.changes[7])).toBeUndefined();
    expect(entryOf(log.changes[8])).toEqual(c.entry);

    const page = await anonymous.get<EntriesPage>(`${B}/${slug}/entries`);
    expect(page.body.seq).toBe(9);
    expect(page.body.entries.map((entry) => entry.id)).toEqual([c.entry.id, b.entry.id]);
  });

  test('version starts at 1 and grows by one on every edit', async () => {
    const briefing = await createBriefing();
    const { entry } = await publish(briefing.slug, { body: 'v1' });
    expect(entry.version).toBe(1);
    const path = `${B}/${briefing.slug}/entries/${entry.id}`;
    const versions = [entry.version];
    for (const patch of [{ body: 'v2' }, { pinned: true }, { title: 'Title' }, { keyEvent: true }, { sources: 'AP' }]) {
      const response = await api.patch<EntryWrite>(path, patch);
      expect(response.status).toBe(200);
      expect(sortedKeys(response.body)).toEqual(['entry', 'epoch', 'seq']);
      expectEntryShape(response.body.entry);
      versions.push(response.body.entry.version);
    }
    expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
    const current = await anonymous.get<EntryBody>(path);
    expect(current.body.entry).toMatchObject({ version: 6, body: 'v2', pinned: true, title: 'Title', keyEvent: true, sources: 'AP' });
    expect(current.body.entry.id).toBe(entry.id);
    expect(current.body.entry.publishedAt).toBe(entry.publishedAt);
    expect(current.body.entry.updatedAt).toMatch(ISO_UTC);
  });

  test('GET one entry is { entry }; unknown ids and briefings are 404', async () => {
    const briefing = await createBriefing();
    const { entry } = await publish(briefing.slug, { body: 'One' });
    const response = await anonymous.get<EntryBody>(`${B}/${briefing.slug}/entries/${entry.id}`);
    expect(response.status).toBe(200);
    expect(sortedKeys(response.body)).toEqual(['entry']);
    expect(response.body.entry).toEqual(entry);
    expectError(await anonymous.get(`${B}/${briefing.slug}/entries/unknownid123`), 404, 'not_found');
    expectError(await anonymous.get(`${B}/${briefing.slug}/entries/${'x'.repeat(65)}`), 404, 'not_found');
    expectError(await anonymous.get(`${B}/no-such-briefing/entries/${entry.id}`), 404, 'not_found');
    const other = await createBriefing();
    expectError(await anonymous.get(`${B}/${other.slug}/entries/${entry.id}`), 404, 'not_found');
  });

  test('PATCH with a current If-Match succeeds; a stale one is 412 and changes nothing', async () => {
    const briefing = await createBriefing();
    const { entry } = await publish(briefing.slug, { body: 'first' });
    const path = `${B}/${briefing.slug}/entries/${entry.id}`;

    const ok = await api.patch<EntryWrite>(path, { body: 'second' }, { 'If-Match': '"1"' });
    expect(ok.status).toBe(200);
    expect(ok.body.entry).toMatchObject({ version: 2, body: 'second' });
    expect(ok.body.seq).toBe(2);
    expect(ok.body.epoch).toBe(briefing.epoch);

    const stale = await api.patch(path, { body: 'third' }, { 'If-Match': '"1"' });
    expectError(stale, 412, 'stale_version');
    const future = await api.patch(path, { pinned: true }, { 'If-Match': '"7"' });
    expectError(future, 412, 'stale_version');

    const current = await anonymous.get<EntryBody>(path);
    expect(current.body.entry).toEqual(ok.body.entry);
    expect((await getBriefing(briefing.slug)).seq).toBe(2);
    expect((await changes(briefing.slug, 2)).changes).toEqual([]);

    const next = await api.patch<EntryWrite>(path, { body: 'third' }, { 'If-Match': '"2"' });
    expect(next.status).toBe(200);
    expect(next.body.entry).toMatchObject({ version: 3, body: 'third' });
    expect(next.body.seq).toBe(3);
  });

  test('PATCH with a malformed If-Match is 400 and changes nothing', async () => {
    const briefing = await createBriefing();
    const { entry } = await publish(briefing.slug);
    const path = `${B}/${briefing.slug}/entries/${entry.id}`;
    expectError(await api.patch(path, { body: 'x' }, { 'If-Match': 'not-a-version' }), 400, 'invalid', 'If-Match');
    expect((await anonymous.get<EntryBody>(path)).body.entry).toEqual(entry);
  });

  test('PATCH of an unknown entry or briefing is 404; a bad patch is 400 naming the field', async () => {
    const briefing = await createBriefing();
    const { entry } = await publish(briefing.slug);
    expectError(await api.patch(`${B}/${briefing.slug}/entries/unknownid123`, { body: 'x' }), 404, 'not_found');
    expectError(await api.patch(`${B}/no-such-briefing/entries/${entry.id}`, { body: 'x' }), 404, 'not_found');
    const path = `${B}/${briefing.slug}/entries/${entry.id}`;
    expectError(await api.patch(path, { pinned: 'yes' }), 400, 'invalid', 'pinned');
    expectError(await api.patch(path, { links: [{ title: 't', url: 'javascript:alert(1)' }] }), 400, 'invalid', 'links.0.url');
    expectError(await api.patch(path, {}), 400, 'invalid');
    expect((await anonymous.get<EntryBody>(path)).body.entry).toEqual(entry);
    expect((await getBriefing(briefing.slug)).seq).toBe(1);
  });

  test('DELETE is 200 { epoch, seq }; the entry is then 404 everywhere', async () => {
    const briefing = await createBriefing();
    const keep = await publish(briefing.slug, { body: 'keep' });
    const gone = await publish(briefing.slug, { body: 'gone', pinned: true });
    const path = `${B}/${briefing.slug}/entries/${gone.entry.id}`;
    const response = await api.delete<Cursor>(path);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ epoch: briefing.epoch, seq: 3 });
    expectError(await anonymous.get(path), 404, 'not_found');
    expectError(await api.patch(path, { body: 'back' }), 404, 'not_found');
    expectError(await api.delete(path), 404, 'not_found');
    expect((await allEntries(briefing.slug)).map((entry) => entry.id)).toEqual([keep.entry.id]);
    expect((await getBriefing(briefing.slug)).seq).toBe(3);
    expectError(await api.delete(`${B}/no-such-briefing/entries/${keep.entry.id}`), 404, 'not_found');
  });
});

// ---------- pagination ----------

describe('pagination', () => {
  let slug: string;
  let epoch: string;
  let expected: Entry[];

  beforeAll(async () => {
    const briefing = await createBriefing();
    slug = briefing.slug;
    epoch = briefing.epoch;
    const published: Entry[] = [];
    for (let i = 0; i < 45; i++) published.push((await publish(slug, { body: `Entry ${i}` })).entry);
    expected = [...published].sort(compareEntries);
  });

  test('pages of 10 walk all 45 entries newest first, with no duplicates or holes', async () => {
    const seen: Entry[] = [];
    const sizes: number[] = [];
    let before: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = before === null ? '' : `&before=${encodeURIComponent(before)}`;
      const response: ApiResponse<EntriesPage> = await anonymous.get<EntriesPage>(`${B}/${slug}/entries?limit=10${query}`);
      expect(response.status).toBe(200);
      expect(sortedKeys(response.body)).toEqual(['entries', 'epoch', 'next', 'seq']);
      expect(response.body.epoch).toBe(epoch);
      expect(response.body.seq).toBe(45);
      for (const entry of response.body.entries) expectEntryShape(entry);
      sizes.push(response.body.entries.length);
      seen.push(...response.body.entries);
      before = response.body.next;
      if (before === null) break;
      expect(typeof before).toBe('string');
    }
    expect(sizes).toEqual([10, 10, 10, 10, 5]);
    expect(seen.map((entry) => entry.id)).toEqual(expected.map((entry) => entry.id));
    expect(seen).toEqual(expected);
  });

  test('the default limit is 20; limit 1 and 100 are the bounds', async () => {
    const byDefault = await anonymous.get<EntriesPage>(`${B}/${slug}/entries`);
    expect(byDefault.body.entries.map((e) => e.id)).toEqual(expected.slice(0, 20).map((e) => e.id));
    expect(byDefault.body.next).not.toBeNull();

    const one = await anonymous.get<EntriesPage>(`${B}/${slug}/entries?limit=1`);
    expect(one.status).toBe(200);
    expect(one.body.entries.map((e) => e.id)).toEqual([expected[0]?.id]);
    expect(one.body.next).not.toBeNull();

    const hundred = await anonymous.get<EntriesPage>(`${B}/${slug}/entries?limit=100`);
    expect(hundred.status).toBe(200);
    expect(hundred.body.entries.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(hundred.body.next).toBeNull();
  });

  test('next is null exactly when nothing follows', async () => {
    const exact = await anonymous.get<EntriesPage>(`${B}/${slug}/entries?limit=45`);
    expect(exact.body.entries).toHaveLength(45);
    expect(exact.body.next).toBeNull();
    const almost = await anonymous.get<EntriesPage>(`${B}/${slug}/entries?limit=44`);
    expect(almost.body.entries).toHaveLength(44);
    expect(almost.body.next).not.toBeNull();
    const rest = await anonymous.get<EntriesPage>(`${B}/${slug}/entries?limit=44&before=${encodeURIComponent(almost.body.next ?? '')}`);
    expect(rest.body.entries.map((e) => e.id)).toEqual([expected[44]?.id]);
    expect(rest.body.next).toBeNull();
  });

  test.each(['0', '101', '-1', 'abc', '1.5', ''])('limit=%s is 400 naming limit', async (limit) => {
    expectError(await anonymous.get(`${B}/${slug}/entries?limit=${limit}`), 400, 'invalid', 'limit');
  });

  test('a before that is no cursor is 400 naming before; an unknown briefing is 404', async () => {
    expectError(await anonymous.get(`${B}/${slug}/entries?before=garbage`), 400, 'invalid', 'before');
    expectError(await anonymous.get(`${B}/no-such-briefing/entries`), 404, 'not_found');
  });
});

// ---------- the changes endpoint ----------

describe('changes', () => {
  test('?since= returns exactly the changes after since', async () => {
    const briefing = await createBriefing();
    const writes: EntryWrite[] = [];
    for (let i = 0; i < 6; i++) writes.push(await publish(briefing.slug, { body: `Change ${i}` }));
    const all = await changes(briefing.slug, 0);
    expect(sortedKeys(all)).toEqual(['changes', 'epoch', 'seq']);
    expect(all.epoch).toBe(briefing.epoch);
    expect(all.seq).toBe(6);
    expect(all.changes.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const change of all.changes) {
      expect(sortedKeys(change)).toEqual(['at', 'entry', 'epoch', 'seq', 'slug', 'type']);
    }
    expect(all.changes.map(entryOf)).toEqual(writes.map((w) => w.entry));
    for (let since = 0; since <= 6; since++) {
      const after = await changes(briefing.slug, since);
      expect(after.seq).toBe(6);
      expect(after.changes).toEqual(all.changes.slice(since));
    }
    const withEpoch = await anonymous.get<ChangesBody>(`${B}/${briefing.slug}/changes?epoch=${briefing.epoch}&since=4`);
    expect(withEpoch.status).toBe(200);
    expect(withEpoch.body.changes.map((c) => c.seq)).toEqual([5, 6]);
    const omitted = await anonymous.get<ChangesBody>(`${B}/${briefing.slug}/changes`);
    expect(omitted.body.changes).toEqual(all.changes);
  });

  test('a fresh briefing has no changes', async () => {
    const briefing = await createBriefing();
    expect(await changes(briefing.slug, 0)).toEqual({ epoch: briefing.epoch, seq: 0, changes: [] });
  });

  test('another epoch is 410; bad since is 400; an unknown briefing is 404', async () => {
    const briefing = await createBriefing();
    await publish(briefing.slug);
    expectError(await anonymous.get(`${B}/${briefing.slug}/changes?epoch=not-${briefing.epoch}&since=0`), 410, 'gone');
    expectError(await anonymous.get(`${B}/${briefing.slug}/changes?epoch=not-${briefing.epoch}&since=1`), 410, 'gone');
    expectError(await anonymous.get(`${B}/${briefing.slug}/changes?since=-1`), 400, 'invalid', 'since');
    expectError(await anonymous.get(`${B}/${briefing.slug}/changes?since=abc`), 400, 'invalid', 'since');
    expectError(await anonymous.get(`${B}/no-such-briefing/changes?since=0`), 404, 'not_found');
  });

  test('a since beyond the log, however large, is refused with a 4xx, never a 5xx', async () => {
    const briefing = await createBriefing();
    await publish(briefing.slug);
    for (const since of ['2', '99999999999999', '9007199254740991']) {
      expectError(await anonymous.get(`${B}/${briefing.slug}/changes?since=${since}`), 410, 'gone');
    }
    expectError(await anonymous.get(`${B}/${briefing.slug}/changes?since=99999999999999999999`), 400, 'invalid', 'since');
  });

  test('a history trimmed below since is 410 (LIVEBRIEF_HISTORY_LIMIT=5)', async () => {
    const small = await startServer({ LIVEBRIEF_HISTORY_LIMIT: '5' });
    const slug = freshSlug('trim');
    expect((await small.api.post(B, { slug, title: 'Trimmed' })).status).toBe(201);
    const entries: Entry[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await small.api.post<EntryWrite>(`${B}/${slug}/entries`, { body: `n${i}` });
      expect(response.body.seq).toBe(i + 1);
      entries.push(response.body.entry);
    }
    const reader = small.api.withToken(null);
    for (const since of [0, 1, 2]) {
      expectError(await reader.get(`${B}/${slug}/changes?since=${since}`), 410, 'gone', 'since');
    }
    for (const since of [3, 5, 8]) {
      const response = await reader.get<ChangesBody>(`${B}/${slug}/changes?since=${since}`);
      expect(response.status).toBe(200);
      expect(response.body.seq).toBe(8);
      const expectedSeqs = Array.from({ length: 8 - since }, (_, i) => since + 1 + i);
      expect(response.body.changes.map((c) => c.seq)).toEqual(expectedSeqs);
      expect(response.body.changes.map((c) => entryOf(c)?.id)).toEqual(entries.slice(since).map((e) => e.id));
    }
  });
});

// ---------- Idempotency-Key ----------

describe('Idempotency-Key', () => {
  test('the same key twice gives the same response, one entry and one seq', async () => {
    const briefing = await createBriefing();
    const path = `${B}/${briefing.slug}/entries`;
    const first = await api.post<EntryWrite>(path, { body: 'Once' }, { 'Idempotency-Key': 'key-once-1' });
    expect(first.status).toBe(201);
    const second = await api.post<EntryWrite>(path, { body: 'Once' }, { 'Idempotency-Key': 'key-once-1' });
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(first.body.seq).toBe(1);
    expect((await allEntries(briefing.slug)).map((e) => e.id)).toEqual([first.body.entry.id]);
    expect((await getBriefing(briefing.slug)).seq).toBe(1);
    expect((await changes(briefing.slug, 0)).changes).toHaveLength(1);
  });

  test('the same key sent concurrently still publishes once', async () => {
    const briefing = await createBriefing();
    const path = `${B}/${briefing.slug}/entries`;
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => api.post<EntryWrite>(path, { body: 'Racing' }, { 'Idempotency-Key': 'race-key' })),
    );
    for (const response of responses) {
      expect(response.status).toBe(201);
      expect(response.body).toEqual(responses[0]?.body);
    }
    expect(await allEntries(briefing.slug)).toHaveLength(1);
    expect((await getBriefing(briefing.slug)).seq).toBe(1);
  });

  test('different keys publish two entries', async () => {
    const briefing = await createBriefing();
    const path = `${B}/${briefing.slug}/entries`;
    const one = await api.post<EntryWrite>(path, { body: 'Same text' }, { 'Idempotency-Key': 'key-a' });
    const two = await api.post<EntryWrite>(path, { body: 'Same text' }, { 'Idempotency-Key': 'key-b' });
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(one.body.entry.id).not.toBe(two.body.entry.id);
    expect([one.body.seq, two.body.seq]).toEqual([1, 2]);
    expect(await allEntries(briefing.slug)).toHaveLength(2);
  });

  test('a key belongs to its briefing; a refused request does not use it up', async () => {
    const first = await createBriefing();
    const second = await createBriefing();
    const a = await api.post<EntryWrite>(`${B}/${first.slug}/entries`, { body: 'x' }, { 'Idempotency-Key': 'shared-key' });
    const b = await api.post<EntryWrite>(`${B}/${second.slug}/entries`, { body: 'x' }, { 'Idempotency-Key': 'shared-key' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.entry.slug).toBe(second.slug);
    expect(b.body.entry.id).not.toBe(a.body.entry.id);

    const refused = await api.post(`${B}/${first.slug}/entries`, { body: '' }, { 'Idempotency-Key': 'later-key' });
    expectError(refused, 400, 'invalid', 'body');
    const accepted = await api.post<EntryWrite>(`${B}/${first.slug}/entries`, { body: 'now valid' }, { 'Idempotency-Key': 'later-key' });
    expect(accepted.status).toBe(201);
    expect(accepted.body.entry.body).toBe('now valid');
    expect(accepted.body.seq).toBe(2);
  });

  test('a malformed Idempotency-Key is 400 and publishes nothing', async () => {
    const briefing = await createBriefing();
    const path = `${B}/${briefing.slug}/entries`;
    expectError(await api.post(path, { body: 'x' }, { 'Idempotency-Key': 'has space' }), 400, 'invalid', 'Idempotency-Key');
    expectError(await api.post(path, { body: 'x' }, { 'Idempotency-Key': 'k'.repeat(201) }), 400, 'invalid', 'Idempotency-Key');
    expect(await allEntries(briefing.slug)).toEqual([]);
  });
});

// ---------- scheduled entries ----------

describe('scheduled entries', () => {
  test('a future publishAt is invisible until its time, then published once with its seq', async () => {
    const briefing = await createBriefing();
    const slug = briefing.slug;
    const older = await publish(slug, { body: 'Published right away' });
    const publishAt = new Date(Date.now() + 1500);
    const scheduled: EntryWrite[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await api.post<EntryWrite>(`${B}/${slug}/entries`, {
        body: `Scheduled ${i}`,
        publishAt: publishAt.toISOString(),
        pinned: i === 0,
      });
      expect(response.status).toBe(201);
      expect(response.body.seq).toBe(1);
      expect(response.body.entry.publishedAt).toBe(publishAt.toISOString());
      scheduled.push(response.body);
    }

    // before its time: nowhere to be seen, and no seq given out
    expect((await allEntries(slug)).map((e) => e.id)).toEqual([older.entry.id]);
    for (const item of scheduled) {
      expectError(await anonymous.get(`${B}/${slug}/entries/${item.entry.id}`), 404, 'not_found');
    }
    expect((await getBriefing(slug)).seq).toBe(1);
    expect((await changes(slug, 1)).changes).toEqual([]);
    expect(Date.now()).toBeLessThan(publishAt.getTime());

    const visible = await waitFor(
      async () => {
        const entries = await allEntries(slug);
        return entries.length === 5 ? entries : undefined;
      },
      10_000,
      'the scheduled entries to be published',
    );
    expect(Date.now()).toBeGreaterThanOrEqual(publishAt.getTime());
    const ids = scheduled.map((item) => item.entry.id);
    expect(visible.map((e) => e.id)).toEqual(
      [...scheduled.map((item) => item.entry)]
        .sort(compareEntries)
        .map((e) => e.id)
        .concat(older.entry.id),
    );

    const log = await changes(slug, 1);
    expect(log.seq).toBe(5);
    expect(log.changes.map((c) => c.seq)).toEqual([2, 3, 4, 5]);
    expect(log.changes.every((c) => c.type === 'entry.published')).toBe(true);
    expect(log.changes.map((c) => entryOf(c)?.id).sort()).toEqual([...ids].sort());
    for (const item of scheduled) {
      const got = await anonymous.get<EntryBody>(`${B}/${slug}/entries/${item.entry.id}`);
      expect(got.status).toBe(200);
      expect(got.body.entry).toEqual(item.entry);
    }

    // exactly once: the next change is the very next seq
    const after = await publish(slug, { body: 'After the scheduled ones' });
    expect(after.seq).toBe(6);
    expect((await changes(slug, 0)).changes.filter((c) => c.type === 'entry.published')).toHaveLength(6);
  });

  test('paging stays whole when the cursor entry is deleted and others share its time', async () => {
    const briefing = await createBriefing();
    const slug = briefing.slug;
    const older = await publish(slug, { body: 'Older' });
    const publishAt = new Date(Date.now() + 1500).toISOString();
    for (let i = 0; i < 4; i++) {
      const response = await api.post(`${B}/${slug}/entries`, { body: `Same time ${i}`, publishAt });
      expect(response.status).toBe(201);
    }
    const all = await waitFor(
      async () => {
        const entries = await allEntries(slug);
        return entries.length === 5 ? entries : undefined;
      },
      10_000,
      'the scheduled entries to be published',
    );
    expect(all.slice(0, 4).every((e) => e.publishedAt === publishAt)).toBe(true);
    expect(all.map((e) => e.id)).toEqual([...all].sort(compareEntries).map((e) => e.id));

    const first = await anonymous.get<EntriesPage>(`${B}/${slug}/entries?limit=2`);
    expect(first.body.entries.map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    const cursor = first.body.next;
    expect(cursor).not.toBeNull();
    const cursorEntry = all[1];
    expect(cursorEntry).toBeDefined();
    expect((await api.delete(`${B}/${slug}/entries/${cursorEntry?.id ?? ''}`)).status).toBe(200);

    const second = await anonymous.get<EntriesPage>(`${B}/${slug}/entries?limit=2&before=${encodeURIComponent(cursor ?? '')}`);
    expect(second.status).toBe(200);
    expect(second.body.entries.map((e) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));
    const third = await anonymous.get<EntriesPage>(`${B}/${slug}/entries?limit=2&before=${encodeURIComponent(second.body.next ?? '')}`);
    expect(third.body.entries.map((e) => e.id)).toEqual([older.entry.id]);
    expect(third.body.next).toBeNull();
  });

  test('a publishAt in the past publishes at once', async () => {
    const briefing = await createBriefing();
    const response = await api.post<EntryWrite>(`${B}/${briefing.slug}/entries`, {
      body: 'Backdated',
      publishAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(response.status).toBe(201);
    expect(response.body.seq).toBe(1);
    expect((await allEntries(briefing.slug)).map((e) => e.id)).toEqual([response.body.entry.id]);
  });
});

// ---------- auth ----------

describe('auth', () => {
  test('editor routes without a token are 401 with WWW-Authenticate and change nothing', async () => {
    const briefing = await createBriefing();
    const { entry } = await publish(briefing.slug);
    const current = await getBriefing(briefing.slug);
    const entryPath = `${B}/${briefing.slug}/entries/${entry.id}`;
    const attempts: Array<() => Promise<ApiResponse<unknown>>> = [
      () => anonymous.post(B, { slug: freshSlug('anon'), title: 'x' }),
      () => anonymous.patch(`${B}/${briefing.slug}`, { title: 'x' }),
      () => anonymous.post(`${B}/${briefing.slug}/entries`, { body: 'x' }),
      () => anonymous.patch(entryPath, { body: 'x' }),
      () => anonymous.delete(entryPath),
    ];
    for (const attempt of attempts) {
      const response = await attempt();
      expectError(response, 401, 'unauthorized');
      expect(response.headers.get('www-authenticate') ?? '').toMatch(/^Bearer\b/);
    }
    expect(await getBriefing(briefing.slug)).toEqual(current);
    expect(await allEntries(briefing.slug)).toEqual([entry]);
  });

  test.each([
    ['an unknown bearer token', { authorization: 'Bearer not-the-token' }],
    ['a token of the wrong format', { authorization: `Bearer lbt_0123456789abcdef_${'A'.repeat(43)}` }],
    ['another scheme', { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['the admin token with a suffix', { authorization: `Bearer ${ADMIN_TOKEN}x` }],
  ])('%s is 401', async (_what, headers) => {
    const slug = freshSlug('badtoken');
    const response = await anonymous.request('POST', B, { slug, title: 'x' }, headers);
    expectError(response, 401, 'unauthorized');
    expect(response.headers.get('www-authenticate') ?? '').toMatch(/^Bearer\b/);
    expectError(await anonymous.get(`${B}/${slug}`), 404, 'not_found');
  });

  test('reading needs no credentials', async () => {
    const briefing = await createBriefing();
    const { entry } = await publish(briefing.slug);
    for (const path of [
      B,
      `${B}/${briefing.slug}`,
      `${B}/${briefing.slug}/entries`,
      `${B}/${briefing.slug}/entries/${entry.id}`,
      `${B}/${briefing.slug}/changes?since=0`,
    ]) {
      expect((await anonymous.get(path)).status).toBe(200);
    }
  });

  test('a token with the editor role can publish, edit and delete; once revoked it is 401', async () => {
    const { token, record } = await createToken(server.app.tokens, 'Olena Editor', 'editor');
    const editor = api.withToken(token);
    const briefing = await createBriefing(editor);
    const published = await publish(briefing.slug, { body: 'By an editor' }, editor);
    expect(published.entry.author).toEqual({ id: expect.stringContaining(record.id) as unknown, name: 'Olena Editor' });
    const edited = await editor.patch<EntryWrite>(`${B}/${briefing.slug}/entries/${published.entry.id}`, { body: 'Edited' });
    expect(edited.status).toBe(200);
    expect((await editor.patch(`${B}/${briefing.slug}`, { summary: 'By the editor' })).status).toBe(200);

    const forged = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expectError(await api.withToken(forged).post(`${B}/${briefing.slug}/entries`, { body: 'forged' }), 401, 'unauthorized');

    expect(await server.app.tokens.remove(record.id)).toBe(true);
    const seqBefore = (await getBriefing(briefing.slug)).seq;
    const revoked = await editor.post(`${B}/${briefing.slug}/entries`, { body: 'After revocation' });
    expectError(revoked, 401, 'unauthorized');
    expect(revoked.headers.get('www-authenticate') ?? '').toMatch(/^Bearer\b/);
    expectError(await editor.delete(`${B}/${briefing.slug}/entries/${published.entry.id}`), 401, 'unauthorized');
    expect((await getBriefing(briefing.slug)).seq).toBe(seqBefore);
    expect((await allEntries(briefing.slug)).map((e) => e.id)).toEqual([published.entry.id]);
  });
});

// ---------- bodies ----------

describe('request bodies', () => {
  test('a write that is not JSON is 415 and stores nothing', async () => {
    const briefing = await createBriefing();
    const json = JSON.stringify({ body: 'x' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const response = await api.request('POST', `${B}/${briefing.slug}/entries`, json, { 'content-type': type });
      expectError(response, 415, 'unsupported_media_type');
    }
    expectError(
      await api.request('PATCH', `${B}/${briefing.slug}`, JSON.stringify({ title: 'x' }), { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    );
    const noType = await fetch(`${server.url}${B}/${briefing.slug}/entries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: new TextEncoder().encode(json),
    });
    expect(noType.status).toBe(415);
    expectError({ status: noType.status, body: (await noType.json()) as unknown, headers: noType.headers }, 415, 'unsupported_media_type');
    expect(await allEntries(briefing.slug)).toEqual([]);
    expect(await getBriefing(briefing.slug)).toEqual(briefing);
  });

  test('JSON with a charset parameter is accepted', async () => {
    const briefing = await createBriefing();
    const response = await api.request<EntryWrite>('POST', `${B}/${briefing.slug}/entries`, JSON.stringify({ body: 'utf-8 ✓' }), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(response.status).toBe(201);
    expect(response.body.entry.body).toBe('utf-8 ✓');
  });

  test('malformed JSON is 400 in the error shape', async () => {
    const briefing = await createBriefing();
    expectError(await api.post(`${B}/${briefing.slug}/entries`, '{"body": "x",'), 400, 'invalid', 'body');
    expect(await allEntries(briefing.slug)).toEqual([]);
  });

  test('a body larger than LIVEBRIEF_BODY_LIMIT is 413 and stores nothing', async () => {
    const small = await startServer({ LIVEBRIEF_BODY_LIMIT: '2048' });
    const slug = freshSlug('limit');
    expect((await small.api.post(B, { slug, title: 'Limits' })).status).toBe(201);
    const fits = await small.api.post<EntryWrite>(`${B}/${slug}/entries`, { body: 'a'.repeat(1500) });
    expect(fits.status).toBe(201);
    const tooLarge = await small.api.post(`${B}/${slug}/entries`, { body: 'a'.repeat(3000) });
    expectError(tooLarge, 413, 'too_large');
    expectError(await small.api.patch(`${B}/${slug}/entries/${fits.body.entry.id}`, { body: 'b'.repeat(3000) }), 413, 'too_large');
    const reader = small.api.withToken(null);
    const page = await reader.get<EntriesPage>(`${B}/${slug}/entries`);
    expect(page.body.seq).toBe(1);
    expect(page.body.entries).toEqual([fits.body.entry]);
  });

  test('the default body limit (256 KB) holds too', async () => {
    const briefing = await createBriefing();
    const response = await api.post(`${B}/${briefing.slug}/entries`, { body: 'a'.repeat(300 * 1024) });
    expectError(response, 413, 'too_large');
    expect(await allEntries(briefing.slug)).toEqual([]);
  });
});

// ---------- sanitized HTML through the API ----------

describe('rendered html', () => {
  test('a published or edited entry carries sanitized html and its untouched Markdown body', async () => {
    const briefing = await createBriefing();
    const body = [
      '# Headline',
      '',
      'Some **bold** text.',
      '',
      '<script>alert(1)</script><img src=x onerror="alert(2)">',
      '',
      '[click](javascript:alert(3)) [site](https://example.com)',
      '<iframe src="https://evil.example"></iframe><svg onload="alert(4)"></svg>',
    ].join('\n');
    const { entry } = await publish(briefing.slug, { body });
    expect(entry.body).toBe(body);
    for (const html of [entry.html, (await anonymous.get<EntryBody>(`${B}/${briefing.slug}/entries/${entry.id}`)).body.entry.html]) {
      expect(html).toContain('<h2>Headline</h2>');
      expect(html).toContain('<strong>bold</strong>');
      expect(html).toContain('<a href="https://example.com" rel="noopener noreferrer">site</a>');
      expect(html).not.toMatch(/<script|<iframe|<svg|onerror|onload|javascript:/i);
    }
    const edited = await api.patch<EntryWrite>(`${B}/${briefing.slug}/entries/${entry.id}`, {
      body: '<a href="JaVaScRiPt:alert(5)" onclick="alert(6)">x</a><object data="x"></object>',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.entry.html).not.toMatch(/javascript|onclick|<object/i);
    const log = await changes(briefing.slug, 0);
    for (const change of log.changes) expect(entryOf(change)?.html ?? '').not.toMatch(/<script|javascript:|onerror|onclick/i);
  });
});

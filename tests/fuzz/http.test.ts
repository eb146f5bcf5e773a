/**
 * HTTP fuzzing with fast-check: generated requests to every route (the public API, the
 * console API signed in as real console users and not, the pages and assets), with real
 * and junk path parameters, query strings, headers and bodies. Properties, per request:
 * no 5xx; every 4xx outside the HTML pages has the contract's error shape; a refused
 * request, and any read, leaves every key under the test's prefix as it was (type and value).
 * Afterwards the server still serves, and its heap is back near where it started.
 *
 * Reproducible: seed FUZZ_SEED (fixed by default), count FUZZ_HTTP_RUNS; fast-check
 * prints the seed and the shrunk request on failure.
 *
 * Not compared (each is checked another way):
 * - `rl:*`: rate-limiter-flexible's failed-login counters; a refused login must count.
 * - `audit`: a refused login records `login.failed` / `login.refused` by design; any other
 *   record written for a 4xx, or any record on a refused request elsewhere, fails.
 * - TTLs: a session's idle timer restarts on every use (a read); snapshots leave TTLs out.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import type { Role } from '../../shared/console';
import type { Entry } from '../../shared/schemas';
import { createToken } from '../../server/auth/tokens';
import type { UserRecord } from '../../server/store/users';
import { addUser } from '../support/console';
import { ADMIN_TOKEN, closeAll, type TestServer } from '../support/harness';
import { FUZZ_SEED, edgeString, headerText, hugeString, mutated, rawText, withEdgeValues } from './support/arbitraries';
import { collector, errorShapeProblems, liveHeap, errorLogCollector, startFuzzTarget } from './support/checks';
import { differences, settledSnapshot, snapshot, type RedisState } from './support/redis-state';

const RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 10_000);
/** FUZZ_KEEP_GOING=1: record every failing request and report them together (triage), instead of stopping and shrinking at the first. */
const KEEP_GOING = process.env.FUZZ_KEEP_GOING === '1';
/**
 * How much the live heap (heapUsed after full collections; the server runs in this process)
 * may grow from after the warm-up to after the run. Runs grow it by 1.5-4 MB (compiled code,
 * V8's own tables); 16 MB is what a leak of about 1.7 KB per request over the 10 000 would take.
 */
const HEAP_GROWTH_LIMIT = 16 * 1024 * 1024;

// ---------- the fixture: briefings, entries, drafts, accounts, tokens ----------

interface SignedIn {
  role: Role;
  record: UserRecord;
  secret: string;
  csrf: string;
}

interface Fixture {
  server: TestServer;
  redis: Redis;
  slugs: string[];
  entryIds: string[];
  draftIds: string[];
  userIds: string[];
  tokenIds: string[];
  usernames: string[];
  editorToken: string;
  editorTokenId: string;
  sessions: Record<'admin' | 'editor' | 'contributor', SignedIn>;
}

let fx: Fixture;
let baseline: RedisState;
let lastAuditId = '0-0';

const ignoredKey = (key: string): boolean => key.startsWith('rl:');

async function latestAuditId(): Promise<string> {
  const last = await fx.redis.xrevrange(`${fx.server.prefix}audit`, '+', '-', 'COUNT', 1);
  return last[0]?.[0] ?? '0-0';
}

async function newAuditActions(): Promise<string[]> {
  const records = await fx.redis.xrange(`${fx.server.prefix}audit`, `(${lastAuditId}`, '+');
  return records.map(([, fields]) => (JSON.parse(fields[1] ?? '{}') as { action?: string }).action ?? '?');
}

async function signIn(record: UserRecord): Promise<{ secret: string; csrf: string }> {
  const { secret, record: session } = await fx.server.app.console.sessions.create(record.id);
  return { secret, csrf: session.csrf };
}

/**
 * After a request that wrote (a valid one the fuzzer got right), puts back what later
 * requests need: the three accounts as they were and signed in, the editor's token, enough
 * entries and drafts; then takes the new baseline.
 */
async function repair(): Promise<void> {
  const { app, api } = fx.server;
  const consoleService = app.console;
  for (const signedIn of Object.values(fx.sessions)) {
    const now = await consoleService.users.findById(signedIn.record.id);
    if (JSON.stringify(now) !== JSON.stringify(signedIn.record)) await consoleService.users.save(signedIn.record);
    if (!(await consoleService.auth.sessionBySecret(signedIn.secret))) Object.assign(signedIn, await signIn(signedIn.record));
  }
  if (!(await app.tokens.find(fx.editorTokenId))) {
    const { token, record } = await createToken(app.tokens, 'fuzz editor', 'editor');
    fx.editorToken = token;
    fx.editorTokenId = record.id;
    fx.tokenIds.push(record.id);
  }
  const page = await app.store.readPage('alpha', { limit: 50, withPinned: true });
  for (let i = page.entries.length; i < 3; i++) {
    const published = await api.post<{ entry: Entry }>('/api/v1/briefings/alpha/entries', { body: `Refill ${i}`, pinned: i === 0 });
    if (published.status !== 201) throw new Error(`could not refill entries: ${published.status}`);
  }
  const ids = (await app.store.readPage('alpha', { limit: 50, withPinned: true })).entries.map((entry) => entry.id);
  // Deleted and scheduled ids stay in the pool: they reach the "not published" branches.
  fx.entryIds = [...new Set([...ids, ...fx.entryIds])].slice(0, 40);
  const drafts = await consoleService.drafts.list('alpha');
  if (drafts.length < 2) {
    for (const role of ['contributor', 'editor'] as const) {
      const author = fx.sessions[role].record;
      await consoleService.drafts.create(
        'alpha',
        role === 'contributor' ? 'submitted' : 'draft',
        { body: `A ${role} draft` },
        { id: `user:${author.id}`, name: author.name },
      );
    }
  }
  fx.draftIds = [...new Set([...(await consoleService.drafts.list('alpha')).map((draft) => draft.id), ...fx.draftIds])].slice(0, 20);
  baseline = await settledSnapshot(fx.redis, fx.server.prefix, ignoredKey);
  lastAuditId = await latestAuditId();
}

/** What the server logged at error level (a 5xx logs its cause there): shown with the failure. */
const { log, lines: errorLogs } = errorLogCollector();

beforeAll(async () => {
  const { server, redis } = await startFuzzTarget(log);
  const { api, app } = server;
  for (const [slug, title] of [
    ['alpha', 'Alpha'],
    ['beta', 'Beta'],
  ] as const) {
    expect((await api.post('/api/v1/briefings', { slug, title, summary: `About **${slug}**` })).status).toBe(201);
  }
  expect((await api.patch('/api/v1/briefings/beta', { status: 'ended' })).status).toBe(200);
  const entryIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const response = await api.post<{ entry: Entry }>('/api/v1/briefings/alpha/entries', {
      body: `Entry ${i} with a [link](https://example.com/${i})`,
      title: i === 0 ? 'First' : null,
      pinned: i === 1,
      keyEvent: i === 2,
      media: i === 3 ? [{ url: 'https://img.example.com/a.jpg', alt: 'A picture' }] : [],
      ...(i === 3 ? { publishAt: '2099-01-01T00:00:00Z' } : {}),
    });
    expect(response.status).toBe(201);
    entryIds.push(response.body.entry.id);
  }
  // an entry with a correction history
  expect((await api.patch(`/api/v1/briefings/alpha/entries/${entryIds[0]}`, { body: 'Entry 0, corrected' })).status).toBe(200);

  const records: Partial<Record<'admin' | 'editor' | 'contributor' | 'victim', UserRecord>> = {};
  for (const role of ['admin', 'editor', 'contributor'] as const) {
    const user = await addUser(server, `fuzz-${role}`, `Fuzz ${role}`, role);
    records[role] = (await app.console.users.findById(user.id)) ?? undefined;
  }
  const victim = await addUser(server, 'fuzz-victim', 'Fuzz victim', 'contributor');
  const { token, record: tokenRecord } = await createToken(app.tokens, 'fuzz editor', 'editor');
  const other = await createToken(app.tokens, 'fuzz other', 'admin');

  fx = {
    server,
    redis,
    slugs: ['alpha', 'beta'],
    entryIds,
    draftIds: [],
    userIds: [victim.id],
    tokenIds: [tokenRecord.id, other.record.id],
    usernames: ['fuzz-admin', 'fuzz-editor', 'fuzz-contributor', 'fuzz-victim', 'nobody'],
    editorToken: token,
    editorTokenId: tokenRecord.id,
    sessions: {} as Fixture['sessions'],
  };
  for (const role of ['admin', 'editor', 'contributor'] as const) {
    const record = records[role];
    if (!record) throw new Error(`no ${role}`);
    fx.sessions[role] = { role, record, ...(await signIn(record)) };
    fx.userIds.push(record.id);
  }
  await repair();
}, 60_000);

afterAll(async () => {
  await closeAll();
});

// ---------- what a generated request is ----------

type IdKind = 'entry' | 'draft' | 'user' | 'token';

/** A path parameter: one that exists (by index into the current pool), one that could but does not, or junk. */
type Param = { kind: 'real'; index: number } | { kind: 'unknown' } | { kind: 'junk'; text: string; encode: boolean };

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; gzip: boolean }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array };

type Auth =
  | 'none'
  | 'bearer-admin'
  | 'bearer-editor'
  | 'bearer-junk'
  | 'session-admin'
  | 'session-editor'
  | 'session-contributor'
  | 'session-no-csrf'
  | 'session-wrong-csrf'
  | 'session-cross-site'
  | 'cookie-junk';

interface Spec {
  route: number;
  method: string | null;
  slug: Param;
  id: Param;
  query: Array<[string, string, boolean]>;
  auth: Auth;
  junkAuth: string;
  contentType: string | null | undefined;
  headers: Array<[string, string]>;
  body: Body;
}

interface Route {
  method: string;
  path: string;
  idKind?: IdKind;
  template?: Record<string, unknown>;
}

const ENTRY = {
  body: 'An update with **Markdown**',
  title: 'A title',
  keyEvent: true,
  pinned: false,
  media: [{ kind: 'image', url: 'https://img.example.com/b.jpg', alt: 'Alt text', caption: 'A caption', credit: 'Credit' }],
  links: [{ title: 'See also', url: 'https://example.com/see' }],
  sources: 'With reporting by agencies',
  embeds: [{ url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }, { url: 'https://x.com/agency/status/1790000000000000000' }],
};

const ROUTES: Route[] = [
  { method: 'GET', path: '/api/v1/briefings' },
  {
    method: 'POST',
    path: '/api/v1/briefings',
    template: { slug: 'fuzz-new', title: 'New', summary: 'S', locale: 'en-GB', timeZone: 'Europe/Kyiv' },
  },
  { method: 'GET', path: '/api/v1/briefings/:slug' },
  {
    method: 'PATCH',
    path: '/api/v1/briefings/:slug',
    template: { title: 'T', summary: 'S', status: 'live', locale: 'fr', timeZone: 'UTC', coverageStart: '2026-01-01T00:00:00Z' },
  },
  { method: 'GET', path: '/api/v1/briefings/:slug/entries' },
  { method: 'GET', path: '/api/v1/briefings/:slug/entries/:id', idKind: 'entry' },
  { method: 'GET', path: '/api/v1/briefings/:slug/entries/:id/versions', idKind: 'entry' },
  { method: 'POST', path: '/api/v1/briefings/:slug/entries', template: { ...ENTRY, publishAt: '2099-06-01T12:00:00+02:00' } },
  { method: 'PATCH', path: '/api/v1/briefings/:slug/entries/:id', idKind: 'entry', template: ENTRY },
  { method: 'DELETE', path: '/api/v1/briefings/:slug/entries/:id', idKind: 'entry' },
  { method: 'GET', path: '/api/v1/briefings/:slug/changes' },
  { method: 'GET', path: '/console/api/session' },
  { method: 'POST', path: '/console/api/login', template: { username: 'fuzz-victim', password: 'a wrong password' } },
  { method: 'POST', path: '/console/api/logout' },
  {
    method: 'POST',
    path: '/console/api/setup',
    template: { token: 'not-a-setup-token', username: 'first', name: 'First', password: 'long enough password' },
  },
  { method: 'POST', path: '/console/api/preview', template: { body: '# Heading\n\n<script>x</script> *text*' } },
  { method: 'GET', path: '/console/api/briefings/:slug/queue' },
  { method: 'POST', path: '/console/api/briefings/:slug/drafts', template: { kind: 'draft', fields: ENTRY } },
  { method: 'PATCH', path: '/console/api/briefings/:slug/drafts/:id', idKind: 'draft', template: { kind: 'submitted', fields: ENTRY } },
  { method: 'DELETE', path: '/console/api/briefings/:slug/drafts/:id', idKind: 'draft' },
  {
    method: 'POST',
    path: '/console/api/briefings/:slug/drafts/:id/publish',
    idKind: 'draft',
    template: { publishAt: '2099-01-01T00:00:00Z' },
  },
  { method: 'POST', path: '/console/api/briefings/:slug/drafts/:id/return', idKind: 'draft', template: { note: 'Needs a source' } },
  { method: 'GET', path: '/console/api/users' },
  {
    method: 'POST',
    path: '/console/api/users',
    template: { username: 'fuzz-new', name: 'New', role: 'editor', password: 'long enough password' },
  },
  {
    method: 'PATCH',
    path: '/console/api/users/:id',
    idKind: 'user',
    template: { name: 'Renamed', role: 'contributor', disabled: false, password: 'another long password' },
  },
  { method: 'GET', path: '/console/api/tokens' },
  { method: 'POST', path: '/console/api/tokens', template: { name: 'Automation', role: 'editor' } },
  { method: 'DELETE', path: '/console/api/tokens/:id', idKind: 'token' },
  { method: 'GET', path: '/console/api/audit' },
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/b/:slug' },
  { method: 'GET', path: '/b/:slug/e/:id', idKind: 'entry' },
  { method: 'GET', path: '/b/:slug/feed.xml' },
  { method: 'GET', path: '/b/:slug/summary' },
  { method: 'GET', path: '/embed/:slug' },
  { method: 'GET', path: '/embed.js' },
  { method: 'GET', path: '/assets/:id', idKind: 'entry' },
  { method: 'GET', path: '/console' },
  { method: 'GET', path: '/console/assets/:id', idKind: 'entry' },
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/readyz' },
  { method: 'GET', path: '/api/v1/:slug' },
  { method: 'GET', path: '/:slug' },
];

/** Pages answer a missing briefing or entry with an HTML page of their own; everything else answers errors in JSON. */
const HTML_ERROR_PAGES = /^\/(b|embed)\//;
const QUERY_KEYS = ['limit', 'before', 'since', 'epoch', 'theme', 'x', '', '__proto__', 'a[b]', 'limit[]'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const param: fc.Arbitrary<Param> = fc.oneof(
  { weight: 6, arbitrary: fc.nat().map((index): Param => ({ kind: 'real', index })) },
  { weight: 1, arbitrary: fc.constant<Param>({ kind: 'unknown' }) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.oneof(
          edgeString,
          fc.string({ unit: 'grapheme', maxLength: 20 }),
          fc.constantFrom('..', '.', '%2e%2e', '%2F', 'a%2Fb', 'x'.repeat(300), '%E0%A4%A'),
        ),
        fc.boolean(),
      )
      .map(([text, encode]): Param => ({ kind: 'junk', text, encode })),
  },
);

const queryValue = fc.oneof(
  fc.constantFrom(
    '0',
    '1',
    '20',
    '100',
    '101',
    '-1',
    '1.5',
    '1e3',
    'NaN',
    'Infinity',
    '99999999999999999999',
    '9007199254740993',
    'dark',
    'auto',
    '1.abc',
    '123.x',
  ),
  edgeString,
  headerText(30),
  fc.constantFrom('x'.repeat(300), '%', '%zz', '&&', '=='),
);

const headerPair = fc.oneof(
  fc.tuple(
    fc.constant('if-match'),
    fc.oneof(fc.constantFrom('"1"', 'W/"1"', '1', '*', '"2"', '"0"', '""', 'abc', '"9999999999"', '"1", "2"'), headerText(20)),
  ),
  fc.tuple(fc.constant('idempotency-key'), fc.oneof(headerText(30), fc.constantFrom('k'.repeat(201), 'key-1', 'key-1'))),
  fc.tuple(fc.constant('accept'), fc.constantFrom('application/json', 'text/html', '*/*', 'application/xml', '')),
  fc.tuple(fc.constant('accept-encoding'), fc.constantFrom('gzip', 'br', 'identity', 'bogus', '*;q=0')),
  fc.tuple(fc.constant('origin'), fc.constantFrom('null', 'https://evil.example', 'http://127.0.0.1', '')),
  fc.tuple(fc.constant('sec-fetch-site'), fc.constantFrom('cross-site', 'same-site', 'same-origin', 'none', 'junk')),
  fc.tuple(fc.constant('range'), fc.constantFrom('bytes=0-10', 'bytes=junk', 'bytes=100000-', 'bytes=5-1', 'bytes=0-1,2-3,4-5')),
  fc.tuple(fc.constant('if-none-match'), fc.constantFrom('*', '"x"', 'W/"1"', 'junk')),
  fc.tuple(fc.constant('x-forwarded-proto'), fc.constantFrom('https', 'http', 'gopher', '')),
  fc.tuple(fc.constant('x-forwarded-for'), fc.constantFrom('1.2.3.4', 'junk', '::1, 10.0.0.1', '')),
  fc.tuple(fc.constant('content-encoding'), fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'bogus')),
  fc.tuple(fc.constantFrom('cookie', 'x-csrf-token'), headerText(60)),
);

const spec: fc.Arbitrary<Spec> = fc.nat({ max: ROUTES.length - 1 }).chain((route) => {
  const template = ROUTES[route]?.template ?? { body: 'x' };
  return fc.record({
    route: fc.constant(route),
    method: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
    slug: param,
    id: param,
    query: fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), queryValue, fc.boolean()), { maxLength: 3 }),
    auth: fc.constantFrom<Auth>(
      'none',
      'bearer-admin',
      'bearer-editor',
      'bearer-junk',
      'session-admin',
      'session-admin',
      'session-editor',
      'session-editor',
      'session-contributor',
      'session-no-csrf',
      'session-wrong-csrf',
      'session-cross-site',
      'cookie-junk',
    ),
    junkAuth: fc.oneof(
      headerText(50),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        `Basic ${Buffer.from('a:b').toString('base64')}`,
        `Bearer ${'x'.repeat(5000)}`,
        'Bearer lbt_0123456789abcdef_x',
      ),
    ),
    contentType: fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant(null) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'application/json; charset=utf-8',
          'application/json; charset=latin1',
          'application/json; charset=utf-16',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/merge-patch+json',
          'json',
          '',
        ),
      },
    ),
    // half the requests carry no odd header, so that more of them get past the gates to the handlers
    headers: fc.oneof(fc.constant<Array<[string, string]>>([]), fc.array(headerPair, { minLength: 1, maxLength: 3 })),
    body: fc.oneof(
      { weight: 2, arbitrary: fc.constant<Body>({ kind: 'none' }) },
      {
        weight: 8,
        arbitrary: fc
          .tuple(
            withEdgeValues(template).chain((variant) => mutated(variant)),
            fc.double({ min: 0, max: 1, noNaN: true }),
          )
          .map(([value, p]): Body => ({ kind: 'json', value, gzip: p < 0.03 })),
      },
      { weight: 2, arbitrary: rawText(template).map((text): Body => ({ kind: 'text', text })) },
      { weight: 1, arbitrary: hugeString.map((text): Body => ({ kind: 'text', text: JSON.stringify({ ...template, body: text }) })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes): Body => ({ kind: 'bytes', bytes })) },
    ),
  });
});

// ---------- turning a spec into a request ----------

interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function paramText(value: Param, pool: readonly string[], unknown: string): string {
  if (value.kind === 'real') return pick(pool, value.index) ?? unknown;
  if (value.kind === 'unknown') return unknown;
  return value.encode ? encodeText(value.text) : value.text.replace(/[/?#]/g, encodeText);
}

/** encodeURIComponent, except that a lone surrogate goes out as the bytes of one (invalid UTF-8) instead of throwing. */
function encodeText(text: string): string {
  return text
    .split(/([\ud800-\udfff])/)
    .map((part) => (/^[\ud800-\udfff]$/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

function idPool(kind: IdKind | undefined): string[] {
  if (kind === 'draft') return fx.draftIds;
  if (kind === 'user') return fx.userIds;
  if (kind === 'token') return fx.tokenIds;
  if (kind === 'entry') return fx.entryIds;
  return [];
}

function materialize(s: Spec): Request {
  const route = ROUTES[s.route] as Route;
  const assetPool = route.path.startsWith('/console/assets')
    ? ['console.js', 'console.css', 'console.js.map']
    : ['reader.js', 'reader.css', 'logo.svg', 'locales', 'embed.js'];
  const ids = route.path.includes('assets') ? assetPool : idPool(route.idKind);
  const unknownId = route.idKind === 'token' ? '0123456789abcdef' : 'e0000000000000000000';
  const path = route.path.replace(':slug', paramText(s.slug, fx.slugs, 'no-such-briefing')).replace(':id', paramText(s.id, ids, unknownId));
  const query = s.query
    .map(([key, value, encode]) => (encode ? `${encodeText(key)}=${encodeText(value)}` : `${key}=${value.replace(/[#\s]/g, encodeText)}`))
    .join('&');
  const headers: Record<string, string> = {};
  const baseUrl = fx.server.url;
  const session = (role: 'admin' | 'editor' | 'contributor'): SignedIn => fx.sessions[role];
  switch (s.auth) {
    case 'bearer-admin':
      headers.authorization = `Bearer ${ADMIN_TOKEN}`;
      break;
    case 'bearer-editor':
      headers.authorization = `Bearer ${fx.editorToken}`;
      break;
    case 'bearer-junk':
      headers.authorization = s.junkAuth;
      break;
    case 'session-admin':
    case 'session-editor':
    case 'session-contributor': {
      const signedIn = session(s.auth.slice('session-'.length) as 'admin' | 'editor' | 'contributor');
      Object.assign(headers, { cookie: `lb_session=${signedIn.secret}`, 'x-csrf-token': signedIn.csrf, origin: baseUrl });
      break;
    }
    case 'session-no-csrf':
      Object.assign(headers, { cookie: `lb_session=${session('admin').secret}`, origin: baseUrl });
      break;
    case 'session-wrong-csrf':
      Object.assign(headers, { cookie: `lb_session=${session('editor').secret}`, 'x-csrf-token': session('admin').csrf, origin: baseUrl });
      break;
    case 'session-cross-site':
      Object.assign(headers, {
        cookie: `lb_session=${session('admin').secret}`,
        'x-csrf-token': session('admin').csrf,
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      });
      break;
    case 'cookie-junk':
      headers.cookie = `lb_session=${s.junkAuth.replace(/;/g, '')}`;
      break;
    case 'none':
      break;
  }
  for (const [name, value] of s.headers) headers[name] = value;
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (s.body.kind === 'json') {
    const text = JSON.stringify(s.body.value) ?? 'null';
    if (s.body.gzip) {
      body = new Uint8Array(gzipSync(text));
      headers['content-encoding'] = 'gzip';
    } else {
      body = text;
    }
  } else if (s.body.kind === 'text') {
    body = s.body.text;
  } else if (s.body.kind === 'bytes') {
    body = new Uint8Array(s.body.bytes);
  }
  const method = s.method ?? route.method;
  if (body !== undefined && s.contentType === undefined) headers['content-type'] = 'application/json';
  else if (typeof s.contentType === 'string') headers['content-type'] = s.contentType;
  // fetch cannot send a body with GET or HEAD
  if (method === 'GET' || method === 'HEAD') body = undefined;
  return { method, path: query ? `${path}?${query}` : path, headers, ...(body !== undefined ? { body } : {}) };
}

function describeRequest(request: Request): string {
  const body =
    request.body === undefined ? '' : typeof request.body === 'string' ? request.body.slice(0, 300) : `<${request.body.length} bytes>`;
  return `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 400)} ${body}`;
}

// ---------- the property ----------

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const statuses = new Map<number, number>();

const keptFailures: string[] = [];
const recent: string[] = [];

async function property(s: Spec): Promise<void> {
  if (!KEEP_GOING) return check(s);
  try {
    await check(s);
  } catch (error) {
    keptFailures.push(`${String(error).slice(0, 600)}; the requests before it: ${recent.join(' | ')}`);
    await repair();
  }
}

async function check(s: Spec): Promise<void> {
  const request = materialize(s);
  let status: number;
  let text: string;
  let contentType: string;
  try {
    const response = await fetch(`${fx.server.url}${request.path}`, {
      method: request.method,
      headers: request.headers,
      redirect: 'manual',
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    status = response.status;
    contentType = response.headers.get('content-type') ?? '';
    text = await response.text();
  } catch (error) {
    throw new Error(`request failed (${String(error)}): ${describeRequest(request)}`, { cause: error });
  }
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  // State carries over between requests: a failure names the ones just before it.
  recent.push(`${status} ${describeRequest(request).slice(0, 300)}`);
  if (recent.length > 8) recent.shift();
  if (status >= 500)
    throw new Error(
      `${status} ${text.slice(0, 300)} for ${describeRequest(request)}; the server logged: ${errorLogs.slice(-1).join('').slice(0, 1500)}`,
    );
  const pathname = request.path.split('?')[0] ?? '';
  if (status >= 400 && request.method !== 'HEAD' && !HTML_ERROR_PAGES.test(pathname)) {
    const problems = errorShapeProblems(status, contentType, text);
    if (problems.length > 0) throw new Error(`${status}: ${problems.join('; ')} for ${describeRequest(request)}`);
  }
  const refused = status >= 400;
  if (refused || SAFE.has(request.method)) {
    const after = await snapshot(fx.redis, fx.server.prefix, ignoredKey);
    let changed = differences(baseline, after);
    if (changed.some((line) => line.endsWith(' audit'))) {
      const actions = await newAuditActions();
      const loginRefusal =
        refused && pathname === '/console/api/login' && actions.every((action) => action === 'login.failed' || action === 'login.refused');
      if (!loginRefusal) throw new Error(`audit records ${actions.join(', ')} after ${status} for ${describeRequest(request)}`);
      changed = changed.filter((line) => !line.endsWith(' audit'));
      baseline = after;
      lastAuditId = await latestAuditId();
    }
    if (changed.length > 0) {
      throw new Error(
        `Redis changed (${changed.join(', ')}) after ${status} for ${describeRequest(request)}; the requests before it: ${recent.join(' | ')}`,
      );
    }
  } else {
    await repair();
  }
}

describe(`HTTP fuzz (seed ${FUZZ_SEED}, ${RUNS} requests)`, () => {
  let gc: () => void;
  let heapBefore = 0;

  test('warm-up: the fixture answers and the heap is measured', async () => {
    gc = collector();
    // the same property a few hundred times first, so that lazy caches and compiled code exist before the measure
    await fc.assert(fc.asyncProperty(spec, property), { seed: FUZZ_SEED ^ 0x5a5a, numRuns: Math.min(300, RUNS) });
    await repair();
    heapBefore = await liveHeap(gc);
    expect(heapBefore).toBeGreaterThan(0);
  }, 60_000);

  test('every request: no 5xx, errors in the contract shape, nothing stored when refused', async () => {
    const started = Date.now();
    await fc.assert(fc.asyncProperty(spec, property), { seed: FUZZ_SEED, numRuns: RUNS });
    expect(keptFailures).toEqual([]);
    const counts = Object.fromEntries([...statuses.entries()].sort(([a], [b]) => a - b));
    process.stdout.write(`HTTP fuzz: ${RUNS} requests in ${Date.now() - started} ms, statuses ${JSON.stringify(counts)}\n`);
    // the run really reached the handlers' validation and their successes, not just the gates
    for (const expected of [200, 201, 400, 401, 403, 404, 409, 412, 413, 415])
      expect({ expected, counts }).toMatchObject({ counts: { [expected]: expect.any(Number) } });
  }, 400_000); // a ceiling that holds on a loaded machine, not a performance check

  test('afterwards the server still serves, and the heap is back near its start', async () => {
    const published = await fx.server.api.post<{ entry: Entry }>('/api/v1/briefings/alpha/entries', { body: 'Still serving' });
    expect(published.status).toBe(201);
    expect((await fetch(`${fx.server.url}/b/alpha`)).status).toBe(200);
    const heapAfter = await liveHeap(gc);
    process.stdout.write(`HTTP fuzz heap: ${(heapBefore / 1048576).toFixed(1)} MB before, ${(heapAfter / 1048576).toFixed(1)} MB after\n`);
    expect(heapAfter - heapBefore).toBeLessThan(HEAP_GROWTH_LIMIT);
  }, 30_000);
});

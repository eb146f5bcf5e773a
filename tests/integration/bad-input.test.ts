/**
 * Hostile and broken input, generated from a seeded PRNG so that any failure can be
 * replayed (BAD_INPUT_SEED=<n>): every HTTP answer is a 4xx in the contract's error
 * shape, nothing is stored, and the server keeps answering. Then junk Socket.IO traffic:
 * invalid subscribes get `invalid` acks, and other readers keep receiving their changes.
 */
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { ERROR_STATUS, type ErrorBody } from '../../shared/errors';
import type { Briefing, Change, Entry, SubscribeAck } from '../../shared/schemas';
import {
  ADMIN_TOKEN,
  DEFAULT_REDIS,
  closeAll,
  connectReader,
  onClose,
  startServer,
  waitFor,
  type ReaderClient,
  type TestServer,
} from '../support/harness';
import { FoldingReader } from '../support/reader';

const SEED = Number(process.env.BAD_INPUT_SEED ?? 0x1b5eed);
const HTTP_CASES = 640;
const SOCKET_CASES = 120;
const B = '/api/v1/briefings';

// ---------- a small seeded PRNG ----------

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined && items.length === 0) throw new Error('pick from an empty list');
    return item as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  text(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 <>"\'&;:/\\{}[]%$#@!éж中🙂\u0000\u202e'): string {
    const chars = [...alphabet];
    let out = '';
    for (let i = 0; i < length; i++) out += this.pick(chars);
    return out;
  }
  /** A non-empty object of random junk nested up to `depth` levels: never a string or an array. */
  junkObject(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = 1 + this.int(4);
    for (let i = 0; i < keys; i++)
      out[this.pick(['a', 'body', 'url', '__proto__x', 'constructor', '', '0', this.text(5)])] = this.junkValue(depth - 1);
    return out;
  }
  junkValue(depth: number): unknown {
    const kind = this.int(depth > 0 ? 8 : 6);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 64]);
      case 3:
        return this.text(this.int(20));
      case 4:
        return [];
      case 5:
        return {};
      case 6:
        return Array.from({ length: 1 + this.int(3) }, () => this.junkValue(depth - 1));
      default:
        return this.junkObject(depth);
    }
  }
}

// ---------- the shape every refusal must have ----------

function problemsWithRefusal(status: number, contentType: string, text: string): string[] {
  const problems: string[] = [];
  if (status < 400 || status > 499) problems.push(`status ${status} is not a 4xx`);
  if (!contentType.startsWith('application/json')) problems.push(`content-type "${contentType}"`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    problems.push(`body is not JSON: ${text.slice(0, 200)}`);
    return problems;
  }
  const candidate = body as Partial<ErrorBody> | null;
  const error = candidate && typeof candidate === 'object' ? candidate.error : undefined;
  if (
    !candidate ||
    Object.keys(candidate).join() !== 'error' ||
    !error ||
    typeof error !== 'object' ||
    Object.keys(error).sort().join() !== 'code,message' ||
    typeof error.code !== 'string' ||
    typeof error.message !== 'string' ||
    error.message.length === 0
  ) {
    problems.push(`not the error shape: ${text.slice(0, 300)}`);
    return problems;
  }
  if (!(error.code in ERROR_STATUS)) problems.push(`unknown code ${error.code}`);
  else if (ERROR_STATUS[error.code] !== status) problems.push(`code ${error.code} with status ${status}`);
  if (/"stack"|\n\s+at\s|\\n\s+at\s|\.(ts|js):\d+|node_modules/.test(text))
    problems.push(`looks like a stack trace: ${text.slice(0, 300)}`);
  return problems;
}

// ---------- generating bad requests ----------

interface BadRequest {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

interface Target {
  slug: string;
  entryIds: string[];
}

const VALID_ENTRY = { body: 'A valid update.' };
const OK_URL = 'https://img.example.com/a.jpg';
const BAD_URLS = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'jav\tascript:alert(1)',
  'java\nscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=',
  'vbscript:msgbox(1)',
  'ftp://files.example.com/a',
  'file:///etc/passwd',
  'mailto:someone@example.com',
  '/relative/path',
  '//evil.example/x',
  'http://',
  'https://',
  'https//missing-colon.example',
  'https:/one-slash.example',
  'https://exa mple.com',
  `https://example.com/${'a'.repeat(2100)}`,
  '',
  '   ',
];
const BAD_SLUGS: unknown[] = [
  '',
  'A',
  'Upper',
  '-x',
  'x_y',
  'a b',
  'a'.repeat(65),
  'é',
  'a/b',
  '../x',
  'a.b',
  123,
  null,
  true,
  [],
  {},
  'x'.repeat(10_000),
];
const BAD_TITLES: unknown[] = ['', '   ', 'x'.repeat(201), 5, null, [], {}, true];
const BAD_SUMMARIES: unknown[] = ['x'.repeat(5001), 5, null, [], {}, false];
const BAD_LOCALES: unknown[] = ['', 'not a locale', 'en_US', 'x'.repeat(40), '123', 'e', 'en-', '-en', 'en--US', 5, null, []];
const BAD_ZONES: unknown[] = ['', 'Mars/Base', 'UTC+25', 'x'.repeat(70), 'Europe/', 'Europe/Nowhere', 'GMT+99', 'Etc/GMT+15', 5, null, {}];
const BAD_BOOLEANS: unknown[] = ['true', 'false', 1, 0, null, [], {}, 'yes', 1e300];
const BAD_PUBLISH_AT: unknown[] = [
  'tomorrow',
  5,
  null,
  '',
  '2030-01-01',
  '2030-02-30T00:00:00Z',
  '2030-01-01T25:00:00Z',
  'x'.repeat(1000),
  [],
  {},
  true,
];

function entryFieldMutations(rnd: Random): Array<[string, unknown]> {
  const media = (item: Record<string, unknown>) => [{ url: OK_URL, alt: 'alt text', ...item }];
  const tooManyMedia = Array.from({ length: 11 }, () => ({ url: OK_URL, alt: 'a' }));
  const tooManyLinks = Array.from({ length: 21 }, (_, i) => ({ title: `t${i}`, url: `https://example.com/${i}` }));
  return [
    ['body', rnd.pick(['', '   ', '\n\t', 'x'.repeat(20_001), 5, null, true, [], {}, ['a'], { text: 'x' }, 1e300])],
    ['title', rnd.pick([5, true, [], {}, 'x'.repeat(201), { a: 1 }])],
    ['keyEvent', rnd.pick(BAD_BOOLEANS)],
    ['pinned', rnd.pick(BAD_BOOLEANS)],
    [
      'media',
      rnd.pick([
        'x',
        1,
        {},
        null,
        true,
        [1],
        [null],
        [OK_URL],
        [{}],
        [[]],
        media({ url: rnd.pick(BAD_URLS) }),
        [{ url: OK_URL }],
        media({ alt: '' }),
        media({ alt: '   ' }),
        media({ alt: 'x'.repeat(501) }),
        media({ kind: 'video' }),
        media({ caption: 5 }),
        media({ caption: 'x'.repeat(1001) }),
        media({ credit: 'x'.repeat(201) }),
        tooManyMedia,
      ]),
    ],
    [
      'links',
      rnd.pick([
        'x',
        1,
        {},
        null,
        [1],
        [null],
        [{ title: 't', url: rnd.pick(BAD_URLS) }],
        [{ title: '', url: 'https://example.com' }],
        [{ url: 'https://example.com' }],
        [{ title: 't' }],
        [{ title: 'x'.repeat(201), url: 'https://example.com' }],
        [['t', 'https://example.com']],
        tooManyLinks,
      ]),
    ],
    ['sources', rnd.pick([5, true, [], {}, 'x'.repeat(301)])],
  ];
}

function json(value: unknown): string {
  return JSON.stringify(value);
}

function generate(rnd: Random, index: number, target: Target): BadRequest {
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const jsonHeaders = { ...auth, 'content-type': 'application/json' };
  const slug = target.slug;
  const entryId = rnd.pick(target.entryIds);
  const entryPath = `${B}/${slug}/entries/${entryId}`;
  const fresh = `fresh-${index}-${rnd.int(1e9)}`;
  const post = (path: string, body: string, label: string, headers: Record<string, string> = jsonHeaders): BadRequest => ({
    label,
    method: 'POST',
    path,
    headers,
    body,
  });
  const patch = (path: string, body: string, label: string, headers: Record<string, string> = jsonHeaders): BadRequest => ({
    label,
    method: 'PATCH',
    path,
    headers,
    body,
  });
  const get = (path: string, label: string): BadRequest => ({ label, method: 'GET', path, headers: {} });

  const category = rnd.int(15);
  switch (category) {
    case 0: {
      // create briefing: one field broken, or missing, or the slug taken
      const base: Record<string, unknown> = { slug: fresh, title: 'A title' };
      const which = rnd.pick(['slug', 'title', 'summary', 'locale', 'timeZone', 'missing-slug', 'missing-title', 'taken', 'unknown-only']);
      if (which === 'slug') base.slug = rnd.pick(BAD_SLUGS);
      if (which === 'title') base.title = rnd.pick(BAD_TITLES);
      if (which === 'summary') base.summary = rnd.pick(BAD_SUMMARIES);
      if (which === 'locale') base.locale = rnd.pick(BAD_LOCALES);
      if (which === 'timeZone') base.timeZone = rnd.pick(BAD_ZONES);
      if (which === 'missing-slug') delete base.slug;
      if (which === 'missing-title') delete base.title;
      if (which === 'taken') base.slug = slug;
      const body = which === 'unknown-only' ? { name: fresh, headline: 'x' } : base;
      return post(B, json(body), `create briefing, bad ${which}`);
    }
    case 1: {
      // patch briefing
      const which = rnd.pick(['empty', 'unknown', 'status', 'title', 'summary', 'locale', 'timeZone', 'mixed', 'unknown-slug', 'bad-slug']);
      let body: Record<string, unknown> = {};
      if (which === 'unknown') body = { colour: 'red', slug: 'other' };
      if (which === 'status') body = { status: rnd.pick(['paused', 'LIVE', '', null, 1, [], 'ended ']) };
      if (which === 'title') body = { title: rnd.pick(BAD_TITLES) };
      if (which === 'summary') body = { summary: rnd.pick(BAD_SUMMARIES) };
      if (which === 'locale') body = { locale: rnd.pick(BAD_LOCALES) };
      if (which === 'timeZone') body = { timeZone: rnd.pick(BAD_ZONES) };
      if (which === 'mixed') body = { title: 'Fine title', status: rnd.pick(['paused', null, 3]) };
      if (which === 'unknown-slug') return patch(`${B}/no-such-${index}`, json({ title: 'x' }), 'patch unknown briefing');
      if (which === 'bad-slug')
        return patch(`${B}/${encodeURIComponent(String(rnd.pick(BAD_SLUGS)))}`, json({ title: 'x' }), 'patch bad slug');
      return patch(`${B}/${slug}`, json(body), `patch briefing, bad ${which}`);
    }
    case 2:
    case 3: {
      // create entry: one field broken, the rest valid
      const [field, value] = rnd.pick(entryFieldMutations(rnd));
      const body: Record<string, unknown> = { ...VALID_ENTRY, title: 'Fine', [field]: value };
      if (field === 'body' && rnd.chance(0.2)) delete body.body;
      if (rnd.chance(0.15)) body.publishAt = rnd.pick(BAD_PUBLISH_AT);
      return post(`${B}/${slug}/entries`, json(body), `create entry, bad ${field}`);
    }
    case 4: {
      // create entry: bad publishAt, or no body at all
      if (rnd.chance(0.5))
        return post(`${B}/${slug}/entries`, json({ ...VALID_ENTRY, publishAt: rnd.pick(BAD_PUBLISH_AT) }), 'create entry, bad publishAt');
      return post(
        `${B}/${slug}/entries`,
        json(rnd.pick([{}, { title: 'Only a title' }, { pinned: true, keyEvent: true }, { Body: 'x' }])),
        'create entry, no body',
      );
    }
    case 5: {
      // patch entry: empty, unknown-only, a broken field, or a good field beside a broken one
      const [field, value] = rnd.pick(entryFieldMutations(rnd));
      const shape = rnd.pick(['broken', 'with-good', 'empty', 'unknown']);
      const body =
        shape === 'empty'
          ? {}
          : shape === 'unknown'
            ? { publishAt: '2030-01-01T00:00:00Z', id: 'x', version: 9 }
            : shape === 'with-good'
              ? { pinned: true, [field]: value }
              : { [field]: value };
      if (shape === 'with-good' && field === 'pinned') (body as Record<string, unknown>).keyEvent = 'no';
      return patch(entryPath, json(body), `patch entry, ${shape} ${field}`);
    }
    case 6: {
      // If-Match that is malformed or stale, with a valid patch (every entry is at version 1)
      const ifMatch = rnd.pick([
        'abc',
        '"abc"',
        '""',
        '"-1"',
        '"1.5"',
        'W/',
        '"9999999999"',
        `"${2 + rnd.int(1000)}"`,
        `W/"${2 + rnd.int(1000)}"`,
        '"0"',
        `${2 + rnd.int(50)}`,
        '"1", "2"',
        'null',
        rnd.text(10, 'abcxyz!#$'),
      ]);
      return patch(entryPath, json({ body: 'Would be a correction' }), `If-Match ${ifMatch}`, { ...jsonHeaders, 'if-match': ifMatch });
    }
    case 7: {
      // unknown ids and slugs, and path segments that name nothing
      const junkSegment = rnd.pick([
        encodeURIComponent('../../etc/passwd'),
        '%2e%2e%2fx', // (a bare %2e%2e segment is resolved away by the client's URL parser)
        encodeURIComponent('<script>alert(1)</script>'),
        encodeURIComponent('a'.repeat(300)),
        encodeURIComponent(' '),
        encodeURIComponent('ünïcødé'),
        '%00',
        '%',
        '%zz',
        '%E0%A4%A',
        `unknown${index}x${rnd.int(1e9)}`,
      ]);
      const unknownSlug = `no-such-briefing-${index}`;
      return rnd.pick<BadRequest>([
        get(`${B}/${slug}/entries/${junkSegment}`, `get entry ${junkSegment}`),
        patch(`${B}/${slug}/entries/${junkSegment}`, json({ body: 'x' }), `patch entry ${junkSegment}`),
        { label: `delete entry ${junkSegment}`, method: 'DELETE', path: `${B}/${slug}/entries/${junkSegment}`, headers: auth },
        get(`${B}/${junkSegment}`, `get briefing ${junkSegment}`),
        get(`${B}/${junkSegment}/entries`, `list entries of ${junkSegment}`),
        get(`${B}/${junkSegment}/changes`, `changes of ${junkSegment}`),
        get(`${B}/${unknownSlug}`, 'get unknown briefing'),
        get(`${B}/${unknownSlug}/entries?limit=5`, 'entries of unknown briefing'),
        get(`${B}/${unknownSlug}/changes?since=0`, 'changes of unknown briefing'),
        get(`${B}/${unknownSlug}/entries/${entryId}`, 'entry of unknown briefing'),
        post(`${B}/${unknownSlug}/entries`, json(VALID_ENTRY), 'publish to unknown briefing'),
        post(`${B}/${junkSegment}/entries`, json(VALID_ENTRY), `publish to ${junkSegment}`),
        { label: 'delete in unknown briefing', method: 'DELETE', path: `${B}/${unknownSlug}/entries/${entryId}`, headers: auth },
      ]);
    }
    case 8: {
      // bad query parameters
      const limit = rnd.pick([
        '0',
        '-1',
        'abc',
        '101',
        '1.5',
        '1e3',
        '',
        ' ',
        'NaN',
        'Infinity',
        '-Infinity',
        '99999999999999999999',
        '1e308',
        '1,2',
        'null',
        'true',
        '[]',
      ]);
      const before = rnd.pick([
        'garbage',
        '123',
        '.abc',
        '1.',
        '1.a b',
        'x'.repeat(201),
        '1234567890123456.x',
        '-1.abc',
        '1.2.3',
        `1.${'a'.repeat(65)}`,
        '<script>',
      ]);
      const since = rnd.pick([
        '-1',
        'abc',
        '1.5',
        'NaN',
        'Infinity',
        '99999999999999999999',
        '1e400',
        '-0.5',
        '1,2',
        '9007199254740991',
        '99999999999999',
        '4',
        '1e20',
      ]);
      return rnd.pick<BadRequest>([
        get(`${B}/${slug}/entries?limit=${encodeURIComponent(limit)}`, `limit=${limit}`),
        get(`${B}/${slug}/entries?limit=1&limit=2`, 'limit twice'),
        get(`${B}/${slug}/entries?before=${encodeURIComponent(before)}`, `before=${before}`),
        get(`${B}/${slug}/entries?limit=5&before=${encodeURIComponent(before)}`, `limit=5&before=${before}`),
        get(`${B}/${slug}/changes?since=${encodeURIComponent(since)}`, `since=${since}`),
        get(`${B}/${slug}/changes?since=0&since=1`, 'since twice'),
        get(`${B}/${slug}/changes?epoch=${'e'.repeat(101)}&since=0`, 'epoch too long'),
        get(`${B}/${slug}/changes?epoch=not-the-epoch&since=${rnd.int(4)}`, 'wrong epoch'),
      ]);
    }
    case 9: {
      // malformed JSON
      const valid = json({ ...VALID_ENTRY, title: 'Fine' });
      const raw = rnd.pick([
        '{',
        '}',
        '{"body":',
        '{"body":"x",}',
        "{'body':'x'}",
        '{body:"x"}',
        'undefined',
        'NaN',
        '[1,2',
        '"just a string"',
        '123',
        'true',
        'null',
        '{"body":"x"}garbage',
        '{"body":"x"}{"body":"y"}',
        '\u0000',
        '',
        rnd.text(40),
        valid.slice(0, 1 + rnd.int(valid.length - 1)),
        `{"body":"${'x'.repeat(10)}`,
      ]);
      const where = rnd.pick([`${B}/${slug}/entries`, entryPath, B, `${B}/${slug}`]);
      const method = where === `${B}/${slug}/entries` || where === B ? 'POST' : 'PATCH';
      return {
        label: `malformed JSON ${JSON.stringify(raw.slice(0, 30))} to ${method} ${where}`,
        method,
        path: where,
        headers: jsonHeaders,
        body: raw,
      };
    }
    case 10: {
      // huge numbers, arrays instead of objects, null
      const raw = rnd.pick([
        '{"body":1e400}',
        '{"body":"ok","keyEvent":1e400}',
        '{"body":"ok","pinned":-1e400}',
        '{"body":"ok","media":1e308}',
        '{"body":"ok","title":123456789012345678901234567890}',
        '{"body":"ok","sources":-0}',
        '[]',
        '[{"body":"x"}]',
        '[[]]',
        '{"body":["x"]}',
        '{"body":"ok","media":{"url":"https://img.example.com/a.jpg","alt":"a"}}',
        '{"body":"ok","links":[["t","https://example.com"]]}',
        '{"body":null}',
        '{"body":"ok","media":null}',
        '{"body":"ok","links":[null]}',
        '{"body":"ok","keyEvent":null}',
      ]);
      const onPatch = rnd.chance(0.3);
      return onPatch ? patch(entryPath, raw, `patch entry ${raw}`) : post(`${B}/${slug}/entries`, raw, `create entry ${raw}`);
    }
    case 11: {
      // nested junk
      const kind = rnd.int(4);
      if (kind === 0) {
        const depth = 500 + rnd.int(4000);
        return post(`${B}/${slug}/entries`, '['.repeat(depth) + ']'.repeat(depth), `array nested ${depth} deep`);
      }
      if (kind === 1) {
        const depth = 500 + rnd.int(3000);
        const field = rnd.pick(['title', 'keyEvent', 'media', 'links', 'sources']);
        return post(
          `${B}/${slug}/entries`,
          `{"body":"ok","${field}":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
          `${field} nested ${depth} deep`,
        );
      }
      if (kind === 2) {
        // (publishAt is no field of a patch, which ignores it: only creation gets it)
        if (rnd.chance(0.5)) {
          const field = rnd.pick(['body', 'title', 'keyEvent', 'pinned', 'media', 'links', 'sources', 'publishAt']);
          return post(`${B}/${slug}/entries`, json({ ...VALID_ENTRY, [field]: rnd.junkObject(5) }), `junk object in ${field}`);
        }
        const field = rnd.pick(['body', 'title', 'keyEvent', 'pinned', 'media', 'links', 'sources']);
        return patch(entryPath, json({ [field]: rnd.junkObject(5) }), `junk object in ${field} (patch)`);
      }
      return post(
        `${B}/${slug}/entries`,
        rnd.pick(['{"__proto__":{"body":"x"}}', '{"constructor":{"prototype":{"body":"x"}}}', '{"__proto__":{"pinned":true},"body":""}']),
        'prototype tricks',
      );
    }
    case 12: {
      // bad headers on otherwise valid writes
      const body = json({ ...VALID_ENTRY, title: 'Fine' });
      const which = rnd.int(5);
      if (which === 0) {
        const type = rnd.pick([
          'text/plain',
          'application/xml',
          'text/json',
          'application/jsonp',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=latin1',
          'application/json; charset=utf-16',
          'application/json; charset=ebcdic',
          'json',
          'application/merge-patch+json',
        ]);
        return post(`${B}/${slug}/entries`, body, `content-type ${type}`, { ...auth, 'content-type': type });
      }
      if (which === 1) {
        return {
          label: 'no content-type',
          method: rnd.pick(['POST', 'PATCH']),
          path: rnd.pick([`${B}/${slug}/entries`, entryPath]),
          headers: auth,
          body: new TextEncoder().encode(body),
        };
      }
      if (which === 2) {
        const encoding = rnd.pick(['gzip', 'deflate', 'br', 'compress', 'bogus', 'identity, gzip']);
        return post(`${B}/${slug}/entries`, body, `content-encoding ${encoding}`, { ...jsonHeaders, 'content-encoding': encoding });
      }
      if (which === 3) {
        const authorization = rnd.pick([
          undefined,
          'Bearer',
          'Bearer ',
          'Bearer not-a-token',
          `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`,
          `Token ${ADMIN_TOKEN}`,
          ADMIN_TOKEN,
          `Bearer ${ADMIN_TOKEN} extra`,
          `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
          `Bearer lbt_0123456789abcdef_${'A'.repeat(43)}`,
          `Bearer ${'x'.repeat(5000)}`,
        ]);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (authorization !== undefined) headers.authorization = authorization;
        const route = rnd.int(4);
        if (route === 0) return post(`${B}/${slug}/entries`, body, `authorization ${authorization ?? 'missing'}`, headers);
        if (route === 1) return patch(entryPath, body, `authorization ${authorization ?? 'missing'} (patch)`, headers);
        if (route === 2)
          return post(B, json({ slug: fresh, title: 'x' }), `authorization ${authorization ?? 'missing'} (briefing)`, headers);
        return { label: `authorization ${authorization ?? 'missing'} (delete)`, method: 'DELETE', path: entryPath, headers };
      }
      const key = rnd.pick(['has space', 'k'.repeat(201), '', 'tab\tinside', 'x y z']);
      return post(`${B}/${slug}/entries`, body, `Idempotency-Key ${JSON.stringify(key.slice(0, 20))}`, {
        ...jsonHeaders,
        'idempotency-key': key,
      });
    }
    case 13: {
      // methods and paths that are no route
      const body = json(VALID_ENTRY);
      return rnd.pick<BadRequest>([
        { label: 'PUT briefing', method: 'PUT', path: `${B}/${slug}`, headers: jsonHeaders, body },
        { label: 'POST briefing', method: 'POST', path: `${B}/${slug}`, headers: jsonHeaders, body },
        { label: 'DELETE briefing', method: 'DELETE', path: `${B}/${slug}`, headers: auth },
        { label: 'PUT entry', method: 'PUT', path: entryPath, headers: jsonHeaders, body },
        { label: 'POST changes', method: 'POST', path: `${B}/${slug}/changes`, headers: jsonHeaders, body },
        { label: 'PATCH list', method: 'PATCH', path: B, headers: jsonHeaders, body },
        { label: 'DELETE entries', method: 'DELETE', path: `${B}/${slug}/entries`, headers: auth },
        { label: 'deeper path', method: 'GET', path: `${entryPath}/history`, headers: {} },
        { label: 'unknown API', method: 'GET', path: `/api/v1/${rnd.text(8, 'abcdefgh')}`, headers: {} },
      ]);
    }
    default: {
      // extra-long strings everywhere
      const long = rnd.pick([20_001, 50_000, 200_000, 300_000]);
      const text = 'x'.repeat(long);
      return rnd.pick<BadRequest>([
        post(`${B}/${slug}/entries`, json({ body: text }), `body of ${long}`),
        post(`${B}/${slug}/entries`, json({ ...VALID_ENTRY, title: text }), `title of ${long}`),
        post(`${B}/${slug}/entries`, json({ ...VALID_ENTRY, sources: text }), `sources of ${long}`),
        post(
          `${B}/${slug}/entries`,
          json({ ...VALID_ENTRY, links: [{ title: 't', url: `https://example.com/${text}` }] }),
          `link url of ${long}`,
        ),
        patch(entryPath, json({ body: text }), `patch body of ${long}`),
        post(B, json({ slug: fresh, title: 't', summary: text }), `summary of ${long}`),
        patch(`${B}/${slug}`, json({ title: text }), `briefing title of ${long}`),
        post(`${B}/${slug}/entries`, json(VALID_ENTRY), `Idempotency-Key of ${long}`, {
          ...jsonHeaders,
          'idempotency-key': 'k'.repeat(Math.min(long, 8000)),
        }),
      ]);
    }
  }
}

// ---------- state that must not move ----------

interface Observed {
  briefings: Briefing[];
  perBriefing: Record<string, { entries: Entry[]; changes: Change[] }>;
  keys: string[];
}

async function jsonOf<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

async function observe(server: TestServer, redis: Redis): Promise<Observed> {
  const { briefings } = await jsonOf<{ briefings: Briefing[] }>(`${server.url}${B}`);
  const perBriefing: Observed['perBriefing'] = {};
  for (const briefing of briefings) {
    const page = await jsonOf<{ entries: Entry[] }>(`${server.url}${B}/${briefing.slug}/entries?limit=100`);
    const log = await jsonOf<{ changes: Change[] }>(`${server.url}${B}/${briefing.slug}/changes?since=0`);
    perBriefing[briefing.slug] = { entries: page.entries, changes: log.changes };
  }
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${server.prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return { briefings, perBriefing, keys: keys.sort() };
}

/**
 * The keys that hold state. A briefing's readers-now count (`…:readers`) is left out: the
 * server writes it every few seconds while anyone reads, so the well-behaved reader makes it
 * appear whenever that write falls inside the test (on a slow machine it did).
 */
function stateKeys(keys: string[]): string[] {
  return keys.filter((key) => !key.endsWith(':readers'));
}

// ---------- the tests ----------

let server: TestServer;
let redis: Redis;
let target: Target;
let targetBriefing: Briefing;

beforeAll(async () => {
  server = await startServer();
  redis = new Redis(DEFAULT_REDIS);
  onClose(() => {
    redis.disconnect();
  });
  const slug = 'target-briefing';
  const created = await server.api.post<{ briefing: Briefing }>(B, { slug, title: 'Target' });
  expect(created.status).toBe(201);
  const entryIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const response = await server.api.post<{ entry: Entry }>(`${B}/${slug}/entries`, { body: `Entry ${i}`, pinned: i === 1 });
    expect(response.status).toBe(201);
    entryIds.push(response.body.entry.id);
  }
  target = { slug, entryIds };
  targetBriefing = (await server.api.get<{ briefing: Briefing }>(`${B}/${slug}`)).body.briefing;
  expect(targetBriefing.seq).toBe(3);
});

afterAll(async () => {
  await closeAll();
});

describe(`HTTP junk (seed ${SEED})`, () => {
  test(`${HTTP_CASES} random invalid requests: each a 4xx in the error shape, nothing stored`, async () => {
    const before = await observe(server, redis);
    const rnd = new Random(SEED);
    const requests = Array.from({ length: HTTP_CASES }, (_, index) => generate(rnd, index, target));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const concurrency = 8;
    for (let start = 0; start < requests.length; start += concurrency) {
      await Promise.all(
        requests.slice(start, start + concurrency).map(async (request, offset) => {
          const index = start + offset;
          let status = 0;
          let problems: string[];
          try {
            const response = await fetch(`${server.url}${request.path}`, {
              method: request.method,
              headers: request.headers,
              ...(request.body !== undefined ? { body: request.body } : {}),
            });
            status = response.status;
            problems = problemsWithRefusal(status, response.headers.get('content-type') ?? '', await response.text());
          } catch (error) {
            problems = [`request failed: ${String(error)}`];
          }
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (problems.length > 0) {
            failures.push(
              `#${index} (seed ${SEED}) ${request.method} ${request.path.slice(0, 120)} [${request.label.slice(0, 120)}]: ${problems.join('; ')}`,
            );
          }
        }),
      );
    }
    expect(failures).toEqual([]);
    // the batch really exercised a spread of refusals
    const counts = Object.fromEntries([...statuses.entries()].sort(([a], [b]) => a - b));
    for (const status of [400, 401, 404, 409, 410, 412, 413, 415])
      expect({ status, counts, seen: status in counts }).toMatchObject({ seen: true });

    const after = await observe(server, redis);
    expect(after).toEqual(before);
    expect(after.briefings.find((b) => b.slug === target.slug)).toEqual(targetBriefing);
  });

  test('afterwards the server still answers normally', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const published = await server.api.post<{ entry: Entry; seq: number; epoch: string }>(`${B}/${target.slug}/entries`, {
      body: 'Still here',
    });
    expect(published.status).toBe(201);
    expect(published.body.seq).toBe(targetBriefing.seq + 1);
    expect(published.body.epoch).toBe(targetBriefing.epoch);
    const got = await server.api.get<{ entry: Entry }>(`${B}/${target.slug}/entries/${published.body.entry.id}`);
    expect(got.body.entry).toEqual(published.body.entry);
    expect((await server.api.withToken(null).get<{ entries: Entry[] }>(`${B}/${target.slug}/entries`)).body.entries).toHaveLength(4);
    const removed = await server.api.delete(`${B}/${target.slug}/entries/${published.body.entry.id}`);
    expect(removed.status).toBe(200);
    targetBriefing = (await server.api.get<{ briefing: Briefing }>(`${B}/${target.slug}`)).body.briefing;
  });
});

// ---------- Socket.IO junk ----------

type LooseSocket = Socket;

/** The same socket without the typed event maps, to send what no typed client would. */
function loose(socket: ReaderClient): LooseSocket {
  return socket;
}

async function ackOf(socket: ReaderClient, ...args: unknown[]): Promise<unknown> {
  return loose(socket)
    .timeout(5000)
    .emitWithAck('subscribe', ...args) as Promise<unknown>;
}

function expectInvalidAck(ack: unknown, label: string): void {
  const typed = ack as SubscribeAck;
  expect({ label, ack: typed }).toEqual({ label, ack: { ok: false, error: { code: 'invalid', message: expect.any(String) as unknown } } });
  if (!typed.ok) expect(typed.error.message.length).toBeGreaterThan(0);
}

function randomSubscribePayload(rnd: Random): unknown {
  const validSlug = target.slug;
  const epoch = targetBriefing.epoch;
  return rnd.pick<() => unknown>([
    () => ({}),
    () => ({ slug: rnd.pick(BAD_SLUGS) }),
    () => ({ slug: rnd.text(1 + rnd.int(30)) + 'X' }),
    () => ({ slug: 'x'.repeat(65 + rnd.int(5000)) }),
    () => ({ slug: rnd.junkObject(3) }),
    () => ({ since: { epoch, seq: 0 } }),
    () => ({ slug: validSlug, since: rnd.pick(['abc', 5, true, [], [epoch, 1], { epoch }, { seq: 1 }]) }),
    () => ({ slug: validSlug, since: { epoch: rnd.pick([1, null, true, [], {}, '', 'e'.repeat(101)]), seq: 1 } }),
    () => ({
      slug: validSlug,
      since: { epoch, seq: rnd.pick([-1, 1.5, '1', null, [], {}, 1e308, -1e308, 2 ** 60, Number.MAX_SAFE_INTEGER + 2]) },
    }),
    () => ({ slug: validSlug, since: rnd.junkObject(4) }),
    () => rnd.pick([42, -1, 0, 1e308, 'target-briefing', '', true, false, null]),
    () => [validSlug],
    () => [{ slug: validSlug }],
    () => rnd.junkValue(4),
    () => ({ slug: validSlug.toUpperCase() }),
  ])();
}

describe('Socket.IO junk', () => {
  test('invalid subscribes are refused with invalid acks; other readers keep working; nothing changes', async () => {
    const keysBefore = stateKeys((await observe(server, redis)).keys);

    // a well-behaved reader, subscribed before the junk starts
    const goodSocket = await connectReader(server.url);
    const good = new FoldingReader(goodSocket, target.slug);
    const goodAck = await good.subscribe(null);
    expect(goodAck).toMatchObject({ ok: true, mode: 'snapshot', epoch: targetBriefing.epoch, seq: targetBriefing.seq });
    let goodDisconnected = false;
    goodSocket.on('disconnect', () => {
      goodDisconnected = true;
    });

    const junk = await connectReader(server.url);
    const rnd = new Random(SEED ^ 0x50c3e7);

    // fixed cases first, then random ones
    const fixed: Array<[string, unknown[]]> = [
      ['no slug', [{}]],
      ['bad slug', [{ slug: 'Not A Slug' }]],
      ['numeric slug', [{ slug: 42 }]],
      ['huge slug', [{ slug: 'x'.repeat(12_000) }]],
      ['since as string', [{ slug: target.slug, since: 'yesterday' }]],
      ['since seq as string', [{ slug: target.slug, since: { epoch: targetBriefing.epoch, seq: '3' } }]],
      ['since seq negative', [{ slug: target.slug, since: { epoch: targetBriefing.epoch, seq: -1 } }]],
      ['since epoch number', [{ slug: target.slug, since: { epoch: 7, seq: 1 } }]],
      ['a number', [12345]],
      ['a string', ['target-briefing']],
      ['an array', [[target.slug]]],
      ['null', [null]],
      ['binary', [new Uint8Array([1, 2, 3])]],
    ];
    for (const [label, args] of fixed) expectInvalidAck(await ackOf(junk, ...args), label);
    for (let i = 0; i < SOCKET_CASES; i++) {
      const payload = randomSubscribePayload(rnd);
      expectInvalidAck(await ackOf(junk, payload), `random #${i} (seed ${SEED}): ${JSON.stringify(payload)?.slice(0, 200)}`);
    }

    // a well-formed subscribe to a briefing that does not exist
    expect(await ackOf(junk, { slug: 'no-such-briefing' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: expect.any(String) as unknown },
    });

    // subscribes without an ack function, unknown events, and things only the server sends
    const raw = loose(junk);
    raw.emit('subscribe', { slug: 'Bad Slug' });
    raw.emit('subscribe', 'junk', 'more junk');
    raw.emit('subscribe', { slug: target.slug, since: { epoch: 'x', seq: 'y' } }, 'not a function');
    raw.emit('unsubscribe', { slug: 42 });
    raw.emit('unsubscribe', 'junk');
    raw.emit('unsubscribe');
    raw.emit('publish', { slug: target.slug, body: 'Injected' });
    raw.emit('change', {
      slug: target.slug,
      epoch: targetBriefing.epoch,
      seq: targetBriefing.seq + 1,
      type: 'entry.deleted',
      id: target.entryIds[0],
    });
    raw.emit('delete', { slug: target.slug, id: target.entryIds[0] });
    raw.emit(rnd.text(30, 'abcdefghij:/._-'), rnd.junkValue(3));
    raw.emit('x'.repeat(5000), 1);
    for (let i = 0; i < 50; i++) raw.emit(`event-${i}`, rnd.junkValue(3), rnd.junkValue(2));

    // broken packets straight onto the transport
    const broken = await connectReader(server.url);
    const brokenClosed = new Promise<string>((resolve) => loose(broken).once('disconnect', (reason: string) => resolve(reason)));
    const engine = loose(broken).io.engine;
    engine.send('42["subscribe",{');
    engine.send('4["unterminated');
    engine.send('49garbage');
    engine.send('0{"not":"a handshake"');
    await brokenClosed;

    // one message bigger than the 16 KB limit: that connection is closed, nobody else's
    const oversized = await connectReader(server.url);
    const oversizedClosed = new Promise<string>((resolve) => loose(oversized).once('disconnect', (reason: string) => resolve(reason)));
    loose(oversized).emit('subscribe', { slug: 'x'.repeat(20 * 1024) }, () => undefined);
    expect(await oversizedClosed).toBe('transport close');

    // the junk socket itself is still served after all that
    const junkChanges: Change[] = [];
    junk.on('change', (change) => junkChanges.push(change));
    const stillServed = await ackOf(junk, { slug: target.slug });
    expect(stillServed).toMatchObject({ ok: true, mode: 'snapshot', epoch: targetBriefing.epoch, seq: targetBriefing.seq });

    // nothing a reader sent changed any state
    const briefingNow = await server.api.get<{ briefing: Briefing }>(`${B}/${target.slug}`);
    expect(briefingNow.body.briefing).toEqual(targetBriefing);
    expect(stateKeys((await observe(server, redis)).keys)).toEqual(keysBefore);

    // the good reader (and a newcomer) still receive changes, in order, exactly once
    const newcomer = new FoldingReader(await connectReader(server.url), target.slug);
    const newcomerAck = await newcomer.subscribe(null);
    expect(newcomerAck).toMatchObject({ ok: true, seq: targetBriefing.seq });
    const published = await server.api.post<{ entry: Entry; seq: number }>(`${B}/${target.slug}/entries`, { body: 'After the junk' });
    expect(published.status).toBe(201);
    expect(published.body.seq).toBe(targetBriefing.seq + 1);
    const edited = await server.api.patch<{ seq: number }>(`${B}/${target.slug}/entries/${published.body.entry.id}`, { pinned: true });
    expect(edited.body.seq).toBe(targetBriefing.seq + 2);

    for (const reader of [good, newcomer]) {
      const view = await reader.waitForSeq(targetBriefing.seq + 2);
      expect(view?.entries[0]).toMatchObject({ id: published.body.entry.id, pinned: true });
      expect(reader.changesSinceAck().map((change) => change.seq)).toEqual([targetBriefing.seq + 1, targetBriefing.seq + 2]);
      expect(reader.problems).toEqual([]);
    }
    expect(goodDisconnected).toBe(false);
    expect(goodSocket.connected).toBe(true);
    expect(junk.connected).toBe(true);

    // and the junk socket, subscribed properly at last, got the same changes
    await waitFor(() => (junkChanges.length >= 2 ? true : undefined), 10_000, 'the junk socket to receive both changes');
    expect(junkChanges.map((change) => change.seq)).toEqual([targetBriefing.seq + 1, targetBriefing.seq + 2]);
  });
});

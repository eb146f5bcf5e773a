/**
 * fast-check generators of hostile input shared by the HTTP and Socket.IO fuzz suites:
 * junk values, valid-looking objects with one part broken, raw text that is not JSON.
 */
import fc from 'fast-check';

/** The seed of every fuzz run: fixed, so a failure replays; FUZZ_SEED picks another. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_261_130);

/** Printable ASCII: what an HTTP header value can carry through fetch. */
export const headerText = (maxLength = 40): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength });

export const edgeNumber = fc.constantFrom(
  0,
  -0,
  -1,
  1,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 64,
  5e-324,
);

export const edgeString = fc.constantFrom(
  '',
  ' ',
  '\t\n',
  '\u0000',
  '\u202e',
  '\ud800',
  '🙂',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../etc/passwd',
  '%',
  '%zz',
  '%00',
  'null',
  'true',
  '1',
  '-1',
  '1e400',
  '__proto__',
  'constructor',
  'javascript:alert(1)',
  'https://example.com/a.jpg',
  'data:text/html,<b>x</b>',
  '2030-01-01T00:00:00Z',
  'Europe/Kyiv',
  'en-US',
);

/** Strings past every limit (20 000 chars for a body, 256 KB for a request). */
export const hugeString = fc
  .tuple(fc.constantFrom(201, 5_001, 20_001, 70_000, 300_000), fc.constantFrom('x', 'é', '🙂', '<', ' '))
  .map(([length, unit]) => unit.repeat(length));

/** `{"a":{"a":…1…}}` or `[[…]]` `depth` levels down. */
export function nested(depth: number, arrays: boolean): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  // fast-check prints a counterexample recursively and would overflow the stack on it;
  // a symbol-keyed property is invisible to JSON and to socket.io's encoder.
  Object.defineProperty(value, fc.toStringMethod, {
    value: () => `${arrays ? 'array' : 'object'} nested ${depth} deep`,
    enumerable: false,
  });
  return value;
}

export const deepValue = fc.tuple(fc.integer({ min: 20, max: 3_000 }), fc.boolean()).map(([depth, arrays]) => nested(depth, arrays));

const junkScalarsAndSmall = [
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 2, arbitrary: edgeString },
  { weight: 2, arbitrary: edgeNumber },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], [{}], { '': '' }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: hugeString },
];

/**
 * JSON-able junk without deep nesting: for socket.io-client, whose encoder recurses and
 * overflows in the test itself (deep payloads go to the server as raw packets instead).
 */
export const shallowJunkValue: fc.Arbitrary<unknown> = fc.oneof(...junkScalarsAndSmall);

/** Any JSON-able junk: scalars of every type, edge cases, small structures, nesting thousands deep. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(...junkScalarsAndSmall, { weight: 1, arbitrary: deepValue });

type Path = Array<string | number>;

/** Every place inside a value that a mutation can hit: each object field and array element, at any depth. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  }
  return [];
}

/** A deep copy of `value` with the thing at `path` replaced (or removed when `replacement` is `remove`). */
function setAt(value: unknown, path: Path, replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(value)) {
    const copy = [...value] as unknown[];
    if (remove && rest.length === 0) copy.splice(Number(head), 1);
    else copy[Number(head)] = setAt(copy[Number(head)], rest, replacement, remove);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  if (remove && rest.length === 0) delete copy[String(head)];
  else copy[String(head)] = setAt(copy[String(head)], rest, replacement, remove);
  return copy;
}

/**
 * A valid-looking object, then most of the time broken in one place: a field (at any
 * depth) set to junk or removed, an unknown field added, or the whole thing replaced.
 */
export function mutated(template: Record<string, unknown>, junk: fc.Arbitrary<unknown> = junkValue): fc.Arbitrary<unknown> {
  const paths = pathsOf(template);
  const somePath = paths.length > 0 ? fc.constantFrom(...paths) : fc.constant<Path>([]);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(template) },
    { weight: 6, arbitrary: fc.tuple(somePath, junk).map(([path, value]) => setAt(template, path, value, false)) },
    { weight: 2, arbitrary: somePath.map((path) => setAt(template, path, undefined, true)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'version', 'epoch', 'seq', 'role', ''), fc.string({ maxLength: 8 })),
          junk,
        )
        .map(([key, value]) => ({ ...template, [key]: value })),
    },
    { weight: 1, arbitrary: junk },
  );
}

/** Text that is not (valid) JSON, or JSON that body-parser must refuse or bound. */
export function rawText(template: Record<string, unknown>): fc.Arbitrary<string> {
  const valid = JSON.stringify(template);
  return fc.oneof(
    fc.constantFrom(
      '',
      '{',
      '}',
      '{"a":1,}',
      "{'a':1}",
      '{a:1}',
      'NaN',
      'undefined',
      '[1,2',
      '"just a string"',
      '123',
      'null',
      'true',
      '\u0000',
      'a=b&c=d',
      '<?xml version="1.0"?><a/>',
      `${valid}garbage`,
      `${valid}${valid}`,
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"a":1,"a":2}',
      '\ufeff{}',
    ),
    fc.integer({ min: 0, max: Math.max(0, valid.length - 1) }).map((cut) => valid.slice(0, cut)),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc
      .tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('[', '{"a":'))
      .map(([depth, open]) => (open === '[' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${open.repeat(depth)}1${'}'.repeat(depth)}`)),
  );
}

/**
 * Markdown nested or repeated thousands of times (within the body limit), unclosed links,
 * images and emphasis among them (marked before 17 took seconds to minutes on those).
 */
export const hostileMarkdown = fc
  .tuple(
    fc.constantFrom(
      '>',
      '> ',
      '- ',
      '* ',
      '1. ',
      '  - ',
      '> - ',
      '<div>',
      '[',
      '`',
      '#',
      '|',
      '*a',
      '_a',
      '~',
      '\\',
      '&#',
      '<!--',
      '[a](',
      '![a](',
      '**a ',
    ),
    fc.integer({ min: 50, max: 5_000 }),
  )
  .map(([unit, count]) => `${unit.repeat(count)} x`);

/** Valid but unusual values for the fields that pages format: far dates, odd offsets, rare locales and zones. */
const EDGE_VALUES: Record<string, readonly unknown[]> = {
  publishAt: [
    '0000-01-01T00:00:00Z',
    '0000-01-01T00:00:00+23:59',
    '9999-12-31T23:59:59.999Z',
    '1969-12-31T23:59:59.999Z',
    '2000-02-29T12:00:00.123456789-23:59',
    '2020-03-29T01:30:00+01:00',
  ],
  coverageStart: [
    '0000-01-01T00:00:00Z',
    '0000-01-01T00:00:00+23:59',
    '9999-12-31T23:59:59.999Z',
    '1969-12-31T23:59:59.999Z',
    '2026-10-25T01:30:00+02:00',
  ],
  locale: [
    'ar',
    'he-IL',
    'zh-Hant-TW',
    'sr-Latn-RS',
    'und',
    'ja-JP-u-ca-japanese',
    'th-TH-u-nu-thai',
    'en-u-ca-islamic',
    'i-klingon',
    'qaa',
    'de-CH-1996',
    'en-US-u-hc-h24',
    'x-private',
  ],
  timeZone: [
    'Pacific/Kiritimati',
    'America/St_Johns',
    'Asia/Kathmandu',
    'Etc/GMT+12',
    'Etc/GMT-14',
    'Antarctica/Troll',
    'EST5EDT',
    'Asia/Calcutta',
    'Europe/Kiev',
    'Factory',
    'GMT0',
  ],
};

/** A template with its formatted fields (dates, locale, zone, Markdown) sometimes swapped for edge values. */
export function withEdgeValues(template: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, value] of Object.entries(template)) {
    const edges = EDGE_VALUES[key];
    if (edges) fields[key] = fc.oneof(fc.constant(value), fc.constantFrom(...edges));
    else if (key === 'body' || key === 'summary')
      fields[key] = fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: hostileMarkdown });
    else fields[key] = fc.constant(value);
  }
  return fc.record(fields);
}

/**
 * The browser bundles stay within their gzip budgets (npm test builds them first), and
 * carry English alone: each other language's words are in their own module.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CATALOGUES } from '../../shared/i18n/catalogues';
import type { Catalogue } from '../../shared/i18n';

const ROOT = path.resolve(__dirname, '../..');
const budgets = JSON.parse(readFileSync(path.join(ROOT, 'scripts/bundle-budgets.json'), 'utf8')) as Record<string, number | string>;

test.each(Object.entries(budgets).filter((entry): entry is [string, number] => typeof entry[1] === 'number'))(
  '%s gzips to at most %i bytes',
  (name, budget) => {
    const size = gzipSync(readFileSync(path.join(ROOT, 'dist/public', name)), { level: 9 }).length;
    expect(size).toBeLessThanOrEqual(budget);
    // A bundle this small has lost its dependencies: the budget check would prove nothing.
    expect(size).toBeGreaterThan(10_000);
  },
);

/** esbuild may write non-ASCII text as \uXXXX escapes: read a bundle as the text it holds. */
function bundleText(name: string): string {
  return readFileSync(path.join(ROOT, 'dist/public', name), 'utf8').replace(/\\u([0-9a-fA-F]{4})/g, (_escape, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** A catalogue's longer phrases (short ones, like "Canlı", could be anywhere), but those it shares with `besides` (e.g. "({count}) {title}"). */
function phrases(catalogue: Catalogue, besides: Catalogue = CATALOGUES.en): string[] {
  const texts = (of: Catalogue): string[] =>
    Object.values(of).flatMap((message) => (typeof message === 'string' ? [message] : Object.values(message)));
  const shared = new Set(texts(besides));
  return texts(catalogue).filter((text) => text.length >= 12 && !shared.has(text));
}

const FOREIGN = Object.entries(CATALOGUES).filter(([language]) => language !== 'en');

test.each(['reader.js', 'embed.js'])('%s carries no other language’s words (Georgian, Russian, Arabic…)', (bundle) => {
  const text = bundleText(bundle);
  const found = FOREIGN.flatMap(([language, catalogue]) =>
    phrases(catalogue)
      .filter((phrase) => text.includes(phrase))
      .map((phrase) => `${language}: ${phrase}`),
  );
  expect(found).toEqual([]);
  expect(text).toContain('Updating live');
});

test.each(FOREIGN)('i18n/%s.js holds that language’s catalogue and no other', (language, catalogue) => {
  const text = bundleText(`i18n/${language}.js`);
  expect(phrases(catalogue).filter((phrase) => !text.includes(phrase))).toEqual([]);
  const others = FOREIGN.filter(([other]) => other !== language).flatMap(([, other]) => phrases(other, catalogue));
  expect(others.filter((phrase) => text.includes(phrase))).toEqual([]);
});

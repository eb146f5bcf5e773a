/** The browser bundles stay within their gzip budgets (npm test builds them first). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

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

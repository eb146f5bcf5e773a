// `npm run size`: the gzip size of every bundle in dist/public against its budget
// (scripts/bundle-budgets.json); exits 1 when one is over.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dir = 'dist/public';
const budgets = JSON.parse(readFileSync('scripts/bundle-budgets.json', 'utf8'));
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const gzipped = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

let over = 0;
const rows = [];
for (const name of readdirSync(dir)
  .filter((file) => file.endsWith('.js'))
  .sort()) {
  const raw = readFileSync(`${dir}/${name}`).length;
  const size = gzipped(`${dir}/${name}`);
  const budget = budgets[name];
  const verdict = budget === undefined ? 'no budget' : size <= budget ? `ok (budget ${kb(budget)})` : `OVER budget ${kb(budget)}`;
  if (budget !== undefined && size > budget) over++;
  rows.push(`${name.padEnd(12)} ${kb(raw).padStart(9)} min  ${kb(size).padStart(8)} gzip  ${verdict}`);
}
for (const name of Object.keys(budgets).filter((key) => key !== '//')) {
  if (!rows.some((row) => row.startsWith(`${name} `))) {
    rows.push(`${name.padEnd(12)} missing: run npm run build`);
    over++;
  }
}
// Modules a page loads one of, for its briefing's language: date-fns locales and interface catalogues.
for (const sub of ['locales', 'i18n']) {
  const files = readdirSync(`${dir}/${sub}`).filter((file) => file.endsWith('.js'));
  const sizes = files.map((file) => gzipped(`${dir}/${sub}/${file}`));
  rows.push(
    `${`${sub}/*.js`.padEnd(13)} ${files.length} files, each loaded on its own: ${kb(Math.min(...sizes))} to ${kb(Math.max(...sizes))} gzip`,
  );
}
console.log(rows.join('\n'));
if (over > 0) {
  console.error(`${over} bundle(s) over budget`);
  process.exit(1);
}

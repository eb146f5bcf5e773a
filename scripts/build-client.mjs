// Bundles the browser code with esbuild: each entry point under client/ that exists
// becomes one minified ES module in dist/public/.
import { build } from 'esbuild';
import { cpSync, existsSync, readdirSync } from 'node:fs';

/** client source -> served file name */
const ENTRIES = {
  'client/reader.ts': 'reader',
  'client/embed.ts': 'embed',
  'client/console.ts': 'console',
};

const entryPoints = Object.fromEntries(
  Object.entries(ENTRIES)
    .filter(([source]) => existsSync(source))
    .map(([source, name]) => [name, source]),
);

if (Object.keys(entryPoints).length > 0) {
  await build({
    entryPoints,
    outdir: 'dist/public',
    bundle: true,
    format: 'esm',
    target: ['es2020'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    // The embed imports its stylesheets as text, for its shadow root.
    loader: { '.css': 'text' },
    // The embed finds the service it came from by its own URL.
    define: { __LB_MODULE_URL__: 'import.meta.url' },
  });
}

// The reader's pages, the embed frame and the console link their stylesheets.
await build({
  entryPoints: { reader: 'client/styles/reader.css', frame: 'client/styles/frame.css', console: 'client/console/console.css' },
  outdir: 'dist/public',
  bundle: true,
  minify: true,
  logLevel: 'warning',
});

// One small module per date-fns locale: a page loads only its briefing's language.
const localeDir = 'node_modules/date-fns/locale';
await build({
  entryPoints: Object.fromEntries(
    readdirSync(localeDir)
      .filter((name) => name.endsWith('.js') && !name.startsWith('_') && !name.startsWith('cdn') && name !== 'types.js')
      .map((name) => [name.slice(0, -3), `${localeDir}/${name}`]),
  ),
  outdir: 'dist/public/locales',
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// One small module per interface catalogue (shared/i18n/<language>.ts): the widget loads
// its briefing's language alone; the reader's pages get theirs in the page's state.
const i18nDir = 'shared/i18n';
await build({
  entryPoints: Object.fromEntries(
    readdirSync(i18nDir)
      // English is in every bundle already.
      .filter((name) => /^[a-z]{2,3}\.ts$/.test(name) && name !== 'en.ts')
      .map((name) => [name.slice(0, -3), `${i18nDir}/${name}`]),
  ),
  outdir: 'dist/public/i18n',
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  minify: true,
  // Module scripts are always read as UTF-8: \uXXXX escapes would double a catalogue's size.
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
});

cpSync('client/assets', 'dist/public', { recursive: true });

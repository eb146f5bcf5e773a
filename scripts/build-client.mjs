// Bundles the browser code with esbuild: each entry point under client/ that exists
// becomes one minified ES module in dist/public/.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

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
  });
}

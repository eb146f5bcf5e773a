/** `npm start` builds once: on a tree built from the same sources, its prestart leaves dist as it is. */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const buildIfStale = (): void => {
  execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT, stdio: 'pipe' });
};

test('a second start on an unchanged tree does not rebuild', () => {
  buildIfStale();
  const built = ['dist/server/main.js', 'dist/public/reader.js'].map((file) => statSync(path.join(ROOT, file)).mtimeMs);
  expect(existsSync(path.join(ROOT, 'dist/.build-hash'))).toBe(true);
  buildIfStale();
  expect(['dist/server/main.js', 'dist/public/reader.js'].map((file) => statSync(path.join(ROOT, file)).mtimeMs)).toEqual(built);
});

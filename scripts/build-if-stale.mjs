// Builds only when what the build reads has changed since the last build: `npm start` on a
// built tree then starts at once instead of rebuilding (several seconds) every time.
// The inputs' contents are hashed (not their times, which a checkout or copy resets); the
// hash is written only after a build succeeds.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const INPUT_DIRS = ['server', 'client', 'shared'];
const INPUT_FILES = ['package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build-client.mjs'];
const STAMP = 'dist/.build-hash';
/** What a complete build leaves behind; a missing one means dist was cleaned or half-built. */
const OUTPUTS = ['dist/server/main.js', 'dist/public/reader.js', 'dist/public/embed.js', 'dist/public/console.js'];

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const file = path.join(dir, name);
      return statSync(file).isDirectory() ? filesUnder(file) : [file];
    });
}

const hash = createHash('sha256');
for (const file of [...INPUT_DIRS.flatMap(filesUnder), ...INPUT_FILES.filter((name) => existsSync(name))]) {
  hash.update(file).update('\0').update(readFileSync(file)).update('\0');
}
const digest = hash.digest('hex');

const built = existsSync(STAMP) && readFileSync(STAMP, 'utf8') === digest && OUTPUTS.every((file) => existsSync(file));
if (!built) {
  execSync('npm run build --silent', { stdio: 'inherit' });
  writeFileSync(STAMP, digest);
}

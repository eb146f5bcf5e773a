/**
 * `npm start` on a machine where nothing answers at the default Redis address. Each case
 * runs the server in a network namespace of its own (`unshare -n`), so the shared Redis at
 * 127.0.0.1:6379 is out of sight without being stopped.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeAll, onClose, waitFor } from '../support/harness';

afterEach(closeAll);

const MAIN = path.resolve(__dirname, '../../dist/server/main.js');
/** Resolved with the test's own PATH: the server itself may be given an empty one. */
const which = (name: string): string =>
  execFileSync('sh', ['-c', `command -v ${name}`])
    .toString()
    .trim();
const UNSHARE = which('unshare');
const IP = which('ip');

/** Runs main.js in a fresh network namespace with loopback up; resolves with its output once `until` matches or it exits. */
function startIsolated(env: Record<string, string>) {
  const child = spawn(UNSHARE, ['-n', '/bin/sh', '-c', `"${IP}" link set lo up && exec "${process.execPath}" "${MAIN}"`], {
    env: { PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', reject);
  });
  onClose(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited.catch(() => undefined);
  });
  return { child, exited, output: () => output };
}

test('with no Redis answering and redis-server installed, npm start runs one with its data under the data dir', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'livebrief-data-'));
  onClose(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = startIsolated({ PATH: process.env.PATH ?? '', LIVEBRIEF_DATA_DIR: dataDir });

  await waitFor(() => (/listening on http:\/\//.test(server.output()) ? true : undefined), 15_000, 'the server to listen');
  expect(server.output()).toContain(`started redis-server at redis://127.0.0.1:6379 with its data in ${dataDir}`);
  expect(readdirSync(dataDir)).toContain('appendonlydir');

  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
});

test('with no Redis answering and no redis-server, npm start exits at once with one sentence on how to get Redis', async () => {
  const started = Date.now();
  const server = startIsolated({ PATH: '/nonexistent' });
  expect(await server.exited).toBe(1);
  expect(server.output()).toContain('No Redis answers at redis://127.0.0.1:6379 and no redis-server is installed');
  expect(Date.now() - started).toBeLessThan(10_000);
});

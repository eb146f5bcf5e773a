/** `npm run cli -- token …` against the real Redis, and the tokens it makes against the real API. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { closeAll, DEFAULT_REDIS, startServer } from '../support/harness';
import { createBriefing } from '../support/fixtures';

afterEach(closeAll);

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../dist/server/cli.js');

async function cli(prefix: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: DEFAULT_REDIS, REDIS_PREFIX: prefix },
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

test('token create, list and revoke', async () => {
  const { api, prefix, app } = await startServer();
  await createBriefing(api, 'cli');

  const created = await cli(prefix, 'token', 'create', '--name', 'Night desk', '--role', 'editor');
  expect(created.code).toBe(0);
  const token = /^(lbt_\S+)$/m.exec(created.stdout)?.[1];
  const id = /created token ([a-f0-9]+)/.exec(created.stdout)?.[1];
  expect(token).toBeDefined();
  expect(id).toBeDefined();

  const editor = api.withToken(token ?? '');
  const published = await editor.post<{ entry: { author: { name: string } } }>('/api/v1/briefings/cli/entries', {
    body: 'from the night desk',
  });
  expect(published.status).toBe(201);
  expect(published.body.entry.author.name).toBe('Night desk');

  // only a digest of the secret is stored
  const stored = JSON.stringify(await app.store.redis.hgetall(app.store.keys.tokens));
  expect(stored).toContain('Night desk');
  expect(stored).not.toContain(token?.split('_')[2] ?? 'missing');

  const listed = await cli(prefix, 'token', 'list');
  expect(listed.stdout).toMatch(new RegExp(`^${id}\\teditor\\t\\S+\\tNight desk$`, 'm'));
  expect(listed.stdout).not.toContain(token ?? 'missing');

  expect((await cli(prefix, 'token', 'revoke', id ?? '')).code).toBe(0);
  expect((await editor.post('/api/v1/briefings/cli/entries', { body: 'after revoking' })).status).toBe(401);
  expect((await cli(prefix, 'token', 'revoke', id ?? '')).code).toBe(2);
});

test('bad arguments are refused with usage and exit code 2', async () => {
  const { prefix } = await startServer();
  const missingName = await cli(prefix, 'token', 'create', '--role', 'editor');
  expect(missingName.code).toBe(2);
  expect(missingName.stderr).toContain('--name');
  const badRole = await cli(prefix, 'token', 'create', '--name', 'x', '--role', 'overlord');
  expect(badRole.code).toBe(2);
  expect(badRole.stderr).toContain('--role must be one of admin, editor');
  expect((await cli(prefix, 'dance')).stderr).toContain('usage:');
});

/**
 * "Readers now" in the console: the readers of each briefing summed over every process,
 * at most 10 s old. Two real server processes on one Redis, readers on each.
 */
import { io as connectSocket } from 'socket.io-client';
import { CONSOLE_FEED_QUERY, type ReadersNow } from '../../shared/console';
import {
  ADMIN_TOKEN,
  ApiClient,
  closeAll,
  connected,
  connectReader,
  deletePrefix,
  DEFAULT_REDIS,
  onClose,
  spawnServer,
  uniquePrefix,
  waitFor,
  type ReaderClient,
} from '../support/harness';
import { createBriefing } from '../support/fixtures';
import { FoldingReader } from '../support/reader';

afterEach(closeAll);

/** Counts are written every 3 s and count for 10 s: any change shows within this. */
const WITHIN_MS = 10_000;

async function readersOn(url: string, slugs: string[]): Promise<ReaderClient> {
  const socket = await connectReader(url);
  for (const slug of slugs) await new FoldingReader(socket, slug).subscribe(null);
  return socket;
}

async function waitForCounts(api: ApiClient, expected: Record<string, number>, what: string, withinMs = WITHIN_MS): Promise<void> {
  await waitFor(
    async () => {
      const response = await api.get<ReadersNow>('/console/api/readers');
      expect(response.status).toBe(200);
      return Object.entries(expected).every(([slug, count]) => response.body.readers[slug] === count) ? true : undefined;
    },
    withinMs,
    what,
  );
}

test('the console shows the readers of each briefing summed over every process, and the number falls when they leave', async () => {
  const prefix = uniquePrefix();
  onClose(() => deletePrefix(DEFAULT_REDIS, prefix));
  const env = { REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' };
  const [first, second] = await Promise.all([spawnServer(env), spawnServer(env)]);
  const api = new ApiClient(first.url, ADMIN_TOKEN);
  const otherApi = new ApiClient(second.url, ADMIN_TOKEN);
  await createBriefing(api, 'storm');
  await createBriefing(api, 'quiet');
  await createBriefing(api, 'nobody');

  // storm: 2 readers on the first process, 3 on the second; quiet: 1 on the second.
  await Promise.all([readersOn(first.url, ['storm']), readersOn(first.url, ['storm'])]);
  const leaving = await Promise.all([readersOn(second.url, ['storm', 'quiet']), readersOn(second.url, ['storm'])]);
  await readersOn(second.url, ['storm']);
  // An editor's console follows the briefing too, but is no reader.
  const console: ReaderClient = connectSocket(first.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    query: CONSOLE_FEED_QUERY,
  });
  await connected(console, 'the console feed did not connect');
  expect(await new FoldingReader(console, 'storm').subscribe(null)).toMatchObject({ ok: true });

  await waitForCounts(api, { storm: 5, quiet: 1, nobody: 0 }, 'both processes’ readers to be counted');
  const one = await otherApi.get<ReadersNow>('/console/api/briefings/storm/readers');
  expect(one.status).toBe(200);
  expect(one.body).toEqual({ readers: { storm: 5 } });
  expect((await otherApi.get('/console/api/briefings/no-such/readers')).status).toBe(404);
  expect((await api.withToken(null).get('/console/api/readers')).status).toBe(401);

  for (const socket of leaving) socket.disconnect();
  await waitForCounts(otherApi, { storm: 3, quiet: 0 }, 'the readers who left to stop counting');

  // A process that dies takes nothing back: its counts stop counting once 10 s old.
  await first.kill();
  await waitForCounts(otherApi, { storm: 1 }, 'the dead process’s readers to age out', WITHIN_MS + 5000);
}, 60_000);

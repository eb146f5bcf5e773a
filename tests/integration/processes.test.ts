/**
 * Several real server processes (`node dist/server/main.js`) on one Redis: killing one,
 * restarting the server or Redis, and scheduled entries raced for by three processes.
 */
import type { EntriesPage } from '../../shared/apply-change';
import type { Briefing, Change, Entry } from '../../shared/schemas';
import {
  ADMIN_TOKEN,
  ApiClient,
  closeAll,
  onClose,
  connectReader,
  deletePrefix,
  DEFAULT_REDIS,
  spawnServer,
  startRedis,
  uniquePrefix,
  waitFor,
} from '../support/harness';
import { entryOf } from '../support/changes';
import { createBriefing, publish } from '../support/fixtures';
import { FoldingReader } from '../support/reader';

afterEach(closeAll);

function apiOf(url: string): ApiClient {
  return new ApiClient(url, ADMIN_TOKEN);
}

async function entriesOf(api: ApiClient, slug: string): Promise<EntriesPage> {
  const response = await api.get<EntriesPage>(`/api/v1/briefings/${slug}/entries?limit=100`);
  expect(response.status).toBe(200);
  return response.body;
}

/** A prefix of this test's own, deleted when the test ends, pass or fail. */
function ownPrefix(): string {
  const prefix = uniquePrefix();
  onClose(() => deletePrefix(DEFAULT_REDIS, prefix));
  return prefix;
}

function withPrefix(prefix: string): Record<string, string> {
  return { REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' };
}

test('readers of a killed process resume on another and miss nothing', async () => {
  const prefix = ownPrefix();
  const doomed = await spawnServer(withPrefix(prefix));
  const survivor = await spawnServer(withPrefix(prefix));
  await createBriefing(apiOf(survivor.url), 'kill');

  const readers = await Promise.all(
    Array.from({ length: 5 }, async () => {
      const reader = new FoldingReader(await connectReader(doomed.url), 'kill');
      await reader.subscribe(null);
      return reader;
    }),
  );
  for (let i = 0; i < 5; i++) await publish(apiOf(survivor.url), 'kill', `before ${i}`);
  for (const reader of readers) await reader.waitForSeq(5);

  await doomed.kill();
  for (let i = 0; i < 7; i++) await publish(apiOf(survivor.url), 'kill', `while away ${i}`);

  const final = await entriesOf(apiOf(survivor.url), 'kill');
  expect(final.seq).toBe(12);
  for (const old of readers) {
    const moved = new FoldingReader(await connectReader(survivor.url), 'kill');
    moved.view = old.view;
    const ack = await moved.subscribe(old.cursor);
    expect(ack).toEqual({ ok: true, mode: 'resume', epoch: final.epoch, seq: 5 });
    const view = await moved.waitForView(12);
    expect(moved.changesSinceAck().map((change) => change.seq)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(moved.problems).toEqual([]);
    expect(view.entries).toEqual(final.entries);
  }
});

test("after a restart of the server the data and the readers' cursors are intact; SIGTERM exits 0", async () => {
  const prefix = ownPrefix();
  const first = await spawnServer(withPrefix(prefix));
  await createBriefing(apiOf(first.url), 'restart');
  const reader = new FoldingReader(await connectReader(first.url), 'restart');
  await reader.subscribe(null);
  for (let i = 0; i < 3; i++) await publish(apiOf(first.url), 'restart', `entry ${i}`);
  await reader.waitForSeq(3);
  const before = await entriesOf(apiOf(first.url), 'restart');

  expect(await first.stop()).toBe(0);

  const second = await spawnServer(withPrefix(prefix));
  expect(await entriesOf(apiOf(second.url), 'restart')).toEqual(before);
  const back = new FoldingReader(await connectReader(second.url), 'restart');
  back.view = reader.view;
  expect(await back.subscribe(reader.cursor)).toEqual({ ok: true, mode: 'resume', epoch: before.epoch, seq: 3 });
  await publish(apiOf(second.url), 'restart', 'after the restart');
  await back.waitForView(4);
  expect(back.problems).toEqual([]);
  expect(await second.stop()).toBe(0);
});

test('after a restart of Redis (append-only file) the data and cursors are intact, and /readyz tells the outage', async () => {
  const redis = await startRedis({ appendOnly: true });
  const server = await spawnServer({ REDIS_URL: redis.url, REDIS_PREFIX: 'lb:', LOG_LEVEL: 'error' });
  const api = apiOf(server.url);
  await createBriefing(api, 'durable');
  const reader = new FoldingReader(await connectReader(server.url), 'durable');
  await reader.subscribe(null);
  for (let i = 0; i < 3; i++) await publish(api, 'durable', `entry ${i}`);
  await reader.waitForSeq(3);
  const before = await entriesOf(api, 'durable');

  await redis.stop();
  expect((await api.get('/readyz')).status).toBe(503);
  expect((await api.get('/healthz')).status).toBe(200);
  const refused = await api.post('/api/v1/briefings/durable/entries', { body: 'during the outage' });
  expect(refused.status).toBe(503);
  expect(refused.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });

  await redis.start();
  await waitFor(async () => ((await api.get('/readyz')).status === 200 ? true : undefined), 10_000, 'readyz after Redis is back');
  expect(await entriesOf(api, 'durable')).toEqual(before);
  // The same socket kept its subscription; a new change reaches it in order.
  await publish(api, 'durable', 'after Redis came back');
  await reader.waitForView(4);
  const fresh = new FoldingReader(await connectReader(server.url), 'durable');
  fresh.view = reader.view;
  expect(await fresh.subscribe(reader.cursor)).toMatchObject({ ok: true, mode: 'resume', epoch: before.epoch, seq: 4 });
  expect(reader.problems).toEqual([]);
});

test('a scheduled entry is published once, at its time, with three processes running', async () => {
  const prefix = ownPrefix();
  const servers = await Promise.all([1, 2, 3].map(() => spawnServer(withPrefix(prefix))));
  const api = apiOf(servers[0]?.url ?? '');
  await createBriefing(api, 'later');
  const readers = await Promise.all(
    servers.map(async (server) => {
      const reader = new FoldingReader(await connectReader(server.url), 'later');
      await reader.subscribe(null);
      return reader;
    }),
  );

  const publishAt = new Date(Date.now() + 1500);
  const scheduled = await publish(api, 'later', 'on the hour', { publishAt: publishAt.toISOString() });
  expect(scheduled.seq).toBe(0);
  expect((await entriesOf(api, 'later')).entries).toEqual([]);
  expect((await api.get(`/api/v1/briefings/later/entries/${scheduled.entry.id}`)).status).toBe(404);

  for (const reader of readers) await reader.waitForSeq(1, 5000);
  // give a second publication (the bug this guards against) time to show up
  await publish(api, 'later', 'a marker after it');
  for (const reader of readers) await reader.waitForSeq(2);

  const log = await api.get<{ changes: Change[] }>('/api/v1/briefings/later/changes?since=0');
  const published = log.body.changes.filter((change) => entryOf(change)?.id === scheduled.entry.id);
  expect(published).toHaveLength(1);
  const lateness = Date.parse(published[0]?.at ?? '') - publishAt.getTime();
  expect(lateness).toBeGreaterThanOrEqual(0);
  expect(lateness).toBeLessThan(1000);
  for (const reader of readers) {
    expect(reader.changesSinceAck().map((change) => [change.seq, change.type])).toEqual([
      [1, 'entry.published'],
      [2, 'entry.published'],
    ]);
    expect(reader.problems).toEqual([]);
  }
});

test('a scheduled entry survives a restart of every process in between', async () => {
  const prefix = ownPrefix();
  const first = await spawnServer(withPrefix(prefix));
  await createBriefing(apiOf(first.url), 'survive');
  const publishAt = new Date(Date.now() + 2500);
  const scheduled = await publish(apiOf(first.url), 'survive', 'scheduled before a restart', { publishAt: publishAt.toISOString() });
  expect(await first.stop()).toBe(0);

  const second = await spawnServer(withPrefix(prefix));
  const entry = await waitFor(
    async () => {
      const response = await apiOf(second.url).get<{ entry: Entry }>(`/api/v1/briefings/survive/entries/${scheduled.entry.id}`);
      return response.status === 200 ? response.body.entry : undefined;
    },
    6000,
    'the scheduled entry',
  );
  expect(entry.publishedAt).toBe(publishAt.toISOString());
  expect((await apiOf(second.url).get<{ briefing: Briefing }>('/api/v1/briefings/survive')).body.briefing.seq).toBe(1);
});

test('with REDIS_URL pointing at nothing, start fails at once with one clear sentence', async () => {
  const started = Date.now();
  await expect(spawnServer({ REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'warn' })).rejects.toThrow(/No Redis answers at REDIS_URL/);
  expect(Date.now() - started).toBeLessThan(10_000);
});

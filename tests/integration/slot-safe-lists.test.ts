/**
 * The lists that span briefings (the list of briefings, the scheduler's index) are written
 * after each briefing's own script, so that every script keeps to one hash slot. Losing
 * such a write loses nothing: these tests take the write away by hand and show the repair,
 * and show that a schedule stored by earlier versions (one global set) is taken over.
 */
import type { Briefing } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import { closeAll, DEFAULT_REDIS, startServer, waitFor, type TestServer } from '../support/harness';
import { Redis } from 'ioredis';

afterEach(closeAll);

const redis = new Redis(DEFAULT_REDIS);
afterAll(() => redis.disconnect());

async function published(server: TestServer, slug: string, id: string): Promise<true | undefined> {
  return (await server.api.get(`/api/v1/briefings/${slug}/entries/${id}`)).status === 200 ? true : undefined;
}

test('a briefing missing from the list is listed again by creating it again', async () => {
  const server = await startServer();
  await createBriefing(server.api, 'unlisted');
  await redis.zrem(`${server.prefix}briefings`, 'unlisted');
  expect((await server.api.get<{ briefings: Briefing[] }>('/api/v1/briefings')).body.briefings).toEqual([]);

  const again = await server.api.post('/api/v1/briefings', { slug: 'unlisted', title: 'Again' });
  expect(again.status).toBe(409);
  const listed = await server.api.get<{ briefings: Briefing[] }>('/api/v1/briefings');
  expect(listed.body.briefings.map((briefing) => [briefing.slug, briefing.title])).toEqual([['unlisted', 'Briefing unlisted']]);
});

test('a scheduled entry whose index write was lost is still published, once', async () => {
  const server = await startServer({ LIVEBRIEF_SCHEDULER_INTERVAL_MS: '100' });
  await createBriefing(server.api, 'lost-index');
  const entry = await publish(server.api, 'lost-index', 'on time', { publishAt: new Date(Date.now() + 1500).toISOString() });
  expect(await redis.zrem(`${server.prefix}scheduled-briefings`, 'lost-index')).toBe(1);
  // A process that starts now rebuilds the index from the briefing's own set at its first tick.
  await server.app.close();
  const next = await startServer({ REDIS_PREFIX: server.prefix, LIVEBRIEF_SCHEDULER_INTERVAL_MS: '100' });
  await waitFor(() => published(next, 'lost-index', entry.entry.id), 5000, 'the scheduled entry');
  expect((await next.api.get<{ briefing: Briefing }>('/api/v1/briefings/lost-index')).body.briefing.seq).toBe(1);
});

test('entries scheduled under the single global set of earlier versions are published at their time', async () => {
  const first = await startServer();
  await createBriefing(first.api, 'legacy');
  const publishAt = Date.now() + 1500;
  const entry = await publish(first.api, 'legacy', 'from before', { publishAt: new Date(publishAt).toISOString() });
  await first.app.close();
  // As earlier versions kept it: no per-briefing set, no index, one member "slug id" in `scheduled`.
  await redis.del(`${first.prefix}b:{legacy}:scheduled`, `${first.prefix}scheduled-briefings`);
  await redis.zadd(`${first.prefix}scheduled`, publishAt, `legacy ${entry.entry.id}`);

  const [one, two] = await Promise.all(
    [0, 1].map(() => startServer({ REDIS_PREFIX: first.prefix, LIVEBRIEF_SCHEDULER_INTERVAL_MS: '100' })),
  );
  await waitFor(() => published(one as TestServer, 'legacy', entry.entry.id), 6000, 'the adopted entry');
  await publish((two as TestServer).api, 'legacy', 'a marker after it');
  const changes = await (two as TestServer).api.get<{ changes: { seq: number }[] }>('/api/v1/briefings/legacy/changes?since=0');
  expect(changes.body.changes.map((change) => change.seq)).toEqual([1, 2]);
  expect(await redis.exists(`${first.prefix}scheduled`)).toBe(0);
});

/**
 * Two service processes on a private three-node Redis Cluster (REDIS_CLUSTER_NODES):
 * briefings on different nodes, every write from both processes, readers on both, a
 * scheduled entry, an Idempotency-Key, a reader that resumes, and the console's sign-in.
 */
import calculateSlot from 'cluster-key-slot';
import type { Change, Entry } from '../../shared/schemas';
import { entryOf } from '../support/changes';
import { addUser, login } from '../support/console';
import { createBriefing, publish } from '../support/fixtures';
import { closeAll, connectReader, spawnServer, startServer, waitFor, type TestServer } from '../support/harness';
import { FoldingReader } from '../support/reader';
import { startRedisCluster, type ClusterNode, type RedisCluster } from '../support/redis-cluster';

afterAll(closeAll);

let cluster: RedisCluster;
let one: TestServer;
let two: TestServer;
/** One briefing slug per node, so every node carries a briefing. */
let slugs: string[];

beforeAll(async () => {
  cluster = await startRedisCluster();
  one = await startServer({ REDIS_CLUSTER_NODES: cluster.seeds, LIVEBRIEF_SCHEDULER_INTERVAL_MS: '100' });
  two = await startServer({ REDIS_CLUSTER_NODES: cluster.seeds, REDIS_PREFIX: one.prefix, LIVEBRIEF_SCHEDULER_INTERVAL_MS: '100' });
  const byNode = new Map<number, string>();
  for (let i = 0; byNode.size < cluster.nodes.length; i++) {
    const slug = `node-${i}`;
    const owner = await cluster.ownerOf(calculateSlot(slug));
    if (!byNode.has(owner.port)) byNode.set(owner.port, slug);
  }
  slugs = [...byNode.values()];
}, 40_000);

test('briefings on every node: writes from both processes reach the readers of both, once and in order', async () => {
  for (const slug of slugs) await createBriefing(one.api, slug);
  for (const slug of slugs) {
    const owner = cluster.connect(await cluster.ownerOf(calculateSlot(slug)));
    expect(await owner.exists(`${one.prefix}b:{${slug}}:meta`)).toBe(1);
  }
  const listed = await two.api.get<{ briefings: { slug: string }[] }>('/api/v1/briefings');
  expect(listed.body.briefings.map((briefing) => briefing.slug).sort()).toEqual([...slugs].sort());

  const readers = await Promise.all(
    slugs.flatMap((slug) =>
      [one, two].map(async (server) => {
        const reader = new FoldingReader(await connectReader(server.url), slug);
        await reader.subscribe(null);
        return reader;
      }),
    ),
  );
  for (const slug of slugs) {
    const first = await publish(one.api, slug, 'from one');
    await publish(two.api, slug, 'from two');
    expect((await two.api.patch(`/api/v1/briefings/${slug}/entries/${first.entry.id}`, { body: 'edited on two' })).status).toBe(200);
    expect((await one.api.patch(`/api/v1/briefings/${slug}/entries/${first.entry.id}`, { pinned: true })).status).toBe(200);
    const doomed = await publish(one.api, slug, 'to delete');
    expect((await two.api.delete(`/api/v1/briefings/${slug}/entries/${doomed.entry.id}`)).status).toBe(200);
  }
  for (const reader of readers) {
    const view = await reader.waitForView(6);
    expect(reader.changesSinceAck().map((change) => [change.seq, change.type])).toEqual([
      [1, 'entry.published'],
      [2, 'entry.published'],
      [3, 'entry.updated'],
      [4, 'entry.updated'],
      [5, 'entry.published'],
      [6, 'entry.deleted'],
    ]);
    expect(reader.problems).toEqual([]);
    expect(view.pinned.map((entry) => entry.body)).toEqual(['edited on two']);
  }
});

test('a scheduled entry is published once, by one of the processes', async () => {
  const slug = slugs[1] as string;
  const publishAt = new Date(Date.now() + 1500);
  const scheduled = await publish(two.api, slug, 'on time', { publishAt: publishAt.toISOString() });
  expect(scheduled.seq).toBe(6);
  await waitFor(
    async () => ((await one.api.get(`/api/v1/briefings/${slug}/entries/${scheduled.entry.id}`)).status === 200 ? true : undefined),
    8000,
    'the scheduled entry',
  );
  await publish(one.api, slug, 'a marker after it');
  const log = await one.api.get<{ changes: Change[] }>(`/api/v1/briefings/${slug}/changes?since=6`);
  expect(log.body.changes.map((change) => [change.type, entryOf(change)?.body])).toEqual([
    ['entry.published', 'on time'],
    ['entry.published', 'a marker after it'],
  ]);
});

test('an Idempotency-Key publishes once, whichever process is asked', async () => {
  const slug = slugs[2] as string;
  const headers = { 'idempotency-key': 'cluster-once' };
  const first = await one.api.post<{ entry: Entry; seq: number }>(`/api/v1/briefings/${slug}/entries`, { body: 'once' }, headers);
  const again = await two.api.post<{ entry: Entry; seq: number }>(`/api/v1/briefings/${slug}/entries`, { body: 'once' }, headers);
  expect(first.status).toBe(201);
  expect(again.body).toEqual(first.body);
  const head = await two.api.get<{ briefing: { seq: number } }>(`/api/v1/briefings/${slug}`);
  expect(head.body.briefing.seq).toBe(first.body.seq);
});

test('a reader that drops resumes from its cursor on the other process', async () => {
  const slug = slugs[0] as string;
  const reader = new FoldingReader(await connectReader(one.url), slug);
  await reader.subscribe(null);
  const at = reader.cursor;
  reader.socket.disconnect();
  await publish(two.api, slug, 'while away 1');
  await publish(one.api, slug, 'while away 2');
  const back = new FoldingReader(await connectReader(two.url), slug);
  const ack = await back.subscribe(at);
  expect(ack).toMatchObject({ ok: true, mode: 'resume', seq: at?.seq });
  await back.waitForSeq((at?.seq ?? 0) + 2);
  expect(back.changesSinceAck().map((change) => entryOf(change)?.body)).toEqual(['while away 1', 'while away 2']);
  expect(back.problems).toEqual([]);
});

test("the console's accounts work: a user made on one process signs in on the other, and disabling ends its sessions", async () => {
  const ada = await addUser(one, 'ada', 'Ada', 'editor');
  await addUser(one, 'root', 'Root', 'admin');
  const signedIn = await login(two.url, 'ada');
  expect(signedIn.status).toBe(200);
  const me = await signedIn.client?.request<{ session: unknown }>('GET', '/console/api/session');
  expect(me?.body.session).toMatchObject({ user: { username: 'ada' } });
  expect((await login(one.url, 'ada', 'wrong password')).status).toBe(401);

  const admin = (await login(one.url, 'root')).client;
  expect((await admin?.request('PATCH', `/console/api/users/${ada.id}`, { disabled: true }))?.status).toBe(200);
  const after = await signedIn.client?.request<{ session: unknown }>('GET', '/console/api/session');
  expect(after?.body.session).toBeNull();
});

test('readyz answers 503 while one primary is down, and ready again once it is back', async () => {
  expect((await one.api.get('/readyz')).status).toBe(200);
  const node = cluster.nodes[2] as ClusterNode;
  await node.kill();
  await waitFor(async () => ((await one.api.get('/readyz')).status === 503 ? true : undefined), 10_000, 'readyz 503');
  await node.start();
  await cluster.waitHealthy();
  await waitFor(async () => ((await two.api.get('/readyz')).status === 200 ? true : undefined), 10_000, 'readyz 200');
});

test('with REDIS_CLUSTER_NODES pointing at nothing, start fails with one clear sentence', async () => {
  await expect(spawnServer({ REDIS_CLUSTER_NODES: '127.0.0.1:1', LOG_LEVEL: 'warn' })).rejects.toThrow(
    /No Redis Cluster answers at REDIS_CLUSTER_NODES/,
  );
});

/**
 * Acceptance for Redis Cluster: while one process publishes a steady stream to a briefing,
 * the primary that owns its slot is killed and started again (append-only file, fsync on
 * every write, so it comes back with all it acknowledged), or the slot moves to another
 * primary. Every acknowledged publish is stored and reaches the readers on both processes
 * once, in order. Publishes refused meanwhile (503) are retried with their Idempotency-Key.
 */
import calculateSlot from 'cluster-key-slot';
import type { EntriesPage } from '../../shared/apply-change';
import type { Entry } from '../../shared/schemas';
import { entryOf } from '../support/changes';
import { createBriefing } from '../support/fixtures';
import { closeAll, connectReader, startServer, waitFor, type ApiClient, type TestServer } from '../support/harness';
import { FoldingReader } from '../support/reader';
import { startRedisCluster, type ClusterNode, type RedisCluster } from '../support/redis-cluster';

afterEach(closeAll);

const DURABLE = ['--appendonly', 'yes', '--appendfsync', 'always'];
const STREAM_LENGTH = 40;

/** Publishes until acknowledged, retrying a refused or cut-off attempt with the same Idempotency-Key. */
async function publishSurely(api: ApiClient, slug: string, body: string): Promise<{ entry: Entry; seq: number }> {
  return waitFor(
    async () => {
      const response = await api.post<{ entry: Entry; seq: number }>(
        `/api/v1/briefings/${slug}/entries`,
        { body },
        { 'idempotency-key': body.replace(/ /g, '-') },
      );
      if (response.status === 201) return response.body;
      if (response.status !== 503) throw new Error(`publish answered ${response.status}: ${JSON.stringify(response.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return undefined;
    },
    20_000,
    `publish of ${body}`,
  );
}

async function setUp(): Promise<{ cluster: RedisCluster; publisher: TestServer; other: TestServer; slug: string; owner: ClusterNode }> {
  const cluster = await startRedisCluster({ extraArgs: () => DURABLE });
  const publisher = await startServer({ REDIS_CLUSTER_NODES: cluster.seeds });
  const other = await startServer({ REDIS_CLUSTER_NODES: cluster.seeds, REDIS_PREFIX: publisher.prefix });
  const slug = 'moving';
  await createBriefing(publisher.api, slug);
  return { cluster, publisher, other, slug, owner: await cluster.ownerOf(calculateSlot(slug)) };
}

/**
 * Publishes STREAM_LENGTH entries one after another; `disturb` runs once the stream is under
 * way, and returns when the disturbance itself (the primary away, the slot moving) began
 * and ended, which must overlap a publish.
 */
async function streamThrough(
  setup: { publisher: TestServer; other: TestServer; slug: string },
  disturb: () => Promise<{ from: number; to: number }>,
): Promise<void> {
  const { publisher, other, slug } = setup;
  const readers = await Promise.all(
    [publisher, other].map(async (server) => {
      const reader = new FoldingReader(await connectReader(server.url), slug);
      await reader.subscribe(null);
      return reader;
    }),
  );
  const acknowledged: { entry: Entry; seq: number }[] = [];
  const spans: { from: number; to: number }[] = [];
  let disturbed: Promise<{ from: number; to: number }> | null = null;
  for (let i = 0; i < STREAM_LENGTH; i++) {
    if (i === 10) disturbed = disturb();
    const from = Date.now();
    acknowledged.push(await publishSurely(publisher.api, slug, `update ${i}`));
    spans.push({ from, to: Date.now() });
  }
  const window = await disturbed;
  // the stream did meet the disturbance
  expect(spans.some((span) => window && span.from <= window.to && span.to >= window.from)).toBe(true);

  expect(acknowledged.map((write) => write.seq)).toEqual(Array.from({ length: STREAM_LENGTH }, (_, i) => i + 1));
  const stored = await other.api.get<EntriesPage>(`/api/v1/briefings/${slug}/entries?limit=100`);
  expect(stored.body.seq).toBe(STREAM_LENGTH);
  expect(stored.body.entries.map((entry) => entry.body).reverse()).toEqual(acknowledged.map((write) => write.entry.body));
  for (const reader of readers) {
    await reader.waitForSeq(STREAM_LENGTH, 15_000);
    expect(reader.problems).toEqual([]);
    expect(reader.changesSinceAck().map((change) => entryOf(change)?.body)).toEqual(acknowledged.map((write) => write.entry.body));
  }
}

test('the primary owning the briefing is killed and started again mid-stream: nothing acknowledged is lost or repeated', async () => {
  const setup = await setUp();
  await streamThrough(setup, async () => {
    const from = Date.now();
    await setup.owner.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await setup.owner.start();
    const to = Date.now();
    await setup.cluster.waitHealthy();
    return { from, to };
  });
}, 60_000);

test("the briefing's slot moves to another primary mid-stream: nothing acknowledged is lost or repeated", async () => {
  const setup = await setUp();
  const target = setup.cluster.nodes.find((node) => node !== setup.owner) as ClusterNode;
  await streamThrough(setup, async () => {
    const from = Date.now();
    await setup.cluster.moveSlot(calculateSlot(setup.slug), setup.owner, target);
    return { from, to: Date.now() };
  });
  expect(await setup.cluster.ownerOf(calculateSlot(setup.slug))).toBe(target);
}, 60_000);

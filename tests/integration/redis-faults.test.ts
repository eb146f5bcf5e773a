/**
 * Redis faults, each against a redis-server of its own (never the shared one) and a real
 * server process: Redis hung or gone for 5 s, Redis killed (-9) mid-publishing with
 * `appendfsync always`, and a briefing's history replaced (new epoch) under a running
 * process. Writes must answer 503 at once in the contract's error shape, readers' sockets
 * stay up, nothing acknowledged is lost, and no epoch/seq means two changes.
 */
import { Redis } from 'ioredis';
import type { EntriesPage } from '../../shared/apply-change';
import type { Change, Cursor, Entry, SubscribeAck } from '../../shared/schemas';
import { Store } from '../../server/store/store';
import {
  ADMIN_TOKEN,
  ApiClient,
  closeAll,
  connectReader,
  onClose,
  spawnServer,
  startRedis,
  waitFor,
  type ApiResponse,
  type RedisProcess,
  type ServerProcess,
} from '../support/harness';
import { entryOf } from '../support/changes';
import { createBriefing, publish } from '../support/fixtures';
import { ResubscribingReader } from '../support/resubscribing-reader';

afterEach(closeAll);

/** How long Redis stays away in the outage tests, in ms. */
const OUTAGE_MS = 5000;
/** The longest a request may take to answer while Redis is away: "promptly", with room for a busy machine. */
const PROMPT_MS = 2500;
/** One round of writes during the outage at most this often, in ms. */
const ROUND_MS = 500;
/** A request that takes this long has hung; the test fails rather than waits. */
const HANG_MS = 8000;

type Published = Cursor & { entry: Entry };

async function serverOn(redis: RedisProcess): Promise<{ server: ServerProcess; api: ApiClient }> {
  const server = await spawnServer({ REDIS_URL: redis.url, REDIS_PREFIX: 'lb:', LOG_LEVEL: 'warn' });
  return { server, api: new ApiClient(server.url, ADMIN_TOKEN) };
}

/** A request with a ceiling: resolves with the answer and how long it took, or fails as hung. */
async function timed<T>(request: () => Promise<ApiResponse<T>>): Promise<{ response: ApiResponse<T>; ms: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`a request hung: no answer within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    const response = await Promise.race([request(), hung]);
    return { response, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

async function entriesOf(api: ApiClient, slug: string): Promise<EntriesPage> {
  const response = await api.get<EntriesPage>(`/api/v1/briefings/${slug}/entries?limit=100`);
  expect(response.status).toBe(200);
  return response.body;
}

function ids(entries: Entry[]): string[] {
  return entries.map((entry) => entry.id);
}

const OUTAGES = [
  {
    name: 'hung (SIGSTOP: connections stay open, nothing answers)',
    begin: (redis: RedisProcess) => Promise.resolve(redis.pause()),
    end: (redis: RedisProcess) => Promise.resolve(redis.resume()),
  },
  {
    name: 'down (stopped, then restarted on its port with its data)',
    begin: (redis: RedisProcess) => redis.stop(),
    end: (redis: RedisProcess) => redis.start(),
  },
] as const;

test.each(OUTAGES)('Redis $name for 5 s: writes answer 503 at once, readers stay, and all resumes', async ({ begin, end }) => {
  const redis = await startRedis({ appendOnly: true });
  const { server, api } = await serverOn(redis);
  const slug = 'outage';
  await createBriefing(api, slug);
  const first = await publish(api, slug, 'before the outage');
  const second = await publish(api, slug, 'also before');

  const socket = await connectReader(server.url);
  const disconnects: string[] = [];
  socket.on('disconnect', (reason) => disconnects.push(reason));
  const reader = new ResubscribingReader(socket, slug);
  await reader.start();
  await reader.waitFor(second.epoch, second.seq);

  await begin(redis);
  const outageStarted = Date.now();
  // A reader arriving now is answered promptly, from what the process holds in memory: a
  // Redis blip must not keep readers of a followed briefing out.
  const latecomer = await connectReader(server.url);
  const joinStarted = Date.now();
  const joinAck = await new Promise<SubscribeAck>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no subscribe ack within ${HANG_MS} ms`)), HANG_MS);
    latecomer.emit('subscribe', { slug }, (ack) => {
      clearTimeout(timer);
      resolve(ack);
    });
  });
  expect(Date.now() - joinStarted).toBeLessThan(PROMPT_MS);
  expect(joinAck).toMatchObject({ ok: true, mode: 'snapshot', epoch: second.epoch, seq: second.seq });
  latecomer.disconnect();
  // Every kind of write, again and again until the outage has lasted its 5 s: each must be
  // a prompt 503 in the contract's shape. POSTs carry an Idempotency-Key: a write that timed
  // out may still be applied once Redis runs again, and the retry below must not double it.
  const attempts: { what: string; status: number; ms: number; body: unknown }[] = [];
  const retryKeys: { key: string; body: string }[] = [];
  let round = 0;
  while (Date.now() - outageStarted < OUTAGE_MS) {
    // Paced, so that a Redis that refuses at once does not get hundreds of entries queued for later.
    const roundStarted = Date.now();
    round++;
    const key = `outage-${round}`;
    const body = `written during the outage, round ${round}`;
    retryKeys.push({ key, body });
    const writes: [string, () => Promise<ApiResponse>][] = [
      ['POST entry', () => api.post(`/api/v1/briefings/${slug}/entries`, { body }, { 'idempotency-key': key })],
      ['PATCH entry', () => api.patch(`/api/v1/briefings/${slug}/entries/${first.entry.id}`, { title: `edited in round ${round}` })],
      ['PATCH briefing', () => api.patch(`/api/v1/briefings/${slug}`, { summary: `round ${round}` })],
      ['POST briefing', () => api.post('/api/v1/briefings', { slug: `new-${round}`, title: 'During the outage' })],
      ['DELETE entry', () => api.delete(`/api/v1/briefings/${slug}/entries/${second.entry.id}`)],
    ];
    const answered = await Promise.all(writes.map(async ([what, send]) => ({ what, ...(await timed(send)) })));
    for (const { what, response, ms } of answered) attempts.push({ what, status: response.status, ms, body: response.body });
    const ready = await timed(() => api.get('/readyz'));
    attempts.push({ what: 'GET /readyz', status: ready.response.status, ms: ready.ms, body: ready.response.body });
    expect((await api.get('/healthz')).status).toBe(200);
    expect(socket.connected).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, ROUND_MS - (Date.now() - roundStarted))));
  }
  await end(redis);

  expect(round).toBeGreaterThanOrEqual(2);
  for (const attempt of attempts) {
    expect(attempt).toEqual({ what: attempt.what, status: 503, ms: expect.any(Number), body: expect.any(Object) });
    expect(attempt.ms).toBeLessThan(PROMPT_MS);
    if (attempt.what !== 'GET /readyz') {
      expect(attempt.body).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/data store/) } });
    }
  }

  await waitFor(async () => ((await api.get('/readyz')).status === 200 ? true : undefined), 10_000, '/readyz to answer 200 again');
  // A POST that timed out may have been applied when Redis ran again: its retry with the same
  // key must answer 201 either way, and publish it once.
  const retried: Published[] = [];
  for (const { key, body } of retryKeys) {
    const response = await api.post<Published>(`/api/v1/briefings/${slug}/entries`, { body }, { 'idempotency-key': key });
    expect(response.status).toBe(201);
    retried.push(response.body);
  }
  const after: Published[] = [];
  for (let i = 0; i < 5; i++) after.push(await publish(api, slug, `after the outage ${i}`));
  const last = after[after.length - 1];
  if (!last) throw new Error('nothing published');

  const view = await reader.waitFor(last.epoch, last.seq);
  const stored = await entriesOf(api, slug);
  expect(disconnects).toEqual([]);
  expect(socket.connected).toBe(true);
  expect(reader.violations()).toEqual([]);
  // Every change after recovery reached the reader live, in order, once, from where it was.
  const applied = reader.events.flatMap((event) => (event.kind === 'applied' && event.epoch === last.epoch ? [event.seq] : []));
  for (const change of after) expect(applied.filter((seq) => seq === change.seq)).toHaveLength(1);
  expect(stored.seq).toBe(last.seq);
  expect(view.entries).toEqual(stored.entries);
  for (const { body } of retryKeys) expect(stored.entries.filter((entry) => entry.body === body)).toHaveLength(1);
  for (const published of [...retried, ...after]) expect(ids(stored.entries).filter((id) => id === published.entry.id)).toHaveLength(1);
});

test('kill -9 of Redis (appendfsync always) mid-publishing: nothing acknowledged is lost, no seq is used twice', async () => {
  const redis = await startRedis({ appendOnly: true, appendfsync: 'always' });
  const { server, api } = await serverOn(redis);
  const slug = 'crash';
  await createBriefing(api, slug);

  // One reader connected throughout, one that leaves before the crash and comes back after
  // with the cursor it held: both must end with every acknowledged entry, once.
  const throughout = new ResubscribingReader(await connectReader(server.url), slug);
  await throughout.start();
  const leaving = new ResubscribingReader(await connectReader(server.url), slug);
  await leaving.start();

  const PUBLISHERS = 4;
  const PER_PUBLISHER = 5;
  const acknowledged: Published[] = [];
  const failures: { status: number; body: unknown }[] = [];
  let crashed = false;
  let leftAt: Cursor | null = null;
  const publishers = Array.from({ length: PUBLISHERS }, async (_, p) => {
    for (let n = 0; n < PER_PUBLISHER; n++) {
      const key = `crash-${p}-${n}`;
      const body = `publisher ${p}, entry ${n}`;
      // Retried with the same Idempotency-Key until acknowledged, as an editor's tool should:
      // a write cut off by the crash may or may not have been applied.
      await waitFor(
        async () => {
          const { response } = await timed(() =>
            api.post<Published>(`/api/v1/briefings/${slug}/entries`, { body }, { 'idempotency-key': key }),
          );
          if (response.status === 201) {
            acknowledged.push(response.body);
            return true;
          }
          failures.push({ status: response.status, body: response.body });
          await new Promise((resolve) => setTimeout(resolve, 50));
          return undefined;
        },
        20_000,
        `publisher ${p} entry ${n} to be acknowledged`,
      );
    }
  });
  const crash = (async () => {
    await waitFor(() => (acknowledged.length >= 6 ? true : undefined), 10_000, 'some entries before the crash');
    leftAt = leaving.cursor;
    leaving.close();
    leaving.socket.disconnect();
    await redis.kill();
    crashed = true;
    // Restart once the publishers have met the outage (each gets a 503 or two), not on a timer.
    await waitFor(() => (failures.length >= PUBLISHERS ? true : undefined), 10_000, 'publishers to meet the outage');
    await redis.start();
  })();
  await Promise.all([...publishers, crash]);
  expect(crashed).toBe(true);

  // Never a 500 or a hang: every refusal was a 503 in the contract's shape.
  expect(failures.length).toBeGreaterThanOrEqual(PUBLISHERS);
  for (const failure of failures) {
    expect(failure).toEqual({ status: 503, body: { error: { code: 'unavailable', message: expect.stringMatching(/data store/) } } });
  }

  const stored = await entriesOf(api, slug);
  const ackedIds = [...new Set(acknowledged.map((item) => item.entry.id))].sort();
  expect(ackedIds).toHaveLength(PUBLISHERS * PER_PUBLISHER);
  // Every acknowledged entry is there, once, and nothing else (every publish was retried to a 201).
  expect(ids(stored.entries).sort()).toEqual(ackedIds);

  // No seq stands for two entries within an epoch, among the 201s.
  const bySeq = new Map<string, string>();
  const ackedAt = new Map<string, string>();
  for (const item of acknowledged) {
    const key = `${item.epoch}/${item.seq}`;
    expect({ key, entry: bySeq.get(key) ?? item.entry.id }).toEqual({ key, entry: item.entry.id });
    bySeq.set(key, item.entry.id);
    ackedAt.set(item.entry.id, key);
  }

  // The log of the epoch now current counts 1, 2, 3 … from its start, once each.
  const log = await api.get<{ epoch: string; seq: number; changes: Change[] }>(
    `/api/v1/briefings/${slug}/changes?epoch=${stored.epoch}&since=0`,
  );
  expect(log.status).toBe(200);
  expect(log.body.changes.map((change) => change.seq)).toEqual(Array.from({ length: stored.seq }, (_, i) => i + 1));
  for (const item of acknowledged.filter((ack) => ack.epoch === stored.epoch)) {
    expect(entryOf(log.body.changes.find((change) => change.seq === item.seq))?.id).toBe(item.entry.id);
  }

  const back = new ResubscribingReader(await connectReader(server.url), slug);
  back.view = leaving.view;
  expect(leftAt).not.toBeNull();
  await back.start();
  for (const reader of [throughout, back]) {
    const view = await reader.waitFor(stored.epoch, stored.seq);
    expect(reader.violations()).toEqual([]);
    // What a reader was told an epoch/seq means is what the publisher was told: the change of
    // an acknowledged entry comes under its 201's epoch and seq, and that seq under no other entry.
    for (const [key, what] of reader.seen) {
      const entryId = /^entry\.published:([^:]+):/.exec(what)?.[1];
      if (!entryId) continue;
      expect({ key, entry: bySeq.get(key) ?? entryId }).toEqual({ key, entry: entryId });
      expect({ entry: entryId, key: ackedAt.get(entryId) ?? key }).toEqual({ entry: entryId, key });
    }
    expect(ids(view.entries).sort()).toEqual(ackedIds);
    expect(view.entries).toEqual(stored.entries);
  }
  expect(throughout.socket.connected).toBe(true);
});

test('a history replaced under a running process (another process rotated the epoch): readers get no change of it under the old epoch', async () => {
  const redis = await startRedis({ appendOnly: false });
  const { server, api } = await serverOn(redis);
  const slug = 'replaced';
  await createBriefing(api, slug);
  const reader = new ResubscribingReader(await connectReader(server.url), slug);
  await reader.start();
  const before: Published[] = [];
  for (let i = 0; i < 3; i++) before.push(await publish(api, slug, `first history ${i}`));
  const lastBefore = before[before.length - 1];
  if (!lastBefore) throw new Error('nothing published');
  await reader.waitFor(lastBefore.epoch, lastBefore.seq);

  // What another process does on finding this briefing's history lost: a new epoch, its log
  // begun again at 1. Done through the store itself, as that process would.
  const other = new Redis(redis.url);
  onClose(() => other.disconnect());
  const rotated = await new Store(other, 'lb:', { historyLimit: 10_000, replayLimit: 1000, versionsPerEntry: 500 }).rotateEpoch(
    slug,
    lastBefore.epoch,
  );
  expect(rotated).toMatchObject({ seq: 1 });
  const after: Published[] = [];
  for (let i = 0; i < 4; i++) after.push(await publish(api, slug, `second history ${i}`));
  const lastAfter = after[after.length - 1];
  if (!lastAfter || !rotated) throw new Error('nothing published');
  expect(lastAfter.epoch).toBe(rotated.epoch);

  await reader.waitFor(lastAfter.epoch, lastAfter.seq);
  const ackedAt = new Map([...before, ...after].map((item) => [item.entry.id, `${item.epoch}/${item.seq}`]));
  const told = [...reader.seen].flatMap(([key, what]) => {
    const entryId = /^entry\.published:([^:]+):/.exec(what)?.[1];
    return entryId ? [{ entry: entryId, key }] : [];
  });
  expect(told).toEqual(told.map(({ entry, key }) => ({ entry, key: ackedAt.get(entry) ?? key })));
  expect(reader.violations()).toEqual([]);
  const stored = await entriesOf(api, slug);
  expect(reader.view?.entries).toEqual(stored.entries);
});

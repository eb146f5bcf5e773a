/**
 * When Redis loses acknowledged writes (a restart from an older snapshot, a wipe), no
 * cursor of the lost history is ever answered `resume`: the briefing gets a new epoch
 * before any cursor is served, whether or not a service process saw the loss happen.
 * Each test runs its own redis-server, which it restarts from an older RDB file.
 */
import { Redis } from 'ioredis';
import type { Briefing, Change, Cursor, Entry, SubscribeAck } from '../../shared/schemas';
import {
  ADMIN_TOKEN,
  ApiClient,
  closeAll,
  connectReader,
  onClose,
  spawnServer,
  startRedis,
  startServer,
  waitFor,
  type RedisProcess,
} from '../support/harness';
import { createBriefing, publish } from '../support/fixtures';
import { FoldingReader } from '../support/reader';

afterEach(closeAll);

const SLUG = 'restored';

function adminRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  return redis;
}

/** Saves an RDB snapshot now: what a restart will come back to. */
async function snapshotNow(url: string): Promise<void> {
  const redis = adminRedis(url);
  try {
    await redis.save();
  } finally {
    redis.disconnect();
  }
}

/** Stops Redis without saving and starts it again from the last snapshot. */
async function restartFromSnapshot(redis: RedisProcess): Promise<void> {
  await redis.stop();
  await redis.start();
}

async function waitReady(url: string): Promise<void> {
  await waitFor(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 15_000, '/readyz 200');
}

async function bodies(api: ApiClient): Promise<string[]> {
  const page = await api.get<{ entries: Entry[] }>(`/api/v1/briefings/${SLUG}/entries?limit=100`);
  expect(page.status).toBe(200);
  return page.body.entries.map((entry) => entry.body).reverse();
}

function changesOf(reader: FoldingReader): Change[] {
  return reader.timeline.flatMap((item) => (item.kind === 'change' ? [item.change] : []));
}

/** Publishes 3 entries, snapshots Redis, publishes 3 more (the ones a restart will lose). */
async function publishAroundSnapshot(api: ApiClient, redisUrl: string): Promise<Cursor> {
  await createBriefing(api, SLUG);
  for (const body of ['kept 1', 'kept 2', 'kept 3']) await publish(api, SLUG, body);
  await snapshotNow(redisUrl);
  let last = { epoch: '', seq: 0 };
  for (const body of ['lost 1', 'lost 2', 'lost 3']) last = await publish(api, SLUG, body);
  expect(last.seq).toBe(6);
  return last;
}

/** The history around a snapshot, a Redis restarted from it while no process ran, then a new process. */
async function restartedWithNoProcessRunning(): Promise<{ lost: Cursor; url: string; api: ApiClient }> {
  const redis = await startRedis({ appendOnly: false });
  const first = await startServer({ REDIS_URL: redis.url });
  const lost = await publishAroundSnapshot(first.api, redis.url);
  await first.app.close();
  await restartFromSnapshot(redis);
  const { url, api } = await startServer({ REDIS_URL: redis.url, REDIS_PREFIX: first.prefix });
  return { lost, url, api };
}

function expectNotResumed(ack: SubscribeAck, lostEpoch: string): void {
  expect(ack).toMatchObject({ ok: true, mode: 'snapshot' });
  if (ack.ok) expect(ack.epoch).not.toBe(lostEpoch);
}

describe('Redis restarted from an older snapshot', () => {
  test('with a process running: the connected reader learns the new epoch, and no lost cursor is resumed', async () => {
    const redis = await startRedis({ appendOnly: false });
    const { url, api } = await startServer({ REDIS_URL: redis.url });
    const reader = new FoldingReader(await connectReader(url), SLUG);
    const lost = await publishAroundSnapshot(api, redis.url);
    await reader.subscribe({ epoch: lost.epoch, seq: 6 });
    await restartFromSnapshot(redis);
    await waitReady(url);

    for (const body of ['after 1', 'after 2', 'after 3']) await publish(api, SLUG, body);
    const announced = await waitFor(
      () => changesOf(reader).find((change) => change.epoch !== lost.epoch),
      10_000,
      'a change of another epoch reaching the connected reader',
    );
    expect(announced.epoch).not.toBe(lost.epoch);
    // Nothing of the new history was delivered under the old epoch.
    expect(changesOf(reader).filter((change) => change.epoch === lost.epoch)).toEqual([]);

    const again = await reader.subscribe({ epoch: lost.epoch, seq: 6 });
    expectNotResumed(again, lost.epoch);
    if (again.ok && again.mode === 'snapshot') {
      expect(again.snapshot.entries.map((entry) => entry.body).reverse()).toEqual([
        'kept 1',
        'kept 2',
        'kept 3',
        'after 1',
        'after 2',
        'after 3',
      ]);
    }
    const other = new FoldingReader(await connectReader(url), SLUG);
    expectNotResumed(await other.subscribe({ epoch: lost.epoch, seq: 6 }), lost.epoch);
    expectNotResumed(await other.subscribe({ epoch: lost.epoch, seq: 3 }), lost.epoch);

    const changes = await api.get<{ epoch: string }>(`/api/v1/briefings/${SLUG}/changes?epoch=${lost.epoch}&since=6`);
    expect(changes.status).toBe(410);
    expect(await bodies(api)).toEqual(['kept 1', 'kept 2', 'kept 3', 'after 1', 'after 2', 'after 3']);
  });

  test('with a process running and nothing published after the restart: the reader still learns of the loss', async () => {
    const redis = await startRedis({ appendOnly: false });
    const { url, api } = await startServer({ REDIS_URL: redis.url });
    const lost = await publishAroundSnapshot(api, redis.url);
    const reader = new FoldingReader(await connectReader(url), SLUG);
    await reader.subscribe({ epoch: lost.epoch, seq: 6 });
    await restartFromSnapshot(redis);

    const announced = await waitFor(
      () => changesOf(reader).find((change) => change.epoch !== lost.epoch),
      15_000,
      'the announcement of a new epoch',
    );
    expect(announced).toMatchObject({ type: 'briefing.updated', seq: 1 });
    const snapshot = await reader.subscribe({ epoch: lost.epoch, seq: 6 });
    expect(snapshot).toMatchObject({ ok: true, mode: 'snapshot', epoch: announced.epoch, seq: 1 });
  });

  test('with a process that cannot reach Redis yet after the loss: its memory is not taken for the kept history', async () => {
    // A failover, seen from one process: another process already wrote the new history,
    // but this one cannot reach Redis yet and holds the lost one in memory.
    const redis = await startRedis({ appendOnly: false });
    const stale = await spawnServer({ REDIS_URL: redis.url, REDIS_PREFIX: 'lb:', LOG_LEVEL: 'warn' });
    const lost = await publishAroundSnapshot(new ApiClient(stale.url, ADMIN_TOKEN), redis.url);
    const follower = new FoldingReader(await connectReader(stale.url), SLUG);
    await follower.subscribe({ epoch: lost.epoch, seq: 6 });

    stale.child.kill('SIGSTOP');
    try {
      await restartFromSnapshot(redis);
      const other = await startServer({ REDIS_URL: redis.url, REDIS_PREFIX: 'lb:' });
      const written = await publish(other.api, SLUG, 'after the loss');
      expect(written.epoch).not.toBe(lost.epoch);
      redis.pause();
      onClose(() => redis.resume());
    } finally {
      stale.child.kill('SIGCONT');
    }

    // Memory alone never resumes a cursor: a snapshot from it, or a refusal to try again.
    const reader = new FoldingReader(await connectReader(stale.url), SLUG);
    const meanwhile = await reader.subscribe({ epoch: lost.epoch, seq: 6 });
    expect(meanwhile.ok ? meanwhile.mode : meanwhile.error.code).toMatch(/^(snapshot|unavailable)$/);
    // Once Redis answers, the reader connected through it all learns of the new epoch, and
    // the lost cursor gets a snapshot of it.
    redis.resume();
    const announced = await waitFor(
      () => changesOf(follower).find((change) => change.epoch !== lost.epoch),
      15_000,
      'a change of the new epoch',
    );
    const after = await reader.subscribe({ epoch: lost.epoch, seq: 6 });
    expectNotResumed(after, lost.epoch);
    expect(after.ok && after.epoch).toBe(announced.epoch);
  });

  test('with no process running: the first process after the restart never resumes a lost cursor', async () => {
    const { lost, url, api } = await restartedWithNoProcessRunning();
    // The same seqs are given out again, under a new epoch.
    const published: Cursor[] = [];
    for (const body of ['after 1', 'after 2', 'after 3']) published.push(await publish(api, SLUG, body));
    expect(published.every((position) => position.epoch !== lost.epoch)).toBe(true);

    const reader = new FoldingReader(await connectReader(url), SLUG);
    expectNotResumed(await reader.subscribe({ epoch: lost.epoch, seq: 6 }), lost.epoch);
    expectNotResumed(await reader.subscribe({ epoch: lost.epoch, seq: 3 }), lost.epoch);
    const changes = await api.get<{ epoch: string; changes: Change[] }>(`/api/v1/briefings/${SLUG}/changes?epoch=${lost.epoch}&since=5`);
    expect(changes.status).toBe(410);
    const page = await api.get<{ briefing: Briefing }>(`/api/v1/briefings/${SLUG}`);
    expect(page.body.briefing.epoch).toBe(published[2]?.epoch);
  });

  test('a reader polling over HTTP: its lost cursor answers 410, uncached, and the snapshot it starts over from is of the new epoch', async () => {
    const { lost, api } = await restartedWithNoProcessRunning();
    for (const body of ['after 1', 'after 2']) await publish(api, SLUG, body);

    for (const since of [6, 3]) {
      const poll = await api.get(`/api/v1/briefings/${SLUG}/changes?epoch=${lost.epoch}&since=${since}`);
      expect(poll.status).toBe(410);
      expect(poll.body).toMatchObject({ error: { code: 'gone' } });
      // A CDN must not keep telling readers to start over once they have.
      expect(poll.headers.get('cache-control')).toBe('no-store');
    }
    const snapshot = await api.get<{ epoch: string; seq: number; snapshot: { entries: Entry[] } }>(`/api/v1/briefings/${SLUG}/snapshot`);
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.epoch).not.toBe(lost.epoch);
    expect(snapshot.body.snapshot.entries.map((entry) => entry.body).reverse()).toEqual([
      'kept 1',
      'kept 2',
      'kept 3',
      'after 1',
      'after 2',
    ]);
    // From the snapshot's cursor the poller is at the head, and goes on from there.
    const next = await api.get<{ changes: Change[] }>(
      `/api/v1/briefings/${SLUG}/changes?epoch=${snapshot.body.epoch}&since=${snapshot.body.seq}`,
    );
    expect(next.status).toBe(200);
    expect(next.body.changes).toEqual([]);
    const published = await publish(api, SLUG, 'after 3');
    const after = await api.get<{ changes: Change[] }>(
      `/api/v1/briefings/${SLUG}/changes?epoch=${snapshot.body.epoch}&since=${snapshot.body.seq}`,
    );
    expect(after.body.changes.map((change) => [change.epoch, change.seq])).toEqual([[published.epoch, published.seq]]);
  });

  test('with no process running and no write since: reading the briefing starts the new epoch', async () => {
    const { lost, url, api } = await restartedWithNoProcessRunning();
    const reader = new FoldingReader(await connectReader(url), SLUG);
    // seq 3 was the same change before and after the loss, but the history cannot vouch for it.
    expectNotResumed(await reader.subscribe({ epoch: lost.epoch, seq: 3 }), lost.epoch);
    const changes = await api.get<{ epoch: string }>(`/api/v1/briefings/${SLUG}/changes?epoch=${lost.epoch}&since=3`);
    expect(changes.status).toBe(410);
  });
});

test('a wipe and re-creation is noticed at once by a process that follows the briefing', async () => {
  const { url, api, app } = await startServer();
  await createBriefing(api, SLUG);
  const old = await publish(api, SLUG, 'before the wipe');
  const watcher = new FoldingReader(await connectReader(url), SLUG);
  await watcher.subscribe(null);
  const keys = app.store.keys.briefing(SLUG);
  await app.store.redis.del(...(Object.values(keys) as string[]));
  await app.store.redis.zrem(app.store.keys.briefings, SLUG);
  const recreated = await createBriefing(api, SLUG);

  const reader = new FoldingReader(await connectReader(url), SLUG);
  const ack = await reader.subscribe({ epoch: old.epoch, seq: old.seq });
  expect(ack).toMatchObject({ ok: true, mode: 'snapshot', epoch: recreated.epoch, seq: 0 });
  // The reader that followed the old history has no change to learn the new epoch from: its connection is closed.
  await waitFor(() => (watcher.socket.connected ? undefined : true), 5000, 'the watcher to be disconnected');
});

describe('bounded catch-up (LIVEBRIEF_REPLAY_LIMIT)', () => {
  test('a cursor more changes behind than the limit gets a snapshot, and /changes a 410', async () => {
    const { url, api, prefix } = await startServer({ LIVEBRIEF_REPLAY_LIMIT: '5' });
    await createBriefing(api, SLUG);
    let head = { epoch: '', seq: 0 };
    for (let i = 1; i <= 8; i++) head = await publish(api, SLUG, `entry ${i}`);

    const reader = new FoldingReader(await connectReader(url), SLUG);
    expect(await reader.subscribe({ epoch: head.epoch, seq: 2 })).toMatchObject({ ok: true, mode: 'snapshot', seq: 8 });
    expect(await reader.subscribe({ epoch: head.epoch, seq: 3 })).toMatchObject({ ok: true, mode: 'resume', seq: 3 });
    await reader.waitForSeq(8);
    expect(reader.changesSinceAck().map((change) => change.seq)).toEqual([4, 5, 6, 7, 8]);

    // A process that does not follow the briefing yet reads the catch-up from Redis.
    const fresh = await startServer({ LIVEBRIEF_REPLAY_LIMIT: '5', REDIS_PREFIX: prefix });
    const freshReader = new FoldingReader(await connectReader(fresh.url), SLUG);
    expect(await freshReader.subscribe({ epoch: head.epoch, seq: 2 })).toMatchObject({ ok: true, mode: 'snapshot', seq: 8 });

    const tooFar = await api.get(`/api/v1/briefings/${SLUG}/changes?epoch=${head.epoch}&since=2`);
    expect(tooFar.status).toBe(410);
    const near = await api.get<{ changes: Change[] }>(`/api/v1/briefings/${SLUG}/changes?epoch=${head.epoch}&since=3`);
    expect(near.status).toBe(200);
    expect(near.body.changes.map((change) => change.seq)).toEqual([4, 5, 6, 7, 8]);
  });
});

test('no false alarm: readers joining while changes pour in never start a new epoch', async () => {
  const { url, api } = await startServer();
  const created = await createBriefing(api, SLUG);
  let publishing = true;
  const publisher = (async () => {
    for (let i = 0; i < 150 && publishing; i++) await Promise.all([1, 2, 3].map((n) => publish(api, SLUG, `burst ${i}.${n}`)));
  })();
  const sockets = await Promise.all(Array.from({ length: 8 }, () => connectReader(url)));
  // Each subscribe compares the head in Redis while the tail delivers: over and over.
  for (let round = 0; round < 14; round++) {
    await Promise.all(sockets.map((socket) => new FoldingReader(socket, SLUG).subscribe(null)));
  }
  publishing = false;
  await publisher;
  const briefing = await api.get<{ briefing: Briefing }>(`/api/v1/briefings/${SLUG}`);
  expect(briefing.body.briefing.epoch).toBe(created.epoch);
});

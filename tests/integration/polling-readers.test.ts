/**
 * What readers without WebSocket read over plain HTTP: `GET …/changes` from their cursor,
 * cacheable for at most 2 s when it is answered at the head (so a CDN absorbs them) and not
 * otherwise; `GET …/snapshot`, the state exactly at a seq, to start from or to start over
 * from after a 410; both readable from other origins for the widget.
 */
import type { Change, Snapshot } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import { closeAll, connectReader, startServer } from '../support/harness';
import { FoldingReader } from '../support/reader';

afterEach(closeAll);

const SLUG = 'polled';

interface ChangeList {
  epoch: string;
  seq: number;
  changes: Change[];
}

interface SnapshotBody {
  epoch: string;
  seq: number;
  snapshot: Snapshot;
}

/** The max-age of a Cache-Control value, or null without one. */
function maxAge(cacheControl: string | null): number | null {
  const match = /(?:^|,)\s*max-age=(\d+)/.exec(cacheControl ?? '');
  return match ? Number(match[1]) : null;
}

test('an answer at the head may be cached for 2 s; one with changes, or a 410, may not be', async () => {
  const { api } = await startServer();
  await createBriefing(api, SLUG);
  const head = await publish(api, SLUG, 'one');
  await publish(api, SLUG, 'two');

  const atHead = await api.get<ChangeList>(`/api/v1/briefings/${SLUG}/changes?epoch=${head.epoch}&since=2`);
  expect(atHead.status).toBe(200);
  expect(atHead.body).toEqual({ epoch: head.epoch, seq: 2, changes: [] });
  expect(atHead.headers.get('cache-control')).toBe('public, max-age=2');

  const behind = await api.get<ChangeList>(`/api/v1/briefings/${SLUG}/changes?epoch=${head.epoch}&since=1`);
  expect(behind.status).toBe(200);
  expect(behind.body.changes.map((change) => change.seq)).toEqual([2]);
  // Grows as the head moves: a cache must not hand it out again.
  expect(behind.headers.get('cache-control')).toBe('no-store');

  const gone = await api.get(`/api/v1/briefings/${SLUG}/changes?epoch=another&since=1`);
  expect(gone.status).toBe(410);
  expect(gone.headers.get('cache-control')).toBe('no-store');
  expect(maxAge(gone.headers.get('cache-control'))).toBeNull();
});

test('the snapshot is the state exactly at its seq, as a subscribe gives it, and the widget may read both from another origin', async () => {
  const { api, url } = await startServer();
  await createBriefing(api, SLUG);
  const pinned = await publish(api, SLUG, 'pinned one', { pinned: true });
  for (let n = 1; n <= 22; n++) await publish(api, SLUG, `entry ${n}`);

  const response = await fetch(`${url}/api/v1/briefings/${SLUG}/snapshot`, { headers: { origin: 'https://news.example' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  expect(maxAge(response.headers.get('cache-control'))).toBeLessThanOrEqual(2);
  const body = (await response.json()) as SnapshotBody;

  const reader = new FoldingReader(await connectReader(url), SLUG);
  const ack = await reader.subscribe(null);
  expect(ack).toMatchObject({ ok: true, mode: 'snapshot', epoch: body.epoch, seq: body.seq });
  if (ack.ok && ack.mode === 'snapshot') expect(body.snapshot).toEqual(ack.snapshot);
  expect(body.seq).toBe(23);
  expect(body.snapshot.entries).toHaveLength(20);
  expect(body.snapshot.pinned.map((entry) => entry.id)).toEqual([pinned.entry.id]);

  const changes = await fetch(`${url}/api/v1/briefings/${SLUG}/changes?epoch=${body.epoch}&since=${body.seq}`, {
    headers: { origin: 'https://news.example' },
  });
  expect(changes.status).toBe(200);
  expect(changes.headers.get('access-control-allow-origin')).toBe('*');

  const missing = await api.get(`/api/v1/briefings/no-such/snapshot`);
  expect(missing.status).toBe(404);
  expect(missing.body).toMatchObject({ error: { code: 'not_found' } });
});

test('no stickiness: a reader polling whichever process answers follows every change once, in order', async () => {
  const first = await startServer();
  const second = await startServer({ REDIS_PREFIX: first.prefix });
  await createBriefing(first.api, SLUG);
  const snapshot = await second.api.get<SnapshotBody>(`/api/v1/briefings/${SLUG}/snapshot`);
  let cursor = { epoch: snapshot.body.epoch, seq: snapshot.body.seq };
  const seen: number[] = [];
  const published: number[] = [];
  for (let n = 1; n <= 6; n++) {
    // Writes through either process, polls alternating between them: a load balancer with no affinity.
    const writer = n % 2 === 0 ? first : second;
    const reader = n % 3 === 0 ? first : second;
    published.push((await publish(writer.api, SLUG, `update ${n}`)).seq);
    const poll = await reader.api.get<ChangeList>(`/api/v1/briefings/${SLUG}/changes?epoch=${cursor.epoch}&since=${cursor.seq}`);
    expect(poll.status).toBe(200);
    for (const change of poll.body.changes) seen.push(change.seq);
    cursor = { epoch: poll.body.epoch, seq: poll.body.seq };
  }
  expect(seen).toEqual(published);
  expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
});

/**
 * What /metrics tells an operator: delivery lag, subscribers, catch-ups by kind, Redis
 * connection trouble, default Node.js metrics, and the optional bearer token.
 */
import type { ErrorBody } from '../../shared/errors';
import { closeAll, connectReader, startRedis, startServer, waitFor, type TestServer } from '../support/harness';
import { createBriefing, publish } from '../support/fixtures';
import { FoldingReader } from '../support/reader';

afterEach(closeAll);

async function scrape(server: TestServer, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, { headers });
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample, labels given exactly as exposed (in any order); null when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map<string, string>();
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found.set(pair[1] ?? '', pair[2] ?? '');
    if (found.size !== Object.keys(labels).length) continue;
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) return Number(match[3]);
  }
  return null;
}

/** Every label set of one metric, as slug → value. */
function bySlug(text: string, name: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const match of text.matchAll(new RegExp(`^${name}\\{slug="([^"]+)"\\} (\\S+)$`, 'gm'))) values.set(match[1] ?? '', Number(match[2]));
  return values;
}

test('delivery lag is observed for each change emitted, in seconds; default Node.js metrics (event-loop lag) are on', async () => {
  const server = await startServer();
  await createBriefing(server.api, 'lag');
  const reader = new FoldingReader(await connectReader(server.url), 'lag');
  await reader.subscribe(null);
  const before = await scrape(server);
  expect(sample(before, 'livebrief_delivery_lag_seconds_count')).toBe(0);
  for (let i = 1; i <= 3; i++) await publish(server.api, 'lag', `entry ${i}`);
  await reader.waitForSeq(3);

  const after = await scrape(server);
  expect(sample(after, 'livebrief_delivery_lag_seconds_count')).toBe(3);
  const sum = sample(after, 'livebrief_delivery_lag_seconds_sum');
  expect(sum).toBeGreaterThanOrEqual(0);
  expect(sample(after, 'livebrief_delivery_lag_seconds_bucket', { le: '0.001' })).not.toBeNull();
  expect(sample(after, 'livebrief_delivery_lag_seconds_bucket', { le: '+Inf' })).toBe(3);
  expect(after).toMatch(/^livebrief_nodejs_eventloop_lag_p99_seconds \S+$/m);
  expect(after).toMatch(/^livebrief_process_resident_memory_bytes \S+$/m);
});

test('subscribers: per process, and per briefing for the 20 most followed with the rest summed under _other', async () => {
  const server = await startServer();
  const slugs = Array.from({ length: 23 }, (_, index) => `s${String(index).padStart(2, '0')}`);
  for (const slug of slugs) await createBriefing(server.api, slug);
  // One socket follows every briefing; two more follow the first three: 3 + 3 + 17 subscribers beyond.
  const everything = await connectReader(server.url);
  for (const slug of slugs) await new FoldingReader(everything, slug).subscribe(null);
  for (let i = 0; i < 2; i++) {
    const socket = await connectReader(server.url);
    for (const slug of slugs.slice(0, 3)) await new FoldingReader(socket, slug).subscribe(null);
  }

  const text = await scrape(server);
  expect(sample(text, 'livebrief_subscribers')).toBe(29);
  const perSlug = bySlug(text, 'livebrief_briefing_subscribers');
  expect(perSlug.size).toBe(21);
  expect([perSlug.get('s00'), perSlug.get('s01'), perSlug.get('s02'), perSlug.get('s03')]).toEqual([3, 3, 3, 1]);
  // s00…s19 named (the three followed most, then by slug), s20…s22 summed.
  expect(perSlug.has('s19')).toBe(true);
  expect(perSlug.get('_other')).toBe(3);

  // A reader leaving is seen at the next scrape, and labels no longer followed go away.
  everything.disconnect();
  await waitFor(
    async () => {
      const later = await scrape(server);
      return sample(later, 'livebrief_subscribers') === 6 ? later : undefined;
    },
    5000,
    'the subscribers gauge to fall',
  ).then((later) => {
    expect([...bySlug(later, 'livebrief_briefing_subscribers').entries()].sort()).toEqual([
      ['s00', 2],
      ['s01', 2],
      ['s02', 2],
    ]);
  });
});

test('catch-ups are counted by kind and transport: resume, snapshot, and a cursor beyond the replay limit', async () => {
  const server = await startServer({ LIVEBRIEF_REPLAY_LIMIT: '3' });
  await createBriefing(server.api, 'cu');
  let last = { epoch: '', seq: 0 };
  for (let i = 1; i <= 6; i++) last = await publish(server.api, 'cu', `entry ${i}`);
  const socket = await connectReader(server.url);
  const ask = (since: { epoch: string; seq: number } | null) => new FoldingReader(socket, 'cu').subscribe(since);

  expect(await ask(null)).toMatchObject({ mode: 'snapshot' });
  expect(await ask({ epoch: last.epoch, seq: last.seq - 2 })).toMatchObject({ mode: 'resume' });
  expect(await ask({ epoch: last.epoch, seq: 1 })).toMatchObject({ mode: 'snapshot' });
  expect(await ask({ epoch: 'another-history', seq: 1 })).toMatchObject({ mode: 'snapshot' });

  const changes = (query: string) => fetch(`${server.url}/api/v1/briefings/cu/changes?${query}`);
  expect((await changes(`epoch=${last.epoch}&since=${last.seq - 1}`)).status).toBe(200);
  expect((await changes(`epoch=${last.epoch}&since=${last.seq}`)).status).toBe(200);
  expect((await changes(`epoch=${last.epoch}&since=1`)).status).toBe(410);
  expect((await changes(`epoch=another-history&since=${last.seq}`)).status).toBe(410);

  const text = await scrape(server);
  const counted = (kind: string, transport: string) => sample(text, 'livebrief_catchups_total', { kind, transport });
  expect([counted('resume', 'socket'), counted('snapshot', 'socket'), counted('too_far', 'socket')]).toEqual([1, 2, 1]);
  expect([counted('resume', 'http'), counted('snapshot', 'http'), counted('too_far', 'http')]).toEqual([2, 1, 1]);
});

test('Redis errors, reconnects and readiness are counted by connection', async () => {
  const redis = await startRedis({ appendOnly: false });
  const server = await startServer({ REDIS_URL: redis.url });
  const before = await scrape(server);
  expect(sample(before, 'livebrief_redis_ready', { connection: 'command' })).toBe(1);
  expect(sample(before, 'livebrief_redis_ready', { connection: 'blocking' })).toBe(1);
  expect(sample(before, 'livebrief_redis_reconnects_total', { connection: 'command' })).toBe(0);

  await redis.stop();
  // While Redis is away, reconnect attempts fail (connection refused).
  await waitFor(
    () =>
      server.app.metrics.registry
        .getSingleMetricAsString('livebrief_redis_errors_total')
        .then((text) => (/connection="command"\} [1-9]/.test(text) ? true : undefined)),
    10_000,
    'a Redis error to be counted',
  );
  await redis.start();
  const after = await waitFor(
    async () => {
      const text = await scrape(server);
      const ready = ['command', 'blocking'].every((connection) => sample(text, 'livebrief_redis_ready', { connection }) === 1);
      return ready ? text : undefined;
    },
    15_000,
    'both connections to be ready again',
  );
  for (const connection of ['command', 'blocking']) {
    expect(sample(after, 'livebrief_redis_reconnects_total', { connection })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'livebrief_redis_errors_total', { connection })).toBeGreaterThanOrEqual(1);
  }
});

test('LIVEBRIEF_METRICS_TOKEN: /metrics needs the bearer token, refused with 401 in the error shape otherwise', async () => {
  const token = 'metrics-token-0123456789';
  const server = await startServer({ LIVEBRIEF_METRICS_TOKEN: token });
  for (const headers of [
    {} as Record<string, string>,
    { authorization: 'Bearer wrong' },
    { authorization: `Bearer ${token}x` },
    { authorization: token },
  ]) {
    const refused = await fetch(`${server.url}/metrics`, { headers });
    expect(refused.status).toBe(401);
    const body = (await refused.json()) as ErrorBody;
    expect(body.error.code).toBe('unauthorized');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
  }
  expect(await scrape(server, { authorization: `Bearer ${token}` })).toMatch(/^livebrief_subscribers 0$/m);

  // Unset, it is open as before.
  const open = await startServer();
  expect(await scrape(open)).toMatch(/^livebrief_sockets_connected /m);
});

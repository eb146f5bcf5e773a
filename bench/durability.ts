/**
 * What durability costs a publisher: the publish round trip (request start to the 201)
 * against a redis-server of the benchmark's own with the append-only file on, fsynced
 * once a second (`everysec`, Redis's default) and before every reply (`always`, nothing
 * acknowledged is lost to a crash). Both run the same way, one after the other, so they
 * compare with each other; the main run's figures (shared Redis, readers connected) are
 * printed beside them for reference only.
 *
 * Each scenario: a fresh redis-server on a free port, its data folder under .bench/ in the
 * project (on disk: a temporary folder may live in memory, where fsync costs nothing), a
 * server process of its own, no readers, a short warm-up, then `entries` publishes one
 * after another and `entries` more by `concurrency` publishers at once. Everything is
 * stopped and the data folder removed before the next scenario.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { spawnServer, startRedis, type RedisServerOptions } from '../tests/support/harness';
import type { Clock } from './clock';
import { publishOne, type Published } from './publish';
import { summarize, type Summary } from './stats';

const DATA_PARENT = path.resolve(__dirname, '..', '.bench');
const WARMUP = 10;
/** How long the server may take to exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

export const DURABILITY_MODES = [
  { name: 'AOF, appendfsync everysec', appendfsync: 'everysec' },
  { name: 'AOF, appendfsync always', appendfsync: 'always' },
] as const satisfies readonly { name: string; appendfsync: NonNullable<RedisServerOptions['appendfsync']> }[];

export interface DurabilityResult {
  name: string;
  /** The setting asked for. */
  appendfsync: string;
  /** As the redis-server reported it (CONFIG GET), to show the setting took. */
  redisConfig: { appendonly: string | null; appendfsync: string | null };
  entries: number;
  concurrency: number;
  sequentialRoundTripMs: Summary | null;
  concurrentRoundTripMs: Summary | null;
  /** 201s that reused a seq another 201 had: must be 0. */
  duplicateSeqs: number;
}

export async function redisConfig(url: string): Promise<DurabilityResult['redisConfig']> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const read = async (name: string): Promise<string | null> => {
      const reply = (await redis.config('GET', name)) as string[];
      return reply[1] ?? null;
    };
    return { appendonly: await read('appendonly'), appendfsync: await read('appendfsync') };
  } catch {
    return { appendonly: null, appendfsync: null };
  } finally {
    redis.disconnect();
  }
}

async function publishMany(
  clock: Clock,
  base: string,
  token: string,
  slug: string,
  count: number,
  concurrency: number,
  counter: { next: number },
): Promise<Published[]> {
  const published: Published[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        next++;
        published.push(await publishOne(clock, base, token, slug, counter.next++));
      }
    }),
  );
  return published;
}

/** Runs one scenario per mode; the caller's closeAll() also ends what a failure left running. */
export async function runDurability(
  clock: Clock,
  options: { entries: number; concurrency: number; token: string; host: string },
): Promise<DurabilityResult[]> {
  const results: DurabilityResult[] = [];
  for (const mode of DURABILITY_MODES) {
    const redis = await startRedis({ appendOnly: true, appendfsync: mode.appendfsync, parentDir: DATA_PARENT });
    try {
      const server = await spawnServer({
        PORT: '0',
        HOST: options.host,
        REDIS_URL: redis.url,
        REDIS_PREFIX: 'lbbench:',
        LIVEBRIEF_ADMIN_TOKEN: options.token,
        LOG_LEVEL: 'info',
      });
      try {
        const base = server.url;
        const slug = 'durability';
        const created = await fetch(`${base}/api/v1/briefings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ slug, title: `Durability: ${mode.name}` }),
        });
        if (created.status !== 201) throw new Error(`${mode.name}: creating the briefing answered ${created.status}`);
        const counter = { next: 1 };
        await publishMany(clock, base, options.token, slug, WARMUP, 1, counter);
        const sequential = await publishMany(clock, base, options.token, slug, options.entries, 1, counter);
        const concurrent = await publishMany(clock, base, options.token, slug, options.entries, options.concurrency, counter);
        const all = [...sequential, ...concurrent];
        results.push({
          name: mode.name,
          appendfsync: mode.appendfsync,
          redisConfig: await redisConfig(redis.url),
          entries: options.entries,
          concurrency: options.concurrency,
          sequentialRoundTripMs: summarize(sequential.map((item) => item.end - item.start)),
          concurrentRoundTripMs: summarize(concurrent.map((item) => item.end - item.start)),
          duplicateSeqs: all.length - new Set(all.map((item) => item.seq)).size,
        });
      } finally {
        await server.stop(STOP_TIMEOUT_MS);
      }
    } finally {
      await redis.kill();
      rmSync(redis.dir, { recursive: true, force: true });
    }
  }
  return results;
}

/**
 * The two servers every scenario runs against, one after the other, behind one shape:
 * livebrief (the built server, `node dist/server/main.js`, on a Redis of the suite's own)
 * and the floor (floor-server.ts). A livebrief run publishes real entries and records the
 * changes it sent; the floor is then handed the same snapshot and the same change bytes.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { ApiClient, deletePrefix, SERVER_MAIN, spawnServer, waitFor, type ServerProcess } from '../../tests/support/harness';
import type { Clock } from '../clock';
import { postJson } from '../http-post';
import { procCpuMs, procStatusKiB } from '../proc';
import { publishOne } from '../publish';

export type TargetName = 'livebrief' | 'floor';
export const TARGETS: readonly TargetName[] = ['livebrief', 'floor'];
export const FLOOR_NAME = 'bare Socket.IO room broadcast';

const LOOPBACK = '127.0.0.1';
const FLOOR_FILE = path.join(__dirname, 'floor-server.ts');
/** Node flags both targets run with: the probe that reports their live heap (liveHeapBytes). */
const PROBED = ['--expose-gc', '--import', pathToFileURL(path.join(__dirname, 'heap-probe.mjs')).href];
const PROBE_LINE = /^heap-probe (\d+)$/m;
/** How long a target has to answer the heap probe, ms: two full collections of a large heap. */
const PROBE_TIMEOUT_MS = 30_000;

export interface PublishedChange {
  seq: number;
  /** The entry id the change carries. */
  id: string;
  /** Clock time just before the request was sent. */
  start: number;
  /** Clock time once the 201 and its body were in. */
  end: number;
}

/** What a livebrief run recorded, for the floor to serve: the snapshot ack and the changes, in order. */
export interface Recording {
  ack: string;
  changes: string[];
}

export interface Target {
  name: TargetName;
  /** http://127.0.0.1:port */
  url: string;
  slug: string;
  pid: number;
  /**
   * Publishes the run's `index`-th entry (0-based, in the order of the livebrief run); null
   * from the floor when the livebrief run recorded no such change (its publishes failed).
   */
  publish(index: number): Promise<PublishedChange | null>;
  rssKiB(): number | null;
  /** The heap still live after full garbage collections, in bytes. */
  liveHeapBytes(): Promise<number>;
  cpuMs(): number | null;
  stop(): Promise<void>;
}

export interface SuiteContext {
  clock: Clock;
  /** The suite's own Redis (a redis-server started for the run), for livebrief. */
  redisUrl: string;
  /** Markdown characters of each published entry's body. */
  bodyChars: number;
  /** Each publish request gives up after this long. */
  requestTimeoutMs: number;
}

function processStats(server: ServerProcess): Pick<Target, 'pid' | 'rssKiB' | 'liveHeapBytes' | 'cpuMs'> {
  const pid = server.child.pid;
  if (!pid) throw new Error('the server process has no pid');
  return { pid, rssKiB: () => procStatusKiB(pid, 'VmRSS'), liveHeapBytes: () => probeHeap(server, pid), cpuMs: () => procCpuMs(pid) };
}

/** Signals the heap probe and waits for the line it prints after the output seen so far. */
async function probeHeap(server: ServerProcess, pid: number): Promise<number> {
  const from = server.output().length;
  process.kill(pid, 'SIGUSR2');
  const bytes = await waitFor(
    () => PROBE_LINE.exec(server.output().slice(from))?.[1],
    PROBE_TIMEOUT_MS,
    `process ${pid} to answer the heap probe`,
  );
  return Number(bytes);
}

/** How long a target has to exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;

/**
 * livebrief on a fresh prefix with a briefing of its own; `readers` is how many
 * connections from 127.0.0.1 it must let in (its per-address cap would refuse the rest).
 */
export async function startLivebrief(context: SuiteContext, readers: number): Promise<Target & { api: ApiClient }> {
  const prefix = `lbsuite:${randomBytes(6).toString('hex')}:`;
  const token = `bench-admin-${randomBytes(16).toString('hex')}`;
  const slug = `suite-${randomBytes(4).toString('hex')}`;
  const server = await spawnServer(
    {
      HOST: LOOPBACK,
      REDIS_URL: context.redisUrl,
      REDIS_PREFIX: prefix,
      LIVEBRIEF_ADMIN_TOKEN: token,
      // Room for every reader twice: a resume storm reconnects while the old connections may still be closing.
      LIVEBRIEF_CONNECTIONS_PER_ADDRESS: String(2 * readers + 100),
      LOG_LEVEL: 'info',
    },
    [],
    [...PROBED, SERVER_MAIN],
  );
  const url = `http://${LOOPBACK}:${new URL(server.url).port}`;
  const api = new ApiClient(url, token);
  try {
    const created = await api.post('/api/v1/briefings', { slug, title: 'Benchmark briefing', summary: 'Created by the benchmark suite' });
    if (created.status !== 201) throw new Error(`creating the briefing answered ${created.status}: ${JSON.stringify(created.body)}`);
  } catch (error) {
    await server.kill();
    throw error;
  }
  let counter = 0;
  return {
    name: 'livebrief',
    url,
    slug,
    api,
    ...processStats(server),
    async publish() {
      const published = await publishOne(context.clock, url, token, slug, ++counter, {
        bodyChars: context.bodyChars,
        timeoutMs: context.requestTimeoutMs,
      });
      return { seq: published.seq, id: published.id, start: published.start, end: published.end };
    },
    async stop() {
      await server.stop(STOP_GRACE_MS);
      await deletePrefix(context.redisUrl, prefix);
    },
  };
}

/** The entry id a recorded change carries ('' for a change without an entry). */
function entryIdOf(change: string): string {
  const parsed = JSON.parse(change) as { entry?: { id?: unknown } };
  return typeof parsed.entry?.id === 'string' ? parsed.entry.id : '';
}

function seqOf(change: string): number {
  const parsed = JSON.parse(change) as { seq?: unknown };
  if (typeof parsed.seq !== 'number') throw new Error('a recorded change has no seq');
  return parsed.seq;
}

/** The floor, serving what a livebrief run recorded: its snapshot ack, then its changes by index. */
export async function startFloor(context: SuiteContext, recording: Recording): Promise<Target> {
  const server = await spawnServer({ HOST: LOOPBACK }, [], [...PROBED, '--import', 'tsx', FLOOR_FILE]);
  const url = `http://${LOOPBACK}:${new URL(server.url).port}`;
  const ack = JSON.parse(recording.ack) as { epoch?: unknown; seq?: unknown; snapshot?: { briefing?: { slug?: unknown } } };
  const slug = ack.snapshot?.briefing?.slug;
  const loaded = await fetch(`${url}/snapshot`, {
    method: 'POST',
    body: recording.ack,
    signal: AbortSignal.timeout(context.requestTimeoutMs),
  });
  if (loaded.status !== 204 || typeof slug !== 'string') {
    await server.kill();
    throw new Error(`the floor did not take the snapshot (${loaded.status}; slug ${String(slug)})`);
  }
  const changes = recording.changes.map((change) => ({ body: change, seq: seqOf(change), id: entryIdOf(change) }));
  return {
    name: 'floor',
    url,
    slug,
    ...processStats(server),
    async publish(index) {
      const change = changes[index];
      if (!change) return null;
      const start = context.clock();
      const { status } = await postJson(`${url}/publish`, change.body, {}, context.requestTimeoutMs);
      const end = context.clock();
      if (status !== 201) throw new Error(`the floor answered ${status} to a publish`);
      return { seq: change.seq, id: change.id, start, end };
    },
    async stop() {
      await server.stop(STOP_GRACE_MS);
    },
  };
}

/** Per command, the calls Redis has served so far (INFO commandstats). */
export async function redisCommandCalls(redisUrl: string): Promise<Record<string, number>> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const info = await redis.info('commandstats');
    const calls: Record<string, number> = {};
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (match[1] && match[2]) calls[match[1]] = Number(match[2]);
    }
    return calls;
  } finally {
    redis.disconnect();
  }
}

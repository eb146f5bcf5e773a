/**
 * livebrief's publish benchmark, on its own (no floor beside it; the side-by-side suite is
 * `npm run bench`, bench/suite/). Run it with `npm run bench:publish` (builds, then
 * `node --import tsx bench/run.ts`); `BENCH_REDIS=cluster npm run bench:publish` for the
 * Redis Cluster variant. It keeps what the suite does not measure: the publish round trip
 * sequential and concurrent, the HTTP read, and the cost of Redis durability settings.
 *
 * It starts the real server as its own process (`node dist/server/main.js`, port 0, a
 * unique REDIS_PREFIX, a random admin token) against the Redis at 127.0.0.1:6379, creates
 * a briefing, and connects BENCH_READERS socket.io-client readers (websocket transport)
 * that each `subscribe` to it. Then, after a short warm-up:
 *
 *   1. sequential: BENCH_ENTRIES entries are published over HTTP one after another
 *      (POST /api/v1/briefings/:slug/entries, a small Markdown body);
 *   2. concurrent: BENCH_ENTRIES more, by BENCH_CONCURRENCY publishers at once;
 *   3. HTTP read: autocannon against GET /api/v1/briefings/:slug/entries.
 *   4. durability: the publish round trip again (phases 1 and 2, no readers) against two
 *      redis-servers of its own with the append-only file on, `appendfsync everysec` and
 *      `appendfsync always`, so the cost of fsyncing before every 201 shows beside the
 *      main run's figures (see durability.ts).
 *
 * Figures, each as n / p50 / p95 / p99 / max / mean in milliseconds:
 *   - publish round trip: request start to the 201 response (body read);
 *   - publish -> receive: request start to the `change` event with that entry's seq being
 *     handled by a reader, one sample per entry and reader (matched by the seq of the 201,
 *     and checked against the entry id);
 *   - publish -> all readers: request start to the last reader receiving it;
 *   - fan-out spread: first reader to last reader, per entry;
 *   - HTTP read latency: each autocannon response's own time;
 *   - throughput (entries/s) of each phase, requests/s of the HTTP read, and the share of
 *     entries a reader had before the publisher had its 201 ("seen before 201");
 *   - the server's RSS (VmRSS from /proc/<pid>/status) at each step, its peak (VmHWM) and
 *     its CPU time per phase.
 * Every reader also checks the delivery guarantee of the contract (after the ack: each
 * seq once, in order, none before the ack); any violation makes the run fail.
 *
 * The readers live in reader threads (BENCH_READER_THREADS worker threads), away from the
 * publisher's event loop, so handling 100 copies of each change never delays the
 * publisher's own timings. All times come from one monotonic clock shared by the threads
 * (clock.ts). Receive times still include the reader thread's own event-loop delay (its
 * p99/max are reported per phase): one thread handles every reader's copy in turn.
 *
 * Results are printed as tables and written to bench/results/latest.json. All traffic goes
 * to 127.0.0.1; the Redis keys under the prefix are deleted and the server is stopped at
 * the end, also on failure or timeout. Exit code 0 means every step and check passed.
 *
 * Environment overrides (integers; all optional):
 *   BENCH_READERS           readers subscribed to the briefing           default 100  (1-2000)
 *   BENCH_ENTRIES           entries published in each of phases 1 and 2  default 300  (1-10000)
 *   BENCH_CONCURRENCY       concurrent publishers in phase 2             default 8    (1-64)
 *   BENCH_WARMUP            unmeasured entries published first           default 20   (0-1000)
 *   BENCH_HTTP_SECONDS      length of the HTTP read benchmark; 0 skips   default 5    (0-60)
 *   BENCH_HTTP_CONNECTIONS  autocannon connections                       default 10   (1-256)
 *   BENCH_READER_THREADS    worker threads the readers are spread over   default 1    (1-16)
 *   BENCH_DURABILITY_ENTRIES entries per phase in each durability run; 0 skips  default 200 (0-5000)
 *   BENCH_TIMEOUT_MS        ceiling on the whole run                     default 300000 (10000-3600000)
 *
 * BENCH_REDIS=cluster runs the same against a Redis Cluster of its own (three primaries on
 * free loopback ports, started and removed by the run, as the tests start theirs) through
 * REDIS_CLUSTER_NODES, and writes bench/results/latest-cluster.json; the durability runs,
 * which compare single redis-servers, are left out.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { ApiClient, closeAll, deletePrefix, spawnServer, type ServerProcess } from '../tests/support/harness';
import { startRedisCluster } from '../tests/support/redis-cluster';
import { makeClock, type Clock } from './clock';
import { redisConfig, runDurability, type DurabilityResult } from './durability';
import { intFromEnv } from './env';
import { gitCommit, procCpuMs, procStatusKiB } from './proc';
import { publishOne, type Published } from './publish';
import type { Expected, LoopDelay } from './protocol';
import { ReaderThreads } from './reader-threads';
import { formatGrid, formatNumber, formatTable, round, summarize, type Row, type Summary } from './stats';

const ROOT = path.resolve(__dirname, '..');
/** BENCH_REDIS=cluster: a Redis Cluster of the run's own instead of the Redis at REDIS_URL. */
const ON_CLUSTER = process.env.BENCH_REDIS === 'cluster';
const RESULTS_FILE = path.join(__dirname, 'results', ON_CLUSTER ? 'latest-cluster.json' : 'latest.json');
const REDIS_URL = 'redis://127.0.0.1:6379';
const LOOPBACK = '127.0.0.1';
/** After a phase's last 201, how long readers may take to receive everything. */
const DRAIN_TIMEOUT_MS = 30_000;
/** Connect / subscribe ceiling per reader. */
const READER_TIMEOUT_MS = 10_000;
/** Readers connecting at the same time. */
const CONNECT_BATCH = 25;
/** How long the server may take to exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000;
/** Ceiling on one question to the reader threads. */
const THREAD_REQUEST_TIMEOUT_MS = 30_000;

// ---------- configuration ----------

interface BenchConfig {
  readers: number;
  entries: number;
  concurrency: number;
  warmup: number;
  httpSeconds: number;
  httpConnections: number;
  readerThreads: number;
  durabilityEntries: number;
  timeoutMs: number;
}

function readConfig(): BenchConfig {
  return {
    readers: intFromEnv('BENCH_READERS', 100, 1, 2000),
    entries: intFromEnv('BENCH_ENTRIES', 300, 1, 10_000),
    concurrency: intFromEnv('BENCH_CONCURRENCY', 8, 1, 64),
    warmup: intFromEnv('BENCH_WARMUP', 20, 0, 1000),
    httpSeconds: intFromEnv('BENCH_HTTP_SECONDS', 5, 0, 60),
    httpConnections: intFromEnv('BENCH_HTTP_CONNECTIONS', 10, 1, 256),
    readerThreads: intFromEnv('BENCH_READER_THREADS', 1, 1, 16),
    durabilityEntries: ON_CLUSTER ? 0 : intFromEnv('BENCH_DURABILITY_ENTRIES', 200, 0, 5000),
    timeoutMs: intFromEnv('BENCH_TIMEOUT_MS', 300_000, 10_000, 3_600_000),
  };
}

// ---------- the server process ----------

function loopbackBase(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname !== LOOPBACK) throw new Error(`the server listens on ${url}; this benchmark only sends traffic to ${LOOPBACK}`);
  return `http://${LOOPBACK}:${parsed.port}`;
}

// ---------- phases ----------

interface DeliveryCheck {
  /** Entries × readers. */
  expected: number;
  received: number;
  missing: number;
  /** A change for the entry's seq carrying another entry's id. */
  wrongEntry: number;
}

interface PhaseResult {
  name: string;
  entries: number;
  concurrency: number;
  /** First request start to the last 201. */
  publishWallMs: number;
  throughputEntriesPerSec: number;
  /** First request start to the last reader receiving the last entry. */
  deliveredWallMs: number | null;
  deliveredThroughputEntriesPerSec: number | null;
  publishRoundTripMs: Summary | null;
  publishToReceiveMs: Summary | null;
  publishToAllReadersMs: Summary | null;
  fanoutSpreadMs: Summary | null;
  /** Share of entries (%) that reached their first reader before the publisher had its 201. */
  receivedBefore201Pct: number;
  delivery: DeliveryCheck;
  serverCpuMs: number | null;
  serverCpuMsPerEntry: number | null;
  serverRssKiBAfter: number | null;
  /** Event-loop delay of the publishing (main) thread during the phase. */
  publisherLoopDelayMs: LoopDelay;
  /** Event-loop delay of the worst reader thread during the phase. */
  readerLoopDelayMs: LoopDelay;
}

interface PhaseContext {
  clock: Clock;
  base: string;
  token: string;
  slug: string;
  pid: number;
  threads: ReaderThreads;
  loopDelay: ReturnType<typeof monitorEventLoopDelay>;
  /** Numbers entry bodies across phases. */
  counter: { next: number };
  /** The reader threads' delivery-guarantee counters, as of the last phase (they only grow). */
  guarantee: { beforeAck: number; duplicates: number; outOfOrder: number };
}

function loopDelayOf(histogram: ReturnType<typeof monitorEventLoopDelay>): LoopDelay {
  return {
    p50: round(histogram.percentile(50) / 1e6),
    p99: round(histogram.percentile(99) / 1e6),
    max: round(histogram.max / 1e6),
  };
}

/** Polls the reader threads until every reader has `seq`; false after `timeoutMs`. */
async function drain(context: PhaseContext, seq: number, timeoutMs: number): Promise<boolean> {
  const deadline = context.clock() + timeoutMs;
  for (;;) {
    if ((await context.threads.lowestHighest(THREAD_REQUEST_TIMEOUT_MS)) >= seq) return true;
    if (context.clock() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function runPhase(context: PhaseContext, name: string, count: number, concurrency: number): Promise<PhaseResult> {
  const { clock, base, token, slug, pid, threads, loopDelay } = context;
  const published: Published[] = [];
  let next = 0;
  let failed = false;
  await threads.phaseStart(THREAD_REQUEST_TIMEOUT_MS);
  const cpuBefore = procCpuMs(pid);
  loopDelay.reset();
  const phaseStart = clock();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && !failed) {
        next++;
        try {
          published.push(await publishOne(clock, base, token, slug, context.counter.next++));
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  const publishEnd = clock();
  const publisherLoopDelayMs = loopDelayOf(loopDelay);
  await drain(context, Math.max(...published.map((item) => item.seq)), DRAIN_TIMEOUT_MS);
  const cpuAfter = procCpuMs(pid);

  const expected: Expected[] = published.map((item) => ({ seq: item.seq, id: item.id }));
  const collected = await threads.collect(expected, THREAD_REQUEST_TIMEOUT_MS);
  context.guarantee = collected.problems;
  const roundTrips = published.map((item) => item.end - item.start);
  const receive: number[] = [];
  const allReaders: number[] = [];
  const spread: number[] = [];
  const delivery: DeliveryCheck = {
    expected: published.length * collected.times.length,
    received: 0,
    missing: 0,
    wrongEntry: collected.wrongEntry,
  };
  let lastArrival = Number.NEGATIVE_INFINITY;
  let before201 = 0;
  published.forEach((item, index) => {
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    let got = 0;
    for (const row of collected.times) {
      const at = row[index] ?? Number.NaN;
      if (Number.isNaN(at)) continue;
      got++;
      receive.push(at - item.start);
      if (at < first) first = at;
      if (at > last) last = at;
    }
    delivery.received += got;
    delivery.missing += collected.times.length - got;
    if (last > lastArrival) lastArrival = last;
    if (first < item.end) before201++;
    if (got === collected.times.length && got > 0) {
      allReaders.push(last - item.start);
      spread.push(last - first);
    }
  });
  const publishWallMs = publishEnd - phaseStart;
  const deliveredWallMs = delivery.missing === 0 ? lastArrival - phaseStart : null;
  const serverCpuMs = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  return {
    name,
    entries: count,
    concurrency,
    publishWallMs: round(publishWallMs),
    throughputEntriesPerSec: round(count / (publishWallMs / 1000), 1),
    deliveredWallMs: deliveredWallMs === null ? null : round(deliveredWallMs),
    deliveredThroughputEntriesPerSec: deliveredWallMs === null ? null : round(count / (deliveredWallMs / 1000), 1),
    publishRoundTripMs: summarize(roundTrips),
    publishToReceiveMs: summarize(receive),
    publishToAllReadersMs: summarize(allReaders),
    fanoutSpreadMs: summarize(spread),
    receivedBefore201Pct: round((100 * before201) / Math.max(1, published.length), 1),
    delivery,
    serverCpuMs: serverCpuMs === null ? null : round(serverCpuMs, 0),
    serverCpuMsPerEntry: serverCpuMs === null ? null : round(serverCpuMs / count),
    serverRssKiBAfter: procStatusKiB(pid, 'VmRSS'),
    publisherLoopDelayMs,
    readerLoopDelayMs: collected.loopDelayMs,
  };
}

// ---------- HTTP read ----------

interface HttpReadResult {
  path: string;
  connections: number;
  durationSec: number;
  requests: number;
  requestsPerSec: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number | null;
  /** From every response's own time, as reported by autocannon's `response` events. */
  latencyMs: Summary | null;
  /** autocannon's own (HDR histogram, 1 ms resolution) figures. */
  autocannonLatencyMs: { p50: number; p99: number; max: number; mean: number };
  serverCpuMs: number | null;
  serverRssKiBAfter: number | null;
}

async function runHttpRead(base: string, slug: string, pid: number, seconds: number, connections: number): Promise<HttpReadResult> {
  const pathname = `/api/v1/briefings/${slug}/entries`;
  const times: number[] = [];
  const cpuBefore = procCpuMs(pid);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: `${base}${pathname}`, connections, duration: seconds, timeout: 10 },
      (error: unknown, outcome: autocannon.Result) => {
        if (error) reject(error instanceof Error ? error : new Error(`autocannon failed: ${JSON.stringify(error)}`));
        else resolve(outcome);
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
    });
  });
  const cpuAfter = procCpuMs(pid);
  const answered = result['2xx'] + result.non2xx;
  return {
    path: '/api/v1/briefings/:slug/entries',
    connections,
    durationSec: round(result.duration, 2),
    requests: answered,
    requestsPerSec: round(answered / result.duration, 1),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerResponse: answered > 0 ? Math.round(result.throughput.total / answered) : null,
    latencyMs: summarize(times),
    autocannonLatencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: round(result.latency.mean),
    },
    serverCpuMs: cpuBefore !== null && cpuAfter !== null ? round(cpuAfter - cpuBefore, 0) : null,
    serverRssKiBAfter: procStatusKiB(pid, 'VmRSS'),
  };
}

// ---------- cleanup ----------

interface Resources {
  server: ServerProcess | null;
  prefix: string;
  threads: ReaderThreads | null;
}

async function withCeiling<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const ceiling = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work, ceiling]);
  } finally {
    clearTimeout(timer);
  }
}

async function countKeys(prefix: string): Promise<number | null> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    let count = 0;
    for (let pass = 0; pass < 100_000; pass++) {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = nextCursor;
      count += keys.length;
      if (cursor === '0') break;
    }
    return count;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/** Readers off, server stopped (SIGTERM, then SIGKILL), Redis keys deleted. */
async function cleanUp(resources: Resources): Promise<{ serverExitCode: number | null; redisKeysLeft: number | null }> {
  await withCeiling(resources.threads?.close(STOP_TIMEOUT_MS) ?? Promise.resolve(), 2 * STOP_TIMEOUT_MS, undefined);
  // null when it had to be killed
  const serverExitCode = (await resources.server?.stop(STOP_TIMEOUT_MS)) ?? null;
  // closeAll() also stops and removes the run's own cluster, keys and all.
  await withCeiling(closeAll(), STOP_TIMEOUT_MS, undefined);
  if (ON_CLUSTER) return { serverExitCode, redisKeysLeft: 0 };
  await withCeiling(deletePrefix(REDIS_URL, resources.prefix), STOP_TIMEOUT_MS, undefined);
  const redisKeysLeft = await withCeiling(countKeys(resources.prefix), STOP_TIMEOUT_MS, null);
  return { serverExitCode, redisKeysLeft };
}

// ---------- report ----------

interface Results {
  startedAt: string;
  durationMs: number;
  ok: boolean;
  problems: string[];
  config: BenchConfig;
  environment: {
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string | null;
    commit: string | null;
    serverUrl: string;
  };
  setup: { connectMs: Summary | null; subscribeAckMs: Summary | null };
  phases: PhaseResult[];
  httpRead: HttpReadResult | null;
  /** The persistence settings of the Redis at REDIS_URL (null where CONFIG is not allowed). */
  mainRedis: DurabilityResult['redisConfig'];
  durability: DurabilityResult[] | null;
  server: {
    pid: number;
    rssKiB: Record<string, number | null>;
    peakRssKiB: number | null;
    exitCode: number | null;
  };
  readerChecks: { beforeAck: number; duplicates: number; outOfOrder: number };
  redisKeysLeft: number | null;
}

function mib(kib: number | null): string {
  return kib === null ? '-' : `${(kib / 1024).toFixed(1)} MiB`;
}

function printReport(results: Results): void {
  const { config } = results;
  const lines: string[] = [];
  lines.push(
    `livebrief benchmark: ${config.readers} readers (${config.readerThreads} reader thread(s)), ${config.entries} entries per phase, ${config.concurrency} concurrent publishers in phase 2`,
    `node ${results.environment.node}, ${results.environment.cpus} CPU(s) ${results.environment.cpuModel ?? ''}, commit ${results.environment.commit ?? '?'}, server ${results.environment.serverUrl} (pid ${results.server.pid})`,
    '',
  );
  const rows: Row[] = [
    { label: 'setup: connect (per reader)', unit: 'ms', summary: results.setup.connectMs },
    { label: 'setup: subscribe ack (per reader)', unit: 'ms', summary: results.setup.subscribeAckMs },
  ];
  for (const phase of results.phases) {
    const tag = `${phase.name} (c=${phase.concurrency})`;
    rows.push(
      { label: `${tag}: publish round trip`, unit: 'ms', summary: phase.publishRoundTripMs },
      { label: `${tag}: publish -> receive`, unit: 'ms', summary: phase.publishToReceiveMs },
      { label: `${tag}: publish -> all readers`, unit: 'ms', summary: phase.publishToAllReadersMs },
      { label: `${tag}: fan-out spread`, unit: 'ms', summary: phase.fanoutSpreadMs },
    );
  }
  if (results.httpRead)
    rows.push({ label: `http read: GET entries (c=${results.httpRead.connections})`, unit: 'ms', summary: results.httpRead.latencyMs });
  lines.push(formatTable('Latencies', rows), '');

  lines.push(
    formatGrid(
      'Throughput',
      [
        'phase',
        'entries',
        'wall ms',
        'entries/s',
        'delivered ms',
        'delivered/s',
        'seen before 201',
        'server CPU ms',
        'CPU ms/entry',
        'publisher loop p99/max',
        'reader loop p99/max',
      ],
      results.phases.map((phase) => [
        `${phase.name} (c=${phase.concurrency})`,
        String(phase.entries),
        formatNumber(phase.publishWallMs),
        formatNumber(phase.throughputEntriesPerSec),
        phase.deliveredWallMs === null ? '-' : formatNumber(phase.deliveredWallMs),
        phase.deliveredThroughputEntriesPerSec === null ? '-' : formatNumber(phase.deliveredThroughputEntriesPerSec),
        `${phase.receivedBefore201Pct.toFixed(1)}%`,
        phase.serverCpuMs === null ? '-' : formatNumber(phase.serverCpuMs, true),
        phase.serverCpuMsPerEntry === null ? '-' : formatNumber(phase.serverCpuMsPerEntry),
        `${formatNumber(phase.publisherLoopDelayMs.p99)} / ${formatNumber(phase.publisherLoopDelayMs.max)} ms`,
        `${formatNumber(phase.readerLoopDelayMs.p99)} / ${formatNumber(phase.readerLoopDelayMs.max)} ms`,
      ]),
    ),
    '',
  );

  const http = results.httpRead;
  if (http) {
    lines.push(
      formatGrid(
        'HTTP read (autocannon)',
        [
          'request',
          'conns',
          'seconds',
          'requests',
          'req/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'bytes/resp',
          'non-2xx',
          'errors',
          'server CPU ms',
        ],
        [
          [
            `GET ${http.path}`,
            String(http.connections),
            formatNumber(http.durationSec),
            String(http.requests),
            formatNumber(http.requestsPerSec),
            String(http.autocannonLatencyMs.p50),
            String(http.autocannonLatencyMs.p99),
            String(http.autocannonLatencyMs.max),
            http.bytesPerResponse === null ? '-' : String(http.bytesPerResponse),
            String(http.non2xx),
            String(http.errors),
            http.serverCpuMs === null ? '-' : formatNumber(http.serverCpuMs, true),
          ],
        ],
      ),
      '',
    );
  }

  if (results.durability) {
    const mainPersistence = `appendonly ${results.mainRedis.appendonly ?? '?'}, appendfsync ${results.mainRedis.appendfsync ?? '?'}`;
    const cells = (summary: Summary | null): string[] => [
      summary ? formatNumber(summary.p50) : '-',
      summary ? formatNumber(summary.p99) : '-',
    ];
    const sequential = results.phases.find((phase) => phase.name === 'sequential');
    const concurrent = results.phases.find((phase) => phase.name === 'concurrent');
    lines.push(
      formatGrid(
        'Publish round trip (request to 201) by Redis durability, ms',
        ['redis', 'readers', 'c=1 p50', 'c=1 p99', `c=${config.concurrency} p50`, `c=${config.concurrency} p99`],
        [
          [
            `${ON_CLUSTER ? 'own Redis Cluster' : 'REDIS_URL'} (${mainPersistence}); main run, for reference`,
            String(config.readers),
            ...cells(sequential?.publishRoundTripMs ?? null),
            ...cells(concurrent?.publishRoundTripMs ?? null),
          ],
          ...results.durability.map((run) => [
            `own redis-server: ${run.name}${run.redisConfig.appendfsync === null ? ' (setting unconfirmed)' : ''}`,
            '0',
            ...cells(run.sequentialRoundTripMs),
            ...cells(run.concurrentRoundTripMs),
          ]),
        ],
      ),
      '',
    );
  }

  lines.push(
    formatGrid(
      'Server memory (VmRSS)',
      ['when', 'RSS'],
      [...Object.entries(results.server.rssKiB).map(([when, kib]) => [when, mib(kib)]), ['peak (VmHWM)', mib(results.server.peakRssKiB)]],
    ),
    '',
  );

  const totals = results.phases.reduce(
    (sum, phase) => ({
      expected: sum.expected + phase.delivery.expected,
      missing: sum.missing + phase.delivery.missing,
      wrongEntry: sum.wrongEntry + phase.delivery.wrongEntry,
    }),
    { expected: 0, missing: 0, wrongEntry: 0 },
  );
  lines.push(
    `Delivery checks: ${totals.expected} deliveries expected, ${totals.missing} missing, ${totals.wrongEntry} wrong entry, ` +
      `${results.readerChecks.duplicates} duplicates, ${results.readerChecks.outOfOrder} out of order, ${results.readerChecks.beforeAck} before the ack`,
    `Cleanup: server exit code ${String(results.server.exitCode)}, Redis keys left under the prefix: ${String(results.redisKeysLeft)}`,
    `Total ${(results.durationMs / 1000).toFixed(1)} s. Results written to ${path.relative(ROOT, RESULTS_FILE)}`,
    results.ok ? 'OK' : `FAILED:\n  - ${results.problems.join('\n  - ')}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

function writeResults(results: Results): void {
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
}

// ---------- main ----------

async function main(): Promise<number> {
  const config = readConfig();
  const startedAt = new Date();
  const clockBaseNs = process.hrtime.bigint();
  const clock = makeClock(clockBaseNs);
  const resources: Resources = {
    server: null,
    prefix: `lbbench:${randomBytes(6).toString('hex')}:`,
    threads: null,
  };

  let timedOut = false;
  const watchdog = setTimeout(() => {
    timedOut = true;
    process.stderr.write(`bench: no result within BENCH_TIMEOUT_MS=${config.timeoutMs}; stopping\n`);
    // Last resort if cleanup itself hangs.
    setTimeout(() => process.exit(1), 4 * STOP_TIMEOUT_MS).unref();
    void cleanUp(resources).finally(() => process.exit(1));
  }, config.timeoutMs);
  watchdog.unref();
  const onSignal = (): void => {
    process.stderr.write('bench: interrupted; cleaning up\n');
    setTimeout(() => process.exit(130), 4 * STOP_TIMEOUT_MS).unref();
    void cleanUp(resources).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const token = `bench-admin-${randomBytes(16).toString('hex')}`;
  const slug = `bench-${randomBytes(4).toString('hex')}`;
  const rssKiB: Record<string, number | null> = {};
  const phases: PhaseResult[] = [];
  const problems: string[] = [];
  let setup: Results['setup'] = { connectMs: null, subscribeAckMs: null };
  let guarantee = { beforeAck: 0, duplicates: 0, outOfOrder: 0 };
  let httpRead: HttpReadResult | null = null;
  let durability: DurabilityResult[] | null = null;
  let redisEnv: Record<string, string> = { REDIS_URL };
  if (ON_CLUSTER) {
    process.stdout.write('bench: starting a Redis Cluster of three primaries\n');
    const cluster = await startRedisCluster().catch(async (error: unknown) => {
      await closeAll();
      throw error;
    });
    redisEnv = { REDIS_CLUSTER_NODES: cluster.seeds };
  }
  const mainRedis = await redisConfig(ON_CLUSTER ? `redis://${redisEnv.REDIS_CLUSTER_NODES?.split(',')[0] ?? ''}` : REDIS_URL);
  let serverUrl = '';
  let pid = 0;
  let peakRssKiB: number | null = null;

  try {
    process.stdout.write(`bench: starting the server (prefix ${resources.prefix})\n`);
    const server = await spawnServer({
      PORT: '0',
      HOST: LOOPBACK,
      ...redisEnv,
      REDIS_PREFIX: resources.prefix,
      LIVEBRIEF_ADMIN_TOKEN: token,
      // Every simulated reader comes from 127.0.0.1: the per-address cap must not refuse them.
      LIVEBRIEF_CONNECTIONS_PER_ADDRESS: String(config.readers + 10),
      // Not "warn": the "listening on" line is logged at info level, and the server logs
      // nothing per request at info, so this is as quiet.
      LOG_LEVEL: 'info',
    });
    resources.server = server;
    serverUrl = loopbackBase(server.url);
    pid = server.child.pid ?? 0;
    if (!pid) throw new Error('the server process has no pid');
    rssKiB['after start'] = procStatusKiB(pid, 'VmRSS');

    const api = new ApiClient(serverUrl, token);
    const created = await api.post('/api/v1/briefings', { slug, title: 'Benchmark briefing', summary: 'Created by bench/run.ts' });
    if (created.status !== 201) throw new Error(`creating the briefing answered ${created.status}: ${JSON.stringify(created.body)}`);

    process.stdout.write(`bench: connecting ${config.readers} readers in ${config.readerThreads} reader thread(s)\n`);
    const threads = new ReaderThreads(config.readerThreads, {
      baseNs: String(clockBaseNs),
      url: serverUrl,
      slug,
      readers: config.readers,
      batch: CONNECT_BATCH,
      timeoutMs: READER_TIMEOUT_MS,
    });
    resources.threads = threads;
    const opened = await threads.open(READER_TIMEOUT_MS * Math.ceil(config.readers / CONNECT_BATCH) + THREAD_REQUEST_TIMEOUT_MS);
    setup = { connectMs: summarize(opened.connectMs), subscribeAckMs: summarize(opened.subscribeMs) };
    rssKiB['readers subscribed'] = procStatusKiB(pid, 'VmRSS');

    const context: PhaseContext = {
      clock,
      base: serverUrl,
      token,
      slug,
      pid,
      threads,
      loopDelay,
      counter: { next: 1 },
      guarantee,
    };
    if (config.warmup > 0) {
      process.stdout.write(`bench: warm-up, ${config.warmup} entries\n`);
      const warm = await runPhase(context, 'warm-up', config.warmup, 1);
      if (warm.delivery.missing > 0) problems.push(`warm-up: ${warm.delivery.missing} deliveries missing`);
    }
    process.stdout.write(`bench: phase 1, ${config.entries} entries one after another\n`);
    phases.push(await runPhase(context, 'sequential', config.entries, 1));
    rssKiB['after sequential'] = procStatusKiB(pid, 'VmRSS');
    process.stdout.write(`bench: phase 2, ${config.entries} entries by ${config.concurrency} publishers\n`);
    phases.push(await runPhase(context, 'concurrent', config.entries, config.concurrency));
    rssKiB['after concurrent'] = procStatusKiB(pid, 'VmRSS');
    guarantee = context.guarantee;

    if (config.httpSeconds > 0) {
      process.stdout.write(`bench: HTTP read, ${config.httpSeconds} s with ${config.httpConnections} connections\n`);
      httpRead = await runHttpRead(serverUrl, slug, pid, config.httpSeconds, config.httpConnections);
      rssKiB['after HTTP read'] = procStatusKiB(pid, 'VmRSS');
      if (httpRead.non2xx > 0 || httpRead.errors > 0) {
        problems.push(`HTTP read: ${httpRead.non2xx} non-2xx answers, ${httpRead.errors} errors`);
      }
    }
    peakRssKiB = procStatusKiB(pid, 'VmHWM');

    if (config.durabilityEntries > 0) {
      process.stdout.write(
        `bench: durability, ${config.durabilityEntries} + ${config.durabilityEntries} entries on own redis-servers (appendfsync everysec, always)\n`,
      );
      durability = await runDurability(clock, {
        entries: config.durabilityEntries,
        concurrency: config.concurrency,
        token,
        host: LOOPBACK,
      });
      for (const run of durability) {
        if (run.duplicateSeqs > 0) problems.push(`durability ${run.name}: ${run.duplicateSeqs} seqs acknowledged twice`);
        if (run.redisConfig.appendfsync !== null && run.redisConfig.appendfsync !== run.appendfsync) {
          problems.push(`durability ${run.name}: the redis-server runs with appendfsync ${run.redisConfig.appendfsync}`);
        }
      }
    }
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
    const output = resources.server?.output() ?? '';
    if (output) process.stderr.write(`--- server output (last 4000 characters) ---\n${output.slice(-4000)}\n`);
  }

  for (const phase of phases) {
    if (phase.delivery.missing > 0)
      problems.push(`${phase.name}: ${phase.delivery.missing} of ${phase.delivery.expected} deliveries missing`);
    if (phase.delivery.wrongEntry > 0)
      problems.push(`${phase.name}: ${phase.delivery.wrongEntry} changes carried another entry than the seq's`);
  }
  if (guarantee.beforeAck + guarantee.duplicates + guarantee.outOfOrder > 0) {
    problems.push(`delivery guarantee broken: ${JSON.stringify(guarantee)}`);
  }

  if (timedOut) return 1;
  process.stdout.write('bench: cleaning up\n');
  const cleanup = await cleanUp(resources);
  clearTimeout(watchdog);
  loopDelay.disable();
  if (cleanup.serverExitCode !== 0 && resources.server)
    problems.push(`the server exited with ${String(cleanup.serverExitCode)} after SIGTERM, not 0`);
  if (cleanup.redisKeysLeft !== 0) problems.push(`Redis keys left under ${resources.prefix}: ${String(cleanup.redisKeysLeft)}`);

  const results: Results = {
    startedAt: startedAt.toISOString(),
    durationMs: round(clock(), 0),
    ok: problems.length === 0,
    problems,
    config,
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? null,
      commit: gitCommit(),
      serverUrl,
    },
    setup,
    phases,
    httpRead,
    mainRedis,
    durability,
    server: { pid, rssKiB, peakRssKiB, exitCode: cleanup.serverExitCode },
    readerChecks: guarantee,
    redisKeysLeft: cleanup.redisKeysLeft,
  };
  writeResults(results);
  printReport(results);
  return results.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

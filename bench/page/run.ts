/**
 * Reader page benchmark: `GET /b/:slug` of a briefing with 500 entries, livebrief against a
 * bare Express route that sends the very same bytes, in the same run with the same load.
 *
 *   node --import tsx bench/page/run.ts        (after `npm run build`; npm run bench builds)
 *
 * It starts the built server (`node dist/server/main.js`, port 0, a unique REDIS_PREFIX) on
 * the Redis at 127.0.0.1:6379, publishes the entries over the API (demo text, with photos,
 * links, key events and a pinned entry), and takes the page once, as it is sent without
 * compression. A bare Express 5 app in another process (bare-server.ts) then serves those
 * bytes with the same headers and the same compression middleware; before any load, both
 * must answer with the same body and the same ETag. autocannon (in this process, the servers
 * in theirs) loads each in turn, the order alternating between runs, after one unmeasured
 * load of each kind against each:
 *
 *   - plain: `GET` as a first visit makes it;
 *   - etag: `GET` with the page's ETag in `If-None-Match`, as a browser revalidates (304);
 *   - compressed: `GET` with a browser's Accept-Encoding (beyond the acceptance: a browser's
 *     first visit; the bare route compresses each response with the compression middleware).
 *
 * Figures: requests/s (responses over the load's duration) and each response's latency
 * (p50/p99/max); the ratio is livebrief's requests/s over the bare route's. The median of
 * the runs goes to bench/results/reader-page.json, reader-page-etag.json and
 * reader-page-compressed.json. A run fails on
 * any error, timeout or unexpected status. Redis keys and child processes are removed at the
 * end, also on failure or when the whole run's ceiling is reached.
 *
 * Environment overrides (integers): PAGE_ENTRIES (default 500), PAGE_CONNECTIONS (10),
 * PAGE_SECONDS per load (5), PAGE_RUNS (3), PAGE_WARMUP_SECONDS per unmeasured load first (1),
 * PAGE_TIMEOUT_MS ceiling on everything (300000).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { ApiClient, deletePrefix, DEFAULT_REDIS, onClose, spawnServer, uniquePrefix, waitFor } from '../../tests/support/harness';
import { withCeiling } from '../ceiling';
import { intFromEnv } from '../env';
import { median, resultOf, runOf, writeResult, type Run, type ScenarioResult } from '../suite/results';
import { formatGrid, formatNumber, round, summarize, type Summary } from '../stats';
import { seedBriefing } from './briefing';
import type { CapturedPage } from './bare-server';

const SLUG = 'reader-page-bench';
const COMMAND = 'node --import tsx bench/page/run.ts';
const FLOOR_NAME = 'bare Express route, same bytes';
/** One request of the checks before the load gives up after this long. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Headers of livebrief's answer the bare route does not copy: per response, or made by Express / compression itself. */
const PER_RESPONSE_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'etag', 'vary']);

export interface ReaderPageOptions {
  entries: number;
  connections: number;
  seconds: number;
  runs: number;
  /** Of each unmeasured warm-up load, one per target and kind of request. */
  warmupSeconds: number;
  timeoutMs: number;
}

export function optionsFromEnv(): ReaderPageOptions {
  return {
    entries: intFromEnv('PAGE_ENTRIES', 500, 1, 5000),
    connections: intFromEnv('PAGE_CONNECTIONS', 10, 1, 256),
    seconds: intFromEnv('PAGE_SECONDS', 5, 1, 60),
    runs: intFromEnv('PAGE_RUNS', 3, 1, 10),
    warmupSeconds: intFromEnv('PAGE_WARMUP_SECONDS', 1, 1, 10),
    timeoutMs: intFromEnv('PAGE_TIMEOUT_MS', 300_000, 10_000, 3_600_000),
  };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One GET with exactly these request headers (fetch would add Accept-Encoding and decompress). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
        resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Starts bare-server.ts on `page`; resolves with its base URL. */
async function startBareServer(page: CapturedPage): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'livebrief-bare-page-'));
  onClose(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'page.json');
  writeFileSync(file, JSON.stringify(page));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bare-server.ts'), file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  onClose(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`server exited early: bare server:\n${output}`);
      return /listening on (http:\/\/\S+)/.exec(output)?.[1];
    },
    15_000,
    'the bare server to listen',
  );
}

interface Load {
  requestsPerSec: number;
  latencyMs: Summary | null;
  requests: number;
}

/** autocannon against `url` for `seconds`; every answer must have `status`. */
async function load(url: string, headers: Record<string, string>, status: 200 | 304, options: ReaderPageOptions): Promise<Load> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, headers, connections: options.connections, duration: options.seconds, timeout: 10 },
      (error: unknown, outcome: autocannon.Result) => {
        if (error) reject(error instanceof Error ? error : new Error(`autocannon failed: ${JSON.stringify(error)}`));
        else resolve(outcome);
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  const answered = result['2xx'] + result.non2xx;
  const wanted = status === 200 ? result['2xx'] : result['3xx'];
  if (result.errors > 0 || result.timeouts > 0 || wanted !== answered || answered === 0) {
    throw new Error(
      `${url}: ${answered} answers, ${wanted} of them ${status}, ${result.errors} errors, ${result.timeouts} timeouts (${JSON.stringify(result.statusCodeStats)})`,
    );
  }
  return { requestsPerSec: round(answered / result.duration, 1), latencyMs: summarize(times), requests: answered };
}

interface Measured {
  livebrief: Load;
  floor: Load;
}

/** What a browser on a first visit says it takes (Chromium's Accept-Encoding). */
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd';

interface Variant {
  scenario: string;
  title: string;
  status: 200 | 304;
  /** The request headers for a target, just before its load. */
  headers: (pageUrl: string) => Promise<Record<string, string>>;
}

const VARIANTS: Variant[] = [
  { scenario: 'reader-page', title: 'Reader page, 500 entries (GET /b/:slug)', status: 200, headers: () => Promise.resolve({}) },
  {
    scenario: 'reader-page-etag',
    title: 'Reader page, 500 entries, revalidated (If-None-Match, 304)',
    status: 304,
    // Taken afresh: livebrief's page may have changed since (relative times).
    headers: async (pageUrl) => ({ 'if-none-match': (await rawGet(pageUrl)).headers.etag ?? '' }),
  },
  {
    scenario: 'reader-page-compressed',
    title: `Reader page, 500 entries, compressed (Accept-Encoding: ${BROWSER_ENCODINGS})`,
    status: 200,
    headers: () => Promise.resolve({ 'accept-encoding': BROWSER_ENCODINGS }),
  },
];

export type ReaderPageResults = ScenarioResult[];

async function measure(options: ReaderPageOptions): Promise<ReaderPageResults> {
  const prefix = uniquePrefix();
  onClose(() => deletePrefix(DEFAULT_REDIS, prefix));
  const token = randomBytes(16).toString('hex');
  const server = await spawnServer({ REDIS_PREFIX: prefix, LIVEBRIEF_ADMIN_TOKEN: token, LOG_LEVEL: 'warn' });
  await seedBriefing(new ApiClient(server.url, token), SLUG, options.entries);

  const pagePath = `/b/${SLUG}`;
  const page = await rawGet(`${server.url}${pagePath}`);
  if (page.status !== 200) throw new Error(`GET ${pagePath} answered ${page.status}`);
  const copied = Object.fromEntries(Object.entries(page.headers).filter(([name]) => !PER_RESPONSE_HEADERS.has(name)));
  const compress = (page.headers.vary ?? '').toLowerCase().includes('accept-encoding');
  const bareUrl = await startBareServer({ path: pagePath, body: page.body.toString('base64'), headers: copied, compress });

  // The floor must send what livebrief sends: the same bytes, so the same ETag, and a 304 to it.
  const bare = await rawGet(`${bareUrl}${pagePath}`);
  const again = await rawGet(`${server.url}${pagePath}`);
  if (!bare.body.equals(page.body) || bare.headers.etag !== page.headers.etag) {
    throw new Error(`the bare route does not send livebrief's page: ETag ${bare.headers.etag} against ${page.headers.etag}`);
  }
  const [compressed, bareCompressed] = await Promise.all(
    [server.url, bareUrl].map((base) => rawGet(`${base}${pagePath}`, { 'accept-encoding': BROWSER_ENCODINGS })),
  );
  const pageFacts = {
    entries: options.entries,
    bytes: page.body.length,
    compressed: {
      livebrief: { encoding: compressed?.headers['content-encoding'] ?? null, bytes: compressed?.body.length ?? null },
      floor: { encoding: bareCompressed?.headers['content-encoding'] ?? null, bytes: bareCompressed?.body.length ?? null },
      sameBytes: compressed !== undefined && bareCompressed !== undefined && compressed.body.equals(bareCompressed.body),
    },
    etag: page.headers.etag ?? null,
    livebriefHeaders: page.headers,
    bareHeaders: bare.headers,
    // The page tells times as "3 minutes ago": as minutes pass, its bytes (and so its ETag) may change.
    unchangedBetweenTwoGets: again.body.equals(page.body),
  };

  // Unmeasured first: whoever went first would otherwise pay for warming up autocannon and the JIT of both processes.
  for (const base of [server.url, bareUrl]) {
    for (const variant of VARIANTS) {
      const pageUrl = `${base}${pagePath}`;
      await load(pageUrl, await variant.headers(pageUrl), variant.status, { ...options, seconds: options.warmupSeconds });
    }
  }
  const measured = VARIANTS.map((): Measured[] => []);
  for (let run = 0; run < options.runs; run++) {
    const order = run % 2 === 0 ? (['livebrief', 'floor'] as const) : (['floor', 'livebrief'] as const);
    const runs = VARIANTS.map((): Partial<Measured> => ({}));
    for (const target of order) {
      const pageUrl = `${target === 'livebrief' ? server.url : bareUrl}${pagePath}`;
      for (const [index, variant] of VARIANTS.entries()) {
        (runs[index] as Partial<Measured>)[target] = await load(pageUrl, await variant.headers(pageUrl), variant.status, options);
      }
    }
    runs.forEach((one, index) => measured[index]?.push(one as Measured));
  }

  return VARIANTS.map((variant, index) => {
    const runs = measured[index] ?? [];
    return resultOf(
      {
        scenario: variant.scenario,
        title: variant.title,
        command: COMMAND,
        metric: 'requests/s',
        better: 'higher',
        floorName: FLOOR_NAME,
        details: {
          connections: options.connections,
          secondsPerLoad: options.seconds,
          page: pageFacts,
          latencyMs: runs.map((run) => ({ livebrief: run.livebrief.latencyMs, floor: run.floor.latencyMs })),
          latencyP99Ms: {
            livebrief: medianOf(runs, (run) => run.livebrief.latencyMs?.p99),
            floor: medianOf(runs, (run) => run.floor.latencyMs?.p99),
          },
          requests: runs.map((run) => ({ livebrief: run.livebrief.requests, floor: run.floor.requests })),
          acceptance: 'livebrief at least 0.7x the bare route',
        },
      },
      runs.map((run): Run => runOf(run.livebrief.requestsPerSec, run.floor.requestsPerSec)),
    );
  });
}

function medianOf(runs: Measured[], pick: (run: Measured) => number | undefined): number | null {
  return median(runs.map((run) => pick(run) ?? Number.NaN));
}

/** Runs the scenario and writes its result files; everything started is stopped, also on failure or at the ceiling. */
export async function runReaderPage(options: ReaderPageOptions = optionsFromEnv()): Promise<ReaderPageResults> {
  const results = await withCeiling('reader page benchmark', options.timeoutMs, () => measure(options));
  for (const result of results) writeResult(result);
  return results;
}

function printResults(results: ReaderPageResults): void {
  const rows = results.flatMap((result) =>
    result.runs.map((run, index) => [
      result.scenario,
      String(index + 1),
      formatNumber(run.livebrief ?? NaN),
      formatNumber(run.floor ?? NaN),
      formatNumber(run.ratio ?? NaN),
    ]),
  );
  process.stdout.write(`${formatGrid('Reader page: requests/s', ['scenario', 'run', 'livebrief', 'bare', 'ratio'], rows, 2)}\n`);
  for (const result of results) {
    process.stdout.write(
      `${result.scenario}: median ${result.livebrief} vs ${result.floor} req/s, ratio ${result.ratio}; p99 ${JSON.stringify(result.details.latencyP99Ms)} ms\n`,
    );
  }
}

if (require.main === module) {
  runReaderPage()
    .then((results) => {
      printResults(results);
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`reader page benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}

/**
 * The benchmark suite: every scenario against livebrief and against a bare Socket.IO server
 * (floor-server.ts) in the same run, with the same clients (reader processes speaking
 * Engine.IO over a WebSocket, reader-process.ts). `npm run bench` runs them all; `npm run bench --
 * fanout idle-memory` runs the groups named; `npm run bench -- table` only rebuilds the table.
 * The groups reader-page (bench/page: autocannon against a bare Express route), keystroke
 * (bench/keystroke: two headless Chromiums) and start (bench/start) bring their own clients.
 *
 * Each scenario writes bench/results/<scenario>.json (the shared format, results.ts); the
 * suite then writes bench/results/table.md from every result file there, including those of
 * other benchmarks. livebrief runs as `node dist/server/main.js` (built first by npm) on a
 * redis-server of the suite's own (a free loopback port, no persistence, removed at the
 * end), so that nothing else's traffic mixes into its figures or its command counts. The two
 * servers run one after the other, never at once. All traffic is on 127.0.0.1; servers,
 * reader processes and Redis keys are cleaned up on success, failure, timeout and Ctrl+C.
 *
 * Environment overrides (whole numbers, bounded; see config.ts): BENCH_RUNS (fan-out runs,
 * 3), BENCH_OTHER_RUNS (3), BENCH_READERS_LIST (1000,5000,10000), BENCH_ENTRIES (50),
 * BENCH_RATE (5/s), BENCH_WARMUP (5), BENCH_BODY_CHARS (500), BENCH_READER_PROCESSES (one per core),
 * BENCH_CONNECT_BATCH (50), BENCH_IDLE_READERS (5000), BENCH_JOIN_READERS (2000),
 * BENCH_JOIN_ENTRIES (500), BENCH_JOIN_SPREAD_MS (5000), BENCH_RESUME_READERS (2000),
 * BENCH_RESUME_ENTRIES (20), BENCH_RESUME_DROP_MS (2000), BENCH_PUBLISH_RUNS (1),
 * BENCH_PUBLISH_RATE (100/s), BENCH_PUBLISH_SECONDS (10), BENCH_PUBLISH_READERS (5000),
 * BENCH_PUBLISH_DRAIN_MS (60000), BENCH_DRAIN_TIMEOUT_MS (60000), BENCH_REQUEST_TIMEOUT_MS
 * (120000), BENCH_TIMEOUT_MS (1 h).
 *
 * The machine's other load counts: the reader processes share its cores with the server
 * they measure, the same for both servers. Exit code 0 when every scenario ran and every
 * delivery check passed.
 */
import { closeAll, startRedis } from '../../tests/support/harness';
import { runKeystroke } from '../keystroke/run';
import { runReaderPage } from '../page/run';
import { runStart } from '../start/run';
import { makeClock } from '../clock';
import { readSuiteConfig, type Scenario, type Suite } from './config';
import { fanout } from './fanout';
import { idleMemory } from './idle-memory';
import { joinStorm } from './join-storm';
import { publishRate } from './publish-rate';
import { resumeStorm } from './resume-storm';
import { ReaderPool } from './reader-pool';
import { RESULTS_DIR, writeTable } from './results';

// Benchmarks with a floor or a target of their own and clients of their own (autocannon, Chromium, a stopwatch).
const readerPage: Scenario = { group: 'reader-page', run: () => runReaderPage() };
const keystroke: Scenario = { group: 'keystroke', run: async () => [(await runKeystroke()).result] };
const start: Scenario = { group: 'start', run: async () => [await runStart()] };

export const SCENARIOS: readonly Scenario[] = [fanout, publishRate, idleMemory, joinStorm, resumeStorm, readerPage, keystroke, start];

function selected(args: readonly string[]): Scenario[] {
  if (args.length === 0) return [...SCENARIOS];
  return args.map((name) => {
    const scenario = SCENARIOS.find((candidate) => candidate.group === name);
    if (!scenario) throw new Error(`no scenario group "${name}"; the groups are ${SCENARIOS.map((item) => item.group).join(', ')}, table`);
    return scenario;
  });
}

export interface SuiteOptions {
  resultsDir?: string;
  log?: (line: string) => void;
}

/** Runs the scenarios with a Redis and reader processes of their own; resolves with the problems found. */
export async function runSuite(scenarios: readonly Scenario[], options: SuiteOptions = {}): Promise<string[]> {
  const config = readSuiteConfig();
  const clockBaseNs = process.hrtime.bigint();
  const redis = await startRedis({ appendOnly: false });
  const pool = new ReaderPool(config.readerProcesses, clockBaseNs);
  const suite: Suite = {
    config,
    context: { clock: makeClock(clockBaseNs), redisUrl: redis.url, bodyChars: config.bodyChars, requestTimeoutMs: config.requestTimeoutMs },
    pool,
    resultsDir: options.resultsDir ?? RESULTS_DIR,
    problems: [],
    log: options.log ?? ((line) => process.stdout.write(`bench: ${line}\n`)),
  };
  try {
    for (const scenario of scenarios) {
      try {
        await scenario.run(suite);
      } catch (error) {
        // fetch says only "fetch failed"; the reason is its cause.
        const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
        suite.problems.push(`${scenario.group}: ${error instanceof Error ? error.message : String(error)}${cause}`);
        suite.log(`${scenario.group} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  } finally {
    await pool.stop();
    await closeAll();
  }
  return suite.problems;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length === 1 && args[0] === 'table') {
    process.stdout.write(`bench: wrote ${writeTable()}\n`);
    return 0;
  }
  const scenarios = selected(args);
  const { timeoutMs } = readSuiteConfig();
  const bail = (why: string, code: number): void => {
    process.stderr.write(`bench: ${why}; cleaning up\n`);
    // Last resort if cleanup itself hangs.
    setTimeout(() => process.exit(code), 20_000).unref();
    void closeAll().finally(() => process.exit(code));
  };
  const watchdog = setTimeout(() => bail(`no result within BENCH_TIMEOUT_MS=${timeoutMs}`, 1), timeoutMs);
  watchdog.unref();
  process.once('SIGINT', () => bail('interrupted', 130));
  process.once('SIGTERM', () => bail('terminated', 143));
  // A slip of the suite's own must still stop the servers and Redis it started.
  process.once('unhandledRejection', (error) =>
    bail(`unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 1),
  );
  const problems = await runSuite(scenarios);
  clearTimeout(watchdog);
  process.stdout.write(`bench: wrote ${writeTable()}\n`);
  if (problems.length > 0) {
    process.stdout.write(`FAILED:\n  - ${problems.join('\n  - ')}\n`);
    return 1;
  }
  process.stdout.write('OK\n');
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

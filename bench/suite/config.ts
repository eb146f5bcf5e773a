/** The suite's settings (environment overrides, bounded) and what every scenario is handed. */
import { availableParallelism } from 'node:os';
import { intFromEnv, intListFromEnv } from '../env';
import type { ReaderPool } from './reader-pool';
import type { ScenarioResult } from './results';
import type { SuiteContext } from './targets';

export interface SuiteConfig {
  /** Runs of each fan-out size (each: livebrief, then the floor). */
  runs: number;
  /** Runs of each other scenario. */
  otherRuns: number;
  readersList: number[];
  /** Measured entries per fan-out run, and their rate. */
  entries: number;
  ratePerSecond: number;
  /** Unmeasured entries first (same rate), so both servers start warm. */
  warmup: number;
  bodyChars: number;
  readerProcesses: number;
  /** Connections each reader process has in flight at once while opening. */
  connectBatch: number;
  /** Connect + subscribe ceiling per reader. */
  readerTimeoutMs: number;
  /** After the last publish, how long readers may take to receive everything. */
  drainTimeoutMs: number;
  /** Each publish request gives up after this long. */
  requestTimeoutMs: number;
  idleReaders: number;
  /** How long idle readers are left before the server's RSS is read. */
  idleSettleMs: number;
  joinReaders: number;
  joinEntries: number;
  joinSpreadMs: number;
  resumeReaders: number;
  resumeEntries: number;
  resumeDropMs: number;
  /** Runs of the publish-rate scenario (the longest). */
  publishRuns: number;
  publishRate: number;
  publishSeconds: number;
  publishReaders: number;
  /** How long the publish-rate readers may take to catch up after the last publish. */
  publishDrainMs: number;
  timeoutMs: number;
}

export function readSuiteConfig(): SuiteConfig {
  return {
    runs: intFromEnv('BENCH_RUNS', 3, 1, 10),
    otherRuns: intFromEnv('BENCH_OTHER_RUNS', 3, 1, 10),
    readersList: intListFromEnv('BENCH_READERS_LIST', [1000, 5000, 10_000], 1, 10_000),
    entries: intFromEnv('BENCH_ENTRIES', 50, 1, 1000),
    ratePerSecond: intFromEnv('BENCH_RATE', 5, 1, 200),
    warmup: intFromEnv('BENCH_WARMUP', 5, 0, 100),
    bodyChars: intFromEnv('BENCH_BODY_CHARS', 500, 0, 20_000),
    // One per core: more processes than cores, each busier than the server, leave the
    // server last in the scheduler's queue (at 5,000 readers and 100/s, 4 processes took the
    // 201's p99 from 35 to 78 ms on 2 cores).
    readerProcesses: intFromEnv('BENCH_READER_PROCESSES', availableParallelism(), 1, 16),
    connectBatch: intFromEnv('BENCH_CONNECT_BATCH', 50, 1, 1000),
    readerTimeoutMs: intFromEnv('BENCH_READER_TIMEOUT_MS', 30_000, 1000, 120_000),
    drainTimeoutMs: intFromEnv('BENCH_DRAIN_TIMEOUT_MS', 60_000, 1000, 600_000),
    requestTimeoutMs: intFromEnv('BENCH_REQUEST_TIMEOUT_MS', 120_000, 1000, 600_000),
    idleReaders: intFromEnv('BENCH_IDLE_READERS', 5000, 1, 10_000),
    idleSettleMs: intFromEnv('BENCH_IDLE_SETTLE_MS', 5000, 0, 60_000),
    joinReaders: intFromEnv('BENCH_JOIN_READERS', 2000, 1, 10_000),
    joinEntries: intFromEnv('BENCH_JOIN_ENTRIES', 500, 1, 5000),
    joinSpreadMs: intFromEnv('BENCH_JOIN_SPREAD_MS', 5000, 0, 60_000),
    resumeReaders: intFromEnv('BENCH_RESUME_READERS', 2000, 1, 10_000),
    resumeEntries: intFromEnv('BENCH_RESUME_ENTRIES', 20, 1, 1000),
    resumeDropMs: intFromEnv('BENCH_RESUME_DROP_MS', 2000, 0, 60_000),
    publishRuns: intFromEnv('BENCH_PUBLISH_RUNS', 1, 1, 10),
    publishRate: intFromEnv('BENCH_PUBLISH_RATE', 100, 1, 1000),
    publishSeconds: intFromEnv('BENCH_PUBLISH_SECONDS', 10, 1, 120),
    publishReaders: intFromEnv('BENCH_PUBLISH_READERS', 5000, 1, 10_000),
    publishDrainMs: intFromEnv('BENCH_PUBLISH_DRAIN_MS', 60_000, 1000, 1_800_000),
    timeoutMs: intFromEnv('BENCH_TIMEOUT_MS', 3_600_000, 10_000, 14_400_000),
  };
}

export interface Suite {
  config: SuiteConfig;
  context: SuiteContext;
  pool: ReaderPool;
  /** Where result files go. */
  resultsDir: string;
  /** Problems found (delivery violations, failed runs); any makes the suite exit 1. */
  problems: string[];
  log(line: string): void;
}

export interface Scenario {
  /** The name on the command line: `npm run bench -- <group>`. */
  group: string;
  run(suite: Suite): Promise<ScenarioResult[]>;
}

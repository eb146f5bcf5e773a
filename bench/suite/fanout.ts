/**
 * Fan-out at 1,000 / 5,000 / 10,000 readers: BENCH_ENTRIES entries (≈BENCH_BODY_CHARS of
 * Markdown each) published at BENCH_RATE a second, livebrief then the floor with the same
 * readers and the same change bytes, BENCH_RUNS times. Metric: publish → receive p99 over
 * every (entry, reader) sample. A run "tips over" when its p99 passes 3× its own p50.
 */
import { round } from '../stats';
import type { Scenario, Suite } from './config';
import {
  checkDelivery,
  collectPhase,
  drain,
  lagReport,
  openReaders,
  publishAtRate,
  allPublished,
  requireDrained,
  requireSubscribed,
  type PhaseFigures,
} from './phases';
import type { ScenarioResult } from './results';
import { finish, sideBySideRuns } from './side-by-side';
import { FLOOR_NAME, type Target } from './targets';

/** p99 above this many times the run's own p50: the run tipped over (queues built up). */
const TIPPING_FACTOR = 3;

export interface TargetRun {
  figures: PhaseFigures;
  p99: number | null;
  tippedOver: boolean;
  serverRssKiB: { started: number | null; subscribed: number | null; end: number | null };
  serverCpuMs: number | null;
  /** CPU the reader processes spent in the measured phase: near their cores' worth, they were the bottleneck. */
  readerCpuMs: number | null;
  /** Length of the measured phase (first publish to the last reader's receive, or the drain's end), ms. */
  phaseMs: number;
}

export interface MeasureOptions {
  readers: number;
  /** Entries published (after the warm-up) and their rate. */
  entries: number;
  ratePerSecond: number;
  /** After the last publish, how long readers may take; default the suite's BENCH_DRAIN_TIMEOUT_MS. */
  drainTimeoutMs?: number;
}

/**
 * Opens the readers on a started target, publishes the warm-up and the measured entries at
 * the rate, waits for every reader to have them, and collects. The target stays up.
 */
export async function measureFanout(suite: Suite, target: Target, options: MeasureOptions): Promise<TargetRun> {
  const { config, pool, context } = suite;
  const { clock } = context;
  const started = target.rssKiB();
  requireSubscribed(target.name, await openReaders(suite, target, options.readers), options.readers);
  const subscribed = target.rssKiB();
  if (config.warmup > 0) {
    const warm = allPublished(`${target.name} warm-up`, await publishAtRate(clock, target, 0, config.warmup, options.ratePerSecond));
    const last = Math.max(...warm.map((item) => item.seq));
    await requireDrained(suite, `${target.name} warm-up`, last);
  }
  await pool.phaseStart(60_000);
  const cpuBefore = target.cpuMs();
  const readerCpuBefore = pool.cpuMs();
  const phaseStart = clock();
  const sent = await publishAtRate(clock, target, config.warmup, options.entries, options.ratePerSecond);
  const lastSeq = Math.max(...sent.published.map((item) => item.seq));
  const drained = await drain(clock, pool, lastSeq, options.drainTimeoutMs ?? config.drainTimeoutMs);
  const cpuAfter = target.cpuMs();
  const readerCpuAfter = pool.cpuMs();
  const phaseMs = round(clock() - phaseStart);
  const figures = await collectPhase(pool, sent);
  if (sent.failures > 0) suite.log(`${target.name}: ${sent.failures} publishes failed (${sent.firstFailure ?? '?'})`);
  // What never arrived counts as lost in the figures (a failed run).
  if (!drained) suite.log(`${target.name}: ${await lagReport(suite, lastSeq)}`);
  const p99 = figures.publishToReceiveMs?.p99 ?? null;
  const p50 = figures.publishToReceiveMs?.p50 ?? null;
  return {
    figures,
    p99,
    tippedOver: p99 !== null && p50 !== null && p99 > TIPPING_FACTOR * p50,
    serverRssKiB: { started, subscribed, end: target.rssKiB() },
    serverCpuMs: cpuBefore !== null && cpuAfter !== null ? round(cpuAfter - cpuBefore, 0) : null,
    readerCpuMs: readerCpuBefore !== null && readerCpuAfter !== null ? round(readerCpuAfter - readerCpuBefore, 0) : null,
    phaseMs,
  };
}

async function fanoutScenario(suite: Suite, readers: number): Promise<ScenarioResult> {
  const { config } = suite;
  const options = { readers, entries: config.entries, ratePerSecond: config.ratePerSecond };
  const runs = await sideBySideRuns(suite, {
    label: `fanout-${readers}`,
    runs: config.runs,
    readers,
    changes: config.warmup + config.entries,
    measure: (target) => measureFanout(suite, target, options),
    metric: (measured) => measured.p99,
    check: (label, measured) => {
      checkDelivery(suite, label, measured.figures);
      if (measured.tippedOver) suite.log(`${label} tipped over: p99 ${String(measured.p99)} ms`);
    },
  });
  const tippedOver = (target: 'livebrief' | 'floor'): number =>
    runs.filter((run) => (run.details as Record<typeof target, TargetRun>)[target].tippedOver).length;
  return finish(
    suite,
    {
      scenario: `fanout-${readers}`,
      title: `Fan-out, ${readers.toLocaleString('en')} readers`,
      command: 'npm run bench -- fanout',
      metric: 'publish → receive p99 (ms)',
      better: 'lower',
      floorName: FLOOR_NAME,
      details: {
        readers,
        entries: config.entries,
        ratePerSecond: config.ratePerSecond,
        warmupEntries: config.warmup,
        bodyChars: config.bodyChars,
        readerProcesses: suite.pool.size,
        tippingOver: `a run whose p99 passes ${TIPPING_FACTOR}× its own p50`,
        livebriefTippedOverRuns: tippedOver('livebrief'),
        floorTippedOverRuns: tippedOver('floor'),
      },
    },
    runs,
  );
}

export const fanout: Scenario = {
  group: 'fanout',
  async run(suite) {
    const results: ScenarioResult[] = [];
    for (const readers of suite.config.readersList) results.push(await fanoutScenario(suite, readers));
    return results;
  },
};

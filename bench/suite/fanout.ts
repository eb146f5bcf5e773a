/**
 * Fan-out at 1,000 / 5,000 / 10,000 readers: BENCH_ENTRIES entries (≈BENCH_BODY_CHARS of
 * Markdown each) published at BENCH_RATE a second, livebrief then the floor with the same
 * readers and the same change bytes, BENCH_RUNS times. Metric: publish → receive p99 over
 * every (entry, reader) sample. A run "tips over" when its p99 passes 3× its own p50.
 */
import { round } from '../stats';
import type { Scenario, Suite } from './config';
import {
  collectPhase,
  deliveryViolations,
  drain,
  median,
  openReaders,
  publishAtRate,
  requireSubscribed,
  type PhaseFigures,
} from './phases';
import { machine, ratioOf, writeResult, type ScenarioResult } from './results';
import { FLOOR_NAME, startFloor, startLivebrief, type Recording, type Target } from './targets';

/** p99 above this many times the run's own p50: the run tipped over (queues built up). */
const TIPPING_FACTOR = 3;

export interface TargetRun {
  figures: PhaseFigures;
  p99: number | null;
  tippedOver: boolean;
  serverRssKiB: { started: number | null; subscribed: number | null; end: number | null };
  serverCpuMs: number | null;
}

export interface MeasureOptions {
  readers: number;
  /** Entries published (after the warm-up) and their rate. */
  entries: number;
  ratePerSecond: number;
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
    const warm = await publishAtRate(clock, target, 0, config.warmup, options.ratePerSecond);
    const last = Math.max(...warm.map((item) => item.seq));
    if (!(await drain(clock, pool, last, config.drainTimeoutMs))) {
      const status = await pool.status(60_000);
      throw new Error(
        `${target.name}: readers did not get the warm-up (up to seq ${last}) within ${config.drainTimeoutMs} ms: the furthest behind has ${status.lowestSeq}, ${status.connected} of ${options.readers} connected`,
      );
    }
  }
  await pool.phaseStart(60_000);
  const cpuBefore = target.cpuMs();
  const published = await publishAtRate(clock, target, config.warmup, options.entries, options.ratePerSecond);
  const drained = await drain(clock, pool, Math.max(...published.map((item) => item.seq)), config.drainTimeoutMs);
  const cpuAfter = target.cpuMs();
  const figures = await collectPhase(pool, published);
  if (!drained) suite.log(`${target.name}: not every reader had every entry within ${config.drainTimeoutMs} ms`);
  const p99 = figures.publishToReceiveMs?.p99 ?? null;
  const p50 = figures.publishToReceiveMs?.p50 ?? null;
  return {
    figures,
    p99,
    tippedOver: p99 !== null && p50 !== null && p99 > TIPPING_FACTOR * p50,
    serverRssKiB: { started, subscribed, end: target.rssKiB() },
    serverCpuMs: cpuBefore !== null && cpuAfter !== null ? round(cpuAfter - cpuBefore, 0) : null,
  };
}

/** The snapshot ack and the changes the capturing reader got: what the floor replays. */
export async function recordingOf(suite: Suite, expectedChanges: number): Promise<Recording> {
  const captured = await suite.pool.captured(60_000);
  if (!captured.ack) throw new Error('the capturing reader kept no ack');
  if (captured.changes.length !== expectedChanges) {
    throw new Error(`the capturing reader kept ${captured.changes.length} changes, not ${expectedChanges}`);
  }
  return { ack: captured.ack, changes: captured.changes };
}

/** Runs `measure` on a target and always closes the readers and stops the target after. */
export async function onTarget<T>(suite: Suite, start: () => Promise<Target>, measure: (target: Target) => Promise<T>): Promise<T> {
  const target = await start();
  try {
    return await measure(target);
  } finally {
    await suite.pool.closeReaders(60_000).catch((error: unknown) => suite.log(`closing readers failed: ${String(error)}`));
    await target.stop();
  }
}

function checkDelivery(suite: Suite, label: string, run: TargetRun): void {
  const delivery = run.figures.delivery;
  if (deliveryViolations(delivery) > 0) suite.problems.push(`${label}: delivery guarantee broken: ${JSON.stringify(delivery)}`);
}

async function fanoutScenario(suite: Suite, readers: number): Promise<ScenarioResult> {
  const { config, context } = suite;
  const options = { readers, entries: config.entries, ratePerSecond: config.ratePerSecond };
  const runs: ScenarioResult['runs'] = [];
  for (let run = 1; run <= config.runs; run++) {
    suite.log(`fanout-${readers} run ${run}/${config.runs}: livebrief`);
    let recording: Recording | null = null;
    const livebrief = await onTarget(
      suite,
      () => startLivebrief(context, readers),
      async (target) => {
        const measured = await measureFanout(suite, target, options);
        recording = await recordingOf(suite, config.warmup + config.entries);
        return measured;
      },
    );
    const recorded: Recording | null = recording;
    if (!recorded) throw new Error('the livebrief run recorded nothing');
    suite.log(`fanout-${readers} run ${run}/${config.runs}: floor`);
    const floor = await onTarget(
      suite,
      () => startFloor(context, recorded),
      (target) => measureFanout(suite, target, options),
    );
    checkDelivery(suite, `fanout-${readers} run ${run} livebrief`, livebrief);
    checkDelivery(suite, `fanout-${readers} run ${run} floor`, floor);
    const ratio = ratioOf(livebrief.p99, floor.p99);
    suite.log(
      `fanout-${readers} run ${run}: p99 livebrief ${String(livebrief.p99)} ms, floor ${String(floor.p99)} ms, ratio ${String(ratio)}` +
        `${livebrief.tippedOver ? ' (livebrief tipped over)' : ''}${floor.tippedOver ? ' (floor tipped over)' : ''}`,
    );
    runs.push({ livebrief: livebrief.p99, floor: floor.p99, ratio, details: { livebrief, floor } });
  }
  const result: ScenarioResult = {
    scenario: `fanout-${readers}`,
    title: `Fan-out, ${readers.toLocaleString('en')} readers`,
    command: 'npm run bench -- fanout',
    metric: 'publish → receive p99 (ms)',
    better: 'lower',
    livebrief: median(runs.map((run) => run.livebrief ?? Number.NaN)),
    floor: median(runs.map((run) => run.floor ?? Number.NaN)),
    ratio: median(runs.map((run) => run.ratio ?? Number.NaN)),
    floorName: FLOOR_NAME,
    runs,
    details: {
      readers,
      entries: config.entries,
      ratePerSecond: config.ratePerSecond,
      warmupEntries: config.warmup,
      bodyChars: config.bodyChars,
      readerProcesses: suite.pool.size,
      ratioIs: 'median of the per-run ratios',
      tippingOver: `a run whose p99 passes ${TIPPING_FACTOR}× its own p50`,
      livebriefTippedOverRuns: runs.filter((run) => (run.details as { livebrief: TargetRun }).livebrief.tippedOver).length,
      floorTippedOverRuns: runs.filter((run) => (run.details as { floor: TargetRun }).floor.tippedOver).length,
    },
    measuredAt: new Date().toISOString(),
    machine: machine(),
  };
  writeResult(result, suite.resultsDir);
  return result;
}

export const fanout: Scenario = {
  group: 'fanout',
  async run(suite) {
    const results: ScenarioResult[] = [];
    for (const readers of suite.config.readersList) results.push(await fanoutScenario(suite, readers));
    return results;
  },
};

/**
 * One measurement on livebrief, then the same on the floor: livebrief first, since its run
 * records what the floor then serves (the snapshot ack and the change bytes its capturing
 * reader received). Readers are closed and each server stopped before the next starts, so
 * the two never hold connections at once.
 */
import type { Suite } from './config';
import { ratioOf, resultOf, writeResult, type Run, type ScenarioResult } from './results';
import { startFloor, startLivebrief, type Recording, type Target } from './targets';

/** The snapshot ack and the changes the capturing reader got: what the floor replays. */
async function recordingOf(suite: Suite, expectedChanges: number): Promise<Recording> {
  const captured = await suite.pool.captured(60_000);
  if (!captured.ack) throw new Error('the capturing reader kept no ack');
  // Fewer when livebrief failed publishes: the floor then publishes only what livebrief did.
  if (captured.changes.length > expectedChanges) {
    throw new Error(`the capturing reader kept ${captured.changes.length} changes, not ${expectedChanges}`);
  }
  if (captured.changes.length < expectedChanges)
    suite.log(`livebrief sent ${captured.changes.length} changes of ${expectedChanges} publishes`);
  return { ack: captured.ack, changes: captured.changes };
}

/** Runs `measure` on a target and always closes the readers and stops the target after. */
async function onTarget<T>(suite: Suite, start: () => Promise<Target>, measure: (target: Target) => Promise<T>): Promise<T> {
  const target = await start();
  try {
    return await measure(target);
  } finally {
    await suite.pool.closeReaders(60_000).catch((error: unknown) => suite.log(`closing readers failed: ${String(error)}`));
    await target.stop();
  }
}

/**
 * `measure` on livebrief (let in `readers` connections), then on the floor with what the
 * livebrief run recorded; `changes` is how many changes the capturing reader must have got.
 */
export async function sideBySide<T>(
  suite: Suite,
  readers: number,
  changes: number,
  measure: (target: Target) => Promise<T>,
): Promise<{ livebrief: T; floor: T }> {
  let recording: Recording | null = null;
  const livebrief = await onTarget(
    suite,
    () => startLivebrief(suite.context, readers),
    async (target) => {
      const measured = await measure(target);
      recording = await recordingOf(suite, changes);
      return measured;
    },
  );
  const recorded: Recording | null = recording;
  if (!recorded) throw new Error('the livebrief run recorded nothing');
  const floor = await onTarget(
    suite,
    () => startFloor(suite.context, recorded),
    (target) => measure(target),
  );
  return { livebrief, floor };
}

export interface RunsSpec<T> {
  /** The scenario's name in log lines. */
  label: string;
  runs: number;
  readers: number;
  changes: number;
  measure: (target: Target) => Promise<T>;
  /** The scenario's metric from one target's measurement. */
  metric: (measured: T) => number | null;
  /** Records what is wrong with one target's measurement in suite.problems. */
  check?: (label: string, measured: T, target: 'livebrief' | 'floor') => void;
}

/** `spec.runs` side-by-side runs, each as { livebrief, floor, ratio } of the metric with both measurements as details. */
export async function sideBySideRuns<T>(suite: Suite, spec: RunsSpec<T>): Promise<Run[]> {
  const runs: Run[] = [];
  for (let run = 1; run <= spec.runs; run++) {
    suite.log(`${spec.label} run ${run}/${spec.runs}`);
    const measured = await sideBySide(suite, spec.readers, spec.changes, spec.measure);
    spec.check?.(`${spec.label} run ${run} livebrief`, measured.livebrief, 'livebrief');
    spec.check?.(`${spec.label} run ${run} floor`, measured.floor, 'floor');
    const livebrief = spec.metric(measured.livebrief);
    const floor = spec.metric(measured.floor);
    const ratio = ratioOf(livebrief, floor);
    suite.log(`${spec.label} run ${run}: livebrief ${String(livebrief)}, floor ${String(floor)}, ratio ${String(ratio)}`);
    runs.push({ livebrief, floor, ratio, details: measured });
  }
  return runs;
}

/** The result of the runs (medians, see resultOf), written to the suite's results folder. */
export function finish(suite: Suite, fields: Parameters<typeof resultOf>[0], runs: Run[]): ScenarioResult {
  const result = resultOf(fields, runs);
  writeResult(result, suite.resultsDir);
  return result;
}

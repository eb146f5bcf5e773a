/**
 * Resume storm: BENCH_RESUME_READERS readers drop their connections for
 * BENCH_RESUME_DROP_MS while BENCH_RESUME_ENTRIES entries are published, then all come back
 * at once and subscribe with their cursor. Metric: per reader, from its reconnect to having
 * the last of those entries, p99; every one of them must arrive once, in order, after a
 * `resume` ack.
 */
import { round, summarize, type Summary } from '../stats';
import type { Scenario, Suite } from './config';
import {
  checkDelivery,
  collectPhase,
  drain,
  lagReport,
  openReaders,
  PROCESS_REQUEST_TIMEOUT_MS,
  publishAtRate,
  allPublished,
  requireDrained,
  requireSubscribed,
  type PhaseFigures,
} from './phases';
import { finish, sideBySideRuns } from './side-by-side';
import { FLOOR_NAME, type Target } from './targets';

interface ResumeRun {
  caughtUpMs: Summary | null;
  resumeAckMs: Summary | null;
  failures: number;
  firstError: string | null;
  figures: PhaseFigures;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function measureResume(suite: Suite, target: Target): Promise<ResumeRun> {
  const { config, context, pool } = suite;
  const { clock } = context;
  const readers = config.resumeReaders;
  requireSubscribed(target.name, await openReaders(suite, target, readers), readers);
  if (config.warmup > 0) {
    const warm = allPublished(`${target.name} warm-up`, await publishAtRate(clock, target, 0, config.warmup, 10));
    await requireDrained(suite, `${target.name} warm-up`, Math.max(...warm.map((item) => item.seq)));
  }
  await pool.drop(PROCESS_REQUEST_TIMEOUT_MS);
  const dropped = clock();
  const rate = Math.max(1, (config.resumeEntries * 1000) / Math.max(1, config.resumeDropMs));
  const sent = await publishAtRate(clock, target, config.warmup, config.resumeEntries, rate);
  const published = allPublished(`${target.name} while the readers were away`, sent);
  await sleep(dropped + config.resumeDropMs - clock());
  const resumed = await pool.resume(config.readerTimeoutMs, config.readerTimeoutMs + PROCESS_REQUEST_TIMEOUT_MS);
  const last = Math.max(...published.map((item) => item.seq));
  // What never arrived counts as lost in the figures (a failed run).
  if (!(await drain(clock, pool, last, config.drainTimeoutMs))) suite.log(`${target.name}: ${await lagReport(suite, last)}`);
  const figures = await collectPhase(pool, sent);
  // Both in reader order (by process, then within it): when each reader got the last entry.
  const collected = await pool.collect([last], [0], PROCESS_REQUEST_TIMEOUT_MS);
  const caughtUp: number[] = [];
  const ackMs: number[] = [];
  for (let reader = 0; reader < resumed.startedAt.length; reader++) {
    const startedAt = resumed.startedAt[reader] ?? Number.NaN;
    const ackAt = resumed.ackAt[reader] ?? Number.NaN;
    const lastAt = collected.times[reader] ?? Number.NaN;
    if (!Number.isNaN(ackAt)) ackMs.push(ackAt - startedAt);
    if (!Number.isNaN(lastAt) && !Number.isNaN(startedAt)) caughtUp.push(lastAt - startedAt);
  }
  return {
    caughtUpMs: summarize(caughtUp),
    resumeAckMs: summarize(ackMs),
    failures: resumed.failures + resumed.wrongMode,
    firstError: resumed.firstError,
    figures,
  };
}

export const resumeStorm: Scenario = {
  group: 'resume-storm',
  async run(suite) {
    const { config } = suite;
    const readers = config.resumeReaders;
    const runs = await sideBySideRuns(suite, {
      label: 'resume-storm',
      runs: config.otherRuns,
      readers,
      changes: config.warmup + config.resumeEntries,
      measure: (target) => measureResume(suite, target),
      metric: (measured) => measured.caughtUpMs?.p99 ?? null,
      check: (label, measured) => {
        checkDelivery(suite, label, measured.figures);
        if (measured.failures > 0) suite.problems.push(`${label}: ${measured.failures} resumes failed (${measured.firstError ?? '?'})`);
      },
    });
    return [
      finish(
        suite,
        {
          scenario: 'resume-storm',
          title: `Resume storm, ${readers.toLocaleString('en')} readers back after ${round(config.resumeDropMs / 1000, 1)} s`,
          command: 'npm run bench -- resume-storm',
          metric: 'reconnect → caught up p99 (ms)',
          better: 'lower',
          floorName: FLOOR_NAME,
          details: {
            readers,
            dropMs: config.resumeDropMs,
            entriesMissed: config.resumeEntries,
            caughtUpIs: "from a reader's reconnect to its receiving the last entry published while it was away",
          },
        },
        runs,
      ),
    ];
  },
};

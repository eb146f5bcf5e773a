/**
 * Memory per idle reader: BENCH_IDLE_READERS readers subscribed and idle. Metric: the
 * server's resident memory (VmRSS) after they joined and BENCH_IDLE_SETTLE_MS passed, less
 * its RSS before the first of them, per reader, in KiB. No forced garbage collection: neither
 * server exposes one, so both get the same settle time instead.
 */
import { round } from '../stats';
import type { Scenario, Suite } from './config';
import { openReaders, requireSubscribed } from './phases';
import { finish, sideBySideRuns } from './side-by-side';
import { FLOOR_NAME, type Target } from './targets';

/** Entries the briefing holds (the snapshot every reader is sent). */
const ENTRIES = 20;
/** Before the first reader: the server's RSS after this long without work. */
const BEFORE_SETTLE_MS = 2000;

interface IdleRun {
  readers: number;
  rssBeforeKiB: number | null;
  rssAfterKiB: number | null;
  perReaderKiB: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function measureIdle(suite: Suite, target: Target, readers: number): Promise<IdleRun> {
  if (target.name === 'livebrief') for (let n = 0; n < ENTRIES; n++) await target.publish(n);
  await sleep(BEFORE_SETTLE_MS);
  const rssBeforeKiB = target.rssKiB();
  requireSubscribed(target.name, await openReaders(suite, target, readers), readers);
  await sleep(suite.config.idleSettleMs);
  const rssAfterKiB = target.rssKiB();
  return {
    readers,
    rssBeforeKiB,
    rssAfterKiB,
    perReaderKiB: rssBeforeKiB !== null && rssAfterKiB !== null ? round((rssAfterKiB - rssBeforeKiB) / readers) : null,
  };
}

export const idleMemory: Scenario = {
  group: 'idle-memory',
  async run(suite) {
    const { config } = suite;
    const readers = config.idleReaders;
    const runs = await sideBySideRuns(suite, {
      label: 'idle-memory',
      runs: config.otherRuns,
      readers,
      // The readers subscribe after the entries: the capturing reader receives no change.
      changes: 0,
      measure: (target) => measureIdle(suite, target, readers),
      metric: (measured) => measured.perReaderKiB,
    });
    return [
      finish(
        suite,
        {
          scenario: 'idle-memory',
          title: `Memory per idle reader, ${readers.toLocaleString('en')} readers`,
          command: 'npm run bench -- idle-memory',
          metric: 'server RSS per idle reader (KiB)',
          better: 'lower',
          floorName: FLOOR_NAME,
          details: {
            readers,
            briefingEntries: ENTRIES,
            settleMs: config.idleSettleMs,
            how: 'VmRSS after the readers subscribed and the settle time, less VmRSS before them, divided by the readers; no forced GC',
          },
        },
        runs,
      ),
    ];
  },
};

/**
 * Memory per idle reader: BENCH_IDLE_READERS readers subscribed and idle. Metric: the heap
 * still live after full garbage collections (the heap probe both targets run with) once they
 * joined and BENCH_IDLE_SETTLE_MS passed, less the same before the first of them, per reader,
 * in KiB. Also reported: the resident memory (VmRSS) the same way, before any collection the
 * probe forces, which is what an operator sees but swings by several per cent from run to run
 * with the garbage not yet collected.
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
  liveHeapBeforeKiB: number;
  liveHeapAfterKiB: number;
  liveHeapPerReaderKiB: number;
  rssBeforeKiB: number | null;
  rssAfterKiB: number | null;
  rssPerReaderKiB: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function measureIdle(suite: Suite, target: Target, readers: number): Promise<IdleRun> {
  if (target.name === 'livebrief') for (let n = 0; n < ENTRIES; n++) await target.publish(n);
  await sleep(BEFORE_SETTLE_MS);
  // RSS first: the probe's collections would shrink it.
  const rssBeforeKiB = target.rssKiB();
  const liveHeapBeforeKiB = (await target.liveHeapBytes()) / 1024;
  requireSubscribed(target.name, await openReaders(suite, target, readers), readers);
  await sleep(suite.config.idleSettleMs);
  const rssAfterKiB = target.rssKiB();
  const liveHeapAfterKiB = (await target.liveHeapBytes()) / 1024;
  return {
    readers,
    liveHeapBeforeKiB: round(liveHeapBeforeKiB),
    liveHeapAfterKiB: round(liveHeapAfterKiB),
    liveHeapPerReaderKiB: round((liveHeapAfterKiB - liveHeapBeforeKiB) / readers),
    rssBeforeKiB,
    rssAfterKiB,
    rssPerReaderKiB: rssBeforeKiB !== null && rssAfterKiB !== null ? round((rssAfterKiB - rssBeforeKiB) / readers) : null,
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
      metric: (measured) => measured.liveHeapPerReaderKiB,
    });
    return [
      finish(
        suite,
        {
          scenario: 'idle-memory',
          title: `Memory per idle reader, ${readers.toLocaleString('en')} readers`,
          command: 'npm run bench -- idle-memory',
          metric: 'server live heap per idle reader (KiB)',
          better: 'lower',
          floorName: FLOOR_NAME,
          details: {
            readers,
            briefingEntries: ENTRIES,
            settleMs: config.idleSettleMs,
            how: 'heap used after two full GCs once the readers subscribed and the settle time passed, less the same before them, divided by the readers; each run also has the same for VmRSS, read before the GCs',
          },
        },
        runs,
      ),
    ];
  },
};

/**
 * Publish rate: BENCH_PUBLISH_RATE entries a second for BENCH_PUBLISH_SECONDS while
 * BENCH_PUBLISH_READERS readers listen. Metric: the editor's round trip (request to the
 * 201 with its body) p99; livebrief's target is 20 ms. Beside it the fan-out p99 and whether
 * the readers kept up (every entry with every reader, and how long after the last 201).
 */
import type { Scenario } from './config';
import { measureFanout } from './fanout';
import { checkDelivery, checkOrder } from './phases';
import { finish, sideBySideRuns } from './side-by-side';
import { FLOOR_NAME } from './targets';

/** The round trip p99 livebrief is to stay within (issue 12), ms. */
const TARGET_MS = 20;

export const publishRate: Scenario = {
  group: 'publish-rate',
  async run(suite) {
    const { config } = suite;
    const readers = config.publishReaders;
    const entries = config.publishRate * config.publishSeconds;
    // The readers may trail far behind at this rate: they get longer to catch up.
    const options = { readers, entries, ratePerSecond: config.publishRate, drainTimeoutMs: config.publishDrainMs };
    const runs = await sideBySideRuns(suite, {
      label: 'publish-rate',
      runs: config.publishRuns,
      readers,
      changes: config.warmup + entries,
      measure: (target) => measureFanout(suite, target, options),
      metric: (measured) => measured.figures.publishRoundTripMs?.p99 ?? null,
      // livebrief must deliver everything; bare Socket.IO falling behind at this rate is what it measures.
      check: (label, measured, target) =>
        target === 'livebrief' ? checkDelivery(suite, label, measured.figures) : checkOrder(suite, label, measured.figures.delivery),
    });
    return [
      finish(
        suite,
        {
          scenario: 'publish-rate',
          title: `Publish at ${config.publishRate}/s, ${readers.toLocaleString('en')} readers`,
          command: 'npm run bench -- publish-rate',
          metric: 'publish round trip (201) p99 (ms)',
          better: 'lower',
          floorName: FLOOR_NAME,
          details: {
            target: `≤ ${TARGET_MS} ms`,
            readers,
            entries,
            ratePerSecond: config.publishRate,
            warmupEntries: config.warmup,
            bodyChars: config.bodyChars,
            floorRoundTripIs: 'the floor answers 201 after its room broadcast has been written to every socket',
            keptUpIs: 'every reader had every entry; see lastReceiveAfterLastPublishMs for how far the fan-out trailed the last 201',
          },
        },
        runs,
      ),
    ];
  },
};

/**
 * Join storm: BENCH_JOIN_READERS readers join within BENCH_JOIN_SPREAD_MS (starts evenly
 * spread) onto a briefing of BENCH_JOIN_ENTRIES entries, as at the start of a breaking
 * story. Metric: connect start → subscribe ack p99. For livebrief also the Redis commands
 * served during the storm (INFO commandstats of the suite's own Redis), beside those of an
 * idle stretch of the same length just before it (the background: tail, scheduler, …).
 */
import { round, summarize, type Summary } from '../stats';
import type { Scenario, Suite } from './config';
import { openReaders } from './phases';
import { finish, sideBySideRuns } from './side-by-side';
import { FLOOR_NAME, redisCommandCalls, type Target } from './targets';

interface StormRun {
  ackMs: Summary | null;
  failures: number;
  firstError: string | null;
  /** First start to the last ack, ms. */
  stormMs: number;
  /** livebrief only: Redis calls per command during the storm, and during as long an idle stretch before it. */
  redisCalls: { storm: Record<string, number>; idle: Record<string, number>; stormTotal: number; idleTotal: number } | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [command, count] of Object.entries(after)) {
    const grown = count - (before[command] ?? 0);
    // The INFO asking for these figures is the measurement's own.
    if (grown > 0 && command !== 'info') calls[command] = grown;
  }
  return calls;
}

function total(calls: Record<string, number>): number {
  return Object.values(calls).reduce((sum, count) => sum + count, 0);
}

async function measureStorm(suite: Suite, target: Target): Promise<StormRun> {
  const { config, context } = suite;
  const onLivebrief = target.name === 'livebrief';
  if (onLivebrief) for (let n = 0; n < config.joinEntries; n++) await target.publish(n);
  const windowMs = config.joinSpreadMs + 1000;
  let idle: Record<string, number> = {};
  if (onLivebrief) {
    const idleBefore = await redisCommandCalls(context.redisUrl);
    await sleep(windowMs);
    idle = delta(idleBefore, await redisCommandCalls(context.redisUrl));
  }
  const callsBefore = onLivebrief ? await redisCommandCalls(context.redisUrl) : null;
  const subscribed = await openReaders(suite, target, config.joinReaders, config.joinSpreadMs);
  const storm = callsBefore ? delta(callsBefore, await redisCommandCalls(context.redisUrl)) : null;
  const ackMs: number[] = [];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  subscribed.ackAt.forEach((ackAt, index) => {
    const startedAt = subscribed.startedAt[index] ?? Number.NaN;
    if (startedAt < first) first = startedAt;
    if (Number.isNaN(ackAt)) return;
    ackMs.push(ackAt - startedAt);
    if (ackAt > last) last = ackAt;
  });
  return {
    ackMs: summarize(ackMs),
    failures: subscribed.failures + subscribed.wrongMode,
    firstError: subscribed.firstError,
    stormMs: round(last - first),
    redisCalls: storm ? { storm, idle, stormTotal: total(storm), idleTotal: total(idle) } : null,
  };
}

export const joinStorm: Scenario = {
  group: 'join-storm',
  async run(suite) {
    const { config } = suite;
    const readers = config.joinReaders;
    const runs = await sideBySideRuns(suite, {
      label: 'join-storm',
      runs: config.otherRuns,
      readers,
      changes: 0,
      measure: (target) => measureStorm(suite, target),
      metric: (measured) => measured.ackMs?.p99 ?? null,
      check: (label, measured) => {
        if (measured.failures > 0) suite.problems.push(`${label}: ${measured.failures} joins failed (${measured.firstError ?? '?'})`);
        if (measured.redisCalls)
          suite.log(
            `${label}: Redis calls during the storm ${measured.redisCalls.stormTotal} (idle stretch ${measured.redisCalls.idleTotal})`,
          );
      },
    });
    return [
      finish(
        suite,
        {
          scenario: 'join-storm',
          title: `Join storm, ${readers.toLocaleString('en')} readers in ${config.joinSpreadMs / 1000} s onto ${config.joinEntries} entries`,
          command: 'npm run bench -- join-storm',
          metric: 'connect → subscribe ack p99 (ms)',
          better: 'lower',
          floorName: FLOOR_NAME,
          details: {
            readers,
            spreadMs: config.joinSpreadMs,
            briefingEntries: config.joinEntries,
            redisCallsIs: "livebrief's Redis commands during the storm and during as long an idle stretch before it (INFO commandstats)",
          },
        },
        runs,
      ),
    ];
  },
};

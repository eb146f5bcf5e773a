/**
 * Steps the scenarios share: publishing at a fixed rate (open loop: each request starts
 * on its schedule, whether or not the previous one has answered), waiting until every
 * reader has a seq, and turning what the readers collected into figures and the delivery
 * check.
 */
import { round, summarize, type Summary } from '../stats';
import type { Clock } from '../clock';
import type { LoopDelay } from '../protocol';
import { hashId } from './engine-io-reader';
import type { Suite } from './config';
import type { Collected, ReaderPool } from './reader-pool';
import type { Subscribed } from './reader-protocol';
import type { PublishedChange, Target } from './targets';

/** Ceiling on one question to the reader processes. */
export const PROCESS_REQUEST_TIMEOUT_MS = 60_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface PublishRound {
  /** The publishes answered 201, in the order they were started. */
  published: PublishedChange[];
  /** Every publish's round trip, ms; a failed one's until it failed (a timeout: at least the timeout). */
  roundTripsMs: number[];
  failures: number;
  firstFailure: string | null;
  /** Publishes the floor had nothing for (the livebrief run's publishes had failed). */
  skipped: number;
}

/**
 * Publishes entries `first` … `first + count - 1` at `perSecond`. A publish that fails
 * (an error status, a timeout) is counted, not thrown: at a rate the server cannot keep,
 * that is the finding.
 */
export async function publishAtRate(clock: Clock, target: Target, first: number, count: number, perSecond: number): Promise<PublishRound> {
  const startedAt = clock();
  const requests: Promise<{ ok: PublishedChange | null } | { failed: string; ms: number }>[] = [];
  for (let k = 0; k < count; k++) {
    await sleep(startedAt + (k * 1000) / perSecond - clock());
    const start = clock();
    // Settled at once, so that a failure while later ones are still being started is never unhandled.
    requests.push(
      target.publish(first + k).then(
        (ok) => ({ ok }),
        (error: unknown) => ({ failed: error instanceof Error ? error.message : String(error), ms: clock() - start }),
      ),
    );
  }
  const outcomes = await Promise.all(requests);
  const sent: PublishRound = { published: [], roundTripsMs: [], failures: 0, firstFailure: null, skipped: 0 };
  for (const outcome of outcomes) {
    if ('failed' in outcome) {
      sent.failures++;
      sent.firstFailure ??= outcome.failed;
      sent.roundTripsMs.push(outcome.ms);
    } else if (outcome.ok === null) {
      sent.skipped++;
    } else {
      sent.published.push(outcome.ok);
      sent.roundTripsMs.push(outcome.ok.end - outcome.ok.start);
    }
  }
  return sent;
}

/** The round's publishes, or an error when any failed (where a failure spoils the measurement). */
export function allPublished(what: string, sent: PublishRound): PublishedChange[] {
  if (sent.failures + sent.skipped > 0) throw new Error(`${what}: ${sent.failures} publishes failed (${sent.firstFailure ?? '?'})`);
  return sent.published;
}

/** Waits until every reader has `seq` in order; false after `timeoutMs`. */
export async function drain(clock: Clock, pool: ReaderPool, seq: number, timeoutMs: number): Promise<boolean> {
  const deadline = clock() + timeoutMs;
  for (;;) {
    if ((await pool.status(PROCESS_REQUEST_TIMEOUT_MS)).lowestSeq >= seq) return true;
    if (clock() > deadline) return false;
    await sleep(20);
  }
}

/** How far behind the readers are: for a drain that did not reach `seq`. */
export async function lagReport(suite: Suite, seq: number): Promise<string> {
  const status = await suite.pool.status(PROCESS_REQUEST_TIMEOUT_MS);
  return (
    `not every reader had seq ${seq} within ${suite.config.drainTimeoutMs} ms: the furthest behind has ${status.lowestSeq}; ` +
    `${status.connected} connected, ${status.closedUnexpectedly} closed by the server or the network (${status.closeReason ?? 'no close'})`
  );
}

/** Waits like drain(), and fails with the lag report when the readers do not get there. */
export async function requireDrained(suite: Suite, what: string, seq: number): Promise<void> {
  if (await drain(suite.context.clock, suite.pool, seq, suite.config.drainTimeoutMs)) return;
  throw new Error(`${what}: ${await lagReport(suite, seq)}`);
}

export interface Delivery {
  /** Entries × readers. */
  expected: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  beforeAck: number;
  /** A change for a seq carrying another entry's id than the one published with it. */
  wrongEntry: number;
}

export function deliveryViolations(delivery: Delivery): number {
  return delivery.lost + delivery.duplicates + delivery.outOfOrder + delivery.beforeAck + delivery.wrongEntry;
}

/** Records a broken delivery guarantee, and publishes that failed, as problems of the suite (it then exits 1). */
export function checkDelivery(
  suite: Suite,
  label: string,
  figures: Pick<PhaseFigures, 'delivery' | 'failedPublishes' | 'firstPublishFailure'>,
): void {
  if (deliveryViolations(figures.delivery) > 0)
    suite.problems.push(`${label}: delivery guarantee broken: ${JSON.stringify(figures.delivery)}`);
  if (figures.failedPublishes > 0)
    suite.problems.push(`${label}: ${figures.failedPublishes} publishes failed (${figures.firstPublishFailure ?? '?'})`);
}

/**
 * Records what a server sent wrongly (twice, out of order, before the ack, another entry) as
 * problems, but not what it had not sent by the end of the drain, nor publishes it dropped:
 * for the floor at a rate it cannot keep up with, those are its figures, not a failed run.
 */
export function checkOrder(suite: Suite, label: string, delivery: Delivery): void {
  const wrong = deliveryViolations(delivery) - delivery.lost;
  if (wrong > 0) suite.problems.push(`${label}: delivered wrongly: ${JSON.stringify(delivery)}`);
}

export interface PhaseFigures {
  /** Publish request start → a reader's receive, one sample per (entry, reader). */
  publishToReceiveMs: Summary | null;
  /** Publish request start → the last reader's receive, per entry (entries every reader got). */
  publishToAllReadersMs: Summary | null;
  /** Every publish's round trip, failed ones too (until they failed). */
  publishRoundTripMs: Summary | null;
  failedPublishes: number;
  firstPublishFailure: string | null;
  /** The floor's publishes left out because livebrief's had failed. */
  skippedPublishes: number;
  /** Last publish answered → last receive, ms: how far the fan-out trails the publisher. */
  lastReceiveAfterLastPublishMs: number | null;
  delivery: Delivery;
  readerLoopDelayMs: LoopDelay;
}

/** Collects the readers' receive times of the round's publishes and summarizes them. */
export async function collectPhase(pool: ReaderPool, sent: PublishRound): Promise<PhaseFigures> {
  const { published } = sent;
  if (published.length === 0) throw new Error(`every publish failed (${sent.firstFailure ?? '?'})`);
  const seqs = published.map((item) => item.seq);
  const collected: Collected = await pool.collect(
    seqs,
    published.map((item) => (item.id ? hashId(item.id) : 0)),
    PROCESS_REQUEST_TIMEOUT_MS,
  );
  const entries = published.length;
  const receive = new Float64Array(entries * collected.readers);
  const allReaders: number[] = [];
  let samples = 0;
  let lost = 0;
  let lastReceive = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < entries; k++) {
    const start = published[k]?.start ?? Number.NaN;
    let last = Number.NEGATIVE_INFINITY;
    let got = 0;
    for (let r = 0; r < collected.readers; r++) {
      const at = collected.times[r * entries + k] ?? Number.NaN;
      if (Number.isNaN(at)) continue;
      receive[samples++] = at - start;
      got++;
      if (at > last) last = at;
    }
    lost += collected.readers - got;
    if (got === collected.readers && got > 0) allReaders.push(last - start);
    if (last > lastReceive) lastReceive = last;
  }
  const lastPublished = Math.max(...published.map((item) => item.end));
  return {
    publishToReceiveMs: summarize(receive.subarray(0, samples)),
    publishToAllReadersMs: summarize(allReaders),
    publishRoundTripMs: summarize(sent.roundTripsMs),
    failedPublishes: sent.failures,
    firstPublishFailure: sent.firstFailure,
    skippedPublishes: sent.skipped,
    lastReceiveAfterLastPublishMs: Number.isFinite(lastReceive) ? round(lastReceive - lastPublished) : null,
    delivery: {
      expected: entries * collected.readers,
      lost,
      ...collected.problems,
      wrongEntry: collected.wrongEntry,
    },
    readerLoopDelayMs: collected.loopDelayMs,
  };
}

/** Opens `count` readers on the target, all subscribed (snapshot); with `spreadMs`, their starts spread over that time. */
export async function openReaders(suite: Suite, target: Target, count: number, spreadMs = 0): Promise<Subscribed> {
  const { config, pool, context } = suite;
  const perProcess = Math.ceil(count / pool.size);
  const ceilingMs = config.readerTimeoutMs * Math.ceil(perProcess / config.connectBatch) + spreadMs + PROCESS_REQUEST_TIMEOUT_MS;
  return pool.open(
    {
      url: target.url,
      slug: target.slug,
      batch: config.connectBatch,
      timeoutMs: config.readerTimeoutMs,
      total: count,
      spreadMs,
      // The processes are told when to begin, a moment ahead, so that the storm starts in all of them at once.
      startAt: context.clock() + 200,
    },
    ceilingMs,
  );
}

/** Fails unless every reader subscribed with the expected mode. */
export function requireSubscribed(what: string, subscribed: Subscribed, count: number): void {
  if (subscribed.failures > 0 || subscribed.wrongMode > 0) {
    throw new Error(
      `${what}: ${subscribed.failures} of ${count} readers failed to subscribe, ${subscribed.wrongMode} got another mode (${subscribed.firstError ?? 'no error message'})`,
    );
  }
}

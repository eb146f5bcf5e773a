/**
 * A reader process of the suite: holds a share of the readers (engine-io-reader.ts) on
 * its own event loop and answers the orchestrator's requests over the IPC channel
 * (reader-protocol.ts). Started by reader-pool.ts with the orchestrator's clock base in
 * BENCH_CLOCK_BASE_NS, so its receive times compare directly with the publish times.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { makeClock } from '../clock';
import { sumProblems } from '../readers';
import { round } from '../stats';
import { EngineIoReader, type SubscribeOutcome } from './engine-io-reader';
import type { Envelope, OpenRequest, ReaderReply, ReaderRequest, Subscribed } from './reader-protocol';

const baseNs = process.env.BENCH_CLOCK_BASE_NS;
if (!baseNs || !process.send) throw new Error('reader-process.ts is started by reader-pool.ts (IPC and BENCH_CLOCK_BASE_NS)');
const clock = makeClock(BigInt(baseNs));
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let readers: EngineIoReader[] = [];

function subscribedSummary(outcomes: PromiseSettledResult<SubscribeOutcome>[], expectedMode: string): Subscribed {
  const startedAt = new Float64Array(outcomes.length).fill(Number.NaN);
  const ackAt = new Float64Array(outcomes.length).fill(Number.NaN);
  let failures = 0;
  let wrongMode = 0;
  let firstError: string | null = null;
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'rejected') {
      failures++;
      firstError ??= outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      return;
    }
    const { ack } = outcome.value;
    startedAt[index] = outcome.value.startedAt;
    if (!ack.ok) {
      failures++;
      firstError ??= `subscribe refused: ${ack.json.slice(0, 300)}`;
      return;
    }
    ackAt[index] = outcome.value.ackAt;
    if (ack.mode !== expectedMode) wrongMode++;
  });
  return { startedAt, ackAt, failures, firstError, wrongMode };
}

/** Runs `work` for every reader, at most `batch` at once, or each at its own start time. */
async function forEachReader(
  list: EngineIoReader[],
  request: Pick<OpenRequest, 'batch' | 'spread'>,
  work: (reader: EngineIoReader) => Promise<SubscribeOutcome>,
): Promise<PromiseSettledResult<SubscribeOutcome>[]> {
  const { spread } = request;
  if (spread) {
    return Promise.allSettled(
      list.map(async (reader, j) => {
        const at = spread.startAt + ((spread.firstIndex + j * spread.stride) * spread.spreadMs) / spread.total;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - clock())));
        return work(reader);
      }),
    );
  }
  const outcomes = new Array<PromiseSettledResult<SubscribeOutcome>>(list.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(request.batch, list.length) }, async () => {
      while (next < list.length) {
        const index = next++;
        const reader = list[index];
        if (!reader) continue;
        try {
          outcomes[index] = { status: 'fulfilled', value: await work(reader) };
        } catch (error) {
          outcomes[index] = { status: 'rejected', reason: error };
        }
      }
    }),
  );
  return outcomes;
}

function ms(nanoseconds: number): number {
  return round(nanoseconds / 1e6);
}

async function handle(request: ReaderRequest): Promise<ReaderReply> {
  switch (request.type) {
    case 'open': {
      const socketUrl = EngineIoReader.socketUrl(request.url);
      const opened = Array.from(
        { length: request.count },
        (_, index) => new EngineIoReader(socketUrl, request.slug, clock, { capture: request.capture && index === 0 }),
      );
      readers.push(...opened);
      const outcomes = await forEachReader(opened, request, (reader) => reader.subscribe(request.timeoutMs));
      return { type: 'opened', ...subscribedSummary(outcomes, 'snapshot') };
    }
    case 'status': {
      let lowestSeq = Number.POSITIVE_INFINITY;
      let connected = 0;
      let closedUnexpectedly = 0;
      let closeReason: string | null = null;
      for (const reader of readers) {
        lowestSeq = Math.min(lowestSeq, reader.ledger.next - 1);
        if (reader.connected) connected++;
        if (reader.unexpectedClose !== null) {
          closedUnexpectedly++;
          closeReason ??= reader.unexpectedClose;
        }
      }
      return { type: 'status', lowestSeq: Number.isFinite(lowestSeq) ? lowestSeq : -1, connected, closedUnexpectedly, closeReason };
    }
    case 'phase-start':
      loopDelay.reset();
      return { type: 'phase-started' };
    case 'collect': {
      const { seqs, idHashes } = request;
      const times = new Float64Array(readers.length * seqs.length);
      let wrongEntry = 0;
      readers.forEach((reader, r) => {
        const { ledger } = reader;
        seqs.forEach((seq, k) => {
          const at = ledger.timeOf(seq);
          times[r * seqs.length + k] = at;
          const expected = idHashes[k] ?? 0;
          if (!Number.isNaN(at) && expected !== 0 && ledger.idHashOf(seq) !== expected) wrongEntry++;
        });
      });
      const loopDelayMs = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
      const problems = sumProblems(readers.map((reader) => reader.ledger.problems));
      return { type: 'collected', times, readers: readers.length, problems, wrongEntry, loopDelayMs };
    }
    case 'captured': {
      const first = readers[0];
      return { type: 'captured', ack: first?.capturedAck ?? null, changes: first?.captured ? [...first.captured] : [] };
    }
    case 'drop':
      for (const reader of readers) reader.drop();
      return { type: 'dropped' };
    case 'resume': {
      const outcomes = await forEachReader(readers, { batch: readers.length, spread: null }, (reader) =>
        reader.subscribe(request.timeoutMs, { resume: true }),
      );
      return { type: 'resumed', ...subscribedSummary(outcomes, 'resume') };
    }
    case 'close':
      for (const reader of readers) reader.drop();
      readers = [];
      return { type: 'closed' };
  }
}

process.on('message', (message: Envelope<ReaderRequest>) => {
  handle(message).then(
    (reply) => process.send?.({ ...reply, id: message.id } satisfies Envelope<ReaderReply>),
    (error: unknown) =>
      process.send?.({
        type: 'error',
        message: error instanceof Error ? error.message : String(error),
        id: message.id,
      } satisfies Envelope<ReaderReply>),
  );
});
// The orchestrator gone means nothing is left to report to.
process.on('disconnect', () => process.exit(0));

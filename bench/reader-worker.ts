/**
 * A reader thread: holds a share of the benchmark's readers on its own event loop, so
 * that parsing a change for every reader never delays the publisher's HTTP timings.
 * Started by reader-threads.ts; speaks the messages of protocol.ts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { closeAll } from '../tests/support/harness';
import { makeClock } from './clock';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol';
import { openReaders, sumProblems, type TimedReader } from './readers';

const init = workerData as WorkerInit;
const clock = makeClock(BigInt(init.baseNs));
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let readers: TimedReader[] = [];

function ms(nanoseconds: number): number {
  return Math.round(nanoseconds / 1e4) / 100;
}

async function handle(request: WorkerRequest): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  switch (request.type) {
    case 'open': {
      const opened = await openReaders(init.url, init.slug, init.readers, { batch: init.batch, timeoutMs: init.timeoutMs, clock });
      readers = opened.readers;
      return { reply: { id: request.id, type: 'opened', connectMs: opened.connectMs, subscribeMs: opened.subscribeMs }, transfer: [] };
    }
    case 'status': {
      const lowestHighest = readers.reduce((lowest, reader) => Math.min(lowest, reader.highest), Number.POSITIVE_INFINITY);
      return { reply: { id: request.id, type: 'status', lowestHighest }, transfer: [] };
    }
    case 'phase-start':
      loopDelay.reset();
      return { reply: { id: request.id, type: 'phase-started' }, transfer: [] };
    case 'collect': {
      let wrongEntry = 0;
      const times = readers.map((reader) => {
        const row = new Float64Array(request.expected.length).fill(Number.NaN);
        request.expected.forEach((expected, index) => {
          const arrival = reader.arrivals.get(expected.seq);
          if (!arrival) return;
          row[index] = arrival.at;
          if (arrival.entryId !== expected.id) wrongEntry++;
        });
        return row;
      });
      const problems = sumProblems(readers.map((reader) => reader.problems));
      const loopDelayMs = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
      return {
        reply: { id: request.id, type: 'collected', times, wrongEntry, problems, loopDelayMs },
        transfer: times.map((row) => row.buffer),
      };
    }
    case 'close':
      for (const reader of readers) reader.close();
      readers = [];
      await closeAll();
      loopDelay.disable();
      return { reply: { id: request.id, type: 'closed' }, transfer: [] };
  }
}

const port = parentPort;
if (!port) throw new Error('reader-worker.ts runs as a worker thread (see reader-threads.ts)');
port.on('message', (request: WorkerRequest) => {
  handle(request).then(
    ({ reply, transfer }) => port.postMessage(reply, transfer),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        type: 'error',
        message: error instanceof Error ? error.message : String(error),
      } satisfies WorkerReply),
  );
});

/** Messages between the benchmark's main thread and its reader threads. */
import type { DeliveryProblems } from './readers';

export interface WorkerInit {
  /** The clock base (process.hrtime.bigint() of the main thread), as a decimal string. */
  baseNs: string;
  url: string;
  slug: string;
  readers: number;
  /** Readers connecting at the same time. */
  batch: number;
  /** Connect / subscribe ceiling per reader. */
  timeoutMs: number;
}

/** One published entry a phase expects every reader to receive. */
export interface Expected {
  seq: number;
  id: string;
}

export type WorkerRequest =
  | { id: number; type: 'open' }
  | { id: number; type: 'status' }
  | { id: number; type: 'phase-start' }
  | { id: number; type: 'collect'; expected: Expected[] }
  | { id: number; type: 'close' };

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export type WorkerReply =
  | { id: number; type: 'opened'; connectMs: number[]; subscribeMs: number[] }
  | { id: number; type: 'status'; lowestHighest: number }
  | { id: number; type: 'phase-started' }
  | {
      id: number;
      type: 'collected';
      /** Per reader, the clock time each expected entry arrived (NaN: never), in the order of `expected`. */
      times: Float64Array[];
      /** Changes whose entry id was not the one published with that seq. */
      wrongEntry: number;
      problems: DeliveryProblems;
      /** The reader thread's event-loop delay since the last phase-start, ms. */
      loopDelayMs: LoopDelay;
    }
  | { id: number; type: 'closed' }
  | { id: number; type: 'error'; message: string };

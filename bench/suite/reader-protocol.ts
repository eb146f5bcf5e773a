/** Messages between the suite's orchestrator and its reader processes (reader-process.ts). */
import type { LoopDelay } from '../protocol';
import type { DeliveryProblems } from '../readers';

export interface OpenRequest {
  type: 'open';
  /** The server's http://127.0.0.1:port. */
  url: string;
  slug: string;
  /** Readers this process opens. */
  count: number;
  /** Connections in flight at once (when not spread over time). */
  batch: number;
  /**
   * Spread the starts evenly over this many ms from `startAt` (clock ms), across all
   * processes: this process's reader j is the storm's reader `firstIndex + j * stride` of `total`.
   */
  spread: { startAt: number; spreadMs: number; firstIndex: number; stride: number; total: number } | null;
  timeoutMs: number;
  /** Keep the change frames of this process's first reader (the orchestrator replays them to the floor). */
  capture: boolean;
}

export type ReaderRequest =
  | OpenRequest
  | { type: 'status' }
  | { type: 'phase-start' }
  | {
      type: 'collect';
      /** The seqs of the phase, ascending. */
      seqs: number[];
      /** hashId of each seq's entry id (0: not checked). */
      idHashes: number[];
    }
  | { type: 'captured' }
  | { type: 'drop' }
  | { type: 'resume'; timeoutMs: number }
  | { type: 'close' };

export interface Subscribed {
  /** Per reader (in the process's order): clock time its connection started, and its ack arrived (NaN: failed). */
  startedAt: Float64Array;
  ackAt: Float64Array;
  failures: number;
  firstError: string | null;
  /** Acks of a mode other than `expectedMode` (snapshot for open, resume for resume). */
  wrongMode: number;
}

export type ReaderReply =
  | ({ type: 'opened' } & Subscribed)
  | ({ type: 'resumed' } & Subscribed)
  | {
      type: 'status';
      /** The lowest last-in-order seq over this process's readers (-1: none subscribed). */
      lowestSeq: number;
      connected: number;
      /** Readers whose connection the server or the network closed, and how one of them closed. */
      closedUnexpectedly: number;
      closeReason: string | null;
    }
  | { type: 'phase-started' }
  | {
      type: 'collected';
      /** Receive clock times, reader-major: times[reader * seqs.length + k] for seqs[k]; NaN: never. */
      times: Float64Array;
      readers: number;
      problems: DeliveryProblems;
      /** A change for a phase seq carrying another entry's id. */
      wrongEntry: number;
      /** This process's event-loop delay since phase-start, ms. */
      loopDelayMs: LoopDelay;
    }
  | { type: 'captured'; ack: string | null; changes: string[] }
  | { type: 'dropped' }
  | { type: 'closed' }
  | { type: 'error'; message: string };

/** Every message carries the request's id, echoed in its reply. */
export type Envelope<T> = T & { id: number };

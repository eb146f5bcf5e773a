/**
 * The main thread's handle on the reader threads (reader-worker.ts): starts them with a
 * share of the readers each, and asks them, by request and reply, to open, report, collect
 * and close. Every request has a ceiling; a thread that dies fails what waits on it.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { sumProblems, worstLoopDelay, type DeliveryProblems } from './readers';
import type { Expected, LoopDelay, WorkerInit, WorkerReply, WorkerRequest } from './protocol';
import { RequestChannel } from './request-channel';

const WORKER_FILE = path.join(__dirname, 'reader-worker.ts');
/** The worker runs TypeScript the way this process does: through tsx's CommonJS hook. */
const WORKER_SHIM = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(WORKER_FILE)});`;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type RequestBody = DistributiveOmit<WorkerRequest, 'id'>;

class ReaderThread {
  private readonly worker: Worker;
  private readonly channel: RequestChannel<RequestBody, WorkerReply>;

  constructor(init: WorkerInit) {
    this.worker = new Worker(WORKER_SHIM, { eval: true, workerData: init });
    this.channel = new RequestChannel('reader thread', (request) => this.worker.postMessage(request));
    this.worker.on('message', (reply: WorkerReply) => this.channel.receive(reply));
    this.worker.on('error', (error) => this.channel.fail(error));
    this.worker.on('exit', (code) => this.channel.fail(new Error(`reader thread exited with code ${code}`)));
  }

  request<T extends WorkerReply['type']>(body: RequestBody, expect: T, timeoutMs: number): Promise<Extract<WorkerReply, { type: T }>> {
    return this.channel.request(body, expect, timeoutMs);
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

export interface Collected {
  /** Per reader (all threads), arrival clock times in the order of `expected`; NaN: never. */
  times: Float64Array[];
  wrongEntry: number;
  problems: DeliveryProblems;
  /** The worst reader thread's event-loop delay during the phase. */
  loopDelayMs: LoopDelay;
}

export class ReaderThreads {
  private readonly threads: ReaderThread[];

  /** Splits `init.readers` as evenly as possible over `count` threads. */
  constructor(count: number, init: WorkerInit) {
    const threads = Math.max(1, Math.min(count, init.readers));
    this.threads = Array.from({ length: threads }, (_, index) => {
      const share = Math.floor(init.readers / threads) + (index < init.readers % threads ? 1 : 0);
      return new ReaderThread({ ...init, readers: share });
    });
  }

  get size(): number {
    return this.threads.length;
  }

  async open(timeoutMs: number): Promise<{ connectMs: number[]; subscribeMs: number[] }> {
    const replies = await Promise.all(this.threads.map((thread) => thread.request({ type: 'open' }, 'opened', timeoutMs)));
    return {
      connectMs: replies.flatMap((reply) => reply.connectMs),
      subscribeMs: replies.flatMap((reply) => reply.subscribeMs),
    };
  }

  /** The lowest seq every reader has reached. */
  async lowestHighest(timeoutMs: number): Promise<number> {
    const replies = await Promise.all(this.threads.map((thread) => thread.request({ type: 'status' }, 'status', timeoutMs)));
    return Math.min(...replies.map((reply) => reply.lowestHighest));
  }

  async phaseStart(timeoutMs: number): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.request({ type: 'phase-start' }, 'phase-started', timeoutMs)));
  }

  async collect(expected: Expected[], timeoutMs: number): Promise<Collected> {
    const replies = await Promise.all(this.threads.map((thread) => thread.request({ type: 'collect', expected }, 'collected', timeoutMs)));
    const problems = sumProblems(replies.map((reply) => reply.problems));
    return {
      times: replies.flatMap((reply) => reply.times),
      wrongEntry: replies.reduce((sum, reply) => sum + reply.wrongEntry, 0),
      problems,
      loopDelayMs: worstLoopDelay(replies.map((reply) => reply.loopDelayMs)),
    };
  }

  /** Disconnects every reader, then ends the threads (also when they do not answer). */
  async close(timeoutMs: number): Promise<void> {
    await Promise.allSettled(this.threads.map((thread) => thread.request({ type: 'close' }, 'closed', timeoutMs)));
    await Promise.allSettled(this.threads.map((thread) => thread.terminate()));
  }
}

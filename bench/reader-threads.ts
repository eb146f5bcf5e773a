/**
 * The main thread's handle on the reader threads (reader-worker.ts): starts them with a
 * share of the readers each, and asks them, by request and reply, to open, report, collect
 * and close. Every request has a ceiling; a thread that dies fails what waits on it.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DeliveryProblems } from './readers';
import type { Expected, LoopDelay, WorkerInit, WorkerReply, WorkerRequest } from './protocol';

const WORKER_FILE = path.join(__dirname, 'reader-worker.ts');
/** The worker runs TypeScript the way this process does: through tsx's CommonJS hook. */
const WORKER_SHIM = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(WORKER_FILE)});`;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type RequestBody = DistributiveOmit<WorkerRequest, 'id'>;
type ReplyOf<T extends WorkerReply['type']> = Extract<WorkerReply, { type: T }>;

interface Waiting {
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

class ReaderThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor(init: WorkerInit) {
    this.worker = new Worker(WORKER_SHIM, { eval: true, workerData: init });
    this.worker.on('message', (reply: WorkerReply) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.waiting.delete(reply.id);
      clearTimeout(waiting.timer);
      if (reply.type === 'error') waiting.reject(new Error(`reader thread: ${reply.message}`));
      else waiting.resolve(reply);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`reader thread exited with code ${code}`)));
  }

  async request<T extends WorkerReply['type']>(body: RequestBody, expect: T, timeoutMs: number): Promise<ReplyOf<T>> {
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`reader thread: no answer to "${body.type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...body, id } satisfies WorkerRequest);
    });
    if (reply.type !== expect) throw new Error(`reader thread answered "${reply.type}" to "${body.type}"`);
    return reply as ReplyOf<T>;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.waiting.clear();
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
    const problems = { beforeAck: 0, duplicates: 0, outOfOrder: 0 };
    for (const reply of replies) {
      problems.beforeAck += reply.problems.beforeAck;
      problems.duplicates += reply.problems.duplicates;
      problems.outOfOrder += reply.problems.outOfOrder;
    }
    return {
      times: replies.flatMap((reply) => reply.times),
      wrongEntry: replies.reduce((sum, reply) => sum + reply.wrongEntry, 0),
      problems,
      loopDelayMs: {
        p50: Math.max(...replies.map((reply) => reply.loopDelayMs.p50)),
        p99: Math.max(...replies.map((reply) => reply.loopDelayMs.p99)),
        max: Math.max(...replies.map((reply) => reply.loopDelayMs.max)),
      },
    };
  }

  /** Disconnects every reader, then ends the threads (also when they do not answer). */
  async close(timeoutMs: number): Promise<void> {
    await Promise.allSettled(this.threads.map((thread) => thread.request({ type: 'close' }, 'closed', timeoutMs)));
    await Promise.allSettled(this.threads.map((thread) => thread.terminate()));
  }
}

/**
 * The orchestrator's handle on its reader processes (reader-process.ts, each
 * `node --import tsx`, forked with an IPC channel that carries typed arrays): splits the
 * readers over them, and asks them, by request and reply, each with a ceiling, to open,
 * report, collect, drop, resume and close. A process that dies fails what waits on it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LoopDelay } from '../protocol';
import { procCpuMs } from '../proc';
import { sumProblems, worstLoopDelay, type DeliveryProblems } from '../readers';
import { RequestChannel } from '../request-channel';
import type { Envelope, OpenRequest, ReaderReply, ReaderRequest, Subscribed } from './reader-protocol';

const PROCESS_FILE = path.join(__dirname, 'reader-process.ts');
/** How long a reader process may take to exit after `close` before it is killed. */
const EXIT_TIMEOUT_MS = 5_000;

class ReaderProcess {
  readonly child: ChildProcess;
  private readonly channel: RequestChannel<ReaderRequest, Envelope<ReaderReply>>;
  private readonly exited: Promise<void>;

  constructor(clockBaseNs: bigint) {
    this.child = fork(PROCESS_FILE, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_CLOCK_BASE_NS: String(clockBaseNs) },
      // Structured clone: Float64Arrays cross as typed arrays, not as JSON objects of numbers.
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.channel = new RequestChannel('reader process', (request) => this.child.send(request));
    this.child.on('message', (reply: Envelope<ReaderReply>) => this.channel.receive(reply));
    this.child.on('error', (error) => this.channel.fail(error));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.channel.fail(new Error(`reader process exited (${signal ?? code})`));
        resolve();
      }),
    );
  }

  request<T extends ReaderReply['type']>(
    body: ReaderRequest,
    expect: T,
    timeoutMs: number,
  ): Promise<Extract<Envelope<ReaderReply>, { type: T }>> {
    return this.channel.request(body, expect, timeoutMs);
  }

  /** Disconnecting the IPC channel ends the process (it exits on `disconnect`); killed if it does not. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface Collected {
  /** Receive clock times, reader-major over all processes: times[reader * seqs + k]; NaN: never. */
  times: Float64Array;
  readers: number;
  problems: DeliveryProblems;
  wrongEntry: number;
  /** The worst reader process's event-loop delay during the phase. */
  loopDelayMs: LoopDelay;
}

function concat(arrays: Float64Array[]): Float64Array {
  const all = new Float64Array(arrays.reduce((sum, array) => sum + array.length, 0));
  let offset = 0;
  for (const array of arrays) {
    all.set(array, offset);
    offset += array.length;
  }
  return all;
}

function mergeSubscribed(replies: Subscribed[]): Subscribed {
  return {
    startedAt: concat(replies.map((reply) => reply.startedAt)),
    ackAt: concat(replies.map((reply) => reply.ackAt)),
    failures: replies.reduce((sum, reply) => sum + reply.failures, 0),
    firstError: replies.find((reply) => reply.firstError !== null)?.firstError ?? null,
    wrongMode: replies.reduce((sum, reply) => sum + reply.wrongMode, 0),
  };
}

export class ReaderPool {
  private readonly processes: ReaderProcess[];

  /** `count` reader processes, sharing the orchestrator's clock base (see clock.ts). */
  constructor(count: number, clockBaseNs: bigint) {
    this.processes = Array.from({ length: count }, () => new ReaderProcess(clockBaseNs));
  }

  get size(): number {
    return this.processes.length;
  }

  /** CPU time the reader processes have used so far, ms (null if unreadable). */
  cpuMs(): number | null {
    let total = 0;
    for (const reader of this.processes) {
      const used = reader.child.pid === undefined ? null : procCpuMs(reader.child.pid);
      if (used === null) return null;
      total += used;
    }
    return total;
  }

  /**
   * Opens and subscribes `total` readers, split as evenly as possible over the processes;
   * with `spreadMs`, their starts are spread evenly over that time from now (a join storm),
   * else each process connects `batch` at a time. The first process's first reader captures.
   */
  async open(
    options: Omit<OpenRequest, 'type' | 'count' | 'spread' | 'capture'> & { total: number; spreadMs: number; startAt: number },
    ceilingMs: number,
  ): Promise<Subscribed> {
    const { total, spreadMs, startAt, ...rest } = options;
    const processes = this.processes.length;
    const replies = await Promise.all(
      this.processes.map((reader, index) => {
        const count = Math.floor(total / processes) + (index < total % processes ? 1 : 0);
        const spread = spreadMs > 0 ? { startAt, spreadMs, firstIndex: index, stride: processes, total } : null;
        return reader.request({ type: 'open', ...rest, count, spread, capture: index === 0 }, 'opened', ceilingMs);
      }),
    );
    return mergeSubscribed(replies);
  }

  /** The lowest last-in-order seq over all readers, how many are connected, and how many lost their connection. */
  async status(
    ceilingMs: number,
  ): Promise<{ lowestSeq: number; connected: number; closedUnexpectedly: number; closeReason: string | null }> {
    const replies = await Promise.all(this.processes.map((reader) => reader.request({ type: 'status' }, 'status', ceilingMs)));
    return {
      lowestSeq: Math.min(...replies.map((reply) => reply.lowestSeq)),
      connected: replies.reduce((sum, reply) => sum + reply.connected, 0),
      closedUnexpectedly: replies.reduce((sum, reply) => sum + reply.closedUnexpectedly, 0),
      closeReason: replies.find((reply) => reply.closeReason !== null)?.closeReason ?? null,
    };
  }

  async phaseStart(ceilingMs: number): Promise<void> {
    await Promise.all(this.processes.map((reader) => reader.request({ type: 'phase-start' }, 'phase-started', ceilingMs)));
  }

  async collect(seqs: number[], idHashes: number[], ceilingMs: number): Promise<Collected> {
    const replies = await Promise.all(
      this.processes.map((reader) => reader.request({ type: 'collect', seqs, idHashes }, 'collected', ceilingMs)),
    );
    const problems = sumProblems(replies.map((reply) => reply.problems));
    return {
      times: concat(replies.map((reply) => reply.times)),
      readers: replies.reduce((sum, reply) => sum + reply.readers, 0),
      problems,
      wrongEntry: replies.reduce((sum, reply) => sum + reply.wrongEntry, 0),
      loopDelayMs: worstLoopDelay(replies.map((reply) => reply.loopDelayMs)),
    };
  }

  /** The capturing reader's first ack (JSON) and every change it received (JSON), in order. */
  async captured(ceilingMs: number): Promise<{ ack: string | null; changes: string[] }> {
    const first = this.processes[0];
    if (!first) return { ack: null, changes: [] };
    const reply = await first.request({ type: 'captured' }, 'captured', ceilingMs);
    return { ack: reply.ack, changes: reply.changes };
  }

  async drop(ceilingMs: number): Promise<void> {
    await Promise.all(this.processes.map((reader) => reader.request({ type: 'drop' }, 'dropped', ceilingMs)));
  }

  /** Every reader connects again at once and subscribes with its cursor. */
  async resume(timeoutMs: number, ceilingMs: number): Promise<Subscribed> {
    const replies = await Promise.all(this.processes.map((reader) => reader.request({ type: 'resume', timeoutMs }, 'resumed', ceilingMs)));
    return mergeSubscribed(replies);
  }

  /** Closes every reader and forgets them; the processes stay for the next run. */
  async closeReaders(ceilingMs: number): Promise<void> {
    await Promise.all(this.processes.map((reader) => reader.request({ type: 'close' }, 'closed', ceilingMs)));
  }

  /** Ends the processes (their readers with them), also when they do not answer. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.map((reader) => reader.stop()));
  }
}

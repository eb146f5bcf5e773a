/**
 * Several worker processes on one port (node's cluster module). The primary forks them,
 * announces the service once every one listens, forks a new one for each that dies, and on
 * SIGTERM stops them all. Workers share nothing but Redis, as separate processes always do,
 * so a reader needs no stickiness: its WebSocket stays on the worker it reached.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** The response header naming the worker that answered (also on the WebSocket upgrade). */
export const WORKER_HEADER = 'X-Livebrief-Worker';

/** A worker dead sooner than this after its start is restarted only after RESTART_DELAY_MS: no fork storm from one that cannot run. */
const SHORT_LIFE_MS = 5000;
const RESTART_DELAY_MS = 1000;
/** A worker still running this long after being told to stop is killed, in ms (its own grace for requests is 5 s). */
const STOP_GRACE_MS = 10_000;

interface ListeningMessage {
  type: 'livebrief:listening';
  address: AddressInfo;
}

function isListeningMessage(message: unknown): message is ListeningMessage {
  return (
    typeof message === 'object' && message !== null && 'type' in message && message.type === 'livebrief:listening' && 'address' in message
  );
}

/** Worker side: tells the primary that this worker accepts connections, and where. */
export function reportListening(address: AddressInfo): void {
  const message: ListeningMessage = { type: 'livebrief:listening', address };
  process.send?.(message);
}

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** Called once, when every worker first listens. */
  onListening: (address: AddressInfo) => void;
  /** Called after every worker has exited, before the primary exits with `code`. */
  onStopped: () => void;
}

/** Runs the primary: forks the workers and looks after them until SIGTERM or SIGINT. */
export function runPrimary(options: PrimaryOptions): void {
  const { logger } = options;
  const startedAt = new Map<Worker, number>();
  const listening = new Set<Worker>();
  let announced = false;
  let stopping = false;
  let exitCode = 0;

  const fork = (): void => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      if (!isListeningMessage(message)) return;
      listening.add(worker);
      if (!announced && listening.size === options.workers) {
        announced = true;
        options.onListening(message.address);
      }
    });
  };

  const finishIfDone = (): void => {
    if (startedAt.size > 0) return;
    options.onStopped();
    process.exit(exitCode);
  };

  const stop = (reason: string, code: number): void => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping the workers');
    for (const worker of startedAt.keys()) {
      worker.process.kill('SIGTERM');
      setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS).unref();
    }
    finishIfDone();
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    listening.delete(worker);
    if (stopping) {
      if (code !== 0) exitCode = 1;
      finishIfDone();
      return;
    }
    if (!announced) {
      // A worker that cannot start (Redis unreachable, port taken) would fail again: give up,
      // as a single process does; its own message says why.
      logger.fatal({ worker: worker.id, code, signal }, 'a worker exited before the service started');
      stop('a worker could not start', 1);
      return;
    }
    logger.error({ worker: worker.id, code, signal }, 'a worker died; starting another');
    const restart = (): void => {
      if (!stopping) fork();
    };
    if (lived < SHORT_LIFE_MS) setTimeout(restart, RESTART_DELAY_MS);
    else restart();
  });

  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));
  for (let i = 0; i < options.workers; i++) fork();
}

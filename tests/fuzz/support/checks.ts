/** What the fuzz suites assert about every answer, and how they measure the heap. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Redis } from 'ioredis';
import { ERROR_STATUS } from '../../../shared/errors';
import { DEFAULT_REDIS, onClose, startServer, type TestServer } from '../../support/harness';

/** Anything that looks like a stack trace or a file of ours leaking out. */
const STACK_TRACE = /"stack"|\n\s+at\s|\\n\s+at\s|\.(ts|js):\d+|node_modules/;

/** Problems with a body that should be `{ error: { code, message } }` with a code matching `status`; empty when fine. */
export function errorShapeProblems(status: number, contentType: string, text: string): string[] {
  const problems: string[] = [];
  if (!contentType.startsWith('application/json')) problems.push(`content-type "${contentType}"`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...problems, `body is not JSON: ${text.slice(0, 200)}`];
  }
  if (typeof body !== 'object' || body === null || Object.keys(body).join() !== 'error')
    return [...problems, `not the error shape: ${text.slice(0, 300)}`];
  const error: unknown = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null || Object.keys(error).sort().join() !== 'code,message') {
    return [...problems, `not the error shape: ${text.slice(0, 300)}`];
  }
  const { code, message } = error as { code: unknown; message: unknown };
  if (typeof code !== 'string' || typeof message !== 'string' || message.length === 0)
    return [...problems, `not the error shape: ${text.slice(0, 300)}`];
  if (!(code in ERROR_STATUS)) problems.push(`unknown code ${code}`);
  else if (ERROR_STATUS[code as keyof typeof ERROR_STATUS] !== status) problems.push(`code ${code} with status ${status}`);
  if (STACK_TRACE.test(text)) problems.push(`looks like a stack trace: ${text.slice(0, 300)}`);
  return problems;
}

/** An ack that refuses: `{ ok: false, error: { code, message } }` with a known code. */
export function isErrorAck(ack: unknown): boolean {
  if (typeof ack !== 'object' || ack === null) return false;
  const { ok, error } = ack as { ok?: unknown; error?: unknown };
  if (ok !== false || typeof error !== 'object' || error === null || Object.keys(ack).sort().join() !== 'error,ok') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    Object.keys(error).sort().join() === 'code,message' &&
    typeof code === 'string' &&
    code in ERROR_STATUS &&
    typeof message === 'string' &&
    message.length > 0
  );
}

/**
 * A full garbage collection, so heap figures compare live objects only. Uses `gc` when
 * Node runs with --expose-gc, else turns the flag on at run time and takes the function
 * from a fresh context (the flag applies to contexts made after it is set).
 */
export function collector(): () => void {
  const exposed: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc !== 'function') throw new Error('could not get a garbage collector');
  return gc as () => void;
}

/** heapUsed in bytes after full collections (twice: the first can leave finalizer work). */
export async function liveHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** A pino destination that keeps the error-level records (level 50 and above), one JSON line each. */
export function errorLogCollector(): { log: { write(line: string): void }; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: {
      write(line: string) {
        if ((JSON.parse(line) as { level: number }).level >= 50) lines.push(line);
      },
    },
  };
}

/** The server under fuzz (its error-level records to `log`), and a Redis client of the test's own to read the state with. */
export async function startFuzzTarget(log: { write(line: string): void }): Promise<{ server: TestServer; redis: Redis }> {
  const server = await startServer({ LOG_LEVEL: 'error' }, { log });
  const redis = new Redis(DEFAULT_REDIS);
  onClose(() => {
    redis.disconnect();
  });
  return { server, redis };
}

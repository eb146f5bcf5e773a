/** A scenario's whole run under one ceiling, with everything it started stopped afterwards. */
import { closeAll } from '../tests/support/harness';

/**
 * Runs `work`, failing it once `timeoutMs` has passed; then, on success, failure or timeout
 * alike, closes all that was registered with the harness (servers, browsers, Redis keys).
 */
export async function withCeiling<T>(what: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const ceiling = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: over its ceiling of ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work(), ceiling]);
  } finally {
    clearTimeout(timer);
    await closeAll();
  }
}

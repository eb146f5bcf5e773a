/** "N readers now": the words, and keeping an element's number current while it is on the page. */
import type { ReadersNow } from '../../shared/console';

/** How often the number is asked for again, in ms (the server's counts are at most 10 s old). */
const REFRESH_MS = 5000;

export function readersLabel(count: number): string {
  return count === 1 ? '1 reader now' : `${count} readers now`;
}

/**
 * Asks `load` now and every REFRESH_MS, handing each answer to `show`, until `stop` is
 * called or `anchor` has left the page (a view replaced by another). A failed ask keeps
 * the last number shown.
 */
export function keepReadersCurrent(
  anchor: Element,
  load: () => Promise<ReadersNow>,
  show: (readers: ReadersNow['readers']) => void,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const tick = (): void => {
    load()
      .then((answer) => {
        if (!stopped) show(answer.readers);
      })
      .catch(() => undefined)
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(() => {
          if (anchor.isConnected) tick();
        }, REFRESH_MS);
      });
  };
  tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

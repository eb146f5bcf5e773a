/** Relative times ("3 minutes ago") go stale: redraw them from their datetime attribute. */
import type { TimeFormat } from '../../shared/time-format';

export const RELATIVE_REFRESH_MS = 60_000;

export function refreshRelativeTimes(root: ParentNode, time: TimeFormat): void {
  const now = Date.now();
  for (const element of Array.from(root.querySelectorAll<HTMLTimeElement>('time[data-rel]'))) {
    const relative = element.querySelector('.lb-rel');
    if (relative) relative.textContent = time.relative(element.dateTime, now);
  }
}

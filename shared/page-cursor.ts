/**
 * The `before` cursor of paged entry lists (`next` in GET …/entries): it names the last
 * entry shown, by its time (which still orders when that entry is gone) and its id. The
 * store reads it; a browser holding entries can name the page after them itself.
 */
import { AppError } from './errors';
import { ID_SOURCE } from './identifiers';
import type { Entry } from './schemas';

const BEFORE_PATTERN = new RegExp(`^(\\d{1,15})\\.(${ID_SOURCE})$`);

export function beforeCursorOf(entry: Entry): string {
  return `${Date.parse(entry.publishedAt)}.${entry.id}`;
}

export function parseBeforeCursor(before: string | undefined): { ms: number; id: string } | null {
  if (!before) return null;
  const match = BEFORE_PATTERN.exec(before);
  if (!match?.[1] || !match[2]) throw new AppError('invalid', 'before: must be a `next` value from a previous page');
  return { ms: Number(match[1]), id: match[2] };
}

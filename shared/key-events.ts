/**
 * A briefing's key events as a reader's page keeps them: the index (newest first, every
 * key event however old, not only the loaded entries) and the whole key events fetched for
 * the "Key events only" filter. Both fold the same changes, so they follow publishing,
 * marking, unmarking, retitling and deleting live.
 */
import { compareEntries } from './apply-change';
import { LIMITS } from './limits';
import type { Change, Entry } from './schemas';

/**
 * The list after one change: every change carries the whole entry (or its deletion), so
 * it says exactly whether the entry is a key event now, whatever the list held before.
 */
export function foldKeyEvents<T extends { id: string; publishedAt: string }>(list: T[], change: Change, toItem: (entry: Entry) => T): T[] {
  switch (change.type) {
    case 'entry.published':
    case 'entry.updated': {
      const entry = change.entry;
      const rest = list.filter((item) => item.id !== entry.id);
      if (!entry.keyEvent) return rest.length === list.length ? list : rest;
      return [...rest, toItem(entry)].sort(compareEntries).slice(0, LIMITS.keyEvents);
    }
    case 'entry.deleted':
      return list.some((item) => item.id === change.id) ? list.filter((item) => item.id !== change.id) : list;
    default:
      return list;
  }
}

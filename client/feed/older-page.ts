/**
 * "Load older" for every feed that folds with applyChange (the reader's page, the embed and
 * the console): reads the page of entries after the oldest one loaded and merges it below
 * with the shared mergeOlderPage, asking again when changes overtook the read.
 */
import { mergeOlderPage, type EntriesPage, type FeedView } from '../../shared/apply-change';
import { beforeCursorOf } from '../../shared/page-cursor';
import { BriefingRoutes } from './reader-api';

export interface OlderPageOptions {
  /** The service's origin ('' for the page's own). */
  origin: string;
  slug: string;
  pageSize: number;
  /** The feed's view as it is now: read again once the page has arrived. */
  view(): FeedView | null;
}

const ATTEMPTS = 3;

/**
 * The view with the next older page merged below, or null when there is nothing to merge
 * (no view, already complete, another history, or changes kept overtaking the read).
 * Rejects when the server cannot be reached or refuses.
 */
export async function loadOlderPage(options: OlderPageOptions): Promise<FeedView | null> {
  const routes = new BriefingRoutes(options.origin, options.slug);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const asked = options.view();
    if (!asked || asked.complete) return null;
    const after = asked.entries[asked.entries.length - 1] ?? null;
    const response = await fetch(routes.entries(options.pageSize, after ? beforeCursorOf(after) : null));
    if (!response.ok) throw new Error(`older entries: ${response.status}`);
    const page = (await response.json()) as EntriesPage;
    const current = options.view();
    if (!current) return null;
    const merged = mergeOlderPage(current, after, page);
    if (merged.status === 'merged') return merged.view;
    if (merged.status === 'other-epoch') return null;
  }
  return null;
}

/**
 * The one fold from changes to what a reader sees. The server keeps its snapshot cache
 * with it and the browser its feed, so both agree by construction.
 */
import type { Briefing, Change, Entry, Snapshot } from './schemas';

export interface FeedView {
  epoch: string;
  seq: number;
  briefing: Briefing;
  /** The newest published entries, newest first, without holes. */
  entries: Entry[];
  /** Every pinned entry, newest first, whether or not it is in `entries`. */
  pinned: Entry[];
  /** True when `entries` holds every published entry (nothing older left to load). */
  complete: boolean;
}

export type ApplyResult =
  | { status: 'applied'; view: FeedView }
  /** Already folded in (seq not above the view's): ignore it. */
  | { status: 'duplicate'; view: FeedView }
  /** A change is missing, or it belongs to another history: resubscribe. */
  | { status: 'gap'; view: FeedView };

/** Newest first; ties on the publication time are broken by id so every side sorts alike. */
export function compareEntries(a: Pick<Entry, 'publishedAt' | 'id'>, b: Pick<Entry, 'publishedAt' | 'id'>): number {
  if (a.publishedAt !== b.publishedAt) return a.publishedAt < b.publishedAt ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

export function viewFromSnapshot(epoch: string, seq: number, snapshot: Snapshot, windowSize: number): FeedView {
  return {
    epoch,
    seq,
    briefing: snapshot.briefing,
    entries: snapshot.entries,
    pinned: snapshot.pinned,
    complete: snapshot.entries.length < windowSize,
  };
}

export function applyChange(view: FeedView, change: Change): ApplyResult {
  if (change.epoch !== view.epoch) return { status: 'gap', view };
  if (change.seq <= view.seq) return { status: 'duplicate', view };
  if (change.seq !== view.seq + 1) return { status: 'gap', view };

  const next: FeedView = { ...view, seq: change.seq, briefing: { ...view.briefing, seq: change.seq } };
  switch (change.type) {
    case 'entry.published':
    case 'entry.updated': {
      const changed = change.entry;
      next.entries = upsertInWindow(view, changed);
      next.pinned = changed.pinned ? upsertSorted(view.pinned, changed) : view.pinned.filter((entry) => entry.id !== changed.id);
      break;
    }
    case 'entry.deleted':
      next.entries = view.entries.filter((entry) => entry.id !== change.id);
      next.pinned = view.pinned.filter((entry) => entry.id !== change.id);
      break;
    case 'briefing.updated':
      next.briefing = { ...change.briefing, epoch: change.epoch, seq: change.seq };
      break;
  }
  return { status: 'applied', view: next };
}

function upsertInWindow(view: FeedView, entry: Entry): Entry[] {
  const present = view.entries.some((candidate) => candidate.id === entry.id);
  const oldest = view.entries[view.entries.length - 1];
  const insideWindow = view.complete || present || (oldest !== undefined && compareEntries(entry, oldest) < 0);
  return insideWindow ? upsertSorted(view.entries, entry) : view.entries;
}

function upsertSorted(list: Entry[], entry: Entry): Entry[] {
  const rest = list.filter((candidate) => candidate.id !== entry.id);
  const at = rest.findIndex((candidate) => compareEntries(entry, candidate) < 0);
  if (at === -1) return [...rest, entry];
  return [...rest.slice(0, at), entry, ...rest.slice(at)];
}

/** A page of GET …/entries?before=: entries newest first, read at (epoch, seq); `next` null when nothing older is left. */
export interface EntriesPage {
  entries: Entry[];
  epoch: string;
  seq: number;
  next: string | null;
}

export type MergeOlderResult =
  | { status: 'merged'; view: FeedView }
  /** The page no longer fits the view (read before changes the view holds, or asked after an entry that is no longer its oldest): ask again. */
  | { status: 'stale' }
  /** The page is of another history: the snapshot the connection gets next replaces everything anyway. */
  | { status: 'other-epoch' };

/**
 * Puts the page of entries older than `after` (the view's oldest entry when the page was
 * asked for, null when it had none) below the view's entries, keeping the window rule:
 * `entries` stays the newest entries without holes, and `complete` says whether any older
 * one is left. A page read before changes already folded in would bring back older
 * versions, and one asked after an entry the view no longer ends with (deleted, or a
 * snapshot replaced the view) could leave a hole: both are refused as stale.
 */
export function mergeOlderPage(view: FeedView, after: Entry | null, page: EntriesPage): MergeOlderResult {
  if (page.epoch !== view.epoch) return { status: 'other-epoch' };
  const oldest = view.entries[view.entries.length - 1] ?? null;
  const sameEnd = oldest === null ? after === null : after !== null && oldest.id === after.id && oldest.publishedAt === after.publishedAt;
  if (page.seq < view.seq || !sameEnd) return { status: 'stale' };
  const known = new Set(view.entries.map((entry) => entry.id));
  const older = page.entries.filter((entry) => !known.has(entry.id) && (oldest === null || compareEntries(entry, oldest) > 0));
  return { status: 'merged', view: { ...view, entries: [...view.entries, ...older], complete: page.next === null } };
}

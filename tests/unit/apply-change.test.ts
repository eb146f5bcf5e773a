/** The one fold from changes to a reader's view, shared by the server's cache and the browser. */
import { applyChange, compareEntries, mergeOlderPage, viewFromSnapshot, type EntriesPage, type FeedView } from '../../shared/apply-change';
import type { Briefing, Change, Entry } from '../../shared/schemas';

const briefing: Briefing = {
  slug: 's',
  title: 'Title',
  summary: '',
  status: 'live',
  locale: 'en',
  timeZone: 'UTC',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  epoch: 'e1',
  seq: 3,
};

function entry(id: string, minute: number, extra: Partial<Entry> = {}): Entry {
  const publishedAt = `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
  return {
    id,
    slug: 's',
    version: 1,
    publishedAt,
    updatedAt: null,
    author: { id: 'a', name: 'A' },
    title: null,
    body: id,
    html: `<p>${id}</p>`,
    keyEvent: false,
    pinned: false,
    media: [],
    links: [],
    sources: null,
    embeds: [],
    ...extra,
  };
}

function view(entries: Entry[], complete: boolean, pinned: Entry[] = []): FeedView {
  return { epoch: 'e1', seq: 3, briefing, entries, pinned, complete };
}

/** What a change carries, by its type; an entry without a type is published. */
type ChangeFields =
  | { type?: 'entry.published' | 'entry.updated'; entry: Entry }
  | { type: 'entry.deleted'; id: string }
  | { type: 'briefing.updated'; briefing: Briefing };

function change(seq: number, fields: ChangeFields): Change {
  const head = { slug: 's', epoch: 'e1', seq, at: '2026-01-01T11:00:00.000Z' };
  return 'entry' in fields ? { ...head, type: fields.type ?? 'entry.published', entry: fields.entry } : { ...head, ...fields };
}

const ids = (entries: Entry[]) => entries.map((item) => item.id);

describe('applyChange', () => {
  test('a publish lands in order, newest first, and moves the cursor', () => {
    const result = applyChange(view([entry('c', 30), entry('a', 10)], true), change(4, { entry: entry('b', 20) }));
    expect(result.status).toBe('applied');
    expect(ids(result.view.entries)).toEqual(['c', 'b', 'a']);
    expect(result.view.seq).toBe(4);
    expect(result.view.briefing.seq).toBe(4);
  });

  test('the next seq is the only one applied: older is a duplicate, further on is a gap', () => {
    const start = view([entry('a', 10)], true);
    expect(applyChange(start, change(3, { entry: entry('x', 50) }))).toEqual({ status: 'duplicate', view: start });
    expect(applyChange(start, change(5, { entry: entry('x', 50) }))).toEqual({ status: 'gap', view: start });
    expect(applyChange(start, { ...change(4, { entry: entry('x', 50) }), epoch: 'e2' })).toEqual({ status: 'gap', view: start });
  });

  test('an edit replaces in place; a pin adds to the pinned list, an unpin removes it', () => {
    const start = view([entry('b', 20), entry('a', 10)], true);
    const pinned = applyChange(
      start,
      change(4, { type: 'entry.updated', entry: entry('a', 10, { version: 2, pinned: true, body: 'fixed' }) }),
    );
    expect(ids(pinned.view.entries)).toEqual(['b', 'a']);
    expect(pinned.view.entries[1]?.body).toBe('fixed');
    expect(ids(pinned.view.pinned)).toEqual(['a']);
    const unpinned = applyChange(pinned.view, change(5, { type: 'entry.updated', entry: entry('a', 10, { version: 3 }) }));
    expect(unpinned.view.pinned).toEqual([]);
  });

  test('a delete removes the entry from the feed and from the pinned list', () => {
    const a = entry('a', 10, { pinned: true });
    const result = applyChange(view([entry('b', 20), a], true, [a]), change(4, { type: 'entry.deleted', id: 'a' }));
    expect(ids(result.view.entries)).toEqual(['b']);
    expect(result.view.pinned).toEqual([]);
  });

  test('an incomplete window takes nothing older than its oldest entry, but keeps pins of older entries', () => {
    const start = view([entry('c', 30), entry('b', 20)], false);
    const older = applyChange(start, change(4, { type: 'entry.updated', entry: entry('a', 10, { pinned: true }) }));
    expect(ids(older.view.entries)).toEqual(['c', 'b']);
    expect(ids(older.view.pinned)).toEqual(['a']);
    const complete = applyChange({ ...start, complete: true }, change(4, { entry: entry('a', 10) }));
    expect(ids(complete.view.entries)).toEqual(['c', 'b', 'a']);
  });

  test("briefing metadata is replaced and carries the change's position", () => {
    const renamed = { ...briefing, title: 'Renamed', status: 'ended' as const, seq: 99 };
    const result = applyChange(view([], true), change(4, { type: 'briefing.updated', briefing: renamed }));
    expect(result.view.briefing).toEqual({ ...renamed, seq: 4, epoch: 'e1' });
  });

  test('the view given in is never changed', () => {
    const start = view([entry('a', 10)], true);
    const frozen = JSON.stringify(start);
    applyChange(start, change(4, { entry: entry('b', 20) }));
    applyChange(start, change(4, { type: 'entry.deleted', id: 'a' }));
    expect(JSON.stringify(start)).toBe(frozen);
  });
});

test('entries at the same time sort by id, as Redis sorts equal scores', () => {
  const sorted = [entry('m', 5), entry('z', 5), entry('a', 5), entry('q', 6)].sort(compareEntries);
  expect(ids(sorted)).toEqual(['q', 'z', 'm', 'a']);
});

test('a snapshot of fewer entries than the window is complete', () => {
  expect(viewFromSnapshot('e', 1, { briefing, entries: [entry('a', 1)], pinned: [] }, 20).complete).toBe(true);
  const full = Array.from({ length: 20 }, (_, index) => entry(`e${index}`, index));
  expect(viewFromSnapshot('e', 1, { briefing, entries: full, pinned: [] }, 20).complete).toBe(false);
});

describe('mergeOlderPage', () => {
  const page = (entries: Entry[], next: string | null, seq = 3, epoch = 'e1'): EntriesPage => ({ entries, epoch, seq, next });

  test('puts the older page below, without duplicates, and is complete only when nothing is left', () => {
    const c = entry('c', 30);
    const b = entry('b', 20);
    const start = view([c, b], false);
    const more = mergeOlderPage(start, b, page([b, entry('a', 10)], 'cursor'));
    expect(more.status).toBe('merged');
    if (more.status !== 'merged') return;
    expect(ids(more.view.entries)).toEqual(['c', 'b', 'a']);
    expect(more.view.complete).toBe(false);
    const last = mergeOlderPage(start, b, page([entry('a', 10)], null));
    expect(last.status === 'merged' && last.view.complete).toBe(true);
  });

  test('older entries merged in keep folding live changes: an edit and a delete reach them', () => {
    const b = entry('b', 20);
    const merged = mergeOlderPage(view([entry('c', 30), b], false), b, page([entry('a', 10)], null));
    if (merged.status !== 'merged') throw new Error(merged.status);
    const edited = applyChange(merged.view, change(4, { type: 'entry.updated', entry: entry('a', 10, { version: 2, body: 'fixed' }) }));
    expect(edited.view.entries[2]?.body).toBe('fixed');
    const deleted = applyChange(edited.view, change(5, { type: 'entry.deleted', id: 'a' }));
    expect(ids(deleted.view.entries)).toEqual(['c', 'b']);
  });

  test('refuses a page read before changes the view holds, or asked after an entry that is no longer the oldest', () => {
    const c = entry('c', 30);
    const b = entry('b', 20);
    const start = { ...view([c, b], false), seq: 5 };
    expect(mergeOlderPage(start, b, page([entry('a', 10)], null, 4))).toEqual({ status: 'stale' });
    // b went meanwhile (deleted, or a snapshot replaced the view): the view no longer ends where
    // the page begins, so it is asked again after the view's oldest entry.
    expect(mergeOlderPage({ ...start, entries: [c] }, b, page([entry('a', 10)], null, 6))).toEqual({ status: 'stale' });
    expect(mergeOlderPage(start, b, page([entry('a', 10)], null, 5, 'e2'))).toEqual({ status: 'other-epoch' });
  });
});

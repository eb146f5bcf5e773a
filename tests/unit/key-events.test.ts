/** The fold that keeps a reader's key-events index (and the filter's key events) live. */
import { keyEventItem, type KeyEventItem } from '../../shared/feed-markup';
import { foldKeyEvents } from '../../shared/key-events';
import type { Change, Entry } from '../../shared/schemas';

function entry(id: string, minute: number, extra: Partial<Entry> = {}): Entry {
  return {
    id,
    slug: 's',
    version: 1,
    publishedAt: `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`,
    updatedAt: null,
    author: { id: 'a', name: 'A' },
    title: null,
    body: id,
    html: `<p>Text of ${id}</p>`,
    keyEvent: true,
    pinned: false,
    media: [],
    links: [],
    sources: null,
    embeds: [],
    ...extra,
  };
}

const head = { slug: 's', epoch: 'e', seq: 1, at: '2026-01-01T10:00:00.000Z' };
const published = (value: Entry): Change => ({ ...head, type: 'entry.published', entry: value });
const updated = (value: Entry): Change => ({ ...head, type: 'entry.updated', entry: value });

test('publishing, marking, retitling, unmarking and deleting each say what the index holds, newest first', () => {
  let index: KeyEventItem[] = [keyEventItem(entry('b', 20))];
  index = foldKeyEvents(index, published(entry('c', 30)), keyEventItem);
  index = foldKeyEvents(index, published(entry('plain', 40, { keyEvent: false })), keyEventItem);
  index = foldKeyEvents(index, updated(entry('a', 10)), keyEventItem);
  expect(index.map((item) => item.id)).toEqual(['c', 'b', 'a']);
  expect(index[0]?.headline).toBe('Text of c');

  index = foldKeyEvents(index, updated(entry('b', 20, { title: 'Bridge closed', version: 2 })), keyEventItem);
  expect(index.map((item) => item.headline)).toEqual(['Text of c', 'Bridge closed', 'Text of a']);
  index = foldKeyEvents(index, updated(entry('c', 30, { keyEvent: false, version: 2 })), keyEventItem);
  index = foldKeyEvents(index, { ...head, type: 'entry.deleted', id: 'a' }, keyEventItem);
  expect(index.map((item) => item.id)).toEqual(['b']);
});

test('changes that concern no key event leave the list as it was', () => {
  const index = [keyEventItem(entry('b', 20))];
  expect(foldKeyEvents(index, published(entry('plain', 40, { keyEvent: false })), keyEventItem)).toBe(index);
  expect(foldKeyEvents(index, { ...head, type: 'entry.deleted', id: 'other' }, keyEventItem)).toBe(index);
});

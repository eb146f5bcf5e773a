/**
 * Keyed reconciliation of a list, for the reader's feed and the console's: makes a
 * container's children the drawn items, in order. An element that still shows its item
 * as it is now is kept (with its focus and loaded images), a stale one is replaced where
 * it stands, and only elements whose place changed are moved, so that scroll and focus
 * stay where the person is.
 */

export interface KeyedList<T> {
  key: (item: T) => string;
  /** The key of an element already in the container: drawn here, or by the server for the reader's page. */
  keyOf: (element: Element) => string | null | undefined;
  /** Whether an element drawn before still shows the item as it is now. */
  isCurrent: (element: Element, item: T) => boolean;
  draw: (item: T) => Element;
}

export function reconcile<T>(container: Element, items: readonly T[], list: KeyedList<T>): void {
  const byKey = new Map<string, Element>();
  for (const child of Array.from(container.children)) byKey.set(list.keyOf(child) ?? '', child);
  const wanted = items.map((item) => {
    const key = list.key(item);
    const old = byKey.get(key);
    byKey.delete(key);
    if (old && list.isCurrent(old, item)) return old;
    const element = list.draw(item);
    old?.replaceWith(element);
    return element;
  });
  // What is left over goes first, so that the walk below moves only what changed place.
  for (const leftover of byKey.values()) leftover.remove();
  let cursor = container.firstElementChild;
  for (const element of wanted) {
    if (element === cursor) cursor = element.nextElementSibling;
    else container.insertBefore(element, cursor);
  }
}

/**
 * What the tests open and must close: with the file (`onClose`, closed by `closeAll()` in
 * afterAll) or with the running test (`onTestEnd`, closed by tests/support/test-end.ts).
 */
export type Closer = () => Promise<void> | void;
const closers: Closer[] = [];

export function onClose(closer: Closer): void {
  closers.push(closer);
}

const testClosers: Closer[] = [];

/**
 * Closed when the running test ends (tests/support/test-end.ts), not with the file: a file's
 * browser contexts, each with live pages and sockets, must not pile up and slow the rest.
 */
export function onTestEnd(closer: Closer): void {
  testClosers.push(closer);
}

async function closeNewestFirst(list: Closer[]): Promise<void> {
  while (list.length > 0) {
    const closer = list.pop();
    try {
      await closer?.();
    } catch {
      // best effort: a failed close must not hide the test's own failure
    }
  }
}

/** Closes what the test that just ended opened with `onTestEnd`. */
export async function closeTestResources(): Promise<void> {
  await closeNewestFirst(testClosers);
}

/** Closes everything opened through this harness, newest first. */
export async function closeAll(): Promise<void> {
  await closeNewestFirst(testClosers);
  await closeNewestFirst(closers);
}

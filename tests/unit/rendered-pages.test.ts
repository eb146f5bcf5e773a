import { FreshReads } from '../../server/fresh-reads';
import { RenderedPages, type RenderedPage } from '../../server/http/rendered-pages';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

const AT = { epoch: 'e1', seq: 7 };

function rendered(seq: number, renderedAtMs: number, text = `page at ${seq}`, epoch = 'e1'): RenderedPage {
  return { epoch, seq, renderedAtMs, body: Buffer.from(text), etag: `W/"${seq}"` };
}

function pagesAt(clock: { now: number }, maxBytes = 1_000_000): RenderedPages {
  return new RenderedPages({ maxBytes, maxAgeMs: 10_000, now: () => clock.now });
}

test('a page is rendered once while the briefing stays at its position and the page is young', async () => {
  const clock = { now: 1_000 };
  const pages = pagesAt(clock);
  const render = jest.fn(() => Promise.resolve(rendered(7, clock.now)));
  const first = await pages.page('k', AT, render);
  clock.now += 9_999;
  expect(await pages.page('k', AT, render)).toBe(first);
  expect(render).toHaveBeenCalledTimes(1);
});

test('a change to the briefing (a newer seq or another epoch) renders it again', async () => {
  const clock = { now: 1_000 };
  const pages = pagesAt(clock);
  await pages.page('k', AT, () => Promise.resolve(rendered(7, clock.now)));
  const next = await pages.page('k', { epoch: 'e1', seq: 8 }, () => Promise.resolve(rendered(8, clock.now)));
  expect(next.seq).toBe(8);
  const otherHistory = await pages.page('k', { epoch: 'e2', seq: 1 }, () => Promise.resolve(rendered(1, clock.now, 'new history', 'e2')));
  expect(otherHistory.body.toString()).toBe('new history');
});

test('a page rendered past a head read before it is still good for that head', async () => {
  const clock = { now: 1_000 };
  const pages = pagesAt(clock);
  const newer = await pages.page('k', AT, () => Promise.resolve(rendered(9, clock.now)));
  const render = jest.fn(() => Promise.resolve(rendered(9, clock.now)));
  expect(await pages.page('k', { epoch: 'e1', seq: 8 }, render)).toBe(newer);
  expect(render).not.toHaveBeenCalled();
});

test('relative times go stale: an old page is rendered again', async () => {
  const clock = { now: 1_000 };
  const pages = pagesAt(clock);
  await pages.page('k', AT, () => Promise.resolve(rendered(7, clock.now, 'just now')));
  clock.now += 10_000;
  const again = await pages.page('k', AT, () => Promise.resolve(rendered(7, clock.now, 'a minute ago')));
  expect(again.body.toString()).toBe('a minute ago');
});

test('requests that arrive while a page renders share that rendering, unless it is older than what they read', async () => {
  const clock = { now: 1_000 };
  const pages = pagesAt(clock);
  let finish: (page: RenderedPage) => void = () => undefined;
  const slow = jest.fn(() => new Promise<RenderedPage>((resolve) => (finish = resolve)));
  const waiting = [pages.page('k', AT, slow), pages.page('k', AT, slow)];
  const newerHead = pages.page('k', { epoch: 'e1', seq: 8 }, () => Promise.resolve(rendered(8, clock.now)));
  finish(rendered(7, clock.now));
  const [one, two] = await Promise.all(waiting);
  expect(one).toBe(two);
  expect(slow).toHaveBeenCalledTimes(1);
  expect((await newerHead).seq).toBe(8);
});

test('a failed rendering is not kept', async () => {
  const clock = { now: 1_000 };
  const pages = pagesAt(clock);
  await expect(pages.page('k', AT, () => Promise.reject(new Error('gone')))).rejects.toThrow('gone');
  expect((await pages.page('k', AT, () => Promise.resolve(rendered(7, clock.now)))).seq).toBe(7);
});

test('the pages kept stay within their byte budget, the least recently used going first', async () => {
  const clock = { now: 1_000 };
  const pages = pagesAt(clock, 3_000);
  const big = (key: string) => pages.page(key, AT, () => Promise.resolve(rendered(7, clock.now, key.repeat(1_000))));
  await big('a');
  await big('b');
  await big('a');
  await big('c');
  expect(pages.keptBytes()).toBeLessThanOrEqual(3_000);
  const render = jest.fn(() => Promise.resolve(rendered(7, clock.now)));
  await pages.page('a', AT, render);
  expect(render).not.toHaveBeenCalled();
  await pages.page('b', AT, render);
  expect(render).toHaveBeenCalledTimes(1);
});

describe('FreshReads', () => {
  /** A read whose answers the test gives, one by one, in the order they were asked. */
  function controlledRead() {
    const pending: ((value: string) => void)[] = [];
    const read = jest.fn((_key: string) => new Promise<string>((resolve) => pending.push(resolve)));
    const answer = async (value: string): Promise<void> => {
      await new Promise((resolve) => setImmediate(resolve));
      const next = pending.shift();
      if (!next) throw new Error('no read is waiting');
      next(value);
    };
    return { read, answer };
  }

  test('requests arriving while a read is under way share the next read, never the one sent before they came', async () => {
    const { read, answer } = controlledRead();
    const reads = new FreshReads(read);
    const early = reads.read('briefing');
    const late = [reads.read('briefing'), reads.read('briefing'), reads.read('briefing')];
    await answer('before the publish');
    await answer('after the publish');
    expect(await early).toBe('before the publish');
    expect(await Promise.all(late)).toEqual(['after the publish', 'after the publish', 'after the publish']);
    expect(read).toHaveBeenCalledTimes(2);
  });

  test('keys are read apart, a failed read fails only its own requests, and nothing is kept once answered', async () => {
    const read = jest.fn((key: string) => (key === 'bad' ? Promise.reject(new Error('down')) : Promise.resolve(`head of ${key}`)));
    const reads = new FreshReads(read);
    await expect(reads.read('bad')).rejects.toThrow('down');
    expect(await Promise.all([reads.read('a'), reads.read('b')])).toEqual(['head of a', 'head of b']);
    expect(await reads.read('a')).toBe('head of a');
    expect(read).toHaveBeenCalledTimes(4);
  });
});

describe('compressed pages', () => {
  const text = 'A page that is long enough to be worth compressing. '.repeat(200);

  test.each(['gzip', 'br'] as const)('%s: compressed once per rendered page, and decompresses to its bytes', async (encoding) => {
    const pages = new RenderedPages({ maxBytes: 1_000_000, maxAgeMs: 10_000 });
    const page = await pages.page('k', AT, () => Promise.resolve(rendered(7, Date.now(), text)));
    const compressed = await pages.encoded(page, encoding);
    expect(compressed.length).toBeLessThan(page.body.length / 5);
    expect((encoding === 'gzip' ? gunzipSync(compressed) : brotliDecompressSync(compressed)).toString()).toBe(text);
    expect(await pages.encoded(page, encoding)).toBe(compressed);
    const next = await pages.page('k', { epoch: 'e1', seq: 8 }, () =>
      Promise.resolve(rendered(8, Date.now(), 'another page '.repeat(200))),
    );
    expect((await pages.encoded(next, encoding)).equals(compressed)).toBe(false);
  });
});

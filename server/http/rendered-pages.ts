/**
 * Briefing pages as rendered, kept for the next reader: a page of 500 entries costs
 * milliseconds to read and render, and thousands of readers ask for the same one between
 * two changes. A page is good while the briefing's change log is still at the position it
 * was rendered from (every publish, correction, pin, deletion and briefing edit moves it)
 * and while its relative times ("3 minutes ago") are younger than the page's own max-age;
 * the reader's script redraws those times anyway. Bounded in bytes, least recently used
 * going first.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { LRUCache } from 'lru-cache';

export interface LogPosition {
  epoch: string;
  seq: number;
}

export interface RenderedPage extends LogPosition {
  body: Buffer;
  etag: string;
  renderedAtMs: number;
}

export interface RenderedPagesOptions {
  /** Bytes of page bodies kept at most. */
  maxBytes: number;
  /** How long a page is served after it was rendered, at most. */
  maxAgeMs: number;
  now?: () => number;
}

export type PageEncoding = 'br' | 'gzip';

/** As the compression middleware would encode the page (its brotli quality, zlib's default gzip level), but once per page. */
const ENCODE: Record<PageEncoding, (body: Buffer) => Promise<Buffer>> = {
  br: (body) => promisify(brotliCompress)(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } }),
  gzip: (body) => promisify(gzip)(body),
};

/** Counted for each page besides its body: key, ETag, position. */
const PAGE_OVERHEAD_BYTES = 256;

/** The page shows `head` or later of the same history. */
function shows(page: LogPosition, head: LogPosition): boolean {
  return page.epoch === head.epoch && page.seq >= head.seq;
}

export class RenderedPages {
  private readonly kept: LRUCache<string, RenderedPage>;
  /** Renderings under way, by key: requests arriving meanwhile wait for them instead of rendering the same page again. */
  private readonly rendering = new Map<string, Promise<RenderedPage>>();
  private readonly now: () => number;
  /** Each page's compressed bodies, made when first asked for (about a tenth of the body each: not counted in maxBytes). */
  private readonly encodings = new WeakMap<RenderedPage, Map<PageEncoding, Promise<Buffer>>>();

  constructor(private readonly options: RenderedPagesOptions) {
    this.now = options.now ?? Date.now;
    this.kept = new LRUCache<string, RenderedPage>({
      maxSize: options.maxBytes,
      sizeCalculation: (page) => page.body.length + PAGE_OVERHEAD_BYTES,
    });
  }

  /**
   * The page under `key` as of `head` (the briefing's position read for this request): the
   * one kept when it is still good, or the one being rendered when that shows `head`, or
   * else `render()`'s, kept for the next request.
   */
  async page(key: string, head: LogPosition, render: () => Promise<RenderedPage>): Promise<RenderedPage> {
    const kept = this.kept.get(key);
    if (kept && shows(kept, head) && this.now() - kept.renderedAtMs < this.options.maxAgeMs) return kept;
    const running = this.rendering.get(key);
    if (running) {
      const shared = await running.catch(() => null);
      if (shared && shows(shared, head)) return shared;
    }
    const rendering = render();
    this.rendering.set(key, rendering);
    try {
      const page = await rendering;
      this.kept.set(key, page);
      return page;
    } finally {
      if (this.rendering.get(key) === rendering) this.rendering.delete(key);
    }
  }

  /** The page's body compressed with `encoding`: compressed once, off the event loop, for every reader after. */
  encoded(page: RenderedPage, encoding: PageEncoding): Promise<Buffer> {
    let bodies = this.encodings.get(page);
    if (!bodies) {
      bodies = new Map();
      this.encodings.set(page, bodies);
    }
    let body = bodies.get(encoding);
    if (!body) {
      body = ENCODE[encoding](page.body);
      bodies.set(encoding, body);
      // A failure is not kept: the next request tries again.
      body.catch(() => bodies.delete(encoding));
    }
    return body;
  }

  /** Bytes counted against maxBytes now. */
  keptBytes(): number {
    return this.kept.calculatedSize;
  }
}

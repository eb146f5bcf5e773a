/**
 * The reader's pages, the Atom feed, the embed script and frame, and the browser assets.
 * Routes stay thin: read the store, hand the render functions what they need, set the
 * caching and security headers that each kind of response wants.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import express, { type Request, type Response, Router } from 'express';
import { AppError } from '../../shared/errors';
import { viewFromSnapshot } from '../../shared/apply-change';
import { keyEventItem, type MarkupContext } from '../../shared/feed-markup';
import { ID_PATTERN } from '../../shared/identifiers';
import { LIMITS, type Briefing } from '../../shared/schemas';
import type { Config } from '../config';
import { correctionHistory } from '../entries';
import { renderAtomFeed } from '../render/atom';
import { blogPostingLd, liveBlogPostingLd, summaryText, type Publisher } from '../render/json-ld';
import { renderMarkdown } from '../render/markdown';
import { renderBriefingPage, renderEmbedPage, renderEntryPage, renderIndexPage, renderNotFoundPage, type SiteInfo } from '../render/pages';
import { timeFormatFor } from '../render/time-context';
import type { Store } from '../store/store';
import { allowCrossOrigin, frameAncestors } from './cross-origin';
import { pageCsp } from './page-csp';
import { FreshReads } from '../fresh-reads';
import { RenderedPages, type PageEncoding, type RenderedPage } from './rendered-pages';
import { idParam, slugParam } from './request-input';
import { translatorFor } from '../../shared/i18n/catalogues';

export interface PagesOptions {
  store: Store;
  config: Readonly<Config>;
  /** Where the browser bundles are (dist/public). */
  publicDir: string;
}

/** Pages may be served a little stale by a CDN: the script catches up from the cursor inside. */
const PAGE_CACHE = 'public, max-age=10, stale-while-revalidate=60';
const ASSET_CACHE = 'public, max-age=300';
/** How long a rendered briefing page may be served again, as a CDN may (its relative times age meanwhile). */
const PAGE_MAX_AGE_MS = 10_000;
/** Rendered briefing pages kept at most, in bytes (a page of 500 entries is about 125 KB). */
const RENDERED_PAGES_BYTES = 32 * 1024 * 1024;
/** Briefings on one page of the list at `/`, newest first. */
export const INDEX_PAGE_SIZE = 50;

/** `?page=` of the list: absent is 1; anything but a whole number from 1 to 10,000 is null. */
function indexPageNumber(raw: unknown): number | null {
  if (raw === undefined) return 1;
  if (typeof raw !== 'string' || !/^[1-9]\d{0,3}$/.test(raw)) return null;
  return Number(raw);
}

/** The ETag Express's own `res.send` gives these bytes (its `etag fn` setting), or '' when ETags are off. */
function etagOf(req: Request, body: Buffer): string {
  const generate: unknown = req.app.get('etag fn');
  return typeof generate === 'function' ? String((generate as (body: Buffer) => unknown)(body)) : '';
}

/** Brotli when the browser takes it, else gzip, else none; none for a 304, which has no body. */
function pageEncoding(req: Request): PageEncoding | null {
  // No Accept-Encoding: identity, as the compression middleware takes it (and no parsing).
  if (req.headers['accept-encoding'] === undefined || req.fresh) return null;
  if (req.acceptsEncodings('br')) return 'br';
  return req.acceptsEncodings('gzip') ? 'gzip' : null;
}

/** Finds dist/public from the source tree (tests) and from dist/ (npm start) alike. */
export function defaultPublicDir(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'public');
}

export function pagesRouter(options: PagesOptions): Router {
  const { store, config, publicDir } = options;
  const router = Router();
  const ownCsp = pageCsp("'self'");
  const frameCsp = pageCsp(frameAncestors(config.embedOrigins));
  /** The service's own words: the list's, and those of pages no briefing speaks for. */
  const serviceWords = translatorFor(config.language);

  const baseUrlOf = (req: Request): string => config.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const siteOf = (req: Request): SiteInfo => {
    const baseUrl = baseUrlOf(req);
    const logo = config.publisherLogo;
    return {
      baseUrl,
      publisherName: config.publisherName,
      publisherLogo: /^https?:\/\//.test(logo) ? logo : `${baseUrl}${logo.startsWith('/') ? '' : '/'}${logo}`,
    };
  };
  const publisherOf = (site: SiteInfo): Publisher => ({ name: site.publisherName, logo: site.publisherLogo });

  const sendPage = (res: Response, body: string | Buffer, csp = ownCsp): void => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', PAGE_CACHE);
    res.type('html').send(body);
  };

  /** A missing briefing or entry is a page too, not JSON. */
  const sendProblem = (req: Request, res: Response, error: unknown): void => {
    if (!(error instanceof AppError) || (error.code !== 'not_found' && error.code !== 'invalid')) throw error;
    res.status(error.status).setHeader('Content-Security-Policy', ownCsp);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(
      // The briefing, and so its language, is unknown here: the service's own words.
      renderNotFoundPage(siteOf(req), serviceWords, error.code === 'invalid' ? 'notFound.noPage' : 'notFound.noBriefing'),
    );
  };

  // ---------- assets ----------

  const crossOriginAsset = (req: Request, res: Response): void => {
    allowCrossOrigin(res, config.embedOrigins, req.get('origin'));
    res.setHeader('Cache-Control', ASSET_CACHE);
  };
  router.use(
    '/assets',
    express.static(publicDir, {
      index: false,
      fallthrough: true,
      setHeaders: (res) => crossOriginAsset(res.req, res),
    }),
  );
  router.get('/embed.js', (req, res) => {
    crossOriginAsset(req, res);
    res.sendFile(path.join(publicDir, 'embed.js'), { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  });

  // ---------- pages ----------

  // Rendering a summary's Markdown is the costly part of the list: each is done once per version of its briefing.
  const summaries = new LRUCache<string, string>({ max: INDEX_PAGE_SIZE * 20 });
  const summaryOf = (briefing: Briefing): string => {
    const key = `${briefing.slug} ${briefing.updatedAt}`;
    let summary = summaries.get(key);
    if (summary === undefined) {
      summary = summaryText(briefing, 220);
      summaries.set(key, summary);
    }
    return summary;
  };

  router.get('/', async (req, res) => {
    const site = siteOf(req);
    const pageNumber = indexPageNumber(req.query.page);
    if (pageNumber === null) {
      sendProblem(req, res, new AppError('invalid', 'page: must be a whole number from 1'));
      return;
    }
    const { briefings, more } = await store.listBriefingsPage({ offset: (pageNumber - 1) * INDEX_PAGE_SIZE, limit: INDEX_PAGE_SIZE });
    const nowMs = Date.now();
    // The list's own words are the service's; each card speaks its briefing's language.
    const cardContext = (briefing: Briefing): MarkupContext => ({
      time: timeFormatFor(briefing.locale, briefing.timeZone).time,
      nowMs,
      baseUrl: '',
      newTab: false,
      i18n: translatorFor(briefing.locale),
    });
    const summaryBySlug = new Map(briefings.map((briefing) => [briefing.slug, summaryOf(briefing)]));
    sendPage(res, renderIndexPage(site, briefings, summaryBySlug, serviceWords, cardContext, more ? `/?page=${pageNumber + 1}` : null));
  });

  /**
   * Where a briefing page begins: `?before=<next>` (an archive page), `?around=<entry id>`
   * (the page that begins with that entry, where the key-events index links an entry not on
   * the live page: the live page when it is among the newest), or null for the live page.
   */
  const pageStart = async (slug: string, query: Request['query']): Promise<string | null> => {
    if (query.around !== undefined) {
      if (typeof query.around !== 'string' || !ID_PATTERN.test(query.around)) throw new AppError('invalid', 'around: must be an entry id');
      const before = await store.cursorBefore(slug, query.around, LIMITS.pageSizeDefault);
      if (before === undefined) throw new AppError('not_found', `no entry "${query.around}"`);
      return before;
    }
    return typeof query.before === 'string' && query.before !== '' ? query.before : null;
  };

  // The same page for every reader until the briefing changes: rendered once per change (and max-age), not per request.
  const renderedPages = new RenderedPages({ maxBytes: RENDERED_PAGES_BYTES, maxAgeMs: PAGE_MAX_AGE_MS });
  const heads = new FreshReads((slug: string) => store.head(slug));

  /** Reads and renders a briefing page as of now; its ETag is the one Express would give its bytes. */
  const renderBriefing = async (req: Request, slug: string, before: string | null, site: SiteInfo): Promise<RenderedPage> => {
    const page = await store.readPage(slug, { limit: LIMITS.pageSizeDefault, before: before ?? undefined, withPinned: true });
    // Read after the page: changes between the two reach the script after the page's cursor anyway.
    const keyEvents = await store.keyEvents(slug, LIMITS.keyEvents);
    const briefing = page.briefing;
    const { time, localeCode } = timeFormatFor(briefing.locale, briefing.timeZone);
    const nowMs = Date.now();
    const ctx: MarkupContext = { time, nowMs, baseUrl: '', newTab: false, i18n: translatorFor(briefing.locale) };
    const view = { ...viewFromSnapshot(page.epoch, page.seq, page, LIMITS.pageSizeDefault), complete: page.next === null };
    const [coverageEnd, contributors] = await Promise.all([store.coverageEnd(briefing), store.contributors(slug)]);
    const body = Buffer.from(
      renderBriefingPage({
        contributors,
        site,
        ctx,
        view,
        keyEvents: keyEvents.map(keyEventItem),
        next: page.next,
        before,
        summaryHtml: renderMarkdown(briefing.summary),
        description: summaryText(briefing, 200) || briefing.title,
        localeCode,
        jsonLd: liveBlogPostingLd(briefing, page.entries, site.baseUrl, publisherOf(site), coverageEnd),
      }),
    );
    return { epoch: page.epoch, seq: page.seq, body, etag: etagOf(req, body), renderedAtMs: nowMs };
  };

  router.get('/b/:slug', async (req, res) => {
    const site = siteOf(req);
    try {
      const slug = slugParam(req);
      const before = await pageStart(slug, req.query);
      const head = await heads.read(slug);
      if (!head) throw new AppError('not_found', `no briefing "${slug}"`);
      // Pages link to the address they were asked at (without LIVEBRIEF_PUBLIC_URL), so that is part of the key.
      const page = await renderedPages.page(`${site.baseUrl} ${slug} ${before ?? ''}`, head, () => renderBriefing(req, slug, before, site));
      // Express answers If-None-Match from this header (a 304) and hashes no body when it is set.
      if (page.etag) res.setHeader('ETag', page.etag);
      // Compressed once per page rather than per request; the compression middleware leaves an encoded body as it is.
      const encoding = pageEncoding(req);
      if (encoding) res.setHeader('Content-Encoding', encoding);
      sendPage(res, encoding ? await renderedPages.encoded(page, encoding) : page.body);
    } catch (error) {
      sendProblem(req, res, error);
    }
  });

  router.get('/b/:slug/e/:id', async (req, res) => {
    const site = siteOf(req);
    try {
      const slug = slugParam(req);
      const id = idParam(req, 'entry');
      const [briefing, stored, versions] = await Promise.all([
        store.getBriefing(slug),
        store.getEntry(slug, id),
        store.listVersions(slug, id),
      ]);
      if (stored.status !== 'published') throw new AppError('not_found', `no entry "${id}"`);
      const { time, localeCode } = timeFormatFor(briefing.locale, briefing.timeZone);
      const ctx: MarkupContext = { time, nowMs: Date.now(), baseUrl: '', newTab: false, i18n: translatorFor(briefing.locale) };
      sendPage(
        res,
        renderEntryPage({
          site,
          ctx,
          briefing,
          entry: stored.entry,
          history: correctionHistory(versions ?? []),
          localeCode,
          jsonLd: { '@context': 'https://schema.org', ...blogPostingLd(stored.entry, site.baseUrl, publisherOf(site)) },
        }),
      );
    } catch (error) {
      sendProblem(req, res, error);
    }
  });

  router.get('/b/:slug/feed.xml', async (req, res) => {
    const slug = slugParam(req);
    const page = await store.readPage(slug, { limit: LIMITS.pageSizeDefault, withPinned: false });
    res.setHeader('Cache-Control', PAGE_CACHE);
    allowCrossOrigin(res, config.embedOrigins, req.get('origin'));
    res
      .type('application/atom+xml; charset=utf-8')
      .send(renderAtomFeed(page.briefing, page.entries, baseUrlOf(req), config.publisherName, translatorFor(page.briefing.locale)));
  });

  /** The summary rendered, for pages and embeds that show it live (changes carry only its Markdown). */
  router.get('/b/:slug/summary', async (req, res) => {
    const briefing = await store.getBriefing(slugParam(req));
    allowCrossOrigin(res, config.embedOrigins, req.get('origin'));
    res.setHeader('Cache-Control', 'no-cache');
    res.json({ summary: briefing.summary, html: renderMarkdown(briefing.summary) });
  });

  router.get('/embed/:slug', async (req, res) => {
    const site = siteOf(req);
    try {
      const briefing = await store.getBriefing(slugParam(req));
      const theme = typeof req.query.theme === 'string' && ['light', 'dark', 'auto'].includes(req.query.theme) ? req.query.theme : 'auto';
      const limit = typeof req.query.limit === 'string' && /^\d{1,2}$/.test(req.query.limit) ? req.query.limit : '10';
      // Framed by other sites on purpose: helmet's X-Frame-Options would forbid it.
      res.removeHeader('X-Frame-Options');
      sendPage(res, renderEmbedPage(site, briefing, translatorFor(briefing.locale), { theme, limit }), frameCsp);
    } catch (error) {
      sendProblem(req, res, error);
    }
  });

  return router;
}

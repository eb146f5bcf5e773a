/**
 * The reader's HTML pages: the list of briefings, a briefing's live page, an entry's own
 * page and the embed frame. Complete without JavaScript; the browser bundle then keeps
 * the briefing page live from the cursor and state it carries.
 */
import type { Briefing, Byline, Entry } from '../../shared/schemas';
import type { FeedView } from '../../shared/apply-change';
import type { EntryVersion } from '../../shared/console';
import {
  briefingUrl,
  entryAnchor,
  entryHeadline,
  plainExcerpt,
  renderContributors,
  renderEntry,
  renderHistory,
  renderKeyEventItems,
  renderStatusBadge,
  renderTime,
  type KeyEventItem,
  type MarkupContext,
} from '../../shared/feed-markup';
import { html, scriptJson, trusted, type Markup } from '../../shared/html';
import { primaryLanguage, type Translator } from '../../shared/i18n';
import { browserCatalogue } from '../../shared/i18n/catalogues';
import { textDirection, type DateFnsLocaleCode } from '../../shared/locales';
import { FRAME_ATTRIBUTE, feedHook } from '../../shared/page-hooks';
import { pageView, type PageState } from '../../shared/page-state';

export interface SiteInfo {
  publisherName: string;
  /** Absolute URL of the publisher's logo. */
  publisherLogo: string;
  /** Absolute origin for canonical and social links. */
  baseUrl: string;
}

interface PageMeta {
  title: string;
  description: string;
  /** Canonical absolute URL. */
  url: string;
  type: 'website' | 'article';
  locale: string;
  image?: string | undefined;
  /** The date-fns locale module the page's script will load, preloaded. */
  localeCode?: DateFnsLocaleCode | undefined;
  /** Alternate representations, e.g. the Atom feed. */
  feedUrl?: string | undefined;
  /** The interface words, in the page's language. */
  i18n: Translator;
}

/** Product name, left as it is in every language. */
const PRODUCT = 'livebrief';

function layout(site: SiteInfo, meta: PageMeta, body: Markup, extraHead: Markup | string = '', script = true): string {
  const image = meta.image ?? site.publisherLogo;
  return html`<!doctype html>
<html lang="${meta.locale}" dir="${textDirection(meta.locale)}" class="lb-theme">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${meta.title}</title>
<meta name="description" content="${meta.description}">
<link rel="canonical" href="${meta.url}">
<meta property="og:type" content="${meta.type}">
<meta property="og:site_name" content="${site.publisherName}">
<meta property="og:title" content="${meta.title}">
<meta property="og:description" content="${meta.description}">
<meta property="og:url" content="${meta.url}">
<meta property="og:image" content="${image}">
<meta name="twitter:card" content="${meta.image ? 'summary_large_image' : 'summary'}">
<meta name="twitter:title" content="${meta.title}">
<meta name="twitter:description" content="${meta.description}">
<meta name="twitter:image" content="${image}">
<meta name="color-scheme" content="light dark">
${meta.feedUrl ? html`<link rel="alternate" type="application/atom+xml" hreflang="${meta.locale}" title="${meta.title}" href="${meta.feedUrl}">` : ''}
<link rel="icon" href="/assets/logo.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/reader.css">
${script ? html`<script type="module" src="/assets/reader.js"></script>` : ''}
${script && meta.localeCode && meta.localeCode !== 'en-US' ? html`<link rel="modulepreload" href="/assets/locales/${meta.localeCode}.js">` : ''}
${extraHead}
</head>
<body>
<a class="lb-skip" href="#main">${meta.i18n.t('page.skipToContent')}</a>
<header class="lb-masthead"><div class="lb-wrap"><a class="lb-brand" href="/"><img src="${site.publisherLogo}" alt="" width="28" height="28"><span>${site.publisherName}</span></a></div></header>
${body}
<footer class="lb-site-foot"><div class="lb-wrap"><p>${meta.i18n.t('page.poweredBy', { publisher: site.publisherName, product: PRODUCT })}</p></div></footer>
</body>
</html>
`.value;
}

// ---------- the list of briefings ----------

/**
 * The list at `/`: one page of briefings (newest first, live ones first among them), with a
 * link to the next page or null. The list's own words are in `i18n` (the service's
 * language); each card is in its briefing's language, marked with `lang` and `dir`, and a
 * link to a briefing in another language says so with `hreflang`.
 */
export function renderIndexPage(
  site: SiteInfo,
  briefings: Briefing[],
  summaries: Map<string, string>,
  i18n: Translator,
  cardContext: (briefing: Briefing) => MarkupContext,
  nextHref: string | null,
): string {
  const sorted = [...briefings].sort((a, b) =>
    a.status !== b.status ? (a.status === 'live' ? -1 : 1) : a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
  );
  const items = sorted.map((briefing) => {
    const ctx = cardContext(briefing);
    const foreign = primaryLanguage(briefing.locale) !== i18n.language ? html` hreflang="${briefing.locale}"` : '';
    return html`<li class="lb-card${briefing.status === 'live' ? ' lb-card--live' : ''}" lang="${briefing.locale}" dir="${textDirection(briefing.locale)}">
<p class="lb-card-meta">${renderStatusBadge(briefing.status, ctx.i18n.t)}<span>${ctx.i18n.markup('briefing.started', { time: renderTime(briefing.createdAt, ctx) })}</span></p>
<h2 class="lb-card-title"><a href="${briefingUrl('', briefing.slug)}"${foreign}>${briefing.title}</a></h2>
${summaries.get(briefing.slug) ? html`<p class="lb-card-summary">${summaries.get(briefing.slug)}</p>` : ''}
</li>`;
  });
  const body = html`<main id="main" class="lb-wrap lb-index">
<h1 class="lb-index-title">${i18n.t('index.title')}</h1>
${sorted.length === 0 ? html`<p class="lb-empty">${i18n.t('index.empty')}</p>` : html`<ul class="lb-cards">${items}</ul>`}
${nextHref ? html`<nav class="lb-more" aria-label="${i18n.t('index.moreLabel')}"><a class="lb-load-older" href="${nextHref}">${i18n.t('index.older')}</a></nav>` : ''}
</main>`;
  return layout(
    site,
    {
      title: i18n.t('index.pageTitle', { publisher: site.publisherName }),
      description: i18n.t('index.description', { publisher: site.publisherName }),
      url: `${site.baseUrl}/`,
      type: 'website',
      locale: i18n.language,
      i18n,
    },
    body,
  );
}

// ---------- a briefing's live page ----------

export interface BriefingPageInput {
  site: SiteInfo;
  ctx: MarkupContext;
  view: FeedView;
  /** The key-events index, newest first: every key event of the briefing, loaded or not. */
  keyEvents: KeyEventItem[];
  /** `before` of the following page, or null on the last one. */
  next: string | null;
  /** Set on an archive page (?before=, ?around=): shows older entries and is not kept live. */
  before: string | null;
  summaryHtml: string;
  /** Everyone whose entries the briefing carries, with the byline each last published under. */
  contributors: Byline[];
  description: string;
  localeCode: DateFnsLocaleCode;
  jsonLd: unknown;
}

/** The feed's column: controls, pinned, the "new updates" button, entries, "Load older". */
function renderFeedColumn(view: FeedView, ctx: MarkupContext, options: { olderHref: string | null; archive: boolean }): Markup {
  const { t } = ctx.i18n;
  const pinned = view.pinned.map((entry, index) => renderEntry(entry, ctx, { variant: 'pinned', first: index === 0 }));
  return html`<div class="lb-controls" role="group" aria-label="${t('controls.label')}" data-js-only>
<button type="button" class="lb-toggle" data-action="key-only" aria-pressed="false">${t('controls.keyOnly')}</button>
<button type="button" class="lb-toggle" data-action="order" aria-pressed="false">${t('controls.oldestFirst')}</button>
<button type="button" class="lb-toggle" data-action="zone" aria-pressed="false">${t('controls.readerZone')}</button>
</div>
<div class="lb-pinned" ${feedHook('pinned')}${options.archive ? trusted(' hidden') : ''}>${options.archive ? '' : pinned}</div>
<div class="lb-new-wrap"><button type="button" class="lb-new-updates" data-action="reveal" ${feedHook('reveal')} hidden></button></div>
<div class="lb-feed" id="lb-feed" ${feedHook('feed')}>${view.entries.map((entry, index) => renderEntry(entry, ctx, { variant: 'feed', first: index === 0 }))}</div>
${view.entries.length === 0 ? html`<p class="lb-empty" ${feedHook('empty')}>${t('feed.empty')}</p>` : html`<p class="lb-empty" ${feedHook('empty')} hidden>${t('feed.emptyFiltered')}</p>`}
<nav class="lb-more" aria-label="${t('feed.moreLabel')}">${options.olderHref ? html`<a class="lb-load-older" data-action="load-older" ${feedHook('older')} href="${options.olderHref}">${t('feed.loadOlder')}</a>` : ''}</nav>`;
}

export function renderBriefingPage(input: BriefingPageInput): string {
  const { site, ctx, view } = input;
  const { t, markup } = ctx.i18n;
  const briefing = view.briefing;
  const pageUrl = briefingUrl(site.baseUrl, briefing.slug);
  const archive = input.before !== null;
  const olderHref = input.next ? `${briefingUrl('', briefing.slug)}?before=${encodeURIComponent(input.next)}` : null;
  const keyEvents = input.keyEvents;
  const onPage = new Set(view.entries.map((entry) => entry.id));
  // An archive page does not draw the pinned entries, so its state has none to read back.
  // An ended briefing's page opens no connection: its script only looks now and then for a reopening.
  const state: PageState = {
    kind: 'briefing',
    view: pageView(archive ? { ...view, pinned: [] } : view),
    keyEvents,
    localeCode: input.localeCode,
    live: !archive && briefing.status === 'live',
    archive,
    words: browserCatalogue(briefing.locale),
  };
  const image = view.pinned[0]?.media[0]?.url ?? view.entries.find((entry) => entry.media.length > 0)?.media[0]?.url;
  const body = html`<main id="main" class="lb-wrap lb-briefing">
<div class="lb-kicker"><span ${feedHook('badge')}>${renderStatusBadge(briefing.status, ctx.i18n.t)}</span><span class="lb-conn" ${feedHook('connection')} role="status" data-js-only></span></div>
<h1 class="lb-title" ${feedHook('title')}>${briefing.title}</h1>
<p class="lb-dateline">${markup('briefing.started', { time: renderTime(briefing.createdAt, ctx) })} <span aria-hidden="true">·</span> ${markup('briefing.timesIn', { zone: html`<span ${feedHook('zone')}>${ctx.time.zoneName(ctx.nowMs)}</span>` })} <span aria-hidden="true">·</span> <a href="${briefingUrl('', briefing.slug)}/feed.xml" type="application/atom+xml" hreflang="${briefing.locale}">${t('briefing.atomFeed')}</a></p>
${archive ? html`<p class="lb-archive-note">${t('briefing.archiveNote')} <a href="${briefingUrl('', briefing.slug)}">${t('briefing.backToLatest')}</a></p>` : ''}
<section class="lb-summary" aria-labelledby="lb-summary-h"${input.summaryHtml ? '' : trusted(' hidden')} ${feedHook('summary-box')}>
<h2 id="lb-summary-h">${t('briefing.summary')}</h2>
<div class="lb-summary-body" ${feedHook('summary')}>${trusted(input.summaryHtml)}</div>
</section>
${renderContributors(input.contributors, ctx)}
<div class="lb-columns">
<nav class="lb-key-events" aria-labelledby="lb-ke-h" ${feedHook('key-events-box')}${keyEvents.length === 0 ? trusted(' hidden') : ''}>
<h2 id="lb-ke-h">${t('briefing.keyEvents')}</h2>
<ol ${feedHook('key-events')}>${renderKeyEventItems(keyEvents, ctx, (id) => onPage.has(id))}</ol>
</nav>
<section class="lb-feed-col" aria-labelledby="lb-feed-h">
<h2 id="lb-feed-h" class="lb-section-title">${t(archive ? 'briefing.olderUpdates' : 'briefing.latestUpdates')}</h2>
${renderFeedColumn(view, ctx, { olderHref, archive })}
</section>
</div>
<div class="lb-sr-only" aria-live="polite" ${feedHook('announce')}></div>
</main>
<script type="application/json" id="lb-state">${scriptJson(state)}</script>`;
  return layout(
    site,
    {
      title: briefing.title,
      description: input.description,
      url: pageUrl,
      type: 'article',
      locale: briefing.locale,
      image,
      localeCode: input.localeCode,
      feedUrl: `${pageUrl}/feed.xml`,
      i18n: ctx.i18n,
    },
    body,
    html`<script type="application/ld+json">${scriptJson(input.jsonLd)}</script>`,
  );
}

// ---------- an entry's own page ----------

export function renderEntryPage(input: {
  site: SiteInfo;
  ctx: MarkupContext;
  briefing: Briefing;
  entry: Entry;
  /** The correction history (public fields only), oldest first, ending with the current content. */
  history: EntryVersion[];
  localeCode: DateFnsLocaleCode;
  jsonLd: unknown;
}): string {
  const { site, ctx, briefing, entry } = input;
  const { t, markup } = ctx.i18n;
  const state: PageState = {
    kind: 'entry',
    localeCode: input.localeCode,
    locale: briefing.locale,
    timeZone: briefing.timeZone,
    words: browserCatalogue(briefing.locale),
  };
  const headline = entryHeadline(entry, 110);
  const body = html`<main id="main" class="lb-wrap lb-entry-page">
<p class="lb-back"><a href="${briefingUrl('', briefing.slug)}#${entryAnchor(entry.id)}">${t('entryPage.back')}</a></p>
<div class="lb-kicker">${renderStatusBadge(briefing.status, t)}<span>${t('entryPage.kicker')}</span></div>
<h1 class="lb-title">${entry.title ?? briefing.title}</h1>
${entry.title ? html`<p class="lb-entry-page-briefing">${markup('entryPage.from', { briefing: html`<a href="${briefingUrl('', briefing.slug)}">${briefing.title}</a>` })}</p>` : ''}
${renderEntry({ ...entry, title: null }, ctx, { variant: 'permalink', first: true })}
${renderHistory(input.history, ctx)}
<p class="lb-back"><a href="${briefingUrl('', briefing.slug)}">${t('entryPage.follow', { title: briefing.title })}</a></p>
</main>
<script type="application/json" id="lb-state">${scriptJson(state)}</script>`;
  return layout(
    site,
    {
      title: `${headline} · ${briefing.title}`,
      description: plainExcerpt(entry.html, 200),
      url: `${briefingUrl(site.baseUrl, briefing.slug)}/e/${encodeURIComponent(entry.id)}`,
      type: 'article',
      locale: briefing.locale,
      image: entry.media[0]?.url,
      localeCode: input.localeCode,
      i18n: ctx.i18n,
    },
    body,
    html`<script type="application/ld+json">${scriptJson(input.jsonLd)}</script>`,
  );
}

// ---------- the embed as a page of its own ----------

export function renderEmbedPage(site: SiteInfo, briefing: Briefing, i18n: Translator, query: { theme: string; limit: string }): string {
  const pageUrl = briefingUrl(site.baseUrl, briefing.slug);
  return html`<!doctype html>
<html lang="${briefing.locale}" dir="${textDirection(briefing.locale)}" class="lb-frame" ${FRAME_ATTRIBUTE}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${briefing.title}</title>
<link rel="canonical" href="${pageUrl}">
<meta name="color-scheme" content="light dark">
<link rel="stylesheet" href="/assets/frame.css">
<script type="module" src="/embed.js"></script>
</head>
<body>
<main>
<h1 class="lb-sr-only">${briefing.title}</h1>
<live-briefing slug="${briefing.slug}" theme="${query.theme}" limit="${query.limit}"><a href="${pageUrl}" target="_blank" rel="noopener">${i18n.t('embed.follow', { title: briefing.title })}</a></live-briefing>
</main>
</body>
</html>
`.value;
}

export function renderNotFoundPage(site: SiteInfo, i18n: Translator, what: 'notFound.noPage' | 'notFound.noBriefing'): string {
  const { t } = i18n;
  return layout(
    site,
    {
      title: t('notFound.pageTitle', { publisher: site.publisherName }),
      description: t(what),
      url: `${site.baseUrl}/`,
      type: 'website',
      locale: i18n.language,
      i18n,
    },
    html`<main id="main" class="lb-wrap lb-not-found"><h1 class="lb-title">${t('notFound.title')}</h1><p>${t(what)}</p><p><a href="/">${t('notFound.seeAll')}</a></p></main>`,
    '',
    false,
  );
}

/**
 * The reader's HTML pages: the list of briefings, a briefing's live page, an entry's own
 * page and the embed frame. Complete without JavaScript; the browser bundle then keeps
 * the briefing page live from the cursor and state it carries.
 */
import type { Briefing, Entry } from '../../shared/schemas';
import type { FeedView } from '../../shared/apply-change';
import type { EntryVersion } from '../../shared/console';
import {
  briefingUrl,
  entryAnchor,
  entryHeadline,
  plainExcerpt,
  renderEntry,
  renderHistory,
  renderKeyEventItems,
  renderStatusBadge,
  renderTime,
  type MarkupContext,
} from '../../shared/feed-markup';
import { html, scriptJson, trusted, type Markup } from '../../shared/html';
import { textDirection, type DateFnsLocaleCode } from '../../shared/locales';
import { FRAME_ATTRIBUTE, feedHook } from '../../shared/page-hooks';
import type { PageState } from '../../shared/page-state';

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
}

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
${meta.feedUrl ? html`<link rel="alternate" type="application/atom+xml" title="${meta.title}" href="${meta.feedUrl}">` : ''}
<link rel="icon" href="/assets/logo.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/reader.css">
${script ? html`<script type="module" src="/assets/reader.js"></script>` : ''}
${script && meta.localeCode && meta.localeCode !== 'en-US' ? html`<link rel="modulepreload" href="/assets/locales/${meta.localeCode}.js">` : ''}
${extraHead}
</head>
<body>
<a class="lb-skip" href="#main">Skip to content</a>
<header class="lb-masthead"><div class="lb-wrap"><a class="lb-brand" href="/"><img src="${site.publisherLogo}" alt="" width="28" height="28"><span>${site.publisherName}</span></a></div></header>
${body}
<footer class="lb-site-foot"><div class="lb-wrap"><p>${site.publisherName} · Live coverage powered by livebrief</p></div></footer>
</body>
</html>
`.value;
}

// ---------- the list of briefings ----------

/** The list at `/`: one page of briefings (newest first, live ones first among them), with a link to the next page or null. */
export function renderIndexPage(
  site: SiteInfo,
  briefings: Briefing[],
  summaries: Map<string, string>,
  ctx: MarkupContext,
  nextHref: string | null,
): string {
  const sorted = [...briefings].sort((a, b) =>
    a.status !== b.status ? (a.status === 'live' ? -1 : 1) : a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
  );
  const items = sorted.map(
    (briefing) => html`<li class="lb-card${briefing.status === 'live' ? ' lb-card--live' : ''}">
<p class="lb-card-meta">${renderStatusBadge(briefing.status, ctx.i18n.t)}<span>Started ${renderTime(briefing.createdAt, ctx)}</span></p>
<h2 class="lb-card-title"><a href="${briefingUrl('', briefing.slug)}">${briefing.title}</a></h2>
${summaries.get(briefing.slug) ? html`<p class="lb-card-summary">${summaries.get(briefing.slug)}</p>` : ''}
</li>`,
  );
  const body = html`<main id="main" class="lb-wrap lb-index">
<h1 class="lb-index-title">Live coverage</h1>
${sorted.length === 0 ? html`<p class="lb-empty">No briefings yet.</p>` : html`<ul class="lb-cards">${items}</ul>`}
${nextHref ? html`<nav class="lb-more" aria-label="More briefings"><a class="lb-load-older" href="${nextHref}">Older briefings</a></nav>` : ''}
</main>`;
  return layout(
    site,
    {
      title: `Live coverage · ${site.publisherName}`,
      description: `Live briefings from ${site.publisherName}`,
      url: `${site.baseUrl}/`,
      type: 'website',
      locale: 'en',
    },
    body,
  );
}

// ---------- a briefing's live page ----------

export interface BriefingPageInput {
  site: SiteInfo;
  ctx: MarkupContext;
  view: FeedView;
  /** `before` of the following page, or null on the last one. */
  next: string | null;
  /** Set on an archive page (?before=): shows older entries and is not kept live. */
  before: string | null;
  summaryHtml: string;
  description: string;
  localeCode: DateFnsLocaleCode;
  jsonLd: unknown;
}

/** The feed's column: controls, pinned, the "new updates" button, entries, "Load older". */
function renderFeedColumn(view: FeedView, ctx: MarkupContext, options: { olderHref: string | null; archive: boolean }): Markup {
  const pinned = view.pinned.map((entry) => renderEntry(entry, ctx, { variant: 'pinned' }));
  return html`<div class="lb-controls" role="group" aria-label="Display options" data-js-only>
<button type="button" class="lb-toggle" data-action="key-only" aria-pressed="false">Key events only</button>
<button type="button" class="lb-toggle" data-action="order" aria-pressed="false">Oldest first</button>
<button type="button" class="lb-toggle" data-action="zone" aria-pressed="false">My time zone</button>
</div>
<div class="lb-pinned" ${feedHook('pinned')}${options.archive ? trusted(' hidden') : ''}>${options.archive ? '' : pinned}</div>
<div class="lb-new-wrap"><button type="button" class="lb-new-updates" data-action="reveal" ${feedHook('reveal')} hidden></button></div>
<div class="lb-feed" id="lb-feed" ${feedHook('feed')}>${view.entries.map((entry) => renderEntry(entry, ctx))}</div>
${view.entries.length === 0 ? html`<p class="lb-empty" ${feedHook('empty')}>No updates yet. New ones appear here as they are published.</p>` : html`<p class="lb-empty" ${feedHook('empty')} hidden>No updates to show.</p>`}
<nav class="lb-more" aria-label="More updates">${options.olderHref ? html`<a class="lb-load-older" data-action="load-older" ${feedHook('older')} href="${options.olderHref}">Load older updates</a>` : ''}</nav>`;
}

export function renderBriefingPage(input: BriefingPageInput): string {
  const { site, ctx, view } = input;
  const briefing = view.briefing;
  const pageUrl = briefingUrl(site.baseUrl, briefing.slug);
  const archive = input.before !== null;
  const olderHref = input.next ? `${briefingUrl('', briefing.slug)}?before=${encodeURIComponent(input.next)}` : null;
  const keyEvents = view.entries.filter((entry) => entry.keyEvent);
  const onPage = new Set(view.entries.map((entry) => entry.id));
  // An ended briefing's page opens no connection: its script only looks now and then for a reopening.
  const state: PageState = { kind: 'briefing', view, localeCode: input.localeCode, live: !archive && briefing.status === 'live', archive };
  const image = view.pinned[0]?.media[0]?.url ?? view.entries.find((entry) => entry.media.length > 0)?.media[0]?.url;
  const body = html`<main id="main" class="lb-wrap lb-briefing">
<div class="lb-kicker"><span ${feedHook('badge')}>${renderStatusBadge(briefing.status, ctx.i18n.t)}</span><span class="lb-conn" ${feedHook('connection')} role="status" data-js-only></span></div>
<h1 class="lb-title" ${feedHook('title')}>${briefing.title}</h1>
<p class="lb-dateline">Started ${renderTime(briefing.createdAt, ctx)} <span aria-hidden="true">·</span> Times in <span ${feedHook('zone')}>${ctx.time.zoneName(ctx.nowMs)}</span> <span aria-hidden="true">·</span> <a href="${briefingUrl('', briefing.slug)}/feed.xml">Atom feed</a></p>
${archive ? html`<p class="lb-archive-note">You are reading older updates. <a href="${briefingUrl('', briefing.slug)}">Back to the latest</a></p>` : ''}
<section class="lb-summary" aria-labelledby="lb-summary-h"${input.summaryHtml ? '' : trusted(' hidden')} ${feedHook('summary-box')}>
<h2 id="lb-summary-h">What you need to know</h2>
<div class="lb-summary-body" ${feedHook('summary')}>${trusted(input.summaryHtml)}</div>
</section>
<div class="lb-columns">
<nav class="lb-key-events" aria-labelledby="lb-ke-h" ${feedHook('key-events-box')}${keyEvents.length === 0 ? trusted(' hidden') : ''}>
<h2 id="lb-ke-h">Key events</h2>
<ol ${feedHook('key-events')}>${renderKeyEventItems(keyEvents, ctx, (id) => onPage.has(id))}</ol>
</nav>
<section class="lb-feed-col" aria-labelledby="lb-feed-h">
<h2 id="lb-feed-h" class="lb-section-title">${archive ? 'Older updates' : 'Latest updates'}</h2>
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
  const state: PageState = { kind: 'entry', localeCode: input.localeCode, locale: briefing.locale, timeZone: briefing.timeZone };
  const headline = entryHeadline(entry, 110);
  const body = html`<main id="main" class="lb-wrap lb-entry-page">
<p class="lb-back"><a href="${briefingUrl('', briefing.slug)}#${entryAnchor(entry.id)}">← Back to the live briefing</a></p>
<div class="lb-kicker">${renderStatusBadge(briefing.status, ctx.i18n.t)}<span>An update from our live coverage</span></div>
<h1 class="lb-title">${entry.title ?? briefing.title}</h1>
${entry.title ? html`<p class="lb-entry-page-briefing">From <a href="${briefingUrl('', briefing.slug)}">${briefing.title}</a></p>` : ''}
${renderEntry({ ...entry, title: null }, ctx, { variant: 'permalink' })}
${renderHistory(input.history, ctx)}
<p class="lb-back"><a href="${briefingUrl('', briefing.slug)}">Follow the live briefing: ${briefing.title}</a></p>
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
    },
    body,
    html`<script type="application/ld+json">${scriptJson(input.jsonLd)}</script>`,
  );
}

// ---------- the embed as a page of its own ----------

export function renderEmbedPage(site: SiteInfo, briefing: Briefing, query: { theme: string; limit: string }): string {
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
<live-briefing slug="${briefing.slug}" theme="${query.theme}" limit="${query.limit}"><a href="${pageUrl}" target="_blank" rel="noopener">${briefing.title}: follow the live briefing</a></live-briefing>
</main>
</body>
</html>
`.value;
}

export function renderNotFoundPage(site: SiteInfo, what: string): string {
  return layout(
    site,
    { title: `Not found · ${site.publisherName}`, description: what, url: `${site.baseUrl}/`, type: 'website', locale: 'en' },
    html`<main id="main" class="lb-wrap lb-not-found"><h1 class="lb-title">Not found</h1><p>${what}</p><p><a href="/">See all live coverage</a></p></main>`,
    '',
    false,
  );
}

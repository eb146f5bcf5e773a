/**
 * The markup of the reader's feed, as pure functions from entries to HTML. The server
 * renders the page with them and the browser renders every live change with them, so an
 * entry looks the same whichever side drew it.
 */
import type { Briefing, Byline, Entry, Media } from './schemas';
import { html, trusted, type Markup } from './html';
import type { TimeFormat } from './time-format';
import type { EntryVersion } from './console';
import type { MessageKey, Translate, Translator } from './i18n';
import { PROVIDER_NAMES, recognizeEmbed } from './embeds';
import { MEDIA_FORMATS, parseMediaUrl, type MediaFormat } from './media';

export interface MarkupContext {
  time: TimeFormat;
  nowMs: number;
  /** Prefix of every link to our pages: '' on them, the service's origin inside an embed. */
  baseUrl: string;
  /** Inside another site's page, links open in a new tab. */
  newTab: boolean;
  /** The interface words, in the briefing's language. */
  i18n: Translator;
}

export function briefingUrl(baseUrl: string, slug: string): string {
  return `${baseUrl}/b/${encodeURIComponent(slug)}`;
}

export function entryUrl(baseUrl: string, slug: string, id: string): string {
  return `${briefingUrl(baseUrl, slug)}/e/${encodeURIComponent(id)}`;
}

/** DOM id of an entry in the feed (the target of key-event jump links). */
export function entryAnchor(id: string): string {
  return `e-${id}`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/** Plain text of sanitized HTML, cut at a word near `max` characters. */
export function plainExcerpt(sanitizedHtml: string, max = 120): string {
  const text = sanitizedHtml
    // Block ends separate words; inline tags (<strong>) sit inside them.
    .replace(/<\/?(?:p|br|li|ul|ol|h\d|blockquote|pre|tr|td|th|table|hr|img)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_match, name: string) => ENTITIES[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, '')}…`;
}

/** What names an entry in a list or an announcement: its title, else the start of its text. */
export function entryHeadline(entry: Entry, max = 120): string {
  return entry.title ?? plainExcerpt(entry.html, max);
}

/** A time: relative text, the absolute one beside it (shown on hover and focus). */
export function renderTime(iso: string, ctx: MarkupContext): Markup {
  return html`<time class="lb-time" datetime="${iso}" data-rel><span class="lb-rel">${ctx.time.relative(iso, ctx.nowMs)}</span><span class="lb-abs">${ctx.time.absolute(iso)}</span></time>`;
}

function linkAttributes(ctx: MarkupContext): Markup {
  return trusted(ctx.newTab ? ' target="_blank" rel="noopener"' : '');
}

/** The width an entry's image takes: the reader column (at most 42.5rem) or the whole narrow screen. */
const MEDIA_SIZES = '(min-width: 44rem) 42.5rem, 100vw';

/**
 * An entry's image. One of our uploads (its URL names its renditions and size) becomes a
 * `<picture>` offering AVIF and WebP at every width, with the intrinsic size reserved so
 * nothing jumps as it loads; any other URL stays a plain `<img>`. `eager` for the first
 * image a reader sees (it is often the page's largest paint).
 */
export function renderMedia(media: Media, eager = false): Markup {
  const caption =
    media.caption || media.credit
      ? html`<figcaption>${media.caption ?? ''}${media.credit ? html` <span class="lb-credit">${media.credit}</span>` : ''}</figcaption>`
      : '';
  const loading = eager ? trusted('fetchpriority="high" decoding="async"') : trusted('loading="lazy" decoding="async"');
  const uploaded = parseMediaUrl(media.url);
  if (!uploaded) return html`<figure class="lb-media"><img src="${media.url}" alt="${media.alt}" ${loading}>${caption}</figure>`;
  const srcset = (format: MediaFormat): string =>
    uploaded.renditions
      .filter((rendition) => rendition.format === format)
      .map((rendition) => `${rendition.url} ${rendition.width}w`)
      .join(', ');
  const sources = MEDIA_FORMATS.filter(({ format }) => format !== 'jpeg').map(
    ({ format, type }) => html`<source type="${type}" srcset="${srcset(format)}" sizes="${MEDIA_SIZES}">`,
  );
  return html`<figure class="lb-media"><picture>${sources}<img src="${media.url}" srcset="${srcset('jpeg')}" sizes="${MEDIA_SIZES}" width="${String(uploaded.width)}" height="${String(uploaded.height)}" alt="${media.alt}" ${loading}></picture>${caption}</figure>`;
}

/** Where a byline's picture loads from: an https URL as it is, a /media/ path of this service from its origin; null otherwise. */
export function avatarSrc(avatar: string | undefined, baseUrl: string): string | null {
  if (!avatar) return null;
  if (avatar.startsWith('/media/')) return `${baseUrl}${avatar}`;
  return avatar.startsWith('https://') ? avatar : null;
}

/** Avatar, name and role line. The picture's alt is empty: the name is right beside it. */
export function renderByline(author: Byline, ctx: MarkupContext, className = 'lb-author'): Markup {
  const src = avatarSrc(author.avatar, ctx.baseUrl);
  return html`<span class="${className}">${src ? html`<img class="lb-avatar" src="${src}" alt="" width="32" height="32" loading="lazy" decoding="async">` : ''}<span class="lb-author-name">${author.name}</span>${author.role ? html`<span class="lb-author-role">${author.role}</span>` : ''}</span>`;
}

/** The briefing's contributors, each with the byline they last published under; '' when none. */
export function renderContributors(contributors: Byline[], ctx: MarkupContext): Markup | '' {
  if (contributors.length === 0) return '';
  return html`<section class="lb-contributors" aria-labelledby="lb-contributors-h">
<h2 id="lb-contributors-h">${ctx.i18n.t('briefing.contributors')}</h2>
<ul>${contributors.map((author) => html`<li>${renderByline(author, ctx, 'lb-contributor')}</li>`)}</ul>
</section>`;
}

export interface EntryOptions {
  /** Which copy this is: the feed's, the pinned box's, or the entry's own page. */
  variant: 'feed' | 'pinned' | 'permalink';
  /** The first entry a reader sees: its first image loads at once (no lazy loading). */
  first?: boolean;
}

/** The id of the correction history on an entry's own page, the target of "Updated HH:mm". */
export const HISTORY_ID = 'history';

/** An entry's "See also" links. */
export function renderLinks(links: Entry['links'], ctx: MarkupContext): Markup | '' {
  if (links.length === 0) return '';
  return html`<aside class="lb-links" aria-label="${ctx.i18n.t('entry.seeAlso')}"><p class="lb-links-label">${ctx.i18n.t('entry.seeAlso')}</p><ul>${links.map(
    (link) =>
      html`<li><a href="${link.url}" rel="noopener noreferrer"${ctx.newTab ? trusted(' target="_blank"') : ''}>${link.title}</a></li>`,
  )}</ul></aside>`;
}

/**
 * An entry's posts from other services: a card each, with a plain link to the post. Nothing
 * of the service's loads with it; its "Show post" button (script only) builds the frame.
 */
export function renderEmbeds(embeds: Entry['embeds'], ctx: MarkupContext): Markup | '' {
  if (embeds.length === 0) return '';
  return html`${embeds.map((embed) => {
    const provider = PROVIDER_NAMES[embed.provider];
    // Stored entries were recognized when written; one the code no longer recognizes keeps its link.
    const frame = recognizeEmbed(embed.url) !== null;
    return html`<div class="lb-post lb-post--${embed.provider}" role="group" aria-label="${ctx.i18n.t('post.label', { provider })}">
<p class="lb-post-provider">${provider}</p><a class="lb-post-link" href="${embed.url}" rel="noopener noreferrer"${ctx.newTab ? trusted(' target="_blank"') : ''}>${ctx.i18n.t('post.open', { provider })}</a>${
      frame
        ? html`<p class="lb-post-consent" data-js-only><button type="button" class="lb-post-show" data-action="show-post">${ctx.i18n.t('post.show')}</button> <span class="lb-post-notice">${ctx.i18n.t('post.notice', { provider })}</span></p>`
        : ''
    }
</div>`;
  })}`;
}

/** One entry as an <article>; `data-version` lets the browser skip redrawing what has not changed. */
export function renderEntry(entry: Entry, ctx: MarkupContext, options: EntryOptions = { variant: 'feed' }): Markup {
  const url = entryUrl(ctx.baseUrl, entry.slug, entry.id);
  const classes = [
    'lb-entry',
    entry.keyEvent ? 'lb-entry--key' : '',
    entry.pinned ? 'lb-entry--is-pinned' : '',
    `lb-entry--${options.variant}`,
  ]
    .filter(Boolean)
    .join(' ');
  const id = options.variant === 'feed' ? entryAnchor(entry.id) : options.variant === 'pinned' ? `pinned-${entry.id}` : 'entry';
  const titleId = `${id}-title`;
  const flags = [
    entry.keyEvent ? html`<span class="lb-flag lb-flag--key">${ctx.i18n.t('entry.keyEvent')}</span>` : '',
    entry.pinned && options.variant !== 'pinned' ? html`<span class="lb-flag lb-flag--pin">${ctx.i18n.t('entry.pinned')}</span>` : '',
  ];
  // A correction links to what the entry said before: its own page's history, which works without script.
  const updated = entry.updatedAt
    ? html`<a class="lb-updated" href="${url}#${HISTORY_ID}" data-action="history" title="${ctx.i18n.t('entry.updatedHistory')}"${linkAttributes(ctx)}>${ctx.i18n.markup('entry.updated', { time: html`<time datetime="${entry.updatedAt}">${ctx.time.clock(entry.updatedAt)}</time>` })}</a>`
    : '';
  const title = entry.title ? html`<h3 class="lb-entry-title" id="${titleId}">${entry.title}</h3>` : '';
  const links = renderLinks(entry.links, ctx);
  return html`<article class="${classes}" id="${id}" data-id="${entry.id}" data-version="${entry.version}"${entry.title ? html` aria-labelledby="${titleId}"` : ''}>
<header class="lb-entry-meta">${options.variant === 'pinned' ? html`<span class="lb-flag lb-flag--pin">${ctx.i18n.t('entry.pinned')}</span>` : ''}<a class="lb-permalink" href="${url}"${linkAttributes(ctx)}>${renderTime(entry.publishedAt, ctx)}</a>${flags}${updated}</header>
${title}<div class="lb-body">${trusted(entry.html)}</div>${entry.media.map((media, index) => renderMedia(media, options.first === true && index === 0))}${renderEmbeds(entry.embeds, ctx)}${links}${entry.sources ? html`<p class="lb-sources">${entry.sources}</p>` : ''}
<footer class="lb-entry-foot">${renderByline(entry.author, ctx)}<button type="button" class="lb-share" data-action="share" data-url="${url}" data-title="${entryHeadline(entry, 80)}" data-js-only>${ctx.i18n.t('entry.share')}</button></footer>
</article>`;
}

/** One line of the key-events index: what it needs of a key event (the page carries these, not whole entries). */
export interface KeyEventItem {
  id: string;
  slug: string;
  publishedAt: string;
  headline: string;
}

export function keyEventItem(entry: Entry): KeyEventItem {
  return { id: entry.id, slug: entry.slug, publishedAt: entry.publishedAt, headline: entryHeadline(entry, 90) };
}

/** What a correction can change, in the order named, with its word. */
const VERSION_FIELDS: [keyof EntryVersion, MessageKey][] = [
  ['title', 'history.field.title'],
  ['body', 'history.field.text'],
  ['media', 'history.field.media'],
  ['links', 'history.field.links'],
  ['embeds', 'history.field.embeds'],
  ['sources', 'history.field.sources'],
];

export interface HistoryOptions {
  /** The section's id, and the start of its headings' ids. */
  id: string;
  /** The section heading's level (2 on the entry's page, 4 inside an entry of the feed); versions are one below. */
  level: 2 | 4;
}

/**
 * The correction history: every earlier version (all but the last step, which is what is
 * shown already), newest first, each with its time, what the next one changed, and its
 * content as readers saw it. Empty for an entry never corrected.
 */
export function renderHistory(
  steps: EntryVersion[],
  ctx: MarkupContext,
  options: HistoryOptions = { id: HISTORY_ID, level: 2 },
): Markup | '' {
  const earlier = steps.slice(0, -1);
  if (earlier.length === 0) return '';
  const heading = trusted(`h${options.level}`);
  const subheading = trusted(`h${options.level + 1}`);
  const list = new Intl.ListFormat(ctx.i18n.language, { type: 'conjunction' });
  const items = earlier
    .map((step, index) => {
      const next = steps[index + 1] ?? step;
      const changed = VERSION_FIELDS.filter(([field]) => JSON.stringify(step[field]) !== JSON.stringify(next[field])).map(([, key]) =>
        ctx.i18n.t(key),
      );
      const at = step.updatedAt ?? step.publishedAt;
      const when = html`<time datetime="${at}">${ctx.time.absolute(at)}</time>`;
      const headingId = `${options.id}-v${step.version}`;
      return html`<li class="lb-version" aria-labelledby="${headingId}">
<${subheading} class="lb-version-when" id="${headingId}">${ctx.i18n.markup(step.updatedAt ? 'history.corrected' : 'history.published', { time: when })}</${subheading}>
${changed.length > 0 ? html`<p class="lb-version-changed">${ctx.i18n.t('history.changedNext', { fields: list.format(changed) })}</p>` : ''}
<div class="lb-version-content">${step.title ? html`<p class="lb-version-title">${step.title}</p>` : ''}<div class="lb-body">${trusted(step.html)}</div>${step.media.map((media) => renderMedia(media))}${renderEmbeds(step.embeds, ctx)}${renderLinks(step.links, ctx)}${step.sources ? html`<p class="lb-sources">${step.sources}</p>` : ''}</div>
</li>`;
    })
    .reverse();
  return html`<section class="lb-history" id="${options.id}" aria-labelledby="${options.id}-h">
<${heading} class="lb-history-title" id="${options.id}-h" tabindex="-1">${ctx.i18n.t('history.title')}</${heading}>
<p class="lb-history-intro">${ctx.i18n.t('history.intro', { count: earlier.length })}</p>
<ol class="lb-versions">${items}</ol>
</section>`;
}

/**
 * The key-events index: jump links to the entries on the page; one that is not links to
 * the page of older entries that begins with it (`?around=`), which works without JavaScript.
 */
export function renderKeyEventItems(keyEvents: KeyEventItem[], ctx: MarkupContext, onPage: (id: string) => boolean): Markup {
  return html`${keyEvents.map(
    (item) =>
      html`<li><a href="${onPage(item.id) ? '' : `${briefingUrl(ctx.baseUrl, item.slug)}?around=${encodeURIComponent(item.id)}`}#${entryAnchor(item.id)}"><time datetime="${item.publishedAt}">${ctx.time.clock(item.publishedAt)}</time> <span>${item.headline}</span></a></li>`,
  )}`;
}

export function renderStatusBadge(status: Briefing['status'], t: Translate): Markup {
  return status === 'live'
    ? html`<span class="lb-badge lb-badge--live"><span class="lb-badge-dot" aria-hidden="true"></span>${t('badge.live')}</span>`
    : html`<span class="lb-badge lb-badge--ended">${t('badge.ended')}</span>`;
}

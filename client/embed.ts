/**
 * `<live-briefing slug="…" theme="light|dark|auto" limit="10">`: a briefing's live feed
 * on any site. It draws inside a shadow root, so the host page's CSS and ours never mix,
 * connects to the origin this script was loaded from, and sizes itself to its content.
 * On our own /embed/:slug page (for an <iframe>) it also tells the parent its height.
 */
import feedCss from './styles/feed.css';
import embedCss from './styles/embed.css';
import { LiveFeed } from './feed/live-feed';
import { briefingUrl } from '../shared/feed-markup';
import { html } from '../shared/html';
import { english, isMessageKey, type Translator } from '../shared/i18n';
import { textDirection } from '../shared/locales';
import { SLUG_PATTERN } from '../shared/identifiers';
import { FRAME_ATTRIBUTE, feedHook } from '../shared/page-hooks';

/** The URL of this module, filled in by the bundler (import.meta.url). */
declare const __LB_MODULE_URL__: string;

const ORIGIN = new URL(__LB_MODULE_URL__).origin;
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;

let sheet: CSSStyleSheet | null = null;
function styles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(feedCss + embedCss);
  }
  return sheet;
}

/**
 * The widget's frame. Its words are drawn in English and marked with their keys
 * (data-i18n for text, data-i18n-label for aria-label): the briefing's language is known
 * only once its snapshot arrives, and then `translateFrame` puts them in that language.
 * The title's placeholder needs no key: the briefing's own title replaces it then.
 */
function shell(slug: string): string {
  const pageUrl = briefingUrl(ORIGIN, slug);
  const { t } = english;
  return html`<section class="lb-theme lb-embed" part="feed" aria-labelledby="lb-embed-title">
<header class="lb-embed-head">
<p class="lb-kicker"><span ${feedHook('badge')}></span><span class="lb-conn" ${feedHook('connection')} role="status"></span></p>
<h2 class="lb-embed-title" id="lb-embed-title"><a href="${pageUrl}" target="_blank" rel="noopener" ${feedHook('title')}>${t('embed.title')}</a></h2>
</header>
<div class="lb-pinned" ${feedHook('pinned')}></div>
<div class="lb-new-wrap"><button type="button" class="lb-new-updates" data-action="reveal" ${feedHook('reveal')} hidden></button></div>
<div class="lb-feed" ${feedHook('feed')} aria-busy="true"></div>
<p class="lb-empty" ${feedHook('empty')} hidden data-i18n="embed.empty">${t('embed.empty')}</p>
<nav class="lb-more" aria-label="${t('feed.moreLabel')}" data-i18n-label="feed.moreLabel"><button type="button" class="lb-load-older" data-action="load-older" ${feedHook('older')} hidden data-i18n="embed.showMore">${t('embed.showMore')}</button><a class="lb-open" href="${pageUrl}" target="_blank" rel="noopener" data-i18n="embed.openFull">${t('embed.openFull')}</a></nav>
<div class="lb-sr-only" aria-live="polite" ${feedHook('announce')}></div>
</section>`.value;
}

export class LiveBriefingElement extends HTMLElement {
  static get observedAttributes(): string[] {
    return ['slug', 'theme', 'limit'];
  }

  private feed: LiveFeed | null = null;

  connectedCallback(): void {
    this.start();
  }

  disconnectedCallback(): void {
    this.stop();
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value || !this.isConnected) return;
    if (name === 'theme') this.applyTheme();
    else this.start();
  }

  private start(): void {
    this.stop();
    const slug = this.getAttribute('slug') ?? '';
    if (!SLUG_PATTERN.test(slug)) return;
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    shadow.adoptedStyleSheets = [styles()];
    shadow.innerHTML = shell(slug);
    this.applyTheme();
    const limit = Number.parseInt(this.getAttribute('limit') ?? '', 10);
    const wrapper = shadow.querySelector<HTMLElement>('.lb-embed');
    if (!wrapper) return;
    this.feed = new LiveFeed({
      root: shadow,
      host: wrapper,
      slug,
      origin: ORIGIN,
      linkBase: ORIGIN,
      newTab: true,
      limit: Number.isFinite(limit) ? Math.min(Math.max(limit, 1), MAX_LIMIT) : DEFAULT_LIMIT,
      view: null,
      live: true,
      documentTitle: false,
      rememberPrefs: false,
      onLanguage: (i18n, localeTag) => this.translateFrame(wrapper, i18n, localeTag),
    });
    void this.feed.start();
  }

  private stop(): void {
    this.feed?.close();
    this.feed = null;
  }

  /**
   * The widget speaks its briefing's language whatever the host page's: `lang` and `dir` on
   * its own root (and on the element, which the host page lays out), its frame's words.
   */
  private translateFrame(wrapper: HTMLElement, i18n: Translator, localeTag: string): void {
    const dir = textDirection(localeTag);
    for (const element of [wrapper, this]) {
      element.lang = localeTag;
      element.dir = dir;
    }
    for (const element of Array.from(wrapper.querySelectorAll<HTMLElement>('[data-i18n]'))) {
      const key = element.dataset.i18n ?? '';
      if (isMessageKey(key)) element.textContent = i18n.t(key);
    }
    for (const element of Array.from(wrapper.querySelectorAll<HTMLElement>('[data-i18n-label]'))) {
      const key = element.dataset.i18nLabel ?? '';
      if (isMessageKey(key)) element.setAttribute('aria-label', i18n.t(key));
    }
  }

  private applyTheme(): void {
    const theme = this.getAttribute('theme');
    const wrapper = this.shadowRoot?.querySelector<HTMLElement>('.lb-embed');
    if (wrapper) wrapper.dataset.theme = theme === 'light' || theme === 'dark' ? theme : 'auto';
  }
}

if (!customElements.get('live-briefing')) customElements.define('live-briefing', LiveBriefingElement);

/** In our own iframe page: the parent cannot see our height, so we tell it on every change. */
if (document.documentElement.hasAttribute(FRAME_ATTRIBUTE) && window.parent !== window) {
  let last = -1;
  new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    const slug = document.querySelector('live-briefing')?.getAttribute('slug') ?? '';
    window.parent.postMessage({ type: 'livebrief:height', slug, height }, '*');
  }).observe(document.documentElement);
}

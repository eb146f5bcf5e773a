/**
 * The live feed in the browser: one controller for the reader's page (over the markup the
 * server rendered) and for the embed (inside its shadow root). It folds changes with the
 * shared applyChange, redraws only the entries whose version moved, with the same
 * templates as the server, and never moves what the reader is reading: while they are
 * scrolled into the feed, new entries wait behind an "N new updates" button.
 */
import type { Locale } from 'date-fns';
import { applyChange, compareEntries, viewFromSnapshot, type ApplyResult, type FeedView } from '../../shared/apply-change';
import {
  entryHeadline,
  keyEventItem,
  renderEntry,
  renderKeyEventItems,
  renderStatusBadge,
  type KeyEventItem,
  type MarkupContext,
} from '../../shared/feed-markup';
import { foldKeyEvents } from '../../shared/key-events';
import type { Markup } from '../../shared/html';
import { dateFnsLocaleFor, type DateFnsLocaleCode } from '../../shared/locales';
import { english, interfaceLanguageFor, translator, type MessageKey, type PageWords, type Translator } from '../../shared/i18n';
import { feedHookSelector, type FeedHook } from '../../shared/page-hooks';
import type { Change, Cursor, Entry, Snapshot } from '../../shared/schemas';
import { TimeFormat } from '../../shared/time-format';
import { FeedConnection, type ConnectionState, type FeedSink } from './connection';
import { loadCatalogue, loadDateFnsLocale } from './locale-loader';
import { toggleHistory } from './history-toggle';
import { toElement } from './markup-element';
import { loadOlderPage } from './older-page';
import { BriefingRoutes } from './reader-api';
import { reconcile, type KeyedList } from './reconcile';
import { ReopenWatch } from './reopen-watch';
import { refreshRelativeTimes, RELATIVE_REFRESH_MS } from './relative-times';
import { shareEntry } from './share';
import { showPost } from './show-post';

export interface LiveFeedOptions {
  /** Where the feed's elements ([data-lb=…]) are: the page's document or the embed's shadow root. */
  root: Document | ShadowRoot;
  /** Gets the `lb-js` class, which shows what only the script can serve (controls, share buttons). */
  host: HTMLElement;
  slug: string;
  /** The service's origin for API reads and the socket: '' on our own pages. */
  origin: string;
  /** Prefix of links to our pages: '' on them, the origin inside an embed. */
  linkBase: string;
  /** Links open in a new tab (inside another site's page). */
  newTab: boolean;
  /** Most entries shown (the embed's `limit`); unset: every entry loaded. */
  limit?: number;
  /** The state the page was rendered with, or null to start from a snapshot. */
  view: FeedView | null;
  /** The page's key-events index (every key event of the briefing); unset where there is no index (the embed). */
  keyEvents?: KeyEventItem[];
  /**
   * False on an archive page: no connection, links navigate. When true, a briefing whose
   * coverage has ended is not followed either: its page only looks now and then for a reopening.
   */
  live: boolean;
  /** Keep the tab's title counting unseen updates. */
  documentTitle: boolean;
  /** Remember the reader's display choices (on our own pages). */
  rememberPrefs: boolean;
  /** The interface words the page came with; unset: English until the briefing's language is known and loaded. */
  words?: PageWords;
  /** Told the briefing's locale and its words once they are loaded (the embed translates its own frame with them). */
  onLanguage?: (i18n: Translator, localeTag: string) => void;
}

interface Prefs {
  keyOnly: boolean;
  oldestFirst: boolean;
  readerZone: boolean;
}

const PREFS_KEY = 'livebrief:prefs';
const PAGE_SIZE = 20;
const CONNECTION_TEXT: Record<ConnectionState | 'ended', MessageKey> = {
  connecting: 'connection.connecting',
  live: 'connection.live',
  polling: 'connection.polling',
  reconnecting: 'connection.reconnecting',
  offline: 'connection.offline',
  ended: 'connection.ended',
};

/** The feed's articles, keyed by data-id: one whose data-version still matches is kept. */
function entryList(draw: (entry: Entry) => Markup): KeyedList<Entry> {
  return {
    key: (entry) => entry.id,
    keyOf: (element) => (element as HTMLElement).dataset.id,
    isCurrent: (element, entry) => (element as HTMLElement).dataset.version === String(entry.version),
    draw: (entry) => toElement(draw(entry)),
  };
}

export class LiveFeed implements FeedSink {
  private view: FeedView | null;
  private limit: number | null;
  private time: TimeFormat | null = null;
  private locale: Locale | undefined;
  private prefs: Prefs = { keyOnly: false, oldestFirst: false, readerZone: false };
  /** New entries waiting behind the "N new updates" button. */
  private readonly held = new Set<string>();
  /** Updates the reader has not seen yet (held, or arrived while the tab was hidden). */
  private unseen = 0;
  private baseTitle = '';
  private connection: FeedConnection | null = null;
  private loadingOlder = false;
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private readonly teardown: (() => void)[] = [];
  private renderedTimeKey = '';
  /** The key-events index, kept live; null where the page has none. */
  private keyIndex: KeyEventItem[] | null;
  /** Every key event as a whole entry, for "Key events only": fetched when that filter is first on, then kept live. */
  private keyEntries: Entry[] | null = null;
  private i18n: Translator;
  private connectionShown: ConnectionState | 'ended' | null = null;
  /** While the briefing's language loads, the connection line waits for it. */
  private languageLoading: Promise<void> | null = null;

  private readonly routes: BriefingRoutes;
  private readonly reopenWatch: ReopenWatch;

  constructor(private readonly options: LiveFeedOptions) {
    this.routes = new BriefingRoutes(options.origin, options.slug);
    this.reopenWatch = new ReopenWatch(this.routes, () => this.connect());
    this.view = options.view;
    this.keyIndex = options.keyEvents ?? null;
    this.i18n = options.words ? translator(options.words.language, options.words.catalogue) : english;
    // The server drew the page's entries with the briefing's locale, zone and language: they stay as drawn.
    if (options.view) {
      this.renderedTimeKey = drawnWithKey(options.view.briefing.locale, options.view.briefing.timeZone, this.i18n.language);
    }
    this.limit = options.limit ?? null;
    if (options.rememberPrefs) this.prefs = { ...this.prefs, ...readPrefs() };
  }

  async start(): Promise<void> {
    this.options.host.classList.add('lb-js');
    this.listen(this.options.root, 'click', (event) => this.onClick(event as MouseEvent));
    this.listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible') {
        if (this.held.size === 0) this.unseen = 0;
        this.refreshTimes();
        this.updateTitle();
      }
    });
    if (this.view) {
      this.baseTitle = this.view.briefing.title;
      await this.useLocale(this.view.briefing.locale);
      this.render();
      this.refreshTimes();
      this.revealTarget();
      if (this.prefs.keyOnly) void this.loadKeyEvents();
    }
    this.refreshTimer = setInterval(() => this.refreshTimes(), RELATIVE_REFRESH_MS);
    if (!this.options.live) return;
    if (this.view?.briefing.status === 'ended') this.endCoverage();
    else this.connect();
  }

  close(): void {
    this.connection?.close();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.reopenWatch.stop();
    for (const undo of this.teardown.splice(0)) undo();
  }

  // ---------- FeedSink ----------

  cursor(): Cursor | null {
    return this.view ? { epoch: this.view.epoch, seq: this.view.seq } : null;
  }

  reset(epoch: string, seq: number, snapshot: Snapshot): void {
    this.view = viewFromSnapshot(epoch, seq, snapshot, PAGE_SIZE);
    this.held.clear();
    // The snapshot does not carry the key events: read them again under the new position.
    this.keyEntries = null;
    if (this.keyIndex !== null || this.prefs.keyOnly) void this.loadKeyEvents();
    this.baseTitle = snapshot.briefing.title;
    const draw = (): void => {
      this.render();
      this.updateTitle();
    };
    // The zone or locale may have changed meanwhile; the locale module is cached after its first load.
    void this.useLocale(snapshot.briefing.locale).then(draw);
    this.followStatus();
  }

  apply(change: Change): ApplyResult['status'] {
    const before = this.view;
    if (!before) return 'gap';
    const result = applyChange(before, change);
    if (result.status !== 'applied') return result.status;
    this.view = result.view;
    if (this.keyIndex) this.keyIndex = foldKeyEvents(this.keyIndex, change, keyEventItem);
    if (this.keyEntries) this.keyEntries = foldKeyEvents(this.keyEntries, change, (entry) => entry);
    if (change.type === 'entry.published') this.onPublished(change.entry);
    if (change.type === 'entry.deleted') this.held.delete(change.id);
    if (change.type === 'briefing.updated') {
      const was = before.briefing;
      const now = result.view.briefing;
      this.baseTitle = now.title;
      if (was.summary !== now.summary) void this.refreshSummary();
      // Once this change is taken in and drawn (both return paths below).
      queueMicrotask(() => this.followStatus());
      if (was.locale !== now.locale || was.timeZone !== now.timeZone) {
        void this.useLocale(now.locale).then(() => this.render());
        this.updateTitle();
        return 'applied';
      }
    }
    this.render();
    this.updateTitle();
    return 'applied';
  }

  connectionState(state: ConnectionState): void {
    this.connectionShown = state;
    // Drawn once the briefing's words are in (useLocale draws it then): "live" never reads in another language.
    if (!this.languageLoading) this.showConnection();
  }

  private showConnection(): void {
    const state = this.connectionShown;
    const element = this.el('connection');
    if (!element || !state) return;
    element.dataset.state = state;
    element.textContent = this.i18n.t(CONNECTION_TEXT[state]);
  }

  // ---------- ended coverage ----------

  private connect(): void {
    this.reopenWatch.stop();
    this.connection = new FeedConnection({ origin: this.options.origin, slug: this.options.slug, sink: this });
    this.connection.start();
  }

  /** Called after each change or snapshot: a briefing whose coverage has ended is no longer followed. */
  private followStatus(): void {
    if (this.view?.briefing.status === 'ended' && this.connection) this.endCoverage();
  }

  /** Lets the connection go (the server lets its readers go too) and looks now and then for a reopening. */
  private endCoverage(): void {
    this.connection?.close();
    this.connection = null;
    this.connectionShown = 'ended';
    if (!this.languageLoading) this.showConnection();
    // Reopened: resumes from the cursor held, so the corrections since the end arrive as changes.
    this.reopenWatch.start();
  }

  // ---------- what happens to a new entry ----------

  private onPublished(entry: Entry): void {
    if (!this.view?.entries.some((candidate) => candidate.id === entry.id)) return;
    if (this.prefs.keyOnly && !entry.keyEvent) return;
    if (!this.prefs.oldestFirst && !this.atTop()) {
      this.held.add(entry.id);
      this.unseen++;
      this.announce(this.i18n.t('feed.newUpdates', { count: this.held.size }));
      return;
    }
    if (document.visibilityState === 'hidden') this.unseen++;
    this.announce(this.i18n.t('feed.newUpdate', { headline: entryHeadline(entry, 140) }));
  }

  /** The reader sees the top of the feed: an entry put there moves nothing they are reading. */
  private atTop(): boolean {
    const feed = this.el('feed');
    return !feed || feed.getBoundingClientRect().top >= -1;
  }

  private reveal(): void {
    this.held.clear();
    this.unseen = 0;
    this.render();
    this.updateTitle();
    const feed = this.el('feed');
    const first = feed?.firstElementChild as HTMLElement | null;
    const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    feed?.scrollIntoView({ block: 'start', behavior: reduced ? 'auto' : 'smooth' });
    if (first) {
      first.tabIndex = -1;
      first.focus({ preventScroll: true });
    }
  }

  // ---------- drawing ----------

  private context(): MarkupContext | null {
    if (!this.time) return null;
    return { time: this.time, nowMs: Date.now(), baseUrl: this.options.linkBase, newTab: this.options.newTab, i18n: this.i18n };
  }

  private useLocale(localeTag: string): Promise<void> {
    const loading = this.loadLocale(localeTag).then(() => {
      if (this.languageLoading === loading) this.languageLoading = null;
      this.showConnection();
    });
    this.languageLoading = loading;
    return loading;
  }

  private async loadLocale(localeTag: string): Promise<void> {
    const code: DateFnsLocaleCode = dateFnsLocaleFor(localeTag);
    const language = interfaceLanguageFor(localeTag);
    const assets = `${this.options.origin || window.location.origin}/assets`;
    // Both loaders fall back (English) rather than fail: a flaky network must not stop the feed.
    const [locale, catalogue] = await Promise.all([
      loadDateFnsLocale(code, assets),
      language === this.i18n.language ? null : loadCatalogue(language, assets),
    ]);
    this.locale = locale;
    if (catalogue) this.i18n = translator(language, catalogue);
    this.makeTimeFormat();
    this.options.onLanguage?.(this.i18n, localeTag);
  }

  private makeTimeFormat(): void {
    const briefing = this.view?.briefing;
    if (!briefing) return;
    const zone = this.prefs.readerZone ? Intl.DateTimeFormat().resolvedOptions().timeZone : briefing.timeZone;
    this.time = new TimeFormat(briefing.locale, this.locale, zone);
  }

  /** The entries to show, in the order to show them. */
  private shownEntries(): Entry[] {
    const view = this.view;
    if (!view) return [];
    let entries = view.entries.filter((entry) => !this.held.has(entry.id));
    if (this.prefs.keyOnly) {
      entries = entries.filter((entry) => entry.keyEvent);
      // Key events older than the loaded entries, so that the filter shows every one.
      const loaded = new Set(view.entries.map((entry) => entry.id));
      const older = (this.keyEntries ?? []).filter((entry) => !loaded.has(entry.id));
      if (older.length > 0) entries = [...entries, ...older].sort(compareEntries);
    }
    if (this.limit !== null) entries = entries.slice(0, this.limit);
    return this.prefs.oldestFirst ? [...entries].reverse() : entries;
  }

  private render(): void {
    const view = this.view;
    const ctx = this.context();
    if (!view || !ctx) return;
    const anchor = this.captureAnchor();
    const feed = this.el('feed');
    const pinned = this.el('pinned');
    // Times are drawn into each entry: after a change of zone or locale every entry is redrawn.
    const timeKey = drawnWithKey(ctx.time.localeTag, ctx.time.timeZone, ctx.i18n.language);
    if (timeKey !== this.renderedTimeKey) {
      this.renderedTimeKey = timeKey;
      feed?.replaceChildren();
      pinned?.replaceChildren();
    }
    const shown = this.shownEntries();
    if (feed) {
      reconcile(
        feed,
        shown,
        entryList((entry) => renderEntry(entry, ctx)),
      );
      feed.removeAttribute('aria-busy');
    }
    if (pinned && !pinned.hidden)
      reconcile(
        pinned,
        view.pinned,
        entryList((entry) => renderEntry(entry, ctx, { variant: 'pinned' })),
      );

    const briefing = view.briefing;
    const badge = this.el('badge');
    if (badge && badge.dataset.status !== `${briefing.status} ${ctx.i18n.language}`) {
      badge.dataset.status = `${briefing.status} ${ctx.i18n.language}`;
      badge.innerHTML = renderStatusBadge(briefing.status, ctx.i18n.t).value;
    }
    const title = this.el('title');
    if (title && title.textContent !== briefing.title) title.textContent = briefing.title;
    const zone = this.el('zone');
    if (zone) zone.textContent = ctx.time.zoneName(Date.now());

    const onPage = new Set(shown.map((entry) => entry.id));
    const keyList = this.el('key-events');
    const keyEvents = (this.keyIndex ?? []).filter((item) => !this.held.has(item.id));
    if (keyList && this.keyIndex) {
      const markup = renderKeyEventItems(keyEvents, ctx, (id) => onPage.has(id)).value;
      if (keyList.innerHTML !== markup) keyList.innerHTML = markup;
      const box = this.el('key-events-box');
      if (box) box.hidden = keyEvents.length === 0;
    }

    const empty = this.el('empty');
    if (empty) empty.hidden = shown.length > 0;
    const older = this.el('older');
    if (older) older.hidden = !this.hasMore();
    const revealButton = this.el('reveal');
    if (revealButton) {
      revealButton.hidden = this.held.size === 0;
      revealButton.textContent = this.i18n.t('feed.newUpdates', { count: this.held.size });
    }
    for (const [action, pressed] of [
      ['key-only', this.prefs.keyOnly],
      ['order', this.prefs.oldestFirst],
      ['zone', this.prefs.readerZone],
    ] as const) {
      this.options.root.querySelector(`[data-action="${action}"]`)?.setAttribute('aria-pressed', String(pressed));
    }
    this.restoreAnchor(anchor);
  }

  private hasMore(): boolean {
    const view = this.view;
    if (!view) return false;
    if (!view.complete) return true;
    if (this.limit === null) return false;
    const candidates = this.prefs.keyOnly ? view.entries.filter((entry) => entry.keyEvent) : view.entries;
    return candidates.length - this.held.size > this.limit;
  }

  /** The first entry the reader can see and where it is, when they are scrolled into the feed. */
  private captureAnchor(): { id: string; top: number } | null {
    const feed = this.el('feed');
    if (!feed || this.atTop()) return null;
    for (const child of Array.from(feed.children)) {
      const box = child.getBoundingClientRect();
      if (box.bottom > 0) return { id: (child as HTMLElement).dataset.id ?? '', top: box.top };
    }
    return null;
  }

  /** Scrolls back by whatever moved the anchor (a correction above grew, an entry went). */
  private restoreAnchor(anchor: { id: string; top: number } | null): void {
    if (!anchor) return;
    const element = this.el('feed')?.querySelector(`[data-id="${CSS.escape(anchor.id)}"]`);
    if (!element) return;
    const moved = element.getBoundingClientRect().top - anchor.top;
    if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
  }

  private refreshTimes(): void {
    if (this.time) refreshRelativeTimes(this.options.root, this.time);
  }

  private updateTitle(): void {
    if (!this.options.documentTitle || !this.baseTitle) return;
    document.title = this.unseen > 0 ? this.i18n.t('feed.unseenTitle', { count: this.unseen, title: this.baseTitle }) : this.baseTitle;
  }

  private announce(text: string): void {
    const region = this.el('announce');
    if (region) region.textContent = text;
  }

  private async refreshSummary(): Promise<void> {
    const box = this.el('summary-box');
    const body = this.el('summary');
    if (!box || !body) return;
    const response = await fetch(this.routes.summary());
    if (!response.ok) return;
    const summary = (await response.json()) as { html: string };
    // Rendered and sanitized by the server, like every entry's html.
    body.innerHTML = summary.html;
    box.hidden = summary.html === '';
  }

  // ---------- reader actions ----------

  private onClick(event: MouseEvent): void {
    const target = (event.target as Element | null)?.closest<HTMLElement>('[data-action]');
    if (!target) return;
    switch (target.dataset.action) {
      case 'reveal':
        this.reveal();
        break;
      case 'load-older':
        if (!this.options.live) return;
        event.preventDefault();
        void this.loadOlder();
        break;
      case 'share':
        void shareEntry(target, (text) => this.announce(text), this.i18n);
        break;
      case 'show-post':
        showPost(target, this.i18n);
        break;
      case 'history': {
        // Inside another site's page, and for a click that asks for a new tab, the link leads to the entry's page.
        const ctx = this.context();
        if (this.options.newTab || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || !ctx) return;
        event.preventDefault();
        void toggleHistory(target, this.routes, ctx);
        break;
      }
      case 'key-only':
        this.setPrefs({ keyOnly: !this.prefs.keyOnly });
        break;
      case 'order':
        this.setPrefs({ oldestFirst: !this.prefs.oldestFirst });
        break;
      case 'zone':
        this.setPrefs({ readerZone: !this.prefs.readerZone });
        break;
    }
  }

  private setPrefs(change: Partial<Prefs>): void {
    this.prefs = { ...this.prefs, ...change };
    if (change.keyOnly && this.keyEntries === null) void this.loadKeyEvents();
    if (change.readerZone !== undefined) this.makeTimeFormat();
    if (this.options.rememberPrefs) {
      try {
        localStorage.setItem(PREFS_KEY, JSON.stringify(this.prefs));
      } catch {
        // private mode or storage full: the choice holds for this page only
      }
    }
    this.render();
  }

  private async loadOlder(): Promise<void> {
    const view = this.view;
    if (!view || this.loadingOlder) return;
    const older = this.el('older');
    if (this.limit !== null) this.limit += this.options.limit ?? PAGE_SIZE;
    const shownBefore = this.shownEntries().length;
    let failed = false;
    if (!view.complete && (this.limit === null || view.entries.length < this.limit + this.held.size)) {
      this.loadingOlder = true;
      older?.setAttribute('aria-busy', 'true');
      try {
        const merged = await loadOlderPage({
          origin: this.options.origin,
          slug: this.options.slug,
          pageSize: PAGE_SIZE,
          view: () => this.view,
        });
        if (merged) this.view = merged;
      } catch {
        failed = true;
      } finally {
        this.loadingOlder = false;
        older?.removeAttribute('aria-busy');
      }
    }
    this.render();
    const added = this.shownEntries().length - shownBefore;
    if (failed) this.announce(this.i18n.t('feed.olderFailed'));
    else this.announce(added > 0 ? this.i18n.t('feed.olderLoaded', { count: added }) : this.i18n.t('feed.noOlder'));
  }

  /**
   * Reads every key event (GET …/key-events) for the index and the "Key events only"
   * filter. A read older than the view could miss a change already folded in: read again.
   * Reads may overlap (a reset during one): each is checked against the view when it lands.
   */
  private async loadKeyEvents(): Promise<void> {
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await fetch(this.routes.keyEvents());
        if (!response.ok) return;
        const read = (await response.json()) as { entries: Entry[]; epoch: string; seq: number };
        const view = this.view;
        if (!view || read.epoch !== view.epoch) return;
        if (read.seq < view.seq && attempt < 2) continue;
        this.keyEntries = read.entries;
        if (this.keyIndex !== null) this.keyIndex = read.entries.map(keyEventItem);
        this.render();
        return;
      }
    } catch {
      // Offline: the filter shows the loaded key events until the next reset reads them again.
    }
  }

  /** The entry the address names (`#e-…`, a key-events link) in sight, once the reader's own order and filter are drawn. */
  private revealTarget(): void {
    if (!(this.options.root instanceof Document) || !window.location.hash.startsWith('#e-')) return;
    this.options.root.getElementById(decodeURIComponent(window.location.hash.slice(1)))?.scrollIntoView({ block: 'start' });
  }

  // ---------- helpers ----------

  private el(name: FeedHook): HTMLElement | null {
    return this.options.root.querySelector<HTMLElement>(feedHookSelector(name));
  }

  private listen(target: EventTarget, type: string, handler: (event: Event) => void): void {
    target.addEventListener(type, handler);
    this.teardown.push(() => target.removeEventListener(type, handler));
  }
}

/** Which locale and zone the entries' times were drawn in. */
/** What an entry's drawing depends on besides the entry: its times' locale and zone, and its words' language. */
function drawnWithKey(localeTag: string, timeZone: string, language: string): string {
  return `${localeTag} ${timeZone} ${language}`;
}

function readPrefs(): Partial<Prefs> {
  try {
    const raw = localStorage.getItem(PREFS_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    if (typeof parsed !== 'object' || parsed === null) return {};
    const record = parsed as Record<string, unknown>;
    return {
      keyOnly: record.keyOnly === true,
      oldestFirst: record.oldestFirst === true,
      readerZone: record.readerZone === true,
    };
  } catch {
    return {};
  }
}

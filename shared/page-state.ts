/**
 * What a server-rendered page hands its script in <script type="application/json"
 * id="lb-state">: the briefing page its view with the cursor (epoch, seq) it was rendered
 * at, so the browser resumes from exactly there, and the catalogue of the page's language.
 *
 * The entries in it go without `html` and `body`: the page's markup holds each entry's
 * HTML already (drawn with the same templates), so the state does not carry it twice. The
 * script reads it back from the server-drawn <article> (withMarkup) and keeps those
 * articles as they are until a change brings a new version.
 */
import type { FeedView } from './apply-change';
import type { KeyEventItem } from './feed-markup';
import type { DateFnsLocaleCode } from './locales';
import type { Entry } from './schemas';

/** An entry as the page state carries it. */
export type PageEntry = Omit<Entry, 'html' | 'body'>;

export interface PageView extends Omit<FeedView, 'entries' | 'pinned'> {
  entries: PageEntry[];
  pinned: PageEntry[];
}
import type { PageWords } from './i18n';

export type PageState =
  | {
      kind: 'briefing';
      view: PageView;
      /** The key-events index, newest first: every key event of the briefing (the newest LIMITS.keyEvents). */
      keyEvents: KeyEventItem[];
      localeCode: DateFnsLocaleCode;
      /** Whether the page is kept live: false on an archive page and on an ended briefing's page. */
      live: boolean;
      /** An archive page (?before=, ?around=): older entries, links navigate, never live. */
      archive: boolean;
      /** The interface words in the briefing's language: that one catalogue, none of the others. */
      words: PageWords;
    }
  | { kind: 'entry'; localeCode: DateFnsLocaleCode; locale: string; timeZone: string; words: PageWords };

export const PAGE_STATE_ID = 'lb-state';

function pageEntry(entry: Entry): PageEntry {
  const copy: PageEntry & Partial<Pick<Entry, 'html' | 'body'>> = { ...entry };
  delete copy.html;
  delete copy.body;
  return copy;
}

/** The view as the page state carries it: the entries without the HTML the markup holds. */
export function pageView(view: FeedView): PageView {
  return { ...view, entries: view.entries.map(pageEntry), pinned: view.pinned.map(pageEntry) };
}

/**
 * The view again, each entry's `html` read back from the page's markup (`htmlOf`, '' when
 * the page did not draw it). `body`, the Markdown source, is for editors: readers' pages never show it.
 */
export function withMarkup(view: PageView, htmlOf: (id: string) => string): FeedView {
  const full = (entry: PageEntry): Entry => ({ ...entry, html: htmlOf(entry.id), body: '' });
  return { ...view, entries: view.entries.map(full), pinned: view.pinned.map(full) };
}

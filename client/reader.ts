/**
 * The reader's page script: keeps a briefing page live from the state the server rendered
 * it with, and makes times and share buttons work on an entry's own page.
 */
import { LiveFeed } from './feed/live-feed';
import { entryAnchor } from '../shared/feed-markup';
import { PAGE_STATE_ID, withMarkup, type PageState } from '../shared/page-state';
import { TimeFormat } from '../shared/time-format';
import { loadDateFnsLocale } from './feed/locale-loader';
import { refreshRelativeTimes, RELATIVE_REFRESH_MS } from './feed/relative-times';
import { shareEntry } from './feed/share';
import { showPost } from './feed/show-post';
import { translator } from '../shared/i18n';

function readState(): PageState | null {
  const element = document.getElementById(PAGE_STATE_ID);
  if (!element?.textContent) return null;
  return JSON.parse(element.textContent) as PageState;
}

/** An entry's own page stays still; only its relative times move, and sharing works. */
async function enhanceEntryPage(state: Extract<PageState, { kind: 'entry' }>): Promise<void> {
  const locale = await loadDateFnsLocale(state.localeCode, `${window.location.origin}/assets`);
  const time = new TimeFormat(state.locale, locale, state.timeZone);
  const i18n = translator(state.words.language, state.words.catalogue);
  refreshRelativeTimes(document, time);
  setInterval(() => refreshRelativeTimes(document, time), RELATIVE_REFRESH_MS);
  document.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest<HTMLElement>('[data-action="share"], [data-action="show-post"]');
    if (button?.dataset.action === 'share') void shareEntry(button, () => undefined, i18n);
    else if (button) showPost(button, i18n);
  });
}

/** An entry's HTML as the server drew it into the page (the state does not carry it twice). */
function drawnHtml(id: string): string {
  const article = document.getElementById(entryAnchor(id)) ?? document.getElementById(`pinned-${id}`);
  return article?.querySelector('.lb-body')?.innerHTML ?? '';
}

const state = readState();
document.documentElement.classList.add('lb-js');
if (state?.kind === 'briefing') {
  const feed = new LiveFeed({
    root: document,
    host: document.documentElement,
    slug: state.view.briefing.slug,
    origin: '',
    linkBase: '',
    newTab: false,
    view: withMarkup(state.view, drawnHtml),
    keyEvents: state.keyEvents,
    // An ended briefing's page (state.live false) still watches for a reopening; an archive page stays still.
    live: !state.archive,
    documentTitle: true,
    rememberPrefs: true,
    words: state.words,
  });
  void feed.start();
} else if (state?.kind === 'entry') {
  void enhanceEntryPage(state);
}

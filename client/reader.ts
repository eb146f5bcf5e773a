/**
 * The reader's page script: keeps a briefing page live from the state the server rendered
 * it with, and makes times and share buttons work on an entry's own page.
 */
import { LiveFeed } from './feed/live-feed';
import { PAGE_STATE_ID, type PageState } from '../shared/page-state';
import { TimeFormat } from '../shared/time-format';
import { loadDateFnsLocale } from './feed/locale-loader';
import { refreshRelativeTimes, RELATIVE_REFRESH_MS } from './feed/relative-times';
import { shareEntry } from './feed/share';

function readState(): PageState | null {
  const element = document.getElementById(PAGE_STATE_ID);
  if (!element?.textContent) return null;
  return JSON.parse(element.textContent) as PageState;
}

/** An entry's own page stays still; only its relative times move, and sharing works. */
async function enhanceEntryPage(state: Extract<PageState, { kind: 'entry' }>): Promise<void> {
  const locale = await loadDateFnsLocale(state.localeCode, `${window.location.origin}/assets`);
  const time = new TimeFormat(state.locale, locale, state.timeZone);
  refreshRelativeTimes(document, time);
  setInterval(() => refreshRelativeTimes(document, time), RELATIVE_REFRESH_MS);
  document.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest<HTMLElement>('[data-action="share"]');
    if (button) void shareEntry(button, () => undefined);
  });
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
    view: state.view,
    // An ended briefing's page (state.live false) still watches for a reopening; an archive page stays still.
    live: !state.archive,
    documentTitle: true,
    rememberPrefs: true,
  });
  void feed.start();
} else if (state?.kind === 'entry') {
  void enhanceEntryPage(state);
}

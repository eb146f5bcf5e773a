/**
 * What a server-rendered page hands its script in <script type="application/json"
 * id="lb-state">: the briefing page its view with the cursor (epoch, seq) it was rendered
 * at, so the browser resumes from exactly there, and the catalogue of the page's language.
 */
import type { FeedView } from './apply-change';
import type { DateFnsLocaleCode } from './locales';
import type { PageWords } from './i18n';

export type PageState =
  | {
      kind: 'briefing';
      view: FeedView;
      localeCode: DateFnsLocaleCode;
      /** False on an archive page (?before=), which shows older entries and stays still. */
      live: boolean;
      /** The interface words in the briefing's language: that one catalogue, none of the others. */
      words: PageWords;
    }
  | { kind: 'entry'; localeCode: DateFnsLocaleCode; locale: string; timeZone: string; words: PageWords };

export const PAGE_STATE_ID = 'lb-state';

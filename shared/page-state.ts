/**
 * What a server-rendered page hands its script in <script type="application/json"
 * id="lb-state">: the briefing page its view with the cursor (epoch, seq) it was rendered
 * at, so the browser resumes from exactly there.
 */
import type { FeedView } from './apply-change';
import type { DateFnsLocaleCode } from './locales';

export type PageState =
  | {
      kind: 'briefing';
      view: FeedView;
      localeCode: DateFnsLocaleCode;
      /** Whether the page is kept live: false on an archive page and on an ended briefing's page. */
      live: boolean;
      /** An archive page (?before=): older entries, links navigate, never live. */
      archive: boolean;
    }
  | { kind: 'entry'; localeCode: DateFnsLocaleCode; locale: string; timeZone: string };

export const PAGE_STATE_ID = 'lb-state';

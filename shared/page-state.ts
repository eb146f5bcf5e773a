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
      /** False on an archive page (?before=), which shows older entries and stays still. */
      live: boolean;
    }
  | { kind: 'entry'; localeCode: DateFnsLocaleCode; locale: string; timeZone: string };

export const PAGE_STATE_ID = 'lb-state';

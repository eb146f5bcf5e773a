/**
 * How the feed writes times: relative ("3 minutes ago", date-fns in the briefing's
 * locale) with the absolute time in a named zone beside it (Intl, which knows every IANA
 * zone and its local name). Server and browser format alike through this one class.
 */
import type { Locale } from 'date-fns';
import { formatDistance } from 'date-fns/formatDistance';

/** Older than this, a relative time says less than the date: show the date instead. */
const RELATIVE_LIMIT_MS = 24 * 60 * 60 * 1000;

export class TimeFormat {
  private readonly absoluteFormat: Intl.DateTimeFormat;
  private readonly clockFormat: Intl.DateTimeFormat;
  private readonly zoneFormat: Intl.DateTimeFormat;

  /**
   * @param localeTag the briefing's BCP 47 tag (Intl)
   * @param dateFnsLocale the date-fns locale resolved from it (relative times)
   * @param timeZone the IANA zone times are shown in
   */
  constructor(
    readonly localeTag: string,
    private readonly dateFnsLocale: Locale | undefined,
    readonly timeZone: string,
  ) {
    const tag = safeTag(localeTag);
    // 24-hour locales read "09:05", 12-hour ones "9:05 AM".
    const hourCycle = new Intl.DateTimeFormat(tag, { timeStyle: 'short' }).resolvedOptions().hourCycle;
    const hour = hourCycle === 'h23' || hourCycle === 'h24' ? '2-digit' : 'numeric';
    this.absoluteFormat = new Intl.DateTimeFormat(tag, {
      timeZone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour,
      minute: '2-digit',
      timeZoneName: 'short',
    });
    this.clockFormat = new Intl.DateTimeFormat(tag, { timeZone, hour, minute: '2-digit' });
    this.zoneFormat = new Intl.DateTimeFormat(tag, { timeZone, timeZoneName: 'short' });
  }

  /** "3 minutes ago"; the date itself for anything older than a day. */
  relative(iso: string, nowMs: number): string {
    const at = Date.parse(iso);
    if (nowMs - at > RELATIVE_LIMIT_MS) return this.absolute(iso);
    // A clock a little behind the server's must not say "in 1 minute".
    return formatDistance(Math.min(at, nowMs), nowMs, { addSuffix: true, locale: this.dateFnsLocale });
  }

  /** "27 Nov 2025, 14:05 CET": date, time and the zone's name. */
  absolute(iso: string): string {
    return this.absoluteFormat.format(Date.parse(iso));
  }

  /** "14:05" in the zone, for "Updated 14:05". */
  clock(iso: string): string {
    return this.clockFormat.format(Date.parse(iso));
  }

  /** The zone's short local name at that instant ("CET", "GMT+2"). */
  zoneName(atMs: number): string {
    return this.zoneFormat.formatToParts(atMs).find((part) => part.type === 'timeZoneName')?.value ?? this.timeZone;
  }
}

function safeTag(tag: string): string {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

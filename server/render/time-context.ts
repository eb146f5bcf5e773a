/**
 * Time formatting for server-rendered pages, with the same TimeFormat the browser uses
 * and the date-fns locale the browser will load for the briefing.
 */
import { createRequire } from 'node:module';
import type { Locale } from 'date-fns';
import { dateFnsLocaleFor, type DateFnsLocaleCode } from '../../shared/locales';
import { TimeFormat } from '../../shared/time-format';

const requireModule = createRequire(__filename);
const LOCALES = new Map<DateFnsLocaleCode, Locale>();

/**
 * One date-fns locale, loaded when a page first needs it: importing all of them costs a
 * tenth of a second at every start, and a service serves a handful of languages.
 */
function dateFnsLocale(code: DateFnsLocaleCode): Locale | undefined {
  let locale = LOCALES.get(code);
  if (!locale) {
    // Each locale module exports just that locale, under its camel-cased name (enUS, ru …).
    const exports = requireModule(`date-fns/locale/${code}`) as Record<string, Locale>;
    locale = Object.values(exports).find((value) => value.code === code);
    if (locale) LOCALES.set(code, locale);
  }
  return locale;
}

/** Formatters are costly to build and pages ask for the same few: keep the recent ones. */
const cache = new Map<string, TimeFormat>();
const CACHE_SIZE = 200;

export function timeFormatFor(localeTag: string, timeZone: string): { time: TimeFormat; localeCode: DateFnsLocaleCode } {
  const localeCode = dateFnsLocaleFor(localeTag);
  const key = `${localeTag} ${timeZone}`;
  let time = cache.get(key);
  if (!time) {
    time = new TimeFormat(localeTag, dateFnsLocale(localeCode), timeZone);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
    cache.set(key, time);
  }
  return { time, localeCode };
}

/**
 * Time formatting for server-rendered pages, with the same TimeFormat the browser uses
 * and the date-fns locale the browser will load for the briefing.
 */
import type { Locale } from 'date-fns';
import * as dateFnsLocales from 'date-fns/locale';
import { dateFnsLocaleFor, type DateFnsLocaleCode } from '../../shared/locales';
import { TimeFormat } from '../../shared/time-format';

const LOCALES = new Map<string, Locale>(Object.values(dateFnsLocales).map((locale: Locale) => [locale.code ?? '', locale]));

/** Formatters are costly to build and pages ask for the same few: keep the recent ones. */
const cache = new Map<string, TimeFormat>();
const CACHE_SIZE = 200;

export function timeFormatFor(localeTag: string, timeZone: string): { time: TimeFormat; localeCode: DateFnsLocaleCode } {
  const localeCode = dateFnsLocaleFor(localeTag);
  const key = `${localeTag} ${timeZone}`;
  let time = cache.get(key);
  if (!time) {
    time = new TimeFormat(localeTag, LOCALES.get(localeCode), timeZone);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
    cache.set(key, time);
  }
  return { time, localeCode };
}

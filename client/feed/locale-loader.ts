/**
 * date-fns locales are loaded one at a time, from their own small modules
 * (dist/public/locales/<code>.js): a reader downloads only the briefing's language.
 */
import type { Locale } from 'date-fns';
import { enUS } from 'date-fns/locale/en-US';
import { DEFAULT_LOCALE_CODE, type DateFnsLocaleCode } from '../../shared/locales';

const loaded = new Map<string, Promise<Locale>>([[DEFAULT_LOCALE_CODE, Promise.resolve(enUS)]]);

/** @param assetsUrl where the bundles are served, e.g. "https://live.example/assets" */
export function loadDateFnsLocale(code: DateFnsLocaleCode, assetsUrl: string): Promise<Locale> {
  let locale = loaded.get(code);
  if (!locale) {
    const url = `${assetsUrl}/locales/${code}.js`;
    locale = (import(/* @vite-ignore */ url) as Promise<{ default: Locale }>).then(
      (module) => module.default,
      // Relative times then read in English, which beats none.
      () => enUS,
    );
    loaded.set(code, locale);
  }
  return locale;
}

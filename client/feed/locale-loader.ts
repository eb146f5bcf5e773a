/**
 * A language's modules are loaded one at a time, on demand, from dist/public: date-fns
 * locales (locales/<code>.js) and interface catalogues (i18n/<language>.js). A reader
 * downloads only the briefing's language; English is in the bundle.
 */
import type { Locale } from 'date-fns';
import { enUS } from 'date-fns/locale/en-US';
import type { Catalogue, InterfaceLanguage } from '../../shared/i18n';
import { DEFAULT_LOCALE_CODE, type DateFnsLocaleCode } from '../../shared/locales';

/** One import per URL, shared by every caller; `fallback` when it fails (a flaky network), which beats nothing. */
function cachedDefault<T>(cache: Map<string, Promise<T>>, key: string, url: string, fallback: T): Promise<T> {
  let found = cache.get(key);
  if (!found) {
    found = (import(/* @vite-ignore */ url) as Promise<{ default: T }>).then(
      (module) => module.default,
      () => fallback,
    );
    cache.set(key, found);
  }
  return found;
}

const locales = new Map<string, Promise<Locale>>([[DEFAULT_LOCALE_CODE, Promise.resolve(enUS)]]);
const catalogues = new Map<string, Promise<Catalogue>>([['en', Promise.resolve({})]]);

/** @param assetsUrl where the bundles are served, e.g. "https://live.example/assets" */
export function loadDateFnsLocale(code: DateFnsLocaleCode, assetsUrl: string): Promise<Locale> {
  // Relative times then read in English.
  return cachedDefault(locales, code, `${assetsUrl}/locales/${code}.js`, enUS);
}

/** A language's catalogue; an empty one (English throughout) if it cannot be loaded. */
export function loadCatalogue(language: InterfaceLanguage, assetsUrl: string): Promise<Catalogue> {
  return cachedDefault(catalogues, language, `${assetsUrl}/i18n/${language}.js`, {});
}

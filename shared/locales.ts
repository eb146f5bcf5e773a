/**
 * Which date-fns locale serves a briefing's BCP 47 tag, and which way its text runs.
 * The browser loads only that one locale (dist/public/locales/<code>.js), so the list of
 * codes lives here rather than in the bundle's imports; a unit test keeps it equal to
 * what date-fns ships.
 */

/** date-fns locale codes; within a language, the one to prefer for a bare tag comes first. */
export const DATE_FNS_LOCALES = [
  'af',
  'ar',
  'ar-DZ',
  'ar-EG',
  'ar-MA',
  'ar-SA',
  'ar-TN',
  'az',
  'be',
  'be-tarask',
  'bg',
  'bn',
  'bs',
  'ca',
  'ckb',
  'cs',
  'cy',
  'da',
  'de',
  'de-AT',
  'el',
  'en-US',
  'en-AU',
  'en-CA',
  'en-GB',
  'en-IE',
  'en-IN',
  'en-NZ',
  'en-ZA',
  'eo',
  'es',
  'et',
  'eu',
  'fa-IR',
  'fi',
  'fr',
  'fr-CA',
  'fr-CH',
  'fy',
  'gd',
  'gl',
  'gu',
  'he',
  'hi',
  'hr',
  'ht',
  'hu',
  'hy',
  'id',
  'is',
  'it',
  'it-CH',
  'ja',
  'ja-Hira',
  'ka',
  'kk',
  'km',
  'kn',
  'ko',
  'lb',
  'lt',
  'lv',
  'mk',
  'mn',
  'ms',
  'mt',
  'nb',
  'nl',
  'nl-BE',
  'nn',
  'oc',
  'pl',
  'pt',
  'pt-BR',
  'ro',
  'ru',
  'se',
  'sk',
  'sl',
  'sq',
  'sr',
  'sr-Latn',
  'sv',
  'ta',
  'te',
  'th',
  'tr',
  'ug',
  'uk',
  'uz',
  'uz-Cyrl',
  'vi',
  'zh-CN',
  'zh-HK',
  'zh-TW',
] as const;

export type DateFnsLocaleCode = (typeof DATE_FNS_LOCALES)[number];

/** The locale bundled with the feed (date-fns falls back to it anyway). */
export const DEFAULT_LOCALE_CODE: DateFnsLocaleCode = 'en-US';

const BY_LOWER = new Map<string, DateFnsLocaleCode>(DATE_FNS_LOCALES.map((code) => [code.toLowerCase(), code]));

/** Best date-fns locale for a tag: exact, then language-region, then language, then en-US. */
export function dateFnsLocaleFor(tag: string): DateFnsLocaleCode {
  let locale: Intl.Locale;
  try {
    locale = new Intl.Locale(tag);
  } catch {
    return DEFAULT_LOCALE_CODE;
  }
  // V8 gives "und" (undetermined, a valid tag) no language at all: the default serves it.
  const language = (locale.language as string | undefined)?.toLowerCase();
  if (!language) return DEFAULT_LOCALE_CODE;
  const candidates = [
    tag.toLowerCase(),
    locale.script ? `${language}-${locale.script.toLowerCase()}` : '',
    locale.region ? `${language}-${locale.region.toLowerCase()}` : '',
    language,
  ];
  for (const candidate of candidates) {
    const found = candidate ? BY_LOWER.get(candidate) : undefined;
    if (found) return found;
  }
  return DATE_FNS_LOCALES.find((code) => code.toLowerCase().startsWith(`${language}-`)) ?? DEFAULT_LOCALE_CODE;
}

const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ks', 'ku', 'ps', 'sd', 'syr', 'ug', 'ur', 'yi']);
const RTL_SCRIPTS = new Set(['Arab', 'Hebr', 'Thaa', 'Syrc', 'Nkoo', 'Adlm', 'Rohg']);

/** "rtl" for languages written right to left (an explicit script wins: az-Arab is rtl, ku-Latn is not). */
export function textDirection(tag: string): 'ltr' | 'rtl' {
  try {
    const locale = new Intl.Locale(tag);
    if (locale.script) return RTL_SCRIPTS.has(locale.script) ? 'rtl' : 'ltr';
    return RTL_LANGUAGES.has(locale.language) ? 'rtl' : 'ltr';
  } catch {
    return 'ltr';
  }
}

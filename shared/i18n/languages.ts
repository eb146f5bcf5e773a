/**
 * The interface languages the service has a catalogue for, and which one serves a BCP 47
 * tag. Only the list lives here, not the catalogues, so the browser can choose a language
 * without bundling every catalogue (it loads the one it needs, see client/feed/locale-loader.ts).
 */
export const INTERFACE_LANGUAGES = ['en', 'ru', 'uk', 'ar', 'fa', 'ro', 'ka', 'az', 'tr'] as const;

export type InterfaceLanguage = (typeof INTERFACE_LANGUAGES)[number];

/** English: the reference catalogue, and the words of any language without a catalogue. */
export const DEFAULT_LANGUAGE: InterfaceLanguage = 'en';

const KNOWN = new Set<string>(INTERFACE_LANGUAGES);

function isInterfaceLanguage(language: string): language is InterfaceLanguage {
  return KNOWN.has(language);
}

/** A tag's language subtag, lower case ("ru" of "ru-RU"); "" for a tag without one ("und") or not a tag. */
export function primaryLanguage(tag: string): string {
  try {
    // V8 gives "und" no language at all.
    return ((new Intl.Locale(tag).language as string | undefined) ?? '').toLowerCase();
  } catch {
    return '';
  }
}

/** The catalogue's language for a tag, by its language subtag: "ru-RU" is "ru"; any other is English. */
export function interfaceLanguageFor(tag: string): InterfaceLanguage {
  const language = primaryLanguage(tag);
  return isInterfaceLanguage(language) ? language : DEFAULT_LANGUAGE;
}

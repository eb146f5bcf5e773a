/**
 * Every catalogue, for the server: it renders a page in the briefing's language and puts
 * that one catalogue in the page's state. The browser never imports this module (a bundle
 * test checks that no other language reaches it); the widget loads one language's module
 * from /assets/i18n/<language>.js instead.
 */
import { en } from './en';
import ar from './ar';
import az from './az';
import fa from './fa';
import ka from './ka';
import ro from './ro';
import ru from './ru';
import tr from './tr';
import uk from './uk';
import {
  DEFAULT_LANGUAGE,
  interfaceLanguageFor,
  translator,
  type Catalogue,
  type InterfaceLanguage,
  type PageWords,
  type Translator,
} from './index';

export const CATALOGUES: Readonly<Record<InterfaceLanguage, Catalogue>> = { en, ru, uk, ar, fa, ro, ka, az, tr };

/** The catalogue for a BCP 47 tag: its language's ("ru-RU" is Russian), else English. */
export function catalogueFor(tag: string): { language: InterfaceLanguage; catalogue: Catalogue } {
  const language = interfaceLanguageFor(tag);
  return { language, catalogue: CATALOGUES[language] };
}

const translators = new Map<InterfaceLanguage, Translator>();

/** The words of a page whose briefing is in `tag`; one translator per language, reused. */
export function translatorFor(tag: string): Translator {
  const { language, catalogue } = catalogueFor(tag);
  let found = translators.get(language);
  if (!found) {
    found = translator(language, catalogue);
    translators.set(language, found);
  }
  return found;
}

/** What a page hands its script: its language's catalogue alone (English is in every bundle already). */
export function browserCatalogue(tag: string): PageWords {
  const { language, catalogue } = catalogueFor(tag);
  return { language, catalogue: language === DEFAULT_LANGUAGE ? {} : catalogue };
}

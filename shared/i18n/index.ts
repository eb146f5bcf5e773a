/**
 * The interface language of a page: `t`, which looks a key up in the page's catalogue
 * (falling back to English), chooses the plural form with `Intl.PluralRules`, fills in
 * `{name}` placeholders and writes numbers with `Intl.NumberFormat`. Only English is
 * bundled here; the server picks a language's catalogue with `catalogueFor`
 * (./catalogues) and hands the browser that one alone.
 */
import { en, type MessageKey } from './en';
import type { Message } from './messages';
import type { InterfaceLanguage } from './languages';
import { escapeHtml, html, trusted, type Interpolation, type Markup } from '../html';

export type { MessageKey } from './en';
export { DEFAULT_LANGUAGE, INTERFACE_LANGUAGES, interfaceLanguageFor, primaryLanguage, type InterfaceLanguage } from './languages';
export type Catalogue = Partial<Record<MessageKey, Message>>;
/** A language's catalogue as a page carries it for its script. */
export interface PageWords {
  language: InterfaceLanguage;
  catalogue: Catalogue;
}
export type MessageValues = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, values?: MessageValues) => string;
/** Like `Translate`, for markup: the text is escaped and each `{name}` becomes `values[name]` (markup or text). */
export type TranslateMarkup = (key: MessageKey, values: Readonly<Record<string, Interpolation>>) => Markup;

export interface Translator {
  /** The BCP 47 tag the catalogue is for (e.g. "ru"), for `lang` attributes. */
  readonly language: string;
  readonly t: Translate;
  readonly markup: TranslateMarkup;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

const PLACEHOLDER = /\{(\w+)\}/g;

export function translator(language: string, catalogue: Catalogue): Translator {
  const plural = new Intl.PluralRules(language);
  const numbers = new Intl.NumberFormat(language);
  const pick = (key: MessageKey, count: unknown): string => {
    const message: Message = catalogue[key] ?? en[key];
    if (typeof message === 'string') return message;
    return message[plural.select(Number(count ?? 0))] ?? message.other;
  };
  // "5 new updates" in the page's digits and grouping ("1 234" in Russian).
  const show = <T>(value: T): T | string => (typeof value === 'number' ? numbers.format(value) : value);
  const t: Translate = (key, values) =>
    values
      ? pick(key, values.count).replace(PLACEHOLDER, (whole, name: string) => (name in values ? String(show(values[name])) : whole))
      : pick(key, undefined);
  const markup: TranslateMarkup = (key, values) =>
    trusted(
      pick(key, values.count)
        .split(/\{(\w+)\}/)
        // Odd parts are placeholder names, even parts the message's own text.
        .map((part, index) => (index % 2 === 0 ? escapeHtml(part) : part in values ? html`${show(values[part])}`.value : `{${part}}`))
        .join(''),
    );
  return { language, t, markup };
}

export const english: Translator = translator('en', en);

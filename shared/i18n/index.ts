/**
 * The interface language of a page: which catalogue serves a briefing's locale, and `t`,
 * which looks a key up there (falling back to English), chooses the plural form with
 * `Intl.PluralRules` and fills in `{name}` placeholders.
 */
import { en, type MessageKey } from './en';
import type { Message } from './messages';
import { escapeHtml, html, trusted, type Interpolation, type Markup } from '../html';

export type { MessageKey } from './en';
export type Catalogue = Partial<Record<MessageKey, Message>>;
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

function fill(text: string, values: MessageValues | undefined): string {
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export function translator(language: string, catalogue: Catalogue): Translator {
  const plural = new Intl.PluralRules(language);
  const pick = (key: MessageKey, count: unknown): string => {
    const message: Message = catalogue[key] ?? en[key];
    if (typeof message === 'string') return message;
    return message[plural.select(Number(count ?? 0))] ?? message.other;
  };
  const t: Translate = (key, values) => fill(pick(key, values?.count), values);
  const markup: TranslateMarkup = (key, values) =>
    trusted(
      pick(key, values.count)
        .split(/\{(\w+)\}/)
        // Odd parts are placeholder names, even parts the message's own text.
        .map((part, index) => (index % 2 === 0 ? escapeHtml(part) : part in values ? html`${values[part]}`.value : `{${part}}`))
        .join(''),
    );
  return { language, t, markup };
}

export const english: Translator = translator('en', en);

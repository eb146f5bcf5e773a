/**
 * The shape of an interface catalogue. A message is text with `{name}` placeholders, or,
 * where a number decides the wording, one text per plural category of `Intl.PluralRules`
 * (`other` always present, as English needs it and every language has it).
 */
export type PluralMessage = { readonly other: string } & Partial<Readonly<Record<Intl.LDMLPluralRule, string>>>;
export type Message = string | PluralMessage;

/**
 * HTML built from strings, escaped by default: the one way the server's pages and the
 * browser's feed put text into markup. Only `Markup` passes through unescaped, so raw
 * HTML (an entry's sanitized `html`) has to be marked as such where it is trusted.
 */
export class Markup {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** Marks HTML that is already safe (sanitized on the server, or built with `html`). */
export function trusted(value: string): Markup {
  return new Markup(value);
}

export type Interpolation = Markup | string | number | null | undefined | false | readonly Interpolation[];

function interpolate(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.value;
  if (Array.isArray(value)) return (value as readonly Interpolation[]).map(interpolate).join('');
  return escapeHtml(String(value));
}

/** Tagged template: html`<p>${text}</p>` escapes `text`; nested html`` and arrays compose. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += interpolate(value) + (strings[index + 1] ?? '');
  });
  return new Markup(out);
}

/**
 * JSON for a `<script>` element (JSON-LD, the page's state): `<` becomes \u003c so no
 * string inside can close the element or open a comment, and the line separators that
 * old parsers choke on are escaped too.
 */
export function scriptJson(value: unknown): Markup {
  return new Markup(
    JSON.stringify(value)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029'),
  );
}

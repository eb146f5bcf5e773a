/**
 * The Content-Security-Policy of every HTML page we serve: the reader's pages, the embed
 * frame and the console. No inline script runs (the JSON data blocks are never executed);
 * scripts, styles, fonts and connections stay on this origin; images come from anywhere,
 * as entries and "See also" previews carry them. Only who may frame the page differs.
 */
export function pageCsp(frameAncestors: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    'img-src * data:',
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

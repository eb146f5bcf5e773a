/**
 * The Content-Security-Policy of every HTML page we serve: the reader's pages, the embed
 * frame and the console. No inline script runs (the JSON data blocks are never executed);
 * scripts, styles, fonts and connections stay on this origin; images come from anywhere,
 * as entries and "See also" previews carry them;
 * frames come only from the players of the services whose posts entries embed. Only who may frame the page differs.
 */
import { EMBED_FRAME_ORIGINS } from '../../shared/embeds';

export function pageCsp(frameAncestors: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    'img-src * data:',
    "connect-src 'self'",
    "font-src 'self'",
    // Only the players of embedded posts, and only once a reader asks for one.
    `frame-src ${EMBED_FRAME_ORIGINS.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

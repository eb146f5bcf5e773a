/**
 * What other sites may load from us: the embed script and its assets, the public JSON
 * reads, the Socket.IO connection and the iframe page. helmet keeps everything
 * same-origin by default; these relax exactly that, for the configured origins.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';

export type EmbedOrigins = '*' | readonly string[];

function allowedOrigin(origins: EmbedOrigins, origin: string | undefined): string | null {
  if (origins === '*') return '*';
  return origin && origins.includes(origin) ? origin : null;
}

/** CORS for a response readable from other origins (no credentials: nothing here is private). */
export function allowCrossOrigin(res: Response, origins: EmbedOrigins, origin: string | undefined): void {
  const allowed = allowedOrigin(origins, origin);
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  if (origins !== '*') res.vary('Origin');
  if (allowed) res.setHeader('Access-Control-Allow-Origin', allowed);
}

/** For public reads (GET/HEAD) only: writes stay same-origin and need a token anyway. */
export function crossOriginReads(origins: EmbedOrigins): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') allowCrossOrigin(res, origins, req.get('origin'));
    next();
  };
}

/** `frame-ancestors` for the iframe page. */
export function frameAncestors(origins: EmbedOrigins): string {
  return origins === '*' ? '*' : ["'self'", ...origins].join(' ');
}

/**
 * Socket.IO checks: a browser connecting from a page on another origin must be allowed;
 * our own pages (same host) and non-browser clients (no Origin) always are.
 */
export function socketOriginAllowed(origins: EmbedOrigins, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origins === '*' || origin === undefined) return true;
  if (origins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

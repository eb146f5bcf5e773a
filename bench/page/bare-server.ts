/**
 * The floor of the reader-page benchmark: a bare Express 5 app whose one route sends the
 * bytes of a page livebrief rendered, with the headers livebrief sent, and nothing else.
 * Express's own `res.send` makes the ETag from those bytes and answers If-None-Match with a
 * 304, as it does for livebrief; with `compress` it goes through the same compression
 * middleware livebrief does.
 *
 * Run as its own process: `node --import tsx bench/page/bare-server.ts <page.json>`, where the
 * file holds a CapturedPage. Prints `listening on http://127.0.0.1:<port>` once it listens.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import compression from 'compression';
import express from 'express';

export interface CapturedPage {
  /** The route's path, e.g. `/b/some-slug`. */
  path: string;
  /** The page's bytes, base64. */
  body: string;
  /** Response headers to send as they are (no Date, ETag, length or connection headers). */
  headers: Record<string, string>;
  /** Whether to compress as livebrief does (compression middleware, when the request accepts it). */
  compress: boolean;
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: bare-server.ts <page.json>');
  const page = JSON.parse(readFileSync(file, 'utf8')) as CapturedPage;
  const body = Buffer.from(page.body, 'base64');
  const app = express();
  app.disable('x-powered-by');
  if (page.compress) app.use(compression());
  app.get(page.path, (_req, res) => {
    res.set(page.headers);
    res.send(body);
  });
  const server = app.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main();

/**
 * /console: the page shell of the editors' console and its bundle (client/console.ts,
 * built to dist/public by `npm run build`). The console is one page; its views live in
 * the URL fragment, so every link to it lands here.
 */
import express, { Router } from 'express';
import { pageCsp } from './page-csp';
import { defaultPublicDir } from './pages';

/** The console is never framed, by other sites or our own. */
const CONSOLE_CSP = pageCsp("'none'");

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Console · livebrief</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script type="module" src="/console/assets/console.js"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the console…</p></div>
<noscript><p class="boot">The console needs JavaScript.</p></noscript>
</body>
</html>
`;

export function consolePageRouter(): Router {
  const router = Router();
  const assets = express.static(defaultPublicDir(), { index: false, fallthrough: false, maxAge: 0 });

  router.get(['/console', '/console/'], (_req, res) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(SHELL);
  });
  router.use('/console/assets', (req, res, next) => {
    // Other methods fall through to the JSON 404 (serve-static would answer them with a bare 405).
    if (!/^\/console\.(js|css)(\.map)?$/.test(req.path) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      next();
      return;
    }
    assets(req, res, next);
  });
  return router;
}

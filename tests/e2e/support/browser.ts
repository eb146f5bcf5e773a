/**
 * What the end-to-end tests do in the browser (launched by tests/support/chromium.ts):
 * contexts that collect page errors, the waits the tests share, a host page of another
 * origin, and axe-core.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { onClose, onTestEnd } from '../../support/harness';

/** A context closed when the test ends; page errors fail the test through `errors`. */
export async function newContext(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ context: BrowserContext; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const errors: string[] = [];
  context.on('weberror', (error) => errors.push(error.error().message));
  context.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  onTestEnd(() => context.close());
  return { context, errors };
}

/** Opens a briefing page and waits until its feed is live (subscribed from the page's cursor). */
export async function openLive(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('[data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  return page;
}

/** The ids of the feed's entries, top to bottom (inside an embed too: locators pierce shadow roots). */
export async function feedIds(page: Page, scope = ''): Promise<string[]> {
  return page
    .locator(`${scope} [data-lb="feed"] > article`.trim())
    .evaluateAll((nodes) => nodes.map((node) => (node as HTMLElement).dataset.id ?? ''));
}

/** A page of another origin (its own port) serving the given HTML, for embedding tests. */
export async function serveHostPage(html: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onClose(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server };
}

let axeSource: string | null = null;

/** Runs axe-core in the page; returns the serious and critical violations, described. */
export async function seriousViolations(page: Page, context?: string): Promise<string[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated rather than added as a <script>: our pages' CSP rightly refuses inline scripts.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async (include) => {
    interface AxeResult {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
    }
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<AxeResult> } }).axe;
    const result = await axe.run(include ? { include: [[include]] } : document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => JSON.stringify(node.target)),
    }));
  }, context ?? null);
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} at ${violation.targets.join(', ')}`);
}

/** Makes the page believe its tab was hidden or shown (headless Chromium never hides a tab by itself). */
export async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

/**
 * axe-core in Chromium on every page of the console, in light and dark, desktop and phone:
 * no serious or critical violations. The reader's pages: accessibility.test.ts.
 */
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/chromium';
import { consoleSession, openBriefing, signInPage, type ConsoleSession } from '../support/console';
import { closeAll, startServer, type TestServer } from '../support/harness';
import { LOOKS, seedA11yBriefing } from './support/a11y-briefing';
import { newContext, seriousViolations } from './support/browser';

let browser: Browser;
let server: TestServer;
/** One sign-in (one argon2 check) for every page below. */
let session: ConsoleSession;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer();
  await seedA11yBriefing(server);
  session = await consoleSession(browser, server.url, 'ada');
});

afterAll(async () => {
  await closeAll();
  await browser.close();
});

test.each(LOOKS)('the console’s sign-in page in %s at %i px has no serious or critical violations', async (colorScheme, width) => {
  const { context } = await newContext(browser, { colorScheme, viewport: { width, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/console`);
  await page.getByLabel('Username').waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
});

describe.each(LOOKS)('the console in %s at %i px', (colorScheme, width) => {
  test.each([
    ['the list of briefings', '#/', 'main .briefing-link'],
    ['a briefing open with the composer', '#/b/a11y', ''],
    ['the people page', '#/users', 'main table'],
    ['the tokens page', '#/tokens', 'main table'],
    ['the webhooks page', '#/webhooks', 'main table'],
    ['the audit page', '#/audit', 'main table'],
    ['your profile', '#/profile', 'main form'],
  ])('%s has no serious or critical violations', async (_name, hash, ready) => {
    const { page } = await signInPage(browser, server.url, 'ada', { viewport: { width, height: 800 }, colorScheme, session });
    if (hash === '#/b/a11y') {
      await openBriefing(page, 'a11y');
      await page.locator('textarea').first().waitFor();
    } else {
      await page.evaluate((target) => {
        location.hash = target;
      }, hash);
      await page.locator(ready).first().waitFor();
      // the page's rows come from the console API
      await page.waitForLoadState('networkidle');
    }
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  });
});

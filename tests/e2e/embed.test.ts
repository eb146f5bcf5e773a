/**
 * The embed on another site: `<live-briefing>` in a page served from another origin (its
 * own port), and the iframe form that reports its height to its parent.
 */
import { createBriefing, publish } from '../support/fixtures';
import { feedIds, newContext, serveHostPage } from './support/browser';
import { browserAndServerPerTest } from './support/fixture';

const e2e = browserAndServerPerTest();

/** A host page whose CSS would wreck ours if it could reach it, and uses our class names itself. */
function hostPage(serviceUrl: string, slug: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
<style>
  body { font-family: monospace; color: rgb(0, 128, 0); font-size: 11px; }
  p, article, .lb-entry, .lb-body { color: rgb(255, 0, 0) !important; display: block; border: 5px dotted blue; }
  button { display: none !important; }
</style>
<script type="module" src="${serviceUrl}/embed.js"></script>
</head><body>
<p class="lb-body" id="host-text">The host's own paragraph.</p>
<live-briefing slug="${slug}" theme="dark" limit="5"></live-briefing>
</body></html>`;
}

test('the embed works inside a page from another origin, and styles do not cross either way', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'embedded');
  const first = await publish(server.api, 'embedded', "Shown in **someone else's** page.");
  const host = await serveHostPage(hostPage(server.url, 'embedded'));
  expect(new URL(host.url).origin).not.toBe(new URL(server.url).origin);
  const { context, errors } = await newContext(browser);
  const page = await context.newPage();
  await page.goto(host.url);
  await page.locator('live-briefing [data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  expect(await feedIds(page, 'live-briefing')).toEqual([first.entry.id]);
  expect(await page.locator('live-briefing [data-lb="title"]').textContent()).toBe('Briefing embedded');

  const second = await publish(server.api, 'embedded', 'And live there too.');
  await page.locator(`live-briefing [data-id="${second.entry.id}"]`).waitFor({ timeout: 1000 });
  expect(await feedIds(page, 'live-briefing')).toEqual([second.entry.id, first.entry.id]);

  const styles = await page.evaluate(() => {
    const shadow = document.querySelector('live-briefing')?.shadowRoot;
    const paragraph = shadow?.querySelector('.lb-body p');
    const entry = shadow?.querySelector('.lb-entry');
    const share = shadow?.querySelector('.lb-share');
    const hostText = document.getElementById('host-text');
    if (!paragraph || !entry || !share || !hostText) throw new Error('missing elements');
    const inside = getComputedStyle(paragraph);
    const hostStyle = getComputedStyle(hostText);
    return {
      insideColor: inside.color,
      insideFont: inside.fontFamily,
      insideFontSize: inside.fontSize,
      entryBorder: getComputedStyle(entry).borderTopStyle,
      shareDisplay: getComputedStyle(share).display,
      hostColor: hostStyle.color,
      hostFont: hostStyle.fontFamily,
      hostMargin: hostStyle.marginBottom,
      hostBorder: hostStyle.borderTopStyle,
    };
  });
  // The host's rules (and its inherited font and colour) stop at the shadow boundary…
  expect(styles.insideColor).not.toBe('rgb(255, 0, 0)');
  expect(styles.insideFont).not.toContain('monospace');
  expect(styles.insideFontSize).not.toBe('11px');
  expect(styles.entryBorder).not.toBe('dotted');
  expect(styles.shareDisplay).not.toBe('none');
  // …and ours never reach the host's elements, even those using our class names.
  expect(styles.hostColor).toBe('rgb(255, 0, 0)');
  expect(styles.hostFont).toContain('monospace');
  expect(styles.hostBorder).toBe('dotted');
  expect(styles.hostMargin).toBe('11px');
  expect(errors).toEqual([]);
});

test('the embed follows its theme and limit attributes', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'themed');
  const ids: string[] = [];
  for (let n = 1; n <= 7; n++) ids.push((await publish(server.api, 'themed', `Update ${n}`)).entry.id);
  const host = await serveHostPage(hostPage(server.url, 'themed'));
  const { context } = await newContext(browser, { colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto(host.url);
  await page.locator('live-briefing [data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  expect(await feedIds(page, 'live-briefing')).toEqual([...ids].reverse().slice(0, 5));
  const background = (): Promise<string> =>
    page.evaluate(
      () => getComputedStyle(document.querySelector('live-briefing')?.shadowRoot?.querySelector('.lb-embed') as Element).backgroundColor,
    );
  // theme="dark" wins over the light scheme the browser prefers.
  expect(await background()).toBe('rgb(20, 22, 24)');
  await page.evaluate(() => document.querySelector('live-briefing')?.setAttribute('theme', 'light'));
  expect(await background()).toBe('rgb(255, 255, 255)');

  await page.locator('live-briefing [data-lb="older"]').click();
  await page.locator(`live-briefing [data-id="${ids[0]}"]`).waitFor({ timeout: 2000 });
  expect(await feedIds(page, 'live-briefing')).toEqual([...ids].reverse());
});

test('the iframe embed tells its parent its height, and again when it grows', async () => {
  const { browser, server } = e2e;
  await createBriefing(server.api, 'framed');
  await publish(server.api, 'framed', 'In a frame.');
  const host = await serveHostPage(`<!doctype html><html><head><meta charset="utf-8"><title>Frame host</title></head><body>
<iframe id="frame" title="Live briefing" src="${server.url}/embed/framed" style="width: 600px; border: 0"></iframe>
<script>
  window.heights = [];
  addEventListener('message', (event) => {
    if (event.origin === ${JSON.stringify(server.url)} && event.data && event.data.type === 'livebrief:height') {
      window.heights.push(event.data.height);
      document.getElementById('frame').style.height = event.data.height + 'px';
    }
  });
</script></body></html>`);
  const { context, errors } = await newContext(browser);
  const page = await context.newPage();
  await page.goto(host.url);
  const frame = page.frameLocator('#frame');
  await frame.locator('live-briefing [data-lb="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
  const firstHeight = await page.waitForFunction(() => {
    const heights = (window as unknown as { heights: number[] }).heights;
    return heights.length > 0 && heights[heights.length - 1]! > 150 ? heights[heights.length - 1] : false;
  });
  const reported = (await firstHeight.jsonValue()) as number;
  const inner = await frame.locator('html').evaluate((element) => Math.ceil(element.getBoundingClientRect().height));
  expect(reported).toBe(inner);

  await publish(server.api, 'framed', `A much longer update. ${'More words to make the frame grow. '.repeat(20)}`);
  const grown = await page.waitForFunction(
    (previous) => {
      const heights = (window as unknown as { heights: number[] }).heights;
      const last = heights[heights.length - 1] ?? 0;
      return last > previous ? last : false;
    },
    reported,
    { timeout: 2000 },
  );
  expect((await grown.jsonValue()) as number).toBeGreaterThan(reported + 50);
  expect(errors).toEqual([]);
});

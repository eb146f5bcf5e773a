/**
 * A reader opens what a corrected entry said before: "Updated HH:mm" on the reader page
 * leads to the entry's history, with JavaScript and without.
 */
import type { Entry } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import { newContext } from './support/browser';
import { browserAndServerPerTest } from './support/fixture';

const e2e = browserAndServerPerTest();

for (const javaScriptEnabled of [true, false]) {
  test(`clicking "Updated …" shows the earlier version (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const { browser, server } = e2e;
    await createBriefing(server.api, 'corrected');
    const { entry } = await publish(server.api, 'corrected', 'Three people were hurt.');
    const edit = await server.api.patch<{ entry: Entry }>(`/api/v1/briefings/corrected/entries/${entry.id}`, {
      body: 'Two people were hurt.',
    });
    expect(edit.status).toBe(200);

    const { context, errors } = await newContext(browser, { javaScriptEnabled });
    const page = await context.newPage();
    await page.goto(`${server.url}/b/corrected`);
    const updated = page.locator(`#e-${entry.id} .lb-updated`);
    expect(await updated.textContent()).toMatch(/^Updated \d/);
    await updated.click();
    await page.waitForURL(`**/b/corrected/e/${entry.id}#history`);

    const history = page.locator('#history');
    expect(await history.locator('h2').textContent()).toBe('Earlier versions');
    await history.locator('.lb-version', { hasText: 'Three people were hurt.' }).waitFor({ timeout: 5000 });
    expect(await history.locator('.lb-version').count()).toBe(1);
    expect(await history.locator('.lb-version-when').textContent()).toMatch(/^As first published at /);
    // The history is scrolled into view: its heading is on screen.
    expect(await history.locator('h2').isVisible()).toBe(true);
    const box = await history.locator('h2').boundingBox();
    expect(box && box.y >= 0 && box.y < (page.viewportSize()?.height ?? 0)).toBe(true);
    // The current text is the page's own entry.
    expect(await page.locator('#entry .lb-body').textContent()).toContain('Two people were hurt.');
    expect(errors).toEqual([]);
  });
}

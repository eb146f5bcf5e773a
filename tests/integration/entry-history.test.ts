/**
 * An entry's own page shows its correction history, readable without JavaScript: each
 * earlier version with its time, what changed next and what it said; "Updated HH:mm" in
 * the feed links there.
 */
import type { Entry } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import { closeAll, startServer, type TestServer } from '../support/harness';

afterEach(closeAll);

async function pageHtml(server: TestServer, path: string): Promise<string> {
  const response = await fetch(`${server.url}${path}`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The history section of a page, or '' when it has none. */
function historyOf(html: string): string {
  return /<section class="lb-history" id="history"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
}

describe('the correction history', () => {
  let server: TestServer;
  let entry: Entry;

  beforeEach(async () => {
    server = await startServer();
    await createBriefing(server.api, 'fix');
    entry = (await publish(server.api, 'fix', 'The bridge is **closed**.')).entry;
  });

  const edit = async (patch: Record<string, unknown>): Promise<Entry> => {
    const response = await server.api.patch<{ entry: Entry }>(`/api/v1/briefings/fix/entries/${entry.id}`, patch);
    expect(response.status).toBe(200);
    return response.body.entry;
  };

  test('an entry never corrected has no history and no link to one', async () => {
    await edit({ pinned: true });
    const html = await pageHtml(server, `/b/fix/e/${entry.id}`);
    expect(historyOf(html)).toBe('');
    expect(await pageHtml(server, '/b/fix')).not.toContain('#history');
  });

  test('lists each earlier version, newest first, with its time, what changed next and its text', async () => {
    await edit({ body: 'The bridge is closed in both directions.' });
    await edit({ keyEvent: true }); // not a correction: no step
    const latest = await edit({ title: 'Bridge shut', links: [{ title: 'Map', url: 'https://example.org/map' }] });

    const history = historyOf(await pageHtml(server, `/b/fix/e/${entry.id}`));
    expect(history).toMatch(/<h2 class="lb-history-title" id="history-h"[^>]*>Earlier versions<\/h2>/);
    expect(history).toContain('This update was corrected 2 times.');
    const items = [...history.matchAll(/<li class="lb-version"[\s\S]*?<\/li>\n?(?=<li class="lb-version"|<\/ol>)/g)].map((m) => m[0]);
    expect(items).toHaveLength(2);
    // newest first: the first correction, then the original
    expect(items[0]).toContain('As corrected at');
    expect(items[0]).toContain('The bridge is closed in both directions.');
    expect(items[0]).toContain('Changed afterwards: title and links');
    expect(items[1]).toContain('As first published at');
    expect(items[1]).toContain('<strong>closed</strong>');
    expect(items[1]).toContain(`datetime="${entry.publishedAt}"`);
    expect(items[1]).toContain('Changed afterwards: text');
    // the current content is the page's own, not part of the history
    expect(history).not.toContain('Bridge shut');
    expect(latest.version).toBe(4);

    // The feed's "Updated HH:mm" links to it, on the reader page and in the widget's markup alike.
    const feed = await pageHtml(server, '/b/fix');
    expect(feed).toContain(`<a class="lb-updated" href="/b/fix/e/${entry.id}#history"`);
  });

  test('holds the earlier versions that the versions API lists, not the current one', async () => {
    await edit({ body: 'Second text.' });
    const versions = await server.api.get<{ versions: Record<string, unknown>[] }>(`/api/v1/briefings/fix/entries/${entry.id}/versions`);
    expect(versions.body.versions).toHaveLength(2);
    const history = historyOf(await pageHtml(server, `/b/fix/e/${entry.id}`));
    expect(history).toContain('The bridge is');
    expect(history).not.toContain('Second text.');
  });
});

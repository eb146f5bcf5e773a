/**
 * A briefing as a newsroom's would look after a long day: the demo's text over and over,
 * with titles, key events, photos, links, sources and one pinned entry, published over the
 * real HTTP API.
 */
import { DEMO_UPDATES, ENGLISH_DEMO } from '../../server/demo/content';
import { withOrigin } from '../../server/demo/seed';
import type { CreateEntryInput } from '../../shared/schemas';
import type { ApiClient } from '../../tests/support/harness';

/** The demo's entries and its later updates, in turn. */
const TEXTS: CreateEntryInput[] = [...ENGLISH_DEMO.entries.map(({ minutesAgo: _minutesAgo, ...input }) => input), ...DEMO_UPDATES];
const PHOTO = ENGLISH_DEMO.entries.flatMap((entry) => entry.media ?? [])[0];

/** The n-th entry (0-based): the demo's text, and every so often a photo, a link or a key event of its own. */
export function realisticEntry(n: number, origin: string): CreateEntryInput {
  const text = TEXTS[n % TEXTS.length] as CreateEntryInput;
  const entry: CreateEntryInput = { ...text, pinned: false };
  if (n % 9 === 4 && PHOTO) entry.media = [PHOTO];
  if (n % 7 === 3) entry.links = [{ title: `Council update ${n} (demo link)`, url: `https://example.org/updates/${n}` }];
  if (n % 6 === 0) entry.keyEvent = true;
  return withOrigin(entry, origin);
}

async function expectCreated(what: string, response: Promise<{ status: number; body: unknown }>): Promise<void> {
  const { status, body } = await response;
  if (status !== 201) throw new Error(`${what} answered ${status}, not 201: ${JSON.stringify(body).slice(0, 300)}`);
}

/**
 * Creates `slug` with `entries` entries, `concurrency` publishes at a time (the order of
 * those in flight together is the server's); the newest but a few is pinned.
 */
export async function seedBriefing(api: ApiClient, slug: string, entries: number, concurrency = 4): Promise<void> {
  const { briefing } = ENGLISH_DEMO;
  await expectCreated('create briefing', api.post('/api/v1/briefings', { ...briefing, slug }));
  const pinnedIndex = Math.max(0, entries - 5);
  let next = 0;
  const publisher = async (): Promise<void> => {
    while (next < entries) {
      const n = next++;
      const entry = { ...realisticEntry(n, api.baseUrl), pinned: n === pinnedIndex };
      await expectCreated(`entry ${n}`, api.post(`/api/v1/briefings/${slug}/entries`, entry));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries) }, publisher));
}

/** Puts the sample briefing into a store, with entries dated over the last few hours. */
import { buildEntry, patchEntry } from '../entries';
import type { Store } from '../store/store';
import type { Briefing, Byline, CreateEntryInput, Entry } from '../../shared/schemas';
import { ENGLISH_DEMO, type DemoBriefing } from './content';

const DESK: Byline[] = [
  { id: 'demo-ada', name: 'Ada Brennan', role: 'Live editor' },
  { id: 'demo-jonas', name: 'Jonas Ede', role: 'Correspondent' },
];

export function demoAuthor(index: number): Byline {
  return DESK[index % DESK.length] ?? (DESK[0] as Byline);
}

/** Fills in the service's own origin where demo media point at our assets. */
export function withOrigin(input: CreateEntryInput, origin: string): CreateEntryInput {
  return input.media ? { ...input, media: input.media.map((item) => ({ ...item, url: item.url.replace('{origin}', origin) })) } : input;
}

/**
 * Creates the briefing and its entries unless the slug exists already; returns the
 * briefing either way.
 */
export async function seedDemo(
  store: Store,
  origin: string,
  nowMs = Date.now(),
  slug = ENGLISH_DEMO.briefing.slug,
  demo: DemoBriefing = ENGLISH_DEMO,
): Promise<Briefing> {
  const existing = await store.getBriefing(slug).catch(() => null);
  if (existing) return existing;
  const createdAt = new Date(nowMs - 200 * 60_000).toISOString();
  const briefing = await store.createBriefing({
    ...demo.briefing,
    slug,
    status: 'live',
    createdAt,
    updatedAt: createdAt,
  });
  let index = 0;
  let newest: Entry | null = null;
  for (const { minutesAgo, ...input } of demo.entries) {
    newest = buildEntry(slug, withOrigin(input, origin), demoAuthor(index++), new Date(nowMs - minutesAgo * 60_000));
    await store.createEntry(newest, {});
  }
  if (newest) {
    const { from, to, note } = demo.correction;
    const corrected = `${newest.body.replace(from, to)} ${note}`;
    await store.updateEntry(slug, newest.id, (current) => patchEntry(current, { body: corrected }, new Date(nowMs - 2 * 60_000)));
  }
  return briefing;
}

/**
 * The briefing the accessibility suites check: every kind of content an entry can have, a
 * byline with a role line and an avatar, a correction, posts from elsewhere, and an admin.
 */
import type { Entry } from '../../../shared/schemas';
import { addUser } from '../../support/console';
import type { TestServer } from '../../support/harness';

/** The schemes and widths every page is checked at. */
export const LOOKS = [
  ['light', 1280],
  ['dark', 1280],
  ['light', 320],
  ['dark', 320],
] as const;

export interface A11yBriefing {
  pinned: Entry;
  corrected: Entry;
  withPosts: Entry;
}

/** Creates briefing `a11y` and user `ada` (admin). */
export async function seedA11yBriefing(server: TestServer): Promise<A11yBriefing> {
  await server.api.post('/api/v1/briefings', {
    slug: 'a11y',
    title: 'Accessible briefing',
    summary: '- First point **in bold**\n- Second point with [a link](https://example.org/)',
  });
  const publish = async (body: Record<string, unknown>): Promise<Entry> =>
    (await server.api.post<{ entry: Entry }>('/api/v1/briefings/a11y/entries', body)).body.entry;
  // A byline with a role line and an avatar, which also puts a list of contributors on the page.
  const reporter = await addUser(server, 'olena', 'Olena Kovalenko', 'contributor');
  await server.app.console.users.update(reporter.id, (current) => ({
    ...current,
    roleLine: 'Kyiv correspondent',
    avatarUrl: 'https://example.org/olena.jpg',
  }));
  await publish({ body: 'A plain update.', authorId: reporter.id });
  await publish({
    title: 'With everything',
    body: 'Text with a [link](https://example.org/more), a list:\n\n- one\n- two\n\n> and a quote',
    keyEvent: true,
    media: [{ url: 'https://example.org/photo.jpg', alt: 'A described photo', caption: 'The caption', credit: 'Photographer' }],
    links: [{ title: 'Related story', url: 'https://example.org/related' }],
    sources: 'With reporting by the desk',
  });
  const pinned = await publish({ body: 'Pinned advice for readers.', pinned: true });
  const corrected = await publish({
    title: 'Corrected',
    body: 'The first figure was **wrong**.',
    links: [{ title: 'Source', url: 'https://example.org/s' }],
  });
  await server.api.patch(`/api/v1/briefings/a11y/entries/${corrected.id}`, {
    body: 'The figure is now right.',
    media: [{ url: 'https://example.org/chart.png', alt: 'A chart of the figures' }],
  });
  const withPosts = await publish({
    title: 'With posts from elsewhere',
    body: 'What was said on other services.',
    embeds: [{ url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }, { url: 'https://x.com/Reuters/status/1790000000000000000' }],
  });
  await addUser(server, 'ada', 'Ada Admin', 'admin');
  return { pinned, corrected, withPosts };
}

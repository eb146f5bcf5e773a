/** One entry drawn as readers see it (title, text, images, "See also", sources), for the feed and the preview. */
import type { TimeFormat } from '../../shared/time-format';
import type { Entry } from '../../shared/schemas';
import { PROVIDER_NAMES, type EmbedProvider } from '../../shared/embeds';
import { h, setSanitizedHtml } from './dom';

/** An embed as the console shows it: `provider` null for a URL no service's post was recognized in (the preview's warning). */
export interface EmbedCard {
  url: string;
  provider: EmbedProvider | null;
}

/** A card per embedded post, as readers see it before they ask for the post: the service and a link. */
function embedCards(embeds: EmbedCard[]): HTMLElement[] {
  return embeds.map((embed) =>
    embed.provider
      ? h(
          'div',
          { class: 'entry-embed' },
          h('span', { class: 'label' }, PROVIDER_NAMES[embed.provider]),
          ' ',
          h('a', { href: embed.url, rel: 'noopener noreferrer', target: '_blank' }, embed.url),
        )
      : h(
          'p',
          { class: 'entry-embed invalid', role: 'note' },
          `Not a post the server recognizes, so it cannot be published: ${embed.url}. Use the link of one post or video on ${Object.values(PROVIDER_NAMES).join(', ')}.`,
        ),
  );
}

export function entryContent(entry: Pick<Entry, 'title' | 'html' | 'media' | 'links' | 'sources'> & { embeds: EmbedCard[] }): HTMLElement {
  const body = h('div', { class: 'entry-body' });
  setSanitizedHtml(body, entry.html);
  return h(
    'div',
    { class: 'entry-content' },
    entry.title ? h('h3', { class: 'entry-title' }, entry.title) : null,
    body,
    ...entry.media.map((item) =>
      h(
        'figure',
        { class: 'entry-figure' },
        h('img', { src: item.url, alt: item.alt, loading: 'lazy' }),
        item.caption || item.credit
          ? h('figcaption', {}, item.caption ?? '', item.credit ? h('span', { class: 'credit' }, ` ${item.credit}`) : null)
          : null,
      ),
    ),
    ...embedCards(entry.embeds),
    entry.links.length > 0
      ? h(
          'div',
          { class: 'entry-links' },
          h('span', { class: 'label' }, 'See also'),
          h(
            'ul',
            {},
            ...entry.links.map((link) => h('li', {}, h('a', { href: link.url, rel: 'noopener noreferrer', target: '_blank' }, link.title))),
          ),
        )
      : null,
    entry.sources ? h('p', { class: 'entry-sources' }, entry.sources) : null,
  );
}

/** The line above an entry: time in the briefing's zone, author, "Updated HH:mm", badges. */
export function entryMeta(entry: Entry, time: TimeFormat, extra: (HTMLElement | null)[] = []): HTMLElement {
  return h(
    'div',
    { class: 'entry-meta' },
    h('time', { datetime: entry.publishedAt, title: time.absolute(entry.publishedAt) }, time.clock(entry.publishedAt)),
    h('span', { class: 'author' }, entry.author.name),
    entry.updatedAt
      ? h('span', { class: 'updated', title: time.absolute(entry.updatedAt) }, `Updated ${time.clock(entry.updatedAt)}`)
      : null,
    entry.keyEvent ? h('span', { class: 'badge key' }, 'Key event') : null,
    entry.pinned ? h('span', { class: 'badge pin' }, 'Pinned') : null,
    ...extra,
  );
}

/** Text in one short line, for the queue and for confirmations that name an entry. */
export function excerpt(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

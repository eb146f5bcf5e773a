/** An Atom 1.0 feed (RFC 4287) of a briefing's newest entries. */
import type { Briefing, Entry } from '../../shared/schemas';
import { briefingUrl, entryHeadline, entryUrl } from '../../shared/feed-markup';
import type { Translator } from '../../shared/i18n';
import { PROVIDER_NAMES } from '../../shared/embeds';

function xml(text: string): string {
  // Characters XML 1.0 forbids anywhere, even escaped, are dropped.
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[&<>"']/g, (char) =>
        char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : char === '"' ? '&quot;' : '&apos;',
      )
  );
}

/** `i18n` speaks the briefing's language (the feed's `xml:lang`), for the few words the feed adds. */
export function renderAtomFeed(briefing: Briefing, entries: Entry[], baseUrl: string, publisherName: string, i18n: Translator): string {
  const pageUrl = briefingUrl(baseUrl, briefing.slug);
  const updated = [briefing.updatedAt, ...entries.map((entry) => entry.updatedAt ?? entry.publishedAt)].sort().pop() ?? briefing.updatedAt;
  const items = entries.map((entry) => {
    const url = entryUrl(baseUrl, entry.slug, entry.id);
    const media = entry.media
      .map(
        (item) =>
          `<figure><img src="${xml(item.url)}" alt="${xml(item.alt)}"/>${item.caption ? `<figcaption>${xml(item.caption)}</figcaption>` : ''}</figure>`,
      )
      .join('');
    // Feed readers run no script: an embedded post is its link, as on the page without JavaScript.
    const embeds = entry.embeds
      .map((embed) => `<p><a href="${xml(embed.url)}">${xml(i18n.t('post.open', { provider: PROVIDER_NAMES[embed.provider] }))}</a></p>`)
      .join('');
    const related = entry.embeds.map((embed) => `    <link rel="related" type="text/html" href="${xml(embed.url)}"/>\n`).join('');
    return `  <entry>
    <id>${xml(url)}</id>
    <title>${xml(entryHeadline(entry, 110))}</title>
    <link rel="alternate" type="text/html" href="${xml(url)}"/>
${related}    <published>${xml(entry.publishedAt)}</published>
    <updated>${xml(entry.updatedAt ?? entry.publishedAt)}</updated>
    <author><name>${xml(entry.author.name)}</name></author>
${entry.keyEvent ? `    <category term="key-event" label="${xml(i18n.t('entry.keyEvent'))}"/>\n` : ''}    <content type="html">${xml(entry.html + media + embeds)}</content>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${xml(briefing.locale)}">
  <id>${xml(pageUrl)}</id>
  <title>${xml(briefing.title)}</title>
  <updated>${xml(updated)}</updated>
  <link rel="self" type="application/atom+xml" href="${xml(`${pageUrl}/feed.xml`)}"/>
  <link rel="alternate" type="text/html" hreflang="${xml(briefing.locale)}" href="${xml(pageUrl)}"/>
  <author><name>${xml(publisherName)}</name></author>
  <generator>livebrief</generator>
${items.join('\n')}
</feed>
`;
}

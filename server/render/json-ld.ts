/**
 * schema.org data for search engines: a LiveBlogPosting for the briefing page with its
 * newest entries as BlogPosting updates, and a BlogPosting for an entry's own page.
 */
import type { Briefing, Byline, Entry } from '../../shared/schemas';
import { avatarSrc, briefingUrl, entryHeadline, entryUrl } from '../../shared/feed-markup';
import { htmlToText, renderMarkdown } from './markdown';

export interface Publisher {
  name: string;
  /** Absolute URL of the logo. */
  logo: string;
}

type JsonLd = Record<string, unknown>;

function publisherLd(publisher: Publisher): JsonLd {
  return { '@type': 'Organization', name: publisher.name, logo: { '@type': 'ImageObject', url: publisher.logo } };
}

/** The byline as schema.org sees it: the role line is the person's job title, the avatar their image. */
function personLd(author: Byline, baseUrl: string): JsonLd {
  const image = avatarSrc(author.avatar, baseUrl);
  return {
    '@type': 'Person',
    name: author.name,
    ...(author.role ? { jobTitle: author.role } : {}),
    ...(image ? { image } : {}),
  };
}

export function blogPostingLd(entry: Entry, baseUrl: string, publisher: Publisher): JsonLd {
  const url = entryUrl(baseUrl, entry.slug, entry.id);
  return {
    '@type': 'BlogPosting',
    headline: entryHeadline(entry, 110),
    url,
    mainEntityOfPage: url,
    datePublished: entry.publishedAt,
    dateModified: entry.updatedAt ?? entry.publishedAt,
    articleBody: htmlToText(entry.html),
    author: personLd(entry.author, baseUrl),
    publisher: publisherLd(publisher),
    ...(entry.media[0] ? { image: entry.media[0].url } : {}),
  };
}

/**
 * `entries` are the newest first. `dateModified` is the latest of the briefing's own
 * change and its newest entry's; `coverageEnd` is when an ended briefing ended (kept apart
 * from `updatedAt`, which later edits move).
 */
export function liveBlogPostingLd(
  briefing: Briefing,
  entries: Entry[],
  baseUrl: string,
  publisher: Publisher,
  coverageEnd: string | null = null,
): JsonLd {
  const url = briefingUrl(baseUrl, briefing.slug);
  const latest = [briefing.updatedAt, ...entries.map((entry) => entry.updatedAt ?? entry.publishedAt)].sort().pop();
  return {
    '@context': 'https://schema.org',
    '@type': 'LiveBlogPosting',
    '@id': url,
    headline: briefing.title,
    description: summaryText(briefing) || briefing.title,
    url,
    mainEntityOfPage: url,
    inLanguage: briefing.locale,
    datePublished: briefing.createdAt,
    dateModified: latest ?? briefing.updatedAt,
    coverageStartTime: briefing.createdAt,
    ...(briefing.status === 'ended' ? { coverageEndTime: coverageEnd ?? briefing.updatedAt } : {}),
    publisher: publisherLd(publisher),
    liveBlogUpdate: entries.map((entry) => blogPostingLd(entry, baseUrl, publisher)),
  };
}

/** The summary (Markdown) as plain text, cut for descriptions and previews. */
export function summaryText(briefing: Briefing, max = 300): string {
  const text = htmlToText(renderMarkdown(briefing.summary)).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1).replace(/\s+\S*$/, '')}…` : text;
}

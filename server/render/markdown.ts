/**
 * Markdown to HTML for entries and summaries: marked renders, sanitize-html keeps only an
 * allowlist, so no editor input (or stolen editor account) can put script on a reader's page.
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { escapeHtml } from '../../shared/html';

const markdown = new Marked({ gfm: true, breaks: true, async: false });

const LINK_SCHEME = /^(https?|mailto):/i;
const IMAGE_SCHEME = /^https?:/i;

/**
 * Keeps a URL attribute only when it names one of the allowed schemes: sanitize-html lets
 * relative URLs through, and an entry is also shown inside other sites' pages (the embed),
 * where a relative link or image would point at that site.
 */
function onlyAbsolute(attribs: sanitizeHtml.Attributes, name: string, scheme: RegExp): sanitizeHtml.Attributes {
  const kept: sanitizeHtml.Attributes = {};
  for (const [key, value] of Object.entries(attribs)) {
    if (key !== name) kept[key] = value;
    else if (scheme.test(value.trim())) kept[key] = value.trim();
  }
  return kept;
}

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'b',
    'i',
    'u',
    's',
    'del',
    'ins',
    'sub',
    'sup',
    'mark',
    'small',
    'blockquote',
    'ul',
    'ol',
    'li',
    'h2',
    'h3',
    'h4',
    'a',
    'code',
    'pre',
    'hr',
    'img',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // A reader's page has one h1 (the briefing title): headings in entries start at h2.
    h1: 'h2',
    a: (tagName, attribs) => ({ tagName, attribs: { ...onlyAbsolute(attribs, 'href', LINK_SCHEME), rel: 'noopener noreferrer' } }),
    img: (tagName, attribs) => ({ tagName, attribs: onlyAbsolute(attribs, 'src', IMAGE_SCHEME) }),
  },
  exclusiveFilter: (frame) => frame.tag === 'a' && !frame.attribs.href && !frame.text.trim(),
};

export function renderMarkdown(source: string): string {
  let html: string;
  try {
    html = markdown.parse(source) as string;
  } catch (error) {
    // marked recurses once per level of blockquote or list: a few thousand levels, well
    // within the body and summary limits, overflow the stack. Such text is shown as text,
    // so that neither its write nor every page that shows it becomes a 500.
    if (!(error instanceof RangeError)) throw error;
    html = `<p>${escapeHtml(source).replace(/\r?\n/g, '<br>')}</p>`;
  }
  return sanitizeHtml(html, SANITIZE_OPTIONS).trim();
}

/** Sanitized HTML to plain text (for feeds, JSON-LD and previews). */
export function htmlToText(html: string): string {
  return sanitizeHtml(html.replace(/<\/(p|li|h[1-6]|blockquote|pre|tr)>|<br\s*\/?>/gi, '$&\n'), {
    allowedTags: [],
    allowedAttributes: {},
  })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

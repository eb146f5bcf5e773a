/** The pure pieces the server and the browser share: escaping, locales, times, entry markup. */
import { english } from '../../shared/i18n';
import * as dateFnsLocales from 'date-fns/locale';
import { enGB } from 'date-fns/locale/en-GB';
import { fr } from 'date-fns/locale/fr';
import { entryHeadline, plainExcerpt, renderEntry, type MarkupContext } from '../../shared/feed-markup';
import { html, scriptJson, trusted } from '../../shared/html';
import { DATE_FNS_LOCALES, dateFnsLocaleFor, textDirection } from '../../shared/locales';
import type { Entry } from '../../shared/schemas';
import { TimeFormat } from '../../shared/time-format';

const entry = (overrides: Partial<Entry> = {}): Entry => ({
  id: 'abc123',
  slug: 'storm',
  version: 3,
  publishedAt: '2025-03-30T00:30:00.000Z',
  updatedAt: null,
  author: { id: 'a', name: 'Ada <Desk>' },
  title: null,
  body: 'x',
  html: '<p>Water <strong>rising</strong> fast.</p><p>Second paragraph.</p>',
  keyEvent: false,
  pinned: false,
  media: [],
  links: [],
  sources: null,
  embeds: [],
  ...overrides,
});

describe('html', () => {
  test('escapes interpolations unless they are trusted markup', () => {
    const name = '<img src=x onerror=alert(1)> & "quotes"';
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;">&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;</p>',
    );
    expect(html`<div>${trusted('<b>ok</b>')}${[html`<i>${'<'}</i>`, null, false, 2]}</div>`.value).toBe('<div><b>ok</b><i>&lt;</i>2</div>');
  });

  test('JSON for a script element cannot close it or open a comment', () => {
    const json = scriptJson({ text: '</script><!-- \u2028 & >' }).value;
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ text: '</script><!-- \u2028 & >' });
  });
});

describe('locales', () => {
  test('the list of date-fns locales is exactly what date-fns ships', () => {
    const shipped = Object.values(dateFnsLocales)
      .map((locale) => locale.code)
      .sort();
    expect([...DATE_FNS_LOCALES].sort()).toEqual(shipped);
  });

  test.each([
    ['en', 'en-US'],
    ['en-GB', 'en-GB'],
    ['en-gb', 'en-GB'],
    ['en-JM', 'en-US'],
    ['fr-BE', 'fr'],
    ['pt-BR', 'pt-BR'],
    ['zh', 'zh-CN'],
    ['zh-Hant-TW', 'zh-TW'],
    ['sr-Latn-RS', 'sr-Latn'],
    ['fa', 'fa-IR'],
    ['ar-EG', 'ar-EG'],
    ['tlh', 'en-US'],
    ['not a tag', 'en-US'],
  ])('%s uses the date-fns locale %s', (tag, code) => {
    expect(dateFnsLocaleFor(tag)).toBe(code);
  });

  test.each([
    ['ar', 'rtl'],
    ['he-IL', 'rtl'],
    ['fa-IR', 'rtl'],
    ['ur', 'rtl'],
    ['en', 'ltr'],
    ['uk', 'ltr'],
    ['az-Arab', 'rtl'],
    ['ku-Latn', 'ltr'],
  ])('%s runs %s', (tag, direction) => {
    expect(textDirection(tag)).toBe(direction);
  });
});

describe('TimeFormat', () => {
  const london = new TimeFormat('en-GB', enGB, 'Europe/London');

  test('names the zone and moves across a daylight-saving change', () => {
    // Clocks in London go forward at 01:00 UTC on 30 March 2025.
    expect(london.absolute('2025-03-30T00:30:00Z')).toBe('30 Mar 2025, 00:30 GMT');
    expect(london.absolute('2025-03-30T01:30:00Z')).toBe('30 Mar 2025, 02:30 BST');
    expect(london.clock('2025-03-30T01:30:00Z')).toBe('02:30');
    expect(london.zoneName(Date.parse('2025-07-01T12:00:00Z'))).toBe('BST');
    const kyiv = new TimeFormat('uk', undefined, 'Europe/Kyiv');
    expect(kyiv.clock('2025-03-30T00:30:00Z')).toBe('02:30');
  });

  test('relative times in the briefing locale; a clock behind the server never says "in"', () => {
    const now = Date.parse('2025-03-30T12:00:00Z');
    expect(london.relative('2025-03-30T11:57:00Z', now)).toBe('3 minutes ago');
    expect(london.relative('2025-03-30T12:00:20Z', now)).toBe('less than a minute ago');
    expect(new TimeFormat('fr', fr, 'Europe/Paris').relative('2025-03-30T09:00:00Z', now)).toBe('il y a environ 3 heures');
    // Older than a day: the date says more.
    expect(london.relative('2025-03-28T12:00:00Z', now)).toBe('28 Mar 2025, 12:00 GMT');
  });

  test('12-hour locales keep their own clock', () => {
    expect(new TimeFormat('en-US', undefined, 'America/New_York').clock('2025-03-30T00:30:00Z')).toBe('8:30 PM');
  });
});

describe('entry markup', () => {
  const ctx: MarkupContext = {
    time: new TimeFormat('en-GB', enGB, 'Europe/London'),
    nowMs: Date.parse('2025-03-30T00:33:00Z'),
    baseUrl: 'https://live.example',
    newTab: true,
    i18n: english,
  };

  test('one article with its permalink, machine-readable time, flags and escaped fields', () => {
    const markup = renderEntry(
      entry({
        title: 'Title <b>',
        keyEvent: true,
        pinned: true,
        updatedAt: '2025-03-30T01:45:00Z',
        sources: 'With reporting by "AP" & <others>',
        links: [{ title: 'More <here>', url: 'https://example.org/?a=1&b=2' }],
        media: [{ kind: 'image', url: 'https://example.org/p.jpg', alt: 'A "quoted" alt', caption: 'Cap', credit: 'Cred' }],
      }),
      ctx,
    ).value;
    expect(markup).toContain(
      '<article class="lb-entry lb-entry--key lb-entry--is-pinned lb-entry--feed" id="e-abc123" data-id="abc123" data-version="3"',
    );
    expect(markup).toContain('href="https://live.example/b/storm/e/abc123" target="_blank" rel="noopener"');
    expect(markup).toContain(
      '<time class="lb-time" datetime="2025-03-30T00:30:00.000Z" data-rel><span class="lb-rel">3 minutes ago</span><span class="lb-abs">30 Mar 2025, 00:30 GMT</span></time>',
    );
    expect(markup).toContain('Updated <time datetime="2025-03-30T01:45:00Z">02:45</time>');
    expect(markup).toContain('<h3 class="lb-entry-title" id="e-abc123-title">Title &lt;b&gt;</h3>');
    expect(markup).toContain('With reporting by &quot;AP&quot; &amp; &lt;others&gt;');
    expect(markup).toContain('<a href="https://example.org/?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">More &lt;here&gt;</a>');
    expect(markup).toContain('alt="A &quot;quoted&quot; alt"');
    expect(markup).toContain('Ada &lt;Desk&gt;');
    expect(markup).toContain('<p>Water <strong>rising</strong> fast.</p>');
  });

  test('headlines and excerpts come from the title or the text, word-wise', () => {
    expect(entryHeadline(entry())).toBe('Water rising fast. Second paragraph.');
    expect(plainExcerpt('<p>one two three four five six</p>', 14)).toBe('one two three…');
    expect(plainExcerpt('<p>a &amp; b &lt;c&gt;</p>')).toBe('a & b <c>');
  });
});

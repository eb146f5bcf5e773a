/** The interface catalogues: complete, with each language's plural forms, and `t`/`markup` filling them in safely. */
import { en } from '../../shared/i18n/en';
import { CATALOGUES, catalogueFor, translatorFor } from '../../shared/i18n/catalogues';
import { INTERFACE_LANGUAGES, interfaceLanguageFor, translator, type Catalogue, type MessageKey } from '../../shared/i18n';
import type { Message } from '../../shared/i18n/messages';
import { html } from '../../shared/html';

/** The languages every release must speak in full. */
const REQUIRED = ['en', 'ru', 'uk', 'ar', 'fa', 'ro', 'ka', 'az', 'tr'] as const;
const KEYS = Object.keys(en) as MessageKey[];

const placeholders = (text: string): Set<string> => new Set([...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? ''));
const texts = (message: Message): string[] => (typeof message === 'string' ? [message] : Object.values(message));

describe('catalogues', () => {
  test('every required language has a catalogue and the list of languages is the list of catalogues', () => {
    expect([...INTERFACE_LANGUAGES].sort()).toEqual([...REQUIRED].sort());
    expect(Object.keys(CATALOGUES).sort()).toEqual([...INTERFACE_LANGUAGES].sort());
  });

  test('no catalogue lacks a key (the failure lists each missing key per language)', () => {
    const missing: Record<string, string[]> = {};
    for (const [language, catalogue] of Object.entries<Catalogue>(CATALOGUES)) {
      const lacks = KEYS.filter((key) => catalogue[key] === undefined);
      if (lacks.length > 0) missing[language] = lacks;
    }
    // Printed whole, so whoever translates sees at once what to fill in, e.g. { ru: ['feed.x', …] }.
    expect(missing).toEqual({});
  });

  test('no catalogue has a key English does not', () => {
    const extra = Object.fromEntries(
      Object.entries(CATALOGUES)
        .map(([language, catalogue]) => [language, Object.keys(catalogue).filter((key) => !(key in en))] as const)
        .filter(([, keys]) => keys.length > 0),
    );
    expect(extra).toEqual({});
  });

  test.each(REQUIRED)('%s: a plural message has exactly the language’s plural categories, a plain one is plain', (language) => {
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories.slice().sort();
    const catalogue: Catalogue = CATALOGUES[language];
    const wrong: string[] = [];
    for (const key of KEYS) {
      const reference: Message = en[key];
      const message = catalogue[key];
      if (message === undefined) continue;
      if (typeof reference === 'string') {
        if (typeof message !== 'string') wrong.push(`${key}: should be plain text`);
      } else if (typeof message === 'string') {
        wrong.push(`${key}: needs the forms ${categories.join(', ')}`);
      } else {
        const has = Object.keys(message).sort();
        if (has.join() !== categories.join()) wrong.push(`${key}: has ${has.join(', ')}, needs ${categories.join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test.each(REQUIRED)('%s: each message uses the placeholders English does', (language) => {
    const catalogue: Catalogue = CATALOGUES[language];
    const wrong: string[] = [];
    for (const key of KEYS) {
      const message = catalogue[key];
      if (message === undefined) continue;
      const expected = new Set(texts(en[key]).flatMap((text) => [...placeholders(text)]));
      for (const text of texts(message)) {
        const found = placeholders(text);
        for (const name of found) if (!expected.has(name)) wrong.push(`${key}: unknown {${name}} in "${text}"`);
        // A plural form may spell its number out ("تحديثان جديدان"): only {count} may be left out.
        for (const name of expected) if (name !== 'count' && !found.has(name)) wrong.push(`${key}: "${text}" lacks {${name}}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('choosing a language', () => {
  test.each([
    ['ru-RU', 'ru'],
    ['RU', 'ru'],
    ['uk-UA', 'uk'],
    ['ar-EG', 'ar'],
    ['fa-IR', 'fa'],
    ['az-Latn-AZ', 'az'],
    ['en-GB', 'en'],
    ['de-DE', 'en'],
    ['und', 'en'],
    ['not a tag', 'en'],
  ])('%s is served by %s', (tag, language) => {
    expect(interfaceLanguageFor(tag)).toBe(language);
    expect(catalogueFor(tag)).toEqual({ language, catalogue: CATALOGUES[language as keyof typeof CATALOGUES] });
    expect(translatorFor(tag).language).toBe(language);
  });

  test('a key a catalogue lacks is shown in English', () => {
    expect(translator('ru', {}).t('badge.live')).toBe('Live');
    expect(translatorFor('ru').t('badge.live')).toBe('Онлайн');
  });
});

describe('t and markup', () => {
  test('Russian counts new updates with one, few and many forms', () => {
    const { t } = translatorFor('ru');
    expect(t('feed.newUpdates', { count: 1 })).toBe('1 новое обновление');
    expect(t('feed.newUpdates', { count: 2 })).toBe('2 новых обновления');
    expect(t('feed.newUpdates', { count: 5 })).toBe('5 новых обновлений');
    expect(t('feed.newUpdates', { count: 21 })).toBe('21 новое обновление');
  });

  test('Arabic has a form for two, and Romanian says "de" from 20', () => {
    expect(translatorFor('ar').t('feed.newUpdates', { count: 2 })).toBe('تحديثان جديدان');
    expect(translatorFor('ro').t('feed.newUpdates', { count: 20 })).toBe('20 de actualizări noi');
    expect(translatorFor('ro').t('feed.newUpdates', { count: 3 })).toBe('3 actualizări noi');
  });

  test('numbers are written the language’s way', () => {
    expect(translatorFor('ru').t('feed.newUpdates', { count: 1234 })).toBe(`${new Intl.NumberFormat('ru').format(1234)} новых обновления`);
    expect(translatorFor('fa').t('feed.newUpdates', { count: 5 })).toBe('۵ به‌روزرسانی تازه');
    expect(translatorFor('en').t('feed.newUpdates', { count: 1500 })).toBe('1,500 new updates');
  });

  test('markup escapes the message and text values, and keeps markup values', () => {
    const evil = '<script>alert(1)</script>';
    const ru = translatorFor('ru');
    expect(ru.markup('entryPage.from', { briefing: evil }).value).toBe('Из трансляции «&lt;script&gt;alert(1)&lt;/script&gt;»');
    expect(ru.markup('entryPage.from', { briefing: html`<a href="/b/x">${evil}</a>` }).value).toBe(
      'Из трансляции «<a href="/b/x">&lt;script&gt;alert(1)&lt;/script&gt;</a>»',
    );
    // A catalogue's own text is escaped too: a translation cannot inject markup.
    const sly = translator('en', { 'entry.updated': '<b>{time}</b> & more' });
    expect(sly.markup('entry.updated', { time: '09:00' }).value).toBe('&lt;b&gt;09:00&lt;/b&gt; &amp; more');
  });
});

/** The briefings, newest first, and a form to start a new one. */
import { canEdit, type PublicUser } from '../../shared/console';
import { SLUG_SOURCE } from '../../shared/identifiers';
import { TimeFormat } from '../../shared/time-format';
import { announce, h, replace } from './dom';
import * as api from './api';
import { messageOf } from './http';
import { keepReadersCurrent, readersLabel } from './readers-now';

export function briefingListView(user: PublicUser): HTMLElement {
  const list = h('ul', { class: 'briefing-list' });
  const status = h('p', { class: 'status', role: 'status' });
  const readerCounts = new Map<string, HTMLElement>();
  const load = (): void => {
    api
      .listBriefings()
      .then(({ briefings }) => {
        readerCounts.clear();
        for (const briefing of briefings) readerCounts.set(briefing.slug, h('span', { class: 'readers', 'data-slug': briefing.slug }));
        replace(
          list,
          ...briefings.map((briefing) => {
            const time = new TimeFormat(briefing.locale, undefined, briefing.timeZone);
            return h(
              'li',
              {},
              h(
                'a',
                { href: `#/b/${briefing.slug}`, class: 'briefing-link' },
                h(
                  'span',
                  { class: briefing.status === 'live' ? 'badge live' : 'badge ended' },
                  briefing.status === 'live' ? 'Live' : 'Ended',
                ),
                h('span', { class: 'briefing-title' }, briefing.title),
                h('span', { class: 'help' }, `${briefing.slug} · since ${time.absolute(briefing.createdAt)}`),
                readerCounts.get(briefing.slug),
              ),
            );
          }),
        );
        if (briefings.length === 0) replace(list, h('li', { class: 'empty' }, 'No briefings yet.'));
        else
          keepReadersCurrent(list, api.readersNow, (readers) => {
            for (const [slug, element] of readerCounts) element.textContent = readersLabel(readers[slug] ?? 0);
          });
      })
      .catch((error: unknown) => announce(status, messageOf(error), 'error'));
  };
  load();

  const slug = h('input', {
    id: 'new-slug',
    type: 'text',
    required: true,
    pattern: SLUG_SOURCE,
    placeholder: 'storm-kyiv',
    autocapitalize: 'none',
  });
  const title = h('input', { id: 'new-title', type: 'text', required: true });
  const zone = h('input', { id: 'new-zone', type: 'text', value: Intl.DateTimeFormat().resolvedOptions().timeZone, list: 'new-zones' });
  const locale = h('input', { id: 'new-locale', type: 'text', value: 'en' });
  const createStatus = h('p', { class: 'status', role: 'status' });
  title.addEventListener('input', () => {
    if (slug.dataset.touched) return;
    slug.value = title.value
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64);
  });
  slug.addEventListener('input', () => (slug.dataset.touched = '1'));
  const form = h(
    'form',
    { class: 'panel new-briefing', 'aria-labelledby': 'new-heading' },
    h('h2', { id: 'new-heading' }, 'Start a briefing'),
    h('div', { class: 'field' }, h('label', { for: title.id }, 'Title'), title),
    h(
      'div',
      { class: 'field' },
      h('label', { for: slug.id }, 'Address'),
      slug,
      h('p', { class: 'help' }, 'Readers find it at /b/<address>: lowercase letters, digits and hyphens.'),
    ),
    h(
      'div',
      { class: 'two' },
      h('div', { class: 'field' }, h('label', { for: locale.id }, 'Language'), locale),
      h('div', { class: 'field' }, h('label', { for: zone.id }, 'Time zone'), zone),
    ),
    h('datalist', { id: 'new-zones' }, ...Intl.supportedValuesOf('timeZone').map((name) => h('option', { value: name }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create and go live')),
    createStatus,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api
      .createBriefing({ slug: slug.value, title: title.value, locale: locale.value, timeZone: zone.value })
      .then(({ briefing }) => {
        location.hash = `#/b/${briefing.slug}`;
      })
      .catch((error: unknown) => announce(createStatus, messageOf(error), 'error'));
  });

  return h(
    'main',
    { class: 'page briefings-page' },
    h('section', { class: 'panel', 'aria-labelledby': 'list-heading' }, h('h1', { id: 'list-heading' }, 'Briefings'), status, list),
    canEdit(user.role) ? form : null,
  );
}

/**
 * A briefing's header in the console: its title, whether it is live, the connection, and
 * for editors the briefing's details and ending or reopening the coverage.
 */
import type { Briefing } from '../../shared/schemas';
import * as api from './api';
import { announce, confirmAction, h, openDialog, replace } from './dom';
import { messageOf } from './http';
import { keepReadersCurrent, readersLabel } from './readers-now';

/** Tells the editor how an action went, in the workspace's one status line. */
export type Report = (message: string, tone: 'ok' | 'error') => void;

function toLocalInput(iso: string): string {
  const at = new Date(iso);
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export class WorkspaceHeader {
  readonly root = h('header', { class: 'briefing-head' });
  private readonly connection = h('span', { class: 'connection', role: 'status' }, 'Connecting…');
  /** Not a live region: a number that moves every few seconds would keep interrupting a screen reader. */
  private readonly readers = h('span', { class: 'readers' });
  private stopReaders: (() => void) | null = null;

  /** `report`: where a failure to change the briefing is told. */
  constructor(
    private readonly slug: string,
    private readonly editor: boolean,
    private readonly report: Report,
  ) {}

  /** Starts keeping "N readers now" current; stop() ends it. */
  start(): void {
    this.stopReaders ??= keepReadersCurrent(
      this.root,
      () => api.briefingReadersNow(this.slug),
      (readers) => {
        this.readers.textContent = readersLabel(readers[this.slug] ?? 0);
      },
    );
  }

  stop(): void {
    this.stopReaders?.();
    this.stopReaders = null;
  }

  setConnected(live: boolean): void {
    this.connection.className = live ? 'connection live' : 'connection down';
    this.connection.textContent = live ? 'Connected' : 'Reconnecting…';
  }

  /** `briefing`: null until the feed brought it. */
  draw(briefing: Briefing | null): void {
    const editor = this.editor;
    replace(
      this.root,
      h(
        'div',
        { class: 'title-row' },
        h('a', { href: '#/', class: 'back' }, '← Briefings'),
        h('h1', {}, briefing?.title ?? this.slug),
        briefing
          ? h('span', { class: briefing.status === 'live' ? 'badge live' : 'badge ended' }, briefing.status === 'live' ? 'Live' : 'Ended')
          : null,
        this.connection,
        this.readers,
      ),
      h(
        'div',
        { class: 'head-actions' },
        h('a', { href: `/b/${this.slug}`, target: '_blank', rel: 'noopener' }, 'Reader page ↗'),
        editor && briefing ? h('button', { type: 'button', class: 'small', onclick: () => this.openSettings(briefing) }, 'Details') : null,
        editor && briefing
          ? h(
              'button',
              {
                type: 'button',
                class: 'small',
                'data-action': 'coverage',
                onclick: () => void this.setStatus(briefing.status === 'live' ? 'ended' : 'live'),
              },
              briefing.status === 'live' ? 'End coverage' : 'Reopen coverage',
            )
          : null,
      ),
    );
  }

  private async setStatus(status: 'live' | 'ended'): Promise<void> {
    if (
      status === 'ended' &&
      !(await confirmAction('End the coverage?', 'Readers will no longer see the LIVE badge. You can reopen it later.', 'End coverage'))
    )
      return;
    try {
      await api.updateBriefing(this.slug, { status });
    } catch (error) {
      this.report(messageOf(error), 'error');
    }
  }

  private openSettings(briefing: Briefing): void {
    const field = (id: string, label: string, control: HTMLElement, help?: string): HTMLElement =>
      h('div', { class: 'field' }, h('label', { for: id }, label), control, help ? h('p', { class: 'help' }, help) : null);
    const title = h('input', { id: 'settings-title', type: 'text', value: briefing.title, required: true });
    const summary = h('textarea', { id: 'settings-summary', rows: 6 });
    summary.value = briefing.summary;
    const locale = h('input', { id: 'settings-locale', type: 'text', value: briefing.locale });
    const zone = h('input', { id: 'settings-zone', type: 'text', value: briefing.timeZone, list: 'zones' });
    const zones = h('datalist', { id: 'zones' }, ...Intl.supportedValuesOf('timeZone').map((name) => h('option', { value: name })));
    const start = h('input', { id: 'settings-start', type: 'datetime-local', value: toLocalInput(briefing.createdAt) });
    const status = h('p', { class: 'status', role: 'status' });
    const form = h(
      'form',
      { class: 'settings' },
      field(title.id, 'Title', title),
      field(summary.id, 'What you need to know (Markdown)', summary, 'Shown above the feed on the reader page.'),
      h(
        'div',
        { class: 'two' },
        field(locale.id, 'Language (BCP 47)', locale, 'e.g. en, uk, pt-BR'),
        field(zone.id, 'Time zone', zone, 'Times are shown to readers in this zone.'),
      ),
      zones,
      field(start.id, 'Coverage started (your time)', start),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save details')),
      status,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const coverageStart = start.value ? new Date(start.value).toISOString() : undefined;
      api
        .updateBriefing(this.slug, {
          title: title.value,
          summary: summary.value,
          locale: locale.value.trim(),
          timeZone: zone.value.trim(),
          ...(coverageStart && coverageStart !== new Date(briefing.createdAt).toISOString() ? { coverageStart } : {}),
        })
        .then(() => dialog.close())
        .catch((error: unknown) => announce(status, messageOf(error), 'error'));
    });
    const dialog = openDialog('Briefing details', form);
  }
}

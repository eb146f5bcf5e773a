/**
 * The live feed panel: the briefing's entries as readers see them, with an editor's
 * actions on each (edit, pin, key event, history, delete), who else is editing one, and
 * loading older entries. Redrawn in place, so focus and scroll stay where the editor is.
 */
import type { FeedView } from '../../shared/apply-change';
import type { PresentEditor } from '../../shared/console';
import { LIMITS } from '../../shared/limits';
import type { Entry } from '../../shared/schemas';
import type { TimeFormat } from '../../shared/time-format';
import { loadOlderPage } from '../feed/older-page';
import { reconcile } from '../feed/reconcile';
import * as api from './api';
import { announce, confirmAction, h, openDialog, setSanitizedHtml } from './dom';
import { entryContent, entryMeta, excerpt } from './entry-card';
import { messageOf } from './http';

export interface FeedContext {
  slug: string;
  userId: string;
  /** The person may publish: the entries get their actions. */
  editor: boolean;
  view: () => FeedView | null;
  time: () => TimeFormat;
  /** A view with an older page merged in, to be shown like any other. */
  showView: (view: FeedView) => void;
  startEdit: (entry: Entry) => void;
}

export class FeedPanel {
  /** The workspace's status line: what happened to the feed and to actions taken. */
  readonly status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  readonly root: HTMLElement;
  private readonly feedList = h('ol', { class: 'feed', 'aria-label': 'Published entries, newest first' });
  private readonly pinnedList = h('ol', { class: 'feed pinned-list', 'aria-label': 'Pinned entries' });
  private readonly feedEmpty = h(
    'p',
    { class: 'empty', hidden: true },
    'Nothing published yet. The first entry you publish appears here and on every reader’s screen at once.',
  );
  /** Shown while older entries are left to load; merged below with the reader's own code. */
  private readonly olderButton = h(
    'button',
    { type: 'button', class: 'load-older', 'data-action': 'load-older', hidden: true, onclick: () => void this.loadOlder() },
    'Load older',
  );
  private loadingOlder = false;
  /** Each drawn card: what it was drawn from (entry, who edits it, time format). */
  private readonly drawnFrom = new WeakMap<Element, string>();

  constructor(private readonly context: FeedContext) {
    this.root = h(
      'section',
      { class: 'panel', 'aria-labelledby': 'feed-heading' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'feed-heading' }, 'Live feed'), h('span', { class: 'help' }, 'as readers see it')),
      this.status,
      this.feedEmpty,
      this.pinnedList,
      this.feedList,
      this.olderButton,
    );
  }

  announce(message: string, tone: 'info' | 'ok' | 'error' = 'info'): void {
    announce(this.status, message, tone);
  }

  /** Draws the view, each entry someone else has open marked with their name. */
  draw(view: FeedView, present: PresentEditor[]): void {
    const editing = new Map(
      present
        .filter((person) => person.editing && person.userId !== this.context.userId)
        .map((person) => [person.editing ?? '', person.name]),
    );
    const time = this.context.time();
    this.reconcile(this.pinnedList, view.pinned, editing, time);
    this.reconcile(
      this.feedList,
      view.entries.filter((entry) => !entry.pinned),
      editing,
      time,
    );
    this.feedEmpty.hidden = view.entries.length > 0 || view.pinned.length > 0 || !view.complete;
    this.olderButton.hidden = view.complete;
  }

  /**
   * Brings in the next older page below the feed, as the reader's "Load older" does: the
   * view stays the newest entries without holes, so live changes keep folding into the
   * older entries too (edits, pins, deletes).
   */
  private async loadOlder(): Promise<void> {
    const view = this.context.view();
    if (this.loadingOlder || !view || view.complete) return;
    this.loadingOlder = true;
    this.olderButton.setAttribute('aria-busy', 'true');
    const known = new Set(view.entries.map((entry) => entry.id));
    try {
      const merged = await loadOlderPage({
        origin: '',
        slug: this.context.slug,
        pageSize: LIMITS.pageSizeDefault,
        view: this.context.view,
      });
      if (!merged) {
        announce(this.status, 'The feed changed meanwhile: try again.', 'error');
        return;
      }
      const hadFocus = document.activeElement === this.olderButton;
      this.context.showView(merged);
      const added = merged.entries.filter((entry) => !known.has(entry.id));
      announce(
        this.status,
        added.length > 0 ? `${added.length} older ${added.length === 1 ? 'entry' : 'entries'} loaded.` : 'No older entries.',
        'ok',
      );
      // The button goes once everything is loaded: keep the keyboard where the new entries begin.
      const first = added.find((entry) => !entry.pinned);
      const card = first ? this.feedList.querySelector<HTMLElement>(`[data-entry="${CSS.escape(first.id)}"]`) : null;
      if (hadFocus && this.olderButton.hidden && card) {
        card.tabIndex = -1;
        card.focus();
      }
    } catch {
      announce(this.status, 'Older entries could not be loaded: try again.', 'error');
    } finally {
      this.loadingOlder = false;
      this.olderButton.removeAttribute('aria-busy');
    }
  }

  /**
   * Updates a list in place: only cards whose entry, editor or time format changed are
   * rebuilt, and a button that was rebuilt under the keyboard gets the focus back.
   */
  private reconcile(list: HTMLElement, entries: Entry[], editing: Map<string, string>, time: TimeFormat): void {
    const focused = document.activeElement instanceof HTMLElement && list.contains(document.activeElement) ? document.activeElement : null;
    const focusedEntry = focused?.closest('[data-entry]')?.getAttribute('data-entry') ?? null;
    const focusedAction = focused?.dataset.action ?? null;
    const signature = (entry: Entry): string => JSON.stringify([entry, editing.get(entry.id) ?? null, time.timeZone, time.localeTag]);
    reconcile(list, entries, {
      key: (entry) => entry.id,
      keyOf: (element) => element.getAttribute('data-entry'),
      isCurrent: (element, entry) => this.drawnFrom.get(element) === signature(entry),
      draw: (entry) => {
        const card = this.entryCard(entry, editing.get(entry.id) ?? null, time);
        this.drawnFrom.set(card, signature(entry));
        return card;
      },
    });
    if (focused && !focused.isConnected && focusedEntry && focusedAction) {
      list.querySelector<HTMLElement>(`[data-entry="${focusedEntry}"] [data-action="${focusedAction}"]`)?.focus();
    }
  }

  private entryCard(entry: Entry, editedBy: string | null, time: TimeFormat): HTMLElement {
    const editor = this.context.editor;
    const act = (action: string, label: string, run: () => Promise<unknown>, className = ''): HTMLElement =>
      h(
        'button',
        {
          type: 'button',
          class: `small ${className}`.trim(),
          'data-action': action,
          onclick: (event: Event) => {
            const button = event.currentTarget as HTMLButtonElement;
            button.disabled = true;
            run()
              .catch((error: unknown) => announce(this.status, messageOf(error), 'error'))
              .finally(() => {
                button.disabled = false;
              });
          },
        },
        label,
      );
    return h(
      'li',
      { class: `entry${entry.keyEvent ? ' key-event' : ''}${entry.pinned ? ' is-pinned' : ''}`, 'data-entry': entry.id },
      entryMeta(entry, time, [editedBy ? h('span', { class: 'badge editing' }, `${editedBy} is editing`) : null]),
      entryContent(entry),
      h(
        'div',
        { class: 'entry-actions', role: 'group', 'aria-label': 'Entry actions' },
        editor ? act('edit', 'Edit', () => Promise.resolve(this.context.startEdit(entry))) : null,
        editor
          ? act('pin', entry.pinned ? 'Unpin' : 'Pin', () => api.updateEntry(this.context.slug, entry.id, { pinned: !entry.pinned }))
          : null,
        editor
          ? act('key', entry.keyEvent ? 'Not a key event' : 'Key event', () =>
              api.updateEntry(this.context.slug, entry.id, { keyEvent: !entry.keyEvent }),
            )
          : null,
        entry.updatedAt ? act('history', 'History', () => this.showHistory(entry)) : null,
        editor
          ? act(
              'delete',
              'Delete',
              async () => {
                const yes = await confirmAction(
                  'Delete this entry?',
                  `“${excerpt(entry.title ?? entry.body, 80)}” disappears from every reader’s screen. This cannot be undone.`,
                  'Delete entry',
                );
                if (yes) await api.deleteEntry(this.context.slug, entry.id);
              },
              'danger',
            )
          : null,
      ),
    );
  }

  private async showHistory(entry: Entry): Promise<void> {
    const { versions } = await api.entryVersions(this.context.slug, entry.id);
    const time = this.context.time();
    const list = h(
      'ol',
      { class: 'history', reversed: true },
      ...[...versions].reverse().map((version, index) => {
        const body = h('div', { class: 'entry-body' });
        setSanitizedHtml(body, version.html);
        return h(
          'li',
          {},
          h(
            'p',
            { class: 'entry-meta' },
            index === 0 ? 'Current · ' : '',
            version.updatedAt ? `Updated ${time.absolute(version.updatedAt)}` : `Published ${time.absolute(version.publishedAt)}`,
          ),
          version.title ? h('h3', { class: 'entry-title' }, version.title) : null,
          body,
        );
      }),
    );
    openDialog('Correction history', list, { wide: true });
  }
}

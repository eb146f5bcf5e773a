/**
 * One briefing in the console: its header and settings, the composer, the queue (drafts,
 * submissions, scheduled entries) and the live feed with an action on each entry, plus
 * who else has the briefing open.
 */
import { io, type Socket } from 'socket.io-client';
import { applyChange, viewFromSnapshot, type ApplyResult, type FeedView } from '../../shared/apply-change';
import {
  canEdit,
  CONSOLE_NAMESPACE,
  type ConsoleClientEvents,
  type ConsoleServerEvents,
  type Draft,
  type PresentEditor,
  type PublicUser,
  type Queue,
} from '../../shared/console';
import { LIMITS } from '../../shared/limits';
import type { Briefing, Change, Entry } from '../../shared/schemas';
import { TimeFormat } from '../../shared/time-format';
import { FeedConnection, type ConnectionState } from '../feed/connection';
import { loadOlderPage } from '../feed/older-page';
import { Composer } from './composer';
import { fieldsOfDraft } from './composition';
import { draftConflictOf, showDraftConflict } from './conflict';
import { announce, confirmAction, h, openDialog, replace, setSanitizedHtml } from './dom';
import { entryContent, entryMeta } from './entry-card';
import * as api from './api';
import { messageOf } from './http';

type ConsoleSocket = Socket<ConsoleServerEvents, ConsoleClientEvents>;

function toLocalInput(iso: string): string {
  const at = new Date(iso);
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function excerpt(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export class Workspace {
  readonly root = h('div', { class: 'workspace' });
  private readonly consoleSocket: ConsoleSocket;
  /** The feed as readers see it: subscribed and folded exactly as on a reader's page. */
  private readonly feed: FeedConnection;
  private readonly composer: Composer;
  private view: FeedView | null = null;
  /** The feed's last subscribe was refused, and feedStatus says so. */
  private feedRefused = false;
  private queue: Queue = { drafts: [], scheduled: [] };
  private present: PresentEditor[] = [];
  private readonly header = h('header', { class: 'briefing-head' });
  private readonly presenceBar = h('div', { class: 'presence', 'aria-live': 'polite' });
  private readonly connection = h('span', { class: 'connection', role: 'status' }, 'Connecting…');
  private readonly feedList = h('ol', { class: 'feed', 'aria-label': 'Published entries, newest first' });
  private readonly pinnedList = h('ol', { class: 'feed pinned-list', 'aria-label': 'Pinned entries' });
  private readonly queueBox = h('div', { class: 'queue-body' });
  private readonly feedStatus = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly feedEmpty = h('p', { class: 'empty', hidden: true }, 'Nothing published yet. The first entry you publish appears here and on every reader’s screen at once.');
  /** Shown while older entries are left to load; merged below with the reader's own code. */
  private readonly olderButton = h('button', { type: 'button', class: 'load-older', 'data-action': 'load-older', hidden: true, onclick: () => void this.loadOlder() }, 'Load older');
  private loadingOlder = false;
  /** Per list: entry id -> its drawn card and what it was drawn from. */
  private readonly cards = new Map<HTMLElement, Map<string, { element: HTMLElement; signature: string }>>();

  constructor(
    readonly slug: string,
    private readonly user: PublicUser,
  ) {
    this.consoleSocket = io(CONSOLE_NAMESPACE, { transports: ['websocket'] });
    this.composer = new Composer({
      slug,
      user,
      briefing: () => this.view?.briefing ?? null,
      setEditing: (id) => this.consoleSocket.emit('editing', { slug, editing: id }, (ack) => this.takePresence(ack)),
      onSent: () => void this.loadQueue(),
    });
    this.feed = new FeedConnection({
      origin: '',
      slug,
      sink: {
        cursor: () => (this.view ? { epoch: this.view.epoch, seq: this.view.seq } : null),
        reset: (epoch, seq, snapshot) => this.showView(viewFromSnapshot(epoch, seq, snapshot, LIMITS.snapshotEntries), null),
        apply: (change) => this.foldChange(change),
        connectionState: (state) => this.setConnection(state),
        refused: (message) => {
          this.feedRefused = true;
          announce(this.feedStatus, message, 'error');
        },
      },
    });
  }

  get time(): TimeFormat {
    const briefing = this.view?.briefing;
    return new TimeFormat(briefing?.locale ?? 'en', undefined, briefing?.timeZone ?? 'UTC');
  }

  start(): void {
    const editor = canEdit(this.user.role);
    replace(
      this.root,
      this.header,
      this.presenceBar,
      h(
        'div',
        { class: 'workspace-grid' },
        this.composer.root,
        h(
          'div',
          { class: 'side' },
          h('section', { class: 'panel queue', 'aria-labelledby': 'queue-heading' }, h('div', { class: 'panel-head' }, h('h2', { id: 'queue-heading' }, editor ? 'Waiting' : 'Your drafts and submissions')), this.queueBox),
          h(
            'section',
            { class: 'panel', 'aria-labelledby': 'feed-heading' },
            h('div', { class: 'panel-head' }, h('h2', { id: 'feed-heading' }, 'Live feed'), h('span', { class: 'help' }, 'as readers see it')),
            this.feedStatus,
            this.feedEmpty,
            this.pinnedList,
            this.feedList,
            this.olderButton,
          ),
        ),
      ),
    );
    this.drawHeader();
    this.consoleSocket.on('connect', () => this.consoleSocket.emit('join', { slug: this.slug }, (ack) => {
      this.takePresence(ack);
      const editing = this.composer.editingEntryId;
      if (editing) this.consoleSocket.emit('editing', { slug: this.slug, editing }, (next) => this.takePresence(next));
    }));
    this.consoleSocket.on('presence', (update) => {
      if (update.slug === this.slug) this.setPresence(update.present);
    });
    this.consoleSocket.on('queue', (update) => {
      if (update.slug === this.slug) void this.loadQueue();
    });
    this.feed.start();
    void this.loadQueue();
  }

  stop(): void {
    this.feed.close();
    this.consoleSocket.emit('leave', { slug: this.slug });
    this.consoleSocket.disconnect();
  }

  private setConnection(state: ConnectionState): void {
    const live = state === 'live';
    this.connection.className = live ? 'connection live' : 'connection down';
    this.connection.textContent = live ? 'Connected' : 'Reconnecting…';
    if (live && this.feedRefused) {
      this.feedRefused = false;
      announce(this.feedStatus, '');
    }
  }

  private takePresence(ack: { ok: true; present: PresentEditor[] } | { ok: false; error: { message: string } }): void {
    if (ack.ok) this.setPresence(ack.present);
  }

  private setPresence(present: PresentEditor[]): void {
    this.present = present;
    this.composer.setPresence(present);
    const others = present.filter((person) => person.userId !== this.user.id);
    replace(
      this.presenceBar,
      h('span', { class: 'label' }, others.length === 0 ? 'Only you are here' : 'Also here:'),
      ...others.map((person) =>
        h(
          'span',
          { class: person.editing ? 'person editing' : 'person', title: person.role },
          h('span', { class: 'avatar', 'aria-hidden': 'true' }, person.name.slice(0, 1).toUpperCase()),
          person.name,
          person.editing ? h('span', { class: 'doing' }, ' · editing') : null,
        ),
      ),
    );
    if (this.view) this.drawFeed(this.view);
  }

  // ---------- header and settings ----------

  private drawHeader(): void {
    const briefing = this.view?.briefing;
    const editor = canEdit(this.user.role);
    replace(
      this.header,
      h('div', { class: 'title-row' },
        h('a', { href: '#/', class: 'back' }, '← Briefings'),
        h('h1', {}, briefing?.title ?? this.slug),
        briefing ? h('span', { class: briefing.status === 'live' ? 'badge live' : 'badge ended' }, briefing.status === 'live' ? 'Live' : 'Ended') : null,
        this.connection,
      ),
      h(
        'div',
        { class: 'head-actions' },
        h('a', { href: `/b/${this.slug}`, target: '_blank', rel: 'noopener' }, 'Reader page ↗'),
        editor && briefing ? h('button', { type: 'button', class: 'small', onclick: () => this.openSettings(briefing) }, 'Details') : null,
        editor && briefing
          ? h(
              'button',
              { type: 'button', class: 'small', 'data-action': 'coverage', onclick: () => void this.setStatus(briefing.status === 'live' ? 'ended' : 'live') },
              briefing.status === 'live' ? 'End coverage' : 'Reopen coverage',
            )
          : null,
      ),
    );
  }

  private async setStatus(status: 'live' | 'ended'): Promise<void> {
    if (status === 'ended' && !(await confirmAction('End the coverage?', 'Readers will no longer see the LIVE badge. You can reopen it later.', 'End coverage'))) return;
    try {
      await api.updateBriefing(this.slug, { status });
    } catch (error) {
      announce(this.feedStatus, messageOf(error), 'error');
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
      h('div', { class: 'two' }, field(locale.id, 'Language (BCP 47)', locale, 'e.g. en, uk, pt-BR'), field(zone.id, 'Time zone', zone, 'Times are shown to readers in this zone.')),
      zones,
      field(start.id, 'Coverage started (your time)', start),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save details')),
      status,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const coverageStart = start.value ? new Date(start.value).toISOString() : undefined;
      api.updateBriefing(this.slug, {
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

  // ---------- the feed ----------

  private foldChange(change: Change): ApplyResult['status'] {
    if (!this.view) return 'gap';
    const result = applyChange(this.view, change);
    if (result.status === 'applied') this.showView(result.view, change);
    return result.status;
  }

  private showView(view: FeedView, change: Change | null): void {
    // A scheduled entry that went out leaves the queue.
    if (change?.type === 'entry.published' && this.queue.scheduled.some((entry) => entry.id === change.entry?.id)) void this.loadQueue();
    const briefingChanged = JSON.stringify(this.view?.briefing) !== JSON.stringify(view.briefing);
    this.view = view;
    if (briefingChanged) {
      this.drawHeader();
      // Times in the queue follow the briefing's zone.
      this.drawQueue();
    }
    this.drawFeed(view);
    announce(this.feedStatus, '');
  }

  private drawFeed(view: FeedView): void {
    const editing = new Map(this.present.filter((person) => person.editing && person.userId !== this.user.id).map((person) => [person.editing ?? '', person.name]));
    const time = this.time;
    this.reconcile(this.pinnedList, view.pinned, editing, time);
    this.reconcile(this.feedList, view.entries.filter((entry) => !entry.pinned), editing, time);
    this.feedEmpty.hidden = view.entries.length > 0 || view.pinned.length > 0 || !view.complete;
    this.olderButton.hidden = view.complete;
  }

  /**
   * Brings in the next older page below the feed, as the reader's "Load older" does: the
   * view stays the newest entries without holes, so live changes keep folding into the
   * older entries too (edits, pins, deletes).
   */
  private async loadOlder(): Promise<void> {
    if (this.loadingOlder || !this.view || this.view.complete) return;
    this.loadingOlder = true;
    this.olderButton.setAttribute('aria-busy', 'true');
    const known = new Set(this.view.entries.map((entry) => entry.id));
    try {
      const merged = await loadOlderPage({ origin: '', slug: this.slug, pageSize: LIMITS.pageSizeDefault, view: () => this.view });
      if (!merged) {
        announce(this.feedStatus, 'The feed changed meanwhile: try again.', 'error');
        return;
      }
      const hadFocus = document.activeElement === this.olderButton;
      this.showView(merged, null);
      const added = merged.entries.filter((entry) => !known.has(entry.id));
      announce(this.feedStatus, added.length > 0 ? `${added.length} older ${added.length === 1 ? 'entry' : 'entries'} loaded.` : 'No older entries.', 'ok');
      // The button goes once everything is loaded: keep the keyboard where the new entries begin.
      const first = added.find((entry) => !entry.pinned);
      const card = first ? this.feedList.querySelector<HTMLElement>(`[data-entry="${CSS.escape(first.id)}"]`) : null;
      if (hadFocus && this.olderButton.hidden && card) {
        card.tabIndex = -1;
        card.focus();
      }
    } catch {
      announce(this.feedStatus, 'Older entries could not be loaded: try again.', 'error');
    } finally {
      this.loadingOlder = false;
      this.olderButton.removeAttribute('aria-busy');
    }
  }

  /**
   * Updates a list in place: only cards whose entry changed are rebuilt and only moved
   * cards are moved, so focus and scroll stay where the editor is working.
   */
  private reconcile(list: HTMLElement, entries: Entry[], editing: Map<string, string>, time: TimeFormat): void {
    const focused = document.activeElement instanceof HTMLElement && list.contains(document.activeElement) ? document.activeElement : null;
    const focusedEntry = focused?.closest('[data-entry]')?.getAttribute('data-entry') ?? null;
    const focusedAction = focused?.dataset.action ?? null;
    const previous = this.cards.get(list) ?? new Map<string, { element: HTMLElement; signature: string }>();
    const next = new Map<string, { element: HTMLElement; signature: string }>();
    const wanted = entries.map((entry) => {
      const signature = JSON.stringify([entry, editing.get(entry.id) ?? null, time.timeZone, time.localeTag]);
      let card = previous.get(entry.id);
      if (!card || card.signature !== signature) card = { element: this.entryCard(entry, editing.get(entry.id) ?? null, time), signature };
      next.set(entry.id, card);
      return card.element;
    });
    this.cards.set(list, next);
    for (const child of [...list.children]) if (!wanted.includes(child as HTMLElement)) child.remove();
    wanted.forEach((element, index) => {
      if (list.children[index] !== element) list.insertBefore(element, list.children[index] ?? null);
    });
    if (focused && !focused.isConnected && focusedEntry && focusedAction) {
      list.querySelector<HTMLElement>(`[data-entry="${focusedEntry}"] [data-action="${focusedAction}"]`)?.focus();
    }
  }

  private entryCard(entry: Entry, editedBy: string | null, time: TimeFormat): HTMLElement {
    const editor = canEdit(this.user.role);
    const act = (action: string, label: string, run: () => Promise<unknown>, className = ''): HTMLElement =>
      h('button', {
        type: 'button',
        class: `small ${className}`.trim(),
        'data-action': action,
        onclick: (event: Event) => {
          const button = event.currentTarget as HTMLButtonElement;
          button.disabled = true;
          run()
            .catch((error: unknown) => announce(this.feedStatus, messageOf(error), 'error'))
            .finally(() => {
              button.disabled = false;
            });
        },
      }, label);
    return h(
      'li',
      { class: `entry${entry.keyEvent ? ' key-event' : ''}${entry.pinned ? ' is-pinned' : ''}`, 'data-entry': entry.id },
      entryMeta(entry, time, [editedBy ? h('span', { class: 'badge editing' }, `${editedBy} is editing`) : null]),
      entryContent(entry),
      h(
        'div',
        { class: 'entry-actions', role: 'group', 'aria-label': 'Entry actions' },
        editor ? act('edit', 'Edit', () => Promise.resolve(this.composer.startEdit(entry))) : null,
        editor ? act('pin', entry.pinned ? 'Unpin' : 'Pin', () => api.updateEntry(this.slug, entry.id, { pinned: !entry.pinned })) : null,
        editor ? act('key', entry.keyEvent ? 'Not a key event' : 'Key event', () => api.updateEntry(this.slug, entry.id, { keyEvent: !entry.keyEvent })) : null,
        entry.updatedAt ? act('history', 'History', () => this.showHistory(entry)) : null,
        editor
          ? act('delete', 'Delete', async () => {
              const yes = await confirmAction('Delete this entry?', `“${excerpt(entry.title ?? entry.body, 80)}” disappears from every reader’s screen. This cannot be undone.`, 'Delete entry');
              if (yes) await api.deleteEntry(this.slug, entry.id);
            }, 'danger')
          : null,
      ),
    );
  }

  private async showHistory(entry: Entry): Promise<void> {
    const { versions } = await api.entryVersions(this.slug, entry.id);
    const time = this.time;
    const list = h(
      'ol',
      { class: 'history', reversed: true },
      ...[...versions].reverse().map((version, index) => {
        const body = h('div', { class: 'entry-body' });
        setSanitizedHtml(body, version.html);
        return h(
          'li',
          {},
          h('p', { class: 'entry-meta' }, index === 0 ? 'Current · ' : '', version.updatedAt ? `Updated ${time.absolute(version.updatedAt)}` : `Published ${time.absolute(version.publishedAt)}`),
          version.title ? h('h3', { class: 'entry-title' }, version.title) : null,
          body,
        );
      }),
    );
    openDialog('Correction history', list, { wide: true });
  }

  // ---------- the queue ----------

  private async loadQueue(): Promise<void> {
    try {
      this.queue = await api.getQueue(this.slug);
      this.drawQueue();
    } catch (error) {
      replace(this.queueBox, h('p', { class: 'status error' }, messageOf(error)));
    }
  }

  private drawQueue(): void {
    const editor = canEdit(this.user.role);
    const submissions = this.queue.drafts.filter((draft) => draft.kind === 'submitted');
    const drafts = this.queue.drafts.filter((draft) => draft.kind !== 'submitted');
    const time = this.time;
    const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const myTime = new TimeFormat(navigator.language, undefined, mine);
    const group = (title: string, items: HTMLElement[], empty: string): HTMLElement =>
      h('div', { class: 'queue-group' }, h('h3', {}, `${title} (${items.length})`), items.length > 0 ? h('ul', { class: 'queue-list' }, ...items) : h('p', { class: 'empty' }, empty));
    const draftItem = (draft: Draft): HTMLElement =>
      h(
        'li',
        { class: `queue-item ${draft.kind}`, 'data-draft': draft.id },
        h(
          'div',
          { class: 'queue-meta' },
          h('span', { class: `badge ${draft.kind}` }, draft.kind === 'submitted' ? 'For review' : draft.kind === 'returned' ? 'Sent back' : 'Draft'),
          h('span', { class: 'author' }, draft.author.name),
          h('time', { datetime: draft.updatedAt }, time.clock(draft.updatedAt)),
        ),
        h('p', { class: 'queue-text' }, draft.fields.title ? h('strong', {}, `${draft.fields.title} `) : null, excerpt(draft.fields.body)),
        draft.note ? h('p', { class: 'note' }, `Note: ${draft.note}`) : null,
        h(
          'div',
          { class: 'entry-actions' },
          h('button', { type: 'button', class: 'small', 'data-action': 'open', onclick: () => this.composer.openDraft(draft) }, 'Open'),
          editor && draft.kind === 'submitted'
            ? h('button', { type: 'button', class: 'small primary', 'data-action': 'approve', onclick: (event: Event) => void this.queueAction(event, () => this.approve(draft), 'Approved and published.') }, 'Approve & publish')
            : null,
          editor && draft.kind === 'submitted'
            ? h('button', { type: 'button', class: 'small', 'data-action': 'return', onclick: () => this.sendBack(draft) }, 'Send back')
            : null,
          h('button', {
            type: 'button',
            class: 'small danger',
            'data-action': 'discard',
            onclick: (event: Event) =>
              void confirmAction('Discard this draft?', 'It will be gone for everyone.', 'Discard').then((yes) => {
                if (yes) void this.queueAction(event, () => api.deleteDraft(this.slug, draft.id, draft.version), 'Discarded.');
              }),
          }, 'Discard'),
        ),
      );
    const scheduledItem = (entry: Entry): HTMLElement =>
      h(
        'li',
        { class: 'queue-item scheduled', 'data-entry': entry.id },
        h(
          'div',
          { class: 'queue-meta' },
          h('span', { class: 'badge scheduled' }, 'Scheduled'),
          h('time', { datetime: entry.publishedAt, title: myTime.absolute(entry.publishedAt) + ' your time' }, `${time.absolute(entry.publishedAt)}`),
          mine !== time.timeZone ? h('span', { class: 'help' }, `(${myTime.clock(entry.publishedAt)} your time)`) : null,
        ),
        h('p', { class: 'queue-text' }, entry.title ? h('strong', {}, `${entry.title} `) : null, excerpt(entry.body)),
        h(
          'div',
          { class: 'entry-actions' },
          h('button', { type: 'button', class: 'small', 'data-action': 'edit', onclick: () => this.composer.startEdit(entry) }, 'Edit'),
          h('button', {
            type: 'button',
            class: 'small danger',
            'data-action': 'delete',
            onclick: (event: Event) =>
              void confirmAction('Cancel this scheduled entry?', 'It will not be published.', 'Delete').then((yes) => {
                if (yes) void this.queueAction(event, () => api.deleteEntry(this.slug, entry.id), 'Scheduled entry deleted.');
              }),
          }, 'Delete'),
        ),
      );
    replace(
      this.queueBox,
      editor || submissions.length > 0 ? group(editor ? 'Submissions' : 'Submitted', submissions.map(draftItem), editor ? 'No submissions waiting.' : 'Nothing waiting for review.') : null,
      group('Drafts', drafts.map(draftItem), 'No drafts.'),
      editor ? group('Scheduled', this.queue.scheduled.map(scheduledItem), 'Nothing scheduled.') : null,
    );
  }

  /**
   * Approves the version shown in the queue, never a later one: if the author changed it
   * since (412), the version seen and the current one are shown side by side, and only an
   * explicit choice approves the current one. Resolves false when nothing was published.
   */
  private async approve(seen: Draft): Promise<boolean> {
    try {
      await api.publishDraft(this.slug, seen.id, seen.version);
      return true;
    } catch (error) {
      const conflict = draftConflictOf(error);
      if (!conflict) throw error;
      const current = conflict.draft;
      const choice = await showDraftConflict({
        title: 'This submission changed after you read it',
        intro: `It was changed after you read it: it is now at version ${current.version}, you read version ${seen.version}. Nothing was published.`,
        current: { label: `Now (version ${current.version})`, fields: fieldsOfDraft(current) },
        seen: { label: `What you read (version ${seen.version})`, fields: fieldsOfDraft(seen) },
        choices: current.kind === 'submitted' ? [{ action: 'approve', label: `Approve version ${current.version}`, primary: true }] : [],
      });
      if (choice !== 'approve') return false;
      return this.approve(current);
    }
  }

  private async queueAction(event: Event, run: () => Promise<unknown>, done: string): Promise<void> {
    const button = event.currentTarget instanceof HTMLButtonElement ? event.currentTarget : null;
    if (button) button.disabled = true;
    try {
      if ((await run()) === false) return;
      announce(this.feedStatus, done, 'ok');
    } catch (error) {
      announce(this.feedStatus, messageOf(error), 'error');
    } finally {
      if (button) button.disabled = false;
      await this.loadQueue();
    }
  }

  private sendBack(draft: Draft): void {
    const note = h('textarea', { id: 'return-note', rows: 3 });
    const form = h(
      'form',
      {},
      h('div', { class: 'field' }, h('label', { for: note.id }, `A note for ${draft.author.name}`), note),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Send back')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.queueAction(event, () => api.returnDraft(this.slug, draft.id, draft.version, { note: note.value }), 'Sent back.').then(() => dialog.close());
    });
    const dialog = openDialog('Send back for changes', form);
  }
}

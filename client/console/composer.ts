/**
 * The composer: a new entry, a draft or submission, or a correction of a published one.
 * What is typed is kept in localStorage on every keystroke until it is published, so a
 * reload or a lost connection loses nothing. Publishing carries one Idempotency-Key per
 * composition: a double click or a retry after a network error publishes once.
 */
import { canEdit, type Draft, type PresentEditor, type PublicUser } from '../../shared/console';
import type { Briefing, Entry, Link, Media } from '../../shared/schemas';
import { TimeFormat } from '../../shared/time-format';
import { announce, confirmAction, h, replace } from './dom';
import * as api from './api';
import { ApiError, NetworkError, messageOf, newIdempotencyKey } from './http';
import { entryContent } from './entry-card';
import { draftConflictOf, resolveConflict, showDraftConflict } from './conflict';

interface MediaDraft {
  url: string;
  alt: string;
  caption: string;
  credit: string;
}

interface LinkDraft {
  title: string;
  url: string;
}

export interface ComposerFields {
  title: string;
  body: string;
  keyEvent: boolean;
  pinned: boolean;
  media: MediaDraft[];
  links: LinkDraft[];
  sources: string;
}

/** A draft target's `draftVersion` is the version the composer holds: every save names it (If-Match). */
type DraftTarget = { kind: 'draft'; draftId: string; draftVersion: number; label: string };
type Target = { kind: 'new' } | DraftTarget | { kind: 'edit'; entryId: string; baseVersion: number };

interface Composition {
  target: Target;
  fields: ComposerFields;
  idempotencyKey: string;
  scheduleAt: string;
}

const emptyFields = (): ComposerFields => ({
  title: '',
  body: '',
  keyEvent: false,
  pinned: false,
  media: [],
  links: [],
  sources: '',
});

const fresh = (): Composition => ({ target: { kind: 'new' }, fields: emptyFields(), idempotencyKey: newIdempotencyKey(), scheduleAt: '' });

export function fieldsOfEntry(entry: Pick<Entry, 'title' | 'body' | 'keyEvent' | 'pinned' | 'media' | 'links' | 'sources'>): ComposerFields {
  return {
    title: entry.title ?? '',
    body: entry.body,
    keyEvent: entry.keyEvent,
    pinned: entry.pinned,
    media: entry.media.map((item) => ({ url: item.url, alt: item.alt, caption: item.caption ?? '', credit: item.credit ?? '' })),
    links: entry.links.map((link) => ({ ...link })),
    sources: entry.sources ?? '',
  };
}

export function fieldsOfDraft(draft: Draft): ComposerFields {
  return {
    ...emptyFields(),
    ...fieldsOfEntry({
      title: draft.fields.title ?? null,
      body: draft.fields.body,
      keyEvent: draft.fields.keyEvent ?? false,
      pinned: draft.fields.pinned ?? false,
      media: (draft.fields.media ?? []).map((item) => ({ ...item, kind: 'image' as const })),
      links: draft.fields.links ?? [],
      sources: draft.fields.sources ?? null,
    }),
  };
}

/** What the composer sends: every field of an entry, so it replaces all of them. */
export interface EntryPayload {
  body: string;
  title: string | null;
  keyEvent: boolean;
  pinned: boolean;
  media: Omit<Media, 'kind'>[];
  links: Link[];
  sources: string | null;
}

/** The API's entry fields: empty optional rows dropped, blanks as null. */
export function payloadOf(fields: ComposerFields): EntryPayload {
  return {
    body: fields.body,
    title: fields.title.trim() || null,
    keyEvent: fields.keyEvent,
    pinned: fields.pinned,
    media: fields.media
      .filter((item) => item.url.trim() || item.alt.trim())
      .map((item) => ({ url: item.url.trim(), alt: item.alt.trim(), caption: item.caption.trim() || null, credit: item.credit.trim() || null })),
    links: fields.links.filter((link) => link.url.trim() || link.title.trim()).map((link) => ({ title: link.title.trim(), url: link.url.trim() })),
    sources: fields.sources.trim() || null,
  };
}

export interface ComposerContext {
  slug: string;
  user: PublicUser;
  briefing: () => Briefing | null;
  /** Tells the others in the briefing what this editor has open (null: nothing). */
  setEditing: (id: string | null) => void;
  /** Called after anything was published, saved or submitted. */
  onSent: () => void;
}

export class Composer {
  readonly root = h('section', { class: 'composer panel', 'aria-labelledby': 'composer-heading' });
  /** A correction in progress; when there is none, the composer shows the new entry. */
  private edit: Composition | null;
  private compose: Composition;
  private present: PresentEditor[] = [];
  private readonly status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly warning = h('div', { class: 'warning', role: 'alert', hidden: true });
  private readonly preview = h('div', { class: 'preview-body entry' });
  private previewTimer: number | undefined;
  private previewRequest = 0;
  private busy = false;

  constructor(private readonly context: ComposerContext) {
    this.compose = this.load('compose') ?? fresh();
    this.edit = this.load('edit');
    this.root.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void this.primary();
      }
    });
    this.render();
    if (this.edit?.target.kind === 'edit') context.setEditing(this.edit.target.entryId);
  }

  private get current(): Composition {
    return this.edit ?? this.compose;
  }

  private storageKey(slot: 'compose' | 'edit'): string {
    return `livebrief.console.${this.context.user.id}.${this.context.slug}.${slot}`;
  }

  private load(slot: 'compose' | 'edit'): Composition | null {
    try {
      const raw = localStorage.getItem(this.storageKey(slot));
      return raw ? (JSON.parse(raw) as Composition) : null;
    } catch {
      return null;
    }
  }

  /** Written on every change: this is what survives a reload or a crash. */
  private persist(): void {
    try {
      localStorage.setItem(this.storageKey('compose'), JSON.stringify(this.compose));
      if (this.edit) localStorage.setItem(this.storageKey('edit'), JSON.stringify(this.edit));
      else localStorage.removeItem(this.storageKey('edit'));
    } catch {
      announce(this.status, 'This browser does not keep the text (storage is full or off): publish or save a draft soon.', 'error');
    }
  }

  get editingEntryId(): string | null {
    return this.edit?.target.kind === 'edit' ? this.edit.target.entryId : null;
  }

  /** Opens a published entry for correction. */
  startEdit(entry: Entry): void {
    this.edit = { target: { kind: 'edit', entryId: entry.id, baseVersion: entry.version }, fields: fieldsOfEntry(entry), idempotencyKey: '', scheduleAt: '' };
    this.persist();
    this.context.setEditing(entry.id);
    this.render();
    this.focusBody();
  }

  /** Opens a draft or a submission in the composer (the text composed so far is replaced only if empty). */
  openDraft(draft: Draft): void {
    if (this.compose.fields.body.trim() && !(this.compose.target.kind === 'draft' && this.compose.target.draftId === draft.id)) {
      announce(this.status, 'Publish, save or clear what is in the composer first: it would be replaced.', 'error');
      this.focusBody();
      return;
    }
    const label = draft.kind === 'submitted' ? `Submission by ${draft.author.name}` : draft.kind === 'returned' ? 'Sent back to you' : `Draft by ${draft.author.name}`;
    this.edit = null;
    this.compose = {
      target: { kind: 'draft', draftId: draft.id, draftVersion: draft.version, label },
      fields: fieldsOfDraft(draft),
      idempotencyKey: newIdempotencyKey(),
      scheduleAt: '',
    };
    this.persist();
    this.context.setEditing(null);
    this.render();
    this.focusBody();
  }

  /** Presence changed: warn when someone else has the entry being corrected open. */
  setPresence(present: PresentEditor[]): void {
    this.present = present;
    this.updateWarning();
  }

  private updateWarning(): void {
    const id = this.editingEntryId;
    const others = id ? this.present.filter((person) => person.editing === id && person.userId !== this.context.user.id) : [];
    this.warning.hidden = others.length === 0;
    replace(
      this.warning,
      others.length > 0
        ? `${others.map((person) => person.name).join(' and ')} ${others.length === 1 ? 'is' : 'are'} editing this entry too. If they save first you will be shown both versions to choose from.`
        : '',
    );
  }

  private focusBody(): void {
    this.root.querySelector<HTMLTextAreaElement>('textarea[name="body"]')?.focus();
  }

  // ---------- drawing ----------

  private render(): void {
    const composition = this.current;
    const fields = composition.fields;
    const target = composition.target;
    const editor = canEdit(this.context.user.role);
    const onInput = (): void => {
      this.persist();
      this.schedulePreview();
    };
    const text = (name: 'title' | 'sources', label: string, placeholder: string): HTMLElement => {
      const input = h('input', { id: `composer-${name}`, name, type: 'text', value: fields[name], placeholder, autocomplete: 'off' });
      input.addEventListener('input', () => {
        fields[name] = input.value;
        onInput();
      });
      return h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
    };
    const body = h('textarea', {
      id: 'composer-body',
      name: 'body',
      rows: 8,
      required: true,
      'aria-describedby': 'composer-body-help',
      placeholder: 'What happened? Markdown: **bold**, _italic_, [link](https://…), > quote',
    });
    body.value = fields.body;
    body.addEventListener('input', () => {
      fields.body = body.value;
      onInput();
    });
    const toggle = (name: 'keyEvent' | 'pinned', label: string): HTMLElement => {
      const box = h('input', { type: 'checkbox', id: `composer-${name}`, checked: fields[name] });
      box.addEventListener('change', () => {
        fields[name] = box.checked;
        onInput();
      });
      return h('label', { class: 'check', for: box.id }, box, ` ${label}`);
    };

    const heading =
      target.kind === 'edit'
        ? `Correcting an entry (version ${target.baseVersion})`
        : target.kind === 'draft'
          ? target.label
          : editor
            ? 'New entry'
            : 'New entry for review';

    replace(
      this.root,
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'composer-heading' }, heading),
        target.kind !== 'new'
          ? h('button', { type: 'button', class: 'link', onclick: () => this.leaveTarget() }, target.kind === 'edit' ? 'Cancel correction' : 'Start a new entry')
          : null,
      ),
      this.warning,
      h(
        'div',
        { class: 'composer-grid' },
        h(
          'div',
          { class: 'composer-form' },
          text('title', 'Title (optional)', 'A headline for this update'),
          h(
            'div',
            { class: 'field' },
            h('label', { for: body.id }, 'Text'),
            body,
            h('p', { id: 'composer-body-help', class: 'help' }, 'Markdown. ', h('kbd', {}, navigator.platform.startsWith('Mac') ? '⌘' : 'Ctrl'), '+', h('kbd', {}, 'Enter'), editor ? ' publishes.' : ' submits.'),
          ),
          h('div', { class: 'toggles' }, toggle('keyEvent', 'Key event'), editor ? toggle('pinned', 'Pin to top') : null),
          this.mediaSection(fields, onInput),
          this.linksSection(fields, onInput),
          text('sources', 'Sources', 'With reporting by …'),
          this.actions(composition),
          this.status,
        ),
        h('div', { class: 'composer-preview', 'aria-label': 'Preview as readers will see it' }, h('h3', { class: 'preview-label' }, 'Preview'), this.preview),
      ),
    );
    this.updateWarning();
    this.schedulePreview(0);
  }

  private mediaSection(fields: ComposerFields, onInput: () => void): HTMLElement {
    const list = h('div', { class: 'rows' });
    const draw = (): void => {
      replace(
        list,
        ...fields.media.map((item, index) => {
          const input = (name: keyof MediaDraft, label: string, type = 'text', required = false): HTMLElement => {
            const id = `media-${index}-${name}`;
            const element = h('input', { id, type, value: item[name], required, autocomplete: 'off' });
            element.addEventListener('input', () => {
              item[name] = element.value;
              onInput();
            });
            return h('div', { class: 'field' }, h('label', { for: id }, label), element);
          };
          return h(
            'fieldset',
            { class: 'row' },
            h('legend', {}, `Image ${index + 1}`),
            input('url', 'Image URL', 'url', true),
            input('alt', 'Alt text (required: describe the image)', 'text', true),
            input('caption', 'Caption'),
            input('credit', 'Credit'),
            h('button', { type: 'button', class: 'link danger', onclick: () => { fields.media.splice(index, 1); onInput(); draw(); } }, 'Remove image'),
          );
        }),
      );
      summary.textContent = `Images (${fields.media.length})`;
    };
    const summary = h('summary', {}, '');
    draw();
    return h(
      'details',
      { class: 'extras', open: fields.media.length > 0 },
      summary,
      list,
      h('button', { type: 'button', class: 'small', onclick: () => { fields.media.push({ url: '', alt: '', caption: '', credit: '' }); onInput(); draw(); } }, 'Add image'),
    );
  }

  private linksSection(fields: ComposerFields, onInput: () => void): HTMLElement {
    const list = h('div', { class: 'rows' });
    const summary = h('summary', {}, '');
    const draw = (): void => {
      replace(
        list,
        ...fields.links.map((link, index) => {
          const input = (name: keyof LinkDraft, label: string, type: string): HTMLElement => {
            const id = `link-${index}-${name}`;
            const element = h('input', { id, type, value: link[name], autocomplete: 'off' });
            element.addEventListener('input', () => {
              link[name] = element.value;
              onInput();
            });
            return h('div', { class: 'field' }, h('label', { for: id }, label), element);
          };
          return h(
            'fieldset',
            { class: 'row link-row' },
            h('legend', {}, `Link ${index + 1}`),
            input('title', 'Link text', 'text'),
            input('url', 'URL', 'url'),
            h('button', { type: 'button', class: 'link danger', onclick: () => { fields.links.splice(index, 1); onInput(); draw(); } }, 'Remove link'),
          );
        }),
      );
      summary.textContent = `See also (${fields.links.length})`;
    };
    draw();
    return h(
      'details',
      { class: 'extras', open: fields.links.length > 0 },
      summary,
      list,
      h('button', { type: 'button', class: 'small', onclick: () => { fields.links.push({ title: '', url: '' }); onInput(); draw(); } }, 'Add link'),
    );
  }

  private actions(composition: Composition): HTMLElement {
    const editor = canEdit(this.context.user.role);
    const target = composition.target;
    if (target.kind === 'edit') {
      return h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', 'data-action': 'primary', onclick: () => void this.primary() }, 'Save correction'));
    }
    const scheduleInput = h('input', { id: 'composer-schedule', type: 'datetime-local', value: composition.scheduleAt, step: 60 });
    const scheduleNote = h('p', { class: 'help', id: 'composer-schedule-note', 'aria-live': 'polite' });
    const describe = (): void => {
      composition.scheduleAt = scheduleInput.value;
      this.persist();
      scheduleNote.textContent = this.describeSchedule(scheduleInput.value);
    };
    scheduleInput.addEventListener('input', describe);
    scheduleInput.addEventListener('change', describe);
    scheduleNote.textContent = this.describeSchedule(composition.scheduleAt);
    const scheduleBox = h(
      'details',
      { class: 'schedule', open: Boolean(composition.scheduleAt) },
      h('summary', {}, 'Schedule for later'),
      h(
        'div',
        { class: 'schedule-row' },
        h('div', { class: 'field' }, h('label', { for: scheduleInput.id }, 'Publish at (your time)'), scheduleInput),
        h('button', { type: 'button', 'data-action': 'schedule', onclick: () => void this.publish(scheduleInput.value) }, 'Schedule'),
      ),
      scheduleNote,
    );
    return h(
      'div',
      { class: 'actions-block' },
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-action': 'primary', onclick: () => void this.primary() }, editor ? 'Publish now' : 'Submit for review'),
        h('button', { type: 'button', 'data-action': 'save-draft', onclick: () => void this.saveDraft() }, 'Save draft'),
        h('button', { type: 'button', class: 'link', onclick: () => void this.clear() }, 'Clear'),
      ),
      editor ? scheduleBox : null,
    );
  }

  /** "27 Nov, 16:05 EET in the briefing's zone (Europe/Kyiv) · 14:05 GMT your time". */
  private describeSchedule(value: string): string {
    if (!value) return '';
    const at = new Date(value);
    if (Number.isNaN(at.getTime())) return '';
    const briefing = this.context.briefing();
    const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const zone = briefing?.timeZone ?? 'UTC';
    const inBriefing = new TimeFormat(briefing?.locale ?? 'en', undefined, zone).absolute(at.toISOString());
    const inMine = new TimeFormat(navigator.language, undefined, mine).absolute(at.toISOString());
    const past = at.getTime() <= Date.now() ? ' This is in the past: it would publish at once.' : '';
    return `Readers see ${inBriefing} (${zone}); that is ${inMine} for you.${past}`;
  }

  private schedulePreview(delayMs = 200): void {
    window.clearTimeout(this.previewTimer);
    this.previewTimer = window.setTimeout(() => void this.renderPreview(), delayMs);
  }

  /** The preview is rendered by the server's own Markdown renderer and sanitizer. */
  private async renderPreview(): Promise<void> {
    const fields = this.current.fields;
    const request = ++this.previewRequest;
    if (!fields.body.trim() && !fields.title.trim()) {
      replace(this.preview, h('p', { class: 'empty' }, 'The entry will appear here as readers will see it.'));
      return;
    }
    try {
      const { html } = await api.preview({ body: fields.body });
      if (request !== this.previewRequest) return;
      const payload = payloadOf(fields);
      replace(
        this.preview,
        h('div', { class: 'entry-meta' }, fields.keyEvent ? h('span', { class: 'badge key' }, 'Key event') : null, fields.pinned ? h('span', { class: 'badge pin' }, 'Pinned') : null),
        entryContent({
          title: fields.title.trim() || null,
          html,
          media: payload.media.filter((item) => /^https?:\/\//.test(item.url)).map((item) => ({ ...item, kind: 'image' as const })),
          links: payload.links.filter((link) => /^https?:\/\//.test(link.url)),
          sources: fields.sources.trim() || null,
        }),
      );
    } catch {
      // The preview is a convenience: the composer keeps working without it.
    }
  }

  // ---------- sending ----------

  private primary(): Promise<void> {
    const target = this.current.target;
    if (target.kind === 'edit') return this.saveCorrection();
    if (!canEdit(this.context.user.role)) return this.saveDraft('submitted');
    return this.publish(null);
  }

  /** One request at a time, and the buttons say so: the first line of defence against double clicks. */
  private async send(label: string, work: () => Promise<string>): Promise<void> {
    if (this.busy) return;
    if (!this.current.fields.body.trim()) {
      announce(this.status, 'Write the text of the entry first.', 'error');
      this.focusBody();
      return;
    }
    this.busy = true;
    const buttons = [...this.root.querySelectorAll<HTMLButtonElement>('.actions button')];
    for (const button of buttons) button.disabled = true;
    this.root.setAttribute('aria-busy', 'true');
    announce(this.status, `${label}…`);
    try {
      const done = await work();
      announce(this.status, done, 'ok');
      this.context.onSent();
    } catch (error) {
      if (error instanceof NetworkError) {
        announce(this.status, 'Not sent: no connection to the server. Your text is kept here; try again (it will not be published twice).', 'error');
      } else {
        announce(this.status, messageOf(error), 'error');
      }
    } finally {
      this.busy = false;
      this.root.removeAttribute('aria-busy');
      for (const button of this.root.querySelectorAll<HTMLButtonElement>('.actions button')) button.disabled = false;
    }
  }

  private publish(scheduleAt: string | null): Promise<void> {
    const composition = this.compose;
    const at = scheduleAt ? new Date(scheduleAt) : null;
    if (scheduleAt !== null && (!at || Number.isNaN(at.getTime()))) {
      announce(this.status, 'Pick the date and time to publish at.', 'error');
      return Promise.resolve();
    }
    const publishAt = at ? at.toISOString() : undefined;
    return this.send(at ? 'Scheduling' : 'Publishing', async () => {
      const target = composition.target;
      if (target.kind === 'draft') {
        const saved = await this.saveOntoDraft(composition, target);
        if (!saved) return 'Not published yet: the text is kept in the composer.';
        // Publishes exactly the version just saved: a change in between is refused (412).
        await api.publishDraft(this.context.slug, target.draftId, saved.version, publishAt ? { publishAt } : {});
      } else {
        await api.createEntry(this.context.slug, { ...payloadOf(composition.fields), ...(publishAt ? { publishAt } : {}) }, composition.idempotencyKey);
      }
      this.reset();
      return at && at.getTime() > Date.now() ? `Scheduled: ${this.describeSchedule(scheduleAt ?? '')}` : 'Published. Readers have it now.';
    });
  }

  private saveDraft(kind: 'draft' | 'submitted' = 'draft'): Promise<void> {
    const composition = this.compose;
    return this.send(kind === 'submitted' ? 'Submitting' : 'Saving the draft', async () => {
      const target = composition.target;
      const fields = payloadOf(composition.fields);
      if (target.kind === 'draft') {
        if (!(await this.saveOntoDraft(composition, target, kind))) return 'Not saved yet: the text is kept in the composer.';
      } else {
        const { draft } = await api.createDraft(this.context.slug, { kind, fields });
        composition.target = { kind: 'draft', draftId: draft.id, draftVersion: draft.version, label: `Draft by ${draft.author.name}` };
      }
      if (kind === 'submitted') {
        this.reset();
        return 'Submitted. An editor will review it; you will see it in the queue until then.';
      }
      this.persist();
      this.render();
      return 'Draft saved. Only editors of this briefing can see it.';
    });
  }

  /**
   * Saves the composer onto its draft at the version it holds. If the draft was saved by
   * someone else meanwhile (412), both are shown and nothing is overwritten without a
   * choice. Resolves with the saved draft, or null when nothing was saved.
   */
  private async saveOntoDraft(composition: Composition, target: DraftTarget, kind?: 'draft' | 'submitted'): Promise<Draft | null> {
    try {
      const { draft } = await api.updateDraft(this.context.slug, target.draftId, target.draftVersion, { ...(kind ? { kind } : {}), fields: payloadOf(composition.fields) });
      target.draftVersion = draft.version;
      this.persist();
      return draft;
    } catch (error) {
      const conflict = draftConflictOf(error);
      if (!conflict) throw error;
      const choice = await showDraftConflict({
        title: 'Someone else saved this draft first',
        intro: `It is now at version ${conflict.draft.version}; you opened version ${conflict.seenVersion}. Nothing of yours is lost. Choose which text to keep.`,
        current: { label: `Saved meanwhile (version ${conflict.draft.version})`, fields: fieldsOfDraft(conflict.draft) },
        seen: { label: 'Yours (not saved)', fields: composition.fields },
        choices: [
          { action: 'mine', label: 'Use mine', primary: true },
          { action: 'theirs', label: 'Take the saved version' },
        ],
      });
      if (choice === 'mine') {
        target.draftVersion = conflict.draft.version;
        // Still guarded: if yet another save came in meanwhile, this asks again.
        return this.saveOntoDraft(composition, target, kind);
      }
      if (choice === 'theirs') {
        composition.fields = fieldsOfDraft(conflict.draft);
        target.draftVersion = conflict.draft.version;
        this.persist();
        this.render();
      }
      return null;
    }
  }

  private saveCorrection(): Promise<void> {
    const composition = this.edit;
    if (!composition || composition.target.kind !== 'edit') return Promise.resolve();
    const target = composition.target;
    return this.send('Saving the correction', async () => {
      const { slug } = this.context;
      try {
        await api.updateEntry(slug, target.entryId, payloadOf(composition.fields), target.baseVersion);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 412)) throw error;
        // Someone saved first: never overwrite silently. Show both and let the editor decide.
        const outcome = await resolveConflict(slug, target.entryId, composition.fields, this.context.briefing());
        if (outcome.kind === 'cancel') {
          this.render();
          return 'Not saved yet: your version is kept in the composer.';
        }
        if (outcome.kind === 'theirs') {
          this.finishEdit();
          return 'Kept their version; yours is discarded.';
        }
        composition.fields = outcome.fields;
        target.baseVersion = outcome.version;
        this.persist();
        // Still guarded: if yet another save came in meanwhile, this is a 412 again.
        await api.updateEntry(slug, target.entryId, payloadOf(outcome.fields), outcome.version);
      }
      this.finishEdit();
      return 'Correction saved. Readers see it as updated.';
    });
  }

  private finishEdit(): void {
    this.edit = null;
    this.persist();
    this.context.setEditing(null);
    this.render();
  }

  private leaveTarget(): void {
    if (this.edit) {
      this.finishEdit();
      return;
    }
    this.reset();
  }

  private async clear(): Promise<void> {
    if (this.compose.fields.body.trim() && !(await confirmAction('Clear the composer?', 'The text and everything else in the composer will be gone.', 'Clear'))) return;
    this.reset();
  }

  /** After publishing: an empty composer with a new Idempotency-Key. */
  private reset(): void {
    this.compose = fresh();
    this.persist();
    this.render();
  }
}

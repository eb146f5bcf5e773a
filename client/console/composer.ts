/**
 * The composer on the page: the form for a new entry, a draft or submission, or a
 * correction of a published one, its preview, and its buttons. What is typed is kept in
 * localStorage on every keystroke until it is sent, so a reload or a lost connection loses
 * nothing. The model is composition.ts, the inputs composer-form.ts, the sending
 * composer-sending.ts.
 */
import { canEdit, type BylineChoice, type Draft, type PresentEditor, type PublicUser } from '../../shared/console';
import * as api from './api';
import type { Briefing, Entry } from '../../shared/schemas';
import { Sending } from './composer-sending';
import { describeSchedule, fieldInputs } from './composer-form';
import { Preview } from './composer-preview';
import { draftTarget, fieldsOfDraft, fieldsOfEntry, freshComposition, type Composition } from './composition';
import { CompositionStorage } from './composition-storage';
import { announce, confirmAction, h, replace } from './dom';
import { NetworkError, messageOf, newIdempotencyKey } from './http';

const fresh = (): Composition => freshComposition(newIdempotencyKey());

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
  private readonly preview = new Preview(() => this.current.fields);
  private busy = false;
  private readonly sending: Sending;
  private readonly storage: CompositionStorage;
  /** Whose byline a new entry is published under (editors): '' is oneself until the list of accounts is in. */
  private readonly byline = h('select', { id: 'composer-byline', 'aria-describedby': 'composer-byline-help' });

  constructor(private readonly context: ComposerContext) {
    this.sending = new Sending({
      slug: context.slug,
      authorId: () => (this.byline.value && this.byline.value !== context.user.id ? this.byline.value : undefined),
      briefing: context.briefing,
      persist: () => this.persist(),
      render: () => this.render(),
      reset: () => this.reset(),
      finishEdit: () => this.finishEdit(),
    });
    this.storage = new CompositionStorage(context.user.id, context.slug);
    this.compose = this.storage.load('compose') ?? fresh();
    this.edit = this.storage.load('edit');
    this.root.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void this.primary();
      }
    });
    replace(this.byline, h('option', { value: '' }, `${context.user.name} (you)`));
    if (canEdit(context.user.role)) {
      api
        .listBylines()
        .then(({ bylines }) => this.fillBylines(bylines))
        .catch(() => undefined);
    }
    this.render();
    if (this.edit?.target.kind === 'edit') context.setEditing(this.edit.target.entryId);
  }

  /** Oneself first, then everyone else by name, each with their role line. */
  private fillBylines(bylines: BylineChoice[]): void {
    const label = (choice: BylineChoice): string => (choice.roleLine ? `${choice.name} · ${choice.roleLine}` : choice.name);
    const me = bylines.find((choice) => choice.id === this.context.user.id);
    const others = bylines.filter((choice) => choice.id !== this.context.user.id).sort((a, b) => a.name.localeCompare(b.name));
    const chosen = this.byline.value;
    replace(
      this.byline,
      h('option', { value: '' }, me ? `${label(me)} (you)` : `${this.context.user.name} (you)`),
      ...others.map((choice) => h('option', { value: choice.id, selected: choice.id === chosen }, label(choice))),
    );
  }

  private get current(): Composition {
    return this.edit ?? this.compose;
  }

  /** Written on every change: this is what survives a reload or a crash. */
  private persist(): void {
    if (!this.storage.save(this.compose, this.edit)) {
      announce(this.status, 'This browser does not keep the text (storage is full or off): publish or save a draft soon.', 'error');
    }
  }

  get editingEntryId(): string | null {
    return this.edit?.target.kind === 'edit' ? this.edit.target.entryId : null;
  }

  /** Opens a published entry for correction. */
  startEdit(entry: Entry): void {
    this.edit = {
      target: { kind: 'edit', entryId: entry.id, baseVersion: entry.version },
      fields: fieldsOfEntry(entry),
      idempotencyKey: '',
      scheduleAt: '',
    };
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
    this.edit = null;
    this.compose = { ...fresh(), target: draftTarget(draft), fields: fieldsOfDraft(draft) };
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
      this.preview.schedule();
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
          ? h(
              'button',
              { type: 'button', class: 'link', onclick: () => this.leaveTarget() },
              target.kind === 'edit' ? 'Cancel correction' : 'Start a new entry',
            )
          : null,
      ),
      this.warning,
      h(
        'div',
        { class: 'composer-grid' },
        h('div', { class: 'composer-form' }, ...fieldInputs(fields, editor, onInput), this.actions(composition), this.status),
        h(
          'div',
          { class: 'composer-preview', 'aria-label': 'Preview as readers will see it' },
          h('h3', { class: 'preview-label' }, 'Preview'),
          this.preview.element,
        ),
      ),
    );
    this.updateWarning();
    this.preview.schedule(0);
  }

  private actions(composition: Composition): HTMLElement {
    const editor = canEdit(this.context.user.role);
    const target = composition.target;
    if (target.kind === 'edit') {
      return h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-action': 'primary', onclick: () => void this.primary() }, 'Save correction'),
      );
    }
    const scheduleInput = h('input', { id: 'composer-schedule', type: 'datetime-local', value: composition.scheduleAt, step: 60 });
    const scheduleNote = h('p', { class: 'help', id: 'composer-schedule-note', 'aria-live': 'polite' });
    const describe = (): void => {
      composition.scheduleAt = scheduleInput.value;
      this.persist();
      scheduleNote.textContent = describeSchedule(scheduleInput.value, this.context.briefing());
    };
    scheduleInput.addEventListener('input', describe);
    scheduleInput.addEventListener('change', describe);
    scheduleNote.textContent = describeSchedule(composition.scheduleAt, this.context.briefing());
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
        h(
          'button',
          { type: 'button', class: 'primary', 'data-action': 'primary', onclick: () => void this.primary() },
          editor ? 'Publish now' : 'Submit for review',
        ),
        h('button', { type: 'button', 'data-action': 'save-draft', onclick: () => void this.saveDraft() }, 'Save draft'),
        h('button', { type: 'button', class: 'link', onclick: () => void this.clear() }, 'Clear'),
      ),
      editor && target.kind === 'new'
        ? h(
            'div',
            { class: 'field byline' },
            h('label', { for: this.byline.id }, 'Byline'),
            this.byline,
            h('p', { class: 'help', id: 'composer-byline-help' }, 'Publish under your own name or on behalf of a colleague.'),
          )
        : null,
      editor ? scheduleBox : null,
    );
  }

  /** "27 Nov, 16:05 EET in the briefing's zone (Europe/Kyiv) · 14:05 GMT your time". */
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
        announce(
          this.status,
          'Not sent: no connection to the server. Your text is kept here; try again (it will not be published twice).',
          'error',
        );
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
    return this.send(at ? 'Scheduling' : 'Publishing', () =>
      this.sending.publish(composition, at, () => describeSchedule(scheduleAt ?? '', this.context.briefing())),
    );
  }

  private saveDraft(kind: 'draft' | 'submitted' = 'draft'): Promise<void> {
    const composition = this.compose;
    return this.send(kind === 'submitted' ? 'Submitting' : 'Saving the draft', () => this.sending.saveDraft(composition, kind));
  }

  private saveCorrection(): Promise<void> {
    const composition = this.edit;
    if (!composition || composition.target.kind !== 'edit') return Promise.resolve();
    const target = composition.target;
    return this.send('Saving the correction', () => this.sending.saveCorrection(composition, target));
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
    if (
      this.compose.fields.body.trim() &&
      !(await confirmAction('Clear the composer?', 'The text and everything else in the composer will be gone.', 'Clear'))
    )
      return;
    this.reset();
  }

  /** After publishing: an empty composer with a new Idempotency-Key. */
  private reset(): void {
    this.compose = fresh();
    this.persist();
    this.render();
  }
}

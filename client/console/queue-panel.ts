/**
 * The queue panel: what of a briefing waits (drafts, submissions, scheduled entries), with
 * opening, approving, sending back and discarding each. Approval is of the version shown.
 */
import type { Draft, Queue } from '../../shared/console';
import type { Entry } from '../../shared/schemas';
import { TimeFormat } from '../../shared/time-format';
import * as api from './api';
import { fieldsOfDraft } from './composition';
import { draftConflictOf, showDraftConflict } from './conflict';
import { confirmAction, h, openDialog, replace } from './dom';
import { excerpt } from './entry-card';
import { messageOf } from './http';
import type { Report } from './workspace-header';

export interface QueueContext {
  slug: string;
  /** The person may publish: they see submissions to review and scheduled entries. */
  editor: boolean;
  /** The briefing's time format: queue times are in its zone. */
  time: () => TimeFormat;
  openDraft: (draft: Draft) => void;
  startEdit: (entry: Entry) => void;
  report: Report;
}

export class QueuePanel {
  private readonly body = h('div', { class: 'queue-body' });
  readonly root: HTMLElement;
  /** As last fetched. */
  queue: Queue = { drafts: [], scheduled: [] };

  constructor(private readonly context: QueueContext) {
    this.root = h(
      'section',
      { class: 'panel queue', 'aria-labelledby': 'queue-heading' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'queue-heading' }, context.editor ? 'Waiting' : 'Your drafts and submissions')),
      this.body,
    );
  }

  /** Fetches the queue again and draws it. */
  async load(): Promise<void> {
    try {
      this.queue = await api.getQueue(this.context.slug);
      this.draw();
    } catch (error) {
      replace(this.body, h('p', { class: 'status error' }, messageOf(error)));
    }
  }

  /** Draws the queue as last fetched (times in the briefing's zone as it is now). */
  draw(): void {
    const editor = this.context.editor;
    const submissions = this.queue.drafts.filter((draft) => draft.kind === 'submitted');
    const drafts = this.queue.drafts.filter((draft) => draft.kind !== 'submitted');
    const time = this.context.time();
    const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const myTime = new TimeFormat(navigator.language, undefined, mine);
    const group = (title: string, items: HTMLElement[], empty: string): HTMLElement =>
      h(
        'div',
        { class: 'queue-group' },
        h('h3', {}, `${title} (${items.length})`),
        items.length > 0 ? h('ul', { class: 'queue-list' }, ...items) : h('p', { class: 'empty' }, empty),
      );
    const draftItem = (draft: Draft): HTMLElement =>
      h(
        'li',
        { class: `queue-item ${draft.kind}`, 'data-draft': draft.id },
        h(
          'div',
          { class: 'queue-meta' },
          h(
            'span',
            { class: `badge ${draft.kind}` },
            draft.kind === 'submitted' ? 'For review' : draft.kind === 'returned' ? 'Sent back' : 'Draft',
          ),
          h('span', { class: 'author' }, draft.author.name),
          h('time', { datetime: draft.updatedAt }, time.clock(draft.updatedAt)),
        ),
        h('p', { class: 'queue-text' }, draft.fields.title ? h('strong', {}, `${draft.fields.title} `) : null, excerpt(draft.fields.body)),
        draft.note ? h('p', { class: 'note' }, `Note: ${draft.note}`) : null,
        h(
          'div',
          { class: 'entry-actions' },
          h('button', { type: 'button', class: 'small', 'data-action': 'open', onclick: () => this.context.openDraft(draft) }, 'Open'),
          editor && draft.kind === 'submitted'
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'small primary',
                  'data-action': 'approve',
                  onclick: (event: Event) => void this.act(event, () => this.approve(draft), 'Approved and published.'),
                },
                'Approve & publish',
              )
            : null,
          editor && draft.kind === 'submitted'
            ? h('button', { type: 'button', class: 'small', 'data-action': 'return', onclick: () => this.sendBack(draft) }, 'Send back')
            : null,
          this.confirmed(
            'discard',
            'Discard',
            ['Discard this draft?', 'It will be gone for everyone.', 'Discard'],
            () => api.deleteDraft(this.context.slug, draft.id, draft.version),
            'Discarded.',
          ),
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
          h(
            'time',
            { datetime: entry.publishedAt, title: myTime.absolute(entry.publishedAt) + ' your time' },
            `${time.absolute(entry.publishedAt)}`,
          ),
          mine !== time.timeZone ? h('span', { class: 'help' }, `(${myTime.clock(entry.publishedAt)} your time)`) : null,
        ),
        h('p', { class: 'queue-text' }, entry.title ? h('strong', {}, `${entry.title} `) : null, excerpt(entry.body)),
        h(
          'div',
          { class: 'entry-actions' },
          h('button', { type: 'button', class: 'small', 'data-action': 'edit', onclick: () => this.context.startEdit(entry) }, 'Edit'),
          this.confirmed(
            'delete',
            'Delete',
            ['Cancel this scheduled entry?', 'It will not be published.', 'Delete'],
            () => api.deleteEntry(this.context.slug, entry.id),
            'Scheduled entry deleted.',
          ),
        ),
      );
    replace(
      this.body,
      editor || submissions.length > 0
        ? group(
            editor ? 'Submissions' : 'Submitted',
            submissions.map(draftItem),
            editor ? 'No submissions waiting.' : 'Nothing waiting for review.',
          )
        : null,
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
      await api.publishDraft(this.context.slug, seen.id, seen.version);
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

  /** A button for an action that cannot be undone: it asks first (`question`: title, text, confirming label). */
  private confirmed(
    action: string,
    label: string,
    question: [string, string, string],
    run: () => Promise<unknown>,
    done: string,
  ): HTMLElement {
    const ask = (event: Event): void =>
      void confirmAction(...question).then((yes) => {
        if (yes) void this.act(event, run, done);
      });
    return h('button', { type: 'button', class: 'small danger', 'data-action': action, onclick: ask }, label);
  }

  /** Runs an action of a queue item, its button disabled meanwhile, then fetches the queue again. */
  private async act(event: Event, run: () => Promise<unknown>, done: string): Promise<void> {
    const button = event.currentTarget instanceof HTMLButtonElement ? event.currentTarget : null;
    if (button) button.disabled = true;
    try {
      if ((await run()) === false) return;
      this.context.report(done, 'ok');
    } catch (error) {
      this.context.report(messageOf(error), 'error');
    } finally {
      if (button) button.disabled = false;
      await this.load();
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
      void this.act(event, () => api.returnDraft(this.context.slug, draft.id, draft.version, { note: note.value }), 'Sent back.').then(() =>
        dialog.close(),
      );
    });
    const dialog = openDialog('Send back for changes', form);
  }
}

/**
 * A correction saved on a stale version (412): both versions side by side, and the editor
 * chooses theirs, keeps theirs, or merges. Nothing is overwritten without that choice,
 * and the editor's text stays in the composer (and its storage) until one is made.
 */
import type { DraftConflictBody } from '../../shared/console';
import type { Briefing } from '../../shared/schemas';
import { TimeFormat } from '../../shared/time-format';
import { h, openDialog } from './dom';
import * as api from './api';
import { ApiError } from './http';
import { fieldsOfEntry, type ComposerFields } from './composition';

export type ConflictOutcome =
  | { kind: 'cancel' }
  | { kind: 'theirs' }
  /** Save these fields on top of `version` (the one now published). */
  | { kind: 'save'; fields: ComposerFields; version: number };

/**
 * A first merge to start from: their lines in their order, with each of mine that they do
 * not have inserted after the line it followed in mine. The editor reviews it before saving.
 */
export function mergeLines(theirs: string, mine: string): string {
  const result = theirs.split('\n');
  const present = new Set(result);
  let anchor = -1;
  for (const line of mine.split('\n')) {
    const at = result.indexOf(line, anchor + 1);
    if (present.has(line) && at !== -1) {
      anchor = at;
      continue;
    }
    result.splice(anchor + 1, 0, line);
    anchor += 1;
    present.add(line);
  }
  return result.join('\n');
}

function sideBySide(label: string, fields: ComposerFields, other: ComposerFields, className: string): HTMLElement {
  const otherLines = new Set(other.body.split('\n'));
  return h(
    'section',
    { class: `version ${className}`, 'aria-label': label },
    h('h3', {}, label),
    fields.title || other.title
      ? h('p', { class: fields.title === other.title ? 'version-title' : 'version-title differs' }, fields.title || '(no title)')
      : null,
    h(
      'pre',
      { class: 'version-body' },
      ...fields.body.split('\n').map((line) => h('span', { class: otherLines.has(line) ? 'same' : 'differs' }, `${line}\n`)),
    ),
    fields.sources || other.sources ? h('p', { class: 'version-sources' }, fields.sources || '(no sources line)') : null,
    fields.embeds || other.embeds
      ? h(
          'pre',
          { class: fields.embeds === other.embeds ? 'version-embeds' : 'version-embeds differs' },
          fields.embeds || '(no embedded posts)',
        )
      : null,
  );
}

export async function resolveConflict(
  slug: string,
  entryId: string,
  mine: ComposerFields,
  briefing: Briefing | null,
): Promise<ConflictOutcome> {
  const { entry } = await api.getEntry(slug, entryId);
  const theirs = fieldsOfEntry(entry);
  const time = new TimeFormat(briefing?.locale ?? 'en', undefined, briefing?.timeZone ?? 'UTC');
  return new Promise((resolve) => {
    let outcome: ConflictOutcome = { kind: 'cancel' };
    const mergedTitle = h('input', { id: 'merge-title', type: 'text', value: mine.title || theirs.title });
    const mergedBody = h('textarea', { id: 'merge-body', rows: 10 });
    mergedBody.value = mergeLines(theirs.body, mine.body);
    const mergeBox = h(
      'div',
      { class: 'merge', hidden: true },
      h('h3', {}, 'Merged version'),
      h('p', { class: 'help' }, 'Their lines, with yours added where they were. Edit until it is right, then save.'),
      h('div', { class: 'field' }, h('label', { for: mergedTitle.id }, 'Title'), mergedTitle),
      h('div', { class: 'field' }, h('label', { for: mergedBody.id }, 'Text'), mergedBody),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            'data-action': 'save-merge',
            onclick: () => {
              outcome = { kind: 'save', version: entry.version, fields: { ...mine, title: mergedTitle.value, body: mergedBody.value } };
              dialog.close();
            },
          },
          'Save merged version',
        ),
      ),
    );
    const body = h(
      'div',
      { class: 'conflict' },
      h(
        'p',
        { class: 'warning' },
        `This entry was changed while you were editing it: it is now at version ${entry.version}`,
        entry.updatedAt ? `, saved ${time.clock(entry.updatedAt)} (${briefing?.timeZone ?? 'UTC'})` : '',
        '. Nothing of yours is lost. Choose what readers should see.',
      ),
      h(
        'div',
        { class: 'versions' },
        sideBySide(`Theirs (published, version ${entry.version})`, theirs, mine, 'theirs'),
        sideBySide('Yours (not saved)', mine, theirs, 'mine'),
      ),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            'data-action': 'merge',
            onclick: () => {
              mergeBox.hidden = false;
              mergedBody.focus();
            },
          },
          'Merge both…',
        ),
        h(
          'button',
          {
            type: 'button',
            'data-action': 'keep-mine',
            onclick: () => {
              outcome = { kind: 'save', version: entry.version, fields: mine };
              dialog.close();
            },
          },
          'Use mine',
        ),
        h(
          'button',
          {
            type: 'button',
            'data-action': 'keep-theirs',
            onclick: () => {
              outcome = { kind: 'theirs' };
              dialog.close();
            },
          },
          'Keep theirs, discard mine',
        ),
      ),
      mergeBox,
    );
    const dialog = openDialog('Someone else saved this entry first', body, { wide: true, onClose: () => resolve(outcome) });
  });
}

/** The 412 of a draft save or approval, with both versions; null for any other error. */
export function draftConflictOf(error: unknown): DraftConflictBody | null {
  if (!(error instanceof ApiError) || error.status !== 412) return null;
  const body = error.body as Partial<DraftConflictBody> | null;
  return body && typeof body.seenVersion === 'number' && body.draft ? (body as DraftConflictBody) : null;
}

/**
 * A draft changed since it was seen: what was seen (or typed) beside what it is now, and
 * the choices the caller offers. Resolves with the chosen action, or null when closed.
 */
export function showDraftConflict<A extends string>(options: {
  title: string;
  intro: string;
  seen: { label: string; fields: ComposerFields };
  current: { label: string; fields: ComposerFields };
  choices: { action: A; label: string; primary?: boolean }[];
}): Promise<A | null> {
  return new Promise((resolve) => {
    let outcome: A | null = null;
    const body = h(
      'div',
      { class: 'conflict draft-conflict' },
      h('p', { class: 'warning' }, options.intro),
      h(
        'div',
        { class: 'versions' },
        sideBySide(options.current.label, options.current.fields, options.seen.fields, 'theirs'),
        sideBySide(options.seen.label, options.seen.fields, options.current.fields, 'mine'),
      ),
      h(
        'div',
        { class: 'actions' },
        ...options.choices.map((choice) =>
          h(
            'button',
            {
              type: 'button',
              class: choice.primary ? 'primary' : null,
              'data-action': choice.action,
              onclick: () => {
                outcome = choice.action;
                dialog.close();
              },
            },
            choice.label,
          ),
        ),
        h('button', { type: 'button', 'data-action': 'cancel', onclick: () => dialog.close() }, 'Cancel'),
      ),
    );
    const dialog = openDialog(options.title, body, { wide: true, onClose: () => resolve(outcome) });
  });
}

/**
 * Sending what the composer holds: publishing or scheduling it, saving or submitting it as
 * a draft, saving a correction. A save made on a version someone else changed meanwhile
 * (412) shows both and waits for a choice: nothing is overwritten silently. Each resolves
 * with the sentence that tells the editor what happened.
 */
import type { Briefing } from '../../shared/schemas';
import type { Draft } from '../../shared/console';
import * as api from './api';
import { draftConflictOf, resolveConflict, showDraftConflict } from './conflict';
import { draftTarget, fieldsOfDraft, payloadOf, type Composition, type DraftTarget, type EditTarget } from './composition';
import { ApiError } from './http';

/** What the sending needs of the composer around it. */
export interface SendingHost {
  readonly slug: string;
  briefing(): Briefing | null;
  /** The account a new entry is published on behalf of; undefined: the sender's own byline. */
  authorId(): string | undefined;
  /** Stores the compositions as they are now. */
  persist(): void;
  /** Draws the composition again after its fields or target changed. */
  render(): void;
  /** After publishing or submitting: an empty composer with a new Idempotency-Key. */
  reset(): void;
  /** Closes the correction in progress. */
  finishEdit(): void;
}

export class Sending {
  constructor(private readonly host: SendingHost) {}

  /** `at`: when to publish (null: now); `describe` says when, for the editor. */
  async publish(composition: Composition, at: Date | null, describe: () => string): Promise<string> {
    const publishAt = at ? at.toISOString() : undefined;
    const target = composition.target;
    if (target.kind === 'draft') {
      const saved = await this.saveOntoDraft(composition, target);
      if (!saved) return 'Not published yet: the text is kept in the composer.';
      // Publishes exactly the version just saved: a change in between is refused (412).
      await api.publishDraft(this.host.slug, target.draftId, saved.version, publishAt ? { publishAt } : {});
    } else {
      const authorId = this.host.authorId();
      await api.createEntry(
        this.host.slug,
        { ...payloadOf(composition.fields), ...(publishAt ? { publishAt } : {}), ...(authorId ? { authorId } : {}) },
        composition.idempotencyKey,
      );
    }
    this.host.reset();
    return at && at.getTime() > Date.now() ? `Scheduled: ${describe()}` : 'Published. Readers have it now.';
  }

  async saveDraft(composition: Composition, kind: 'draft' | 'submitted'): Promise<string> {
    const target = composition.target;
    if (target.kind === 'draft') {
      if (!(await this.saveOntoDraft(composition, target, kind))) return 'Not saved yet: the text is kept in the composer.';
    } else {
      const { draft } = await api.createDraft(this.host.slug, { kind, fields: payloadOf(composition.fields) });
      composition.target = draftTarget(draft, `Draft by ${draft.author.name}`);
    }
    if (kind === 'submitted') {
      this.host.reset();
      return 'Submitted. An editor will review it; you will see it in the queue until then.';
    }
    this.host.persist();
    this.host.render();
    return 'Draft saved. Only editors of this briefing can see it.';
  }

  /**
   * Saves the composer onto its draft at the version it holds. If the draft was saved by
   * someone else meanwhile (412), both are shown and nothing is overwritten without a
   * choice. Resolves with the saved draft, or null when nothing was saved.
   */
  private async saveOntoDraft(composition: Composition, target: DraftTarget, kind?: 'draft' | 'submitted'): Promise<Draft | null> {
    try {
      const { draft } = await api.updateDraft(this.host.slug, target.draftId, target.draftVersion, {
        ...(kind ? { kind } : {}),
        fields: payloadOf(composition.fields),
      });
      target.draftVersion = draft.version;
      this.host.persist();
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
        this.host.persist();
        this.host.render();
      }
      return null;
    }
  }

  async saveCorrection(composition: Composition, target: EditTarget): Promise<string> {
    const { slug } = this.host;
    try {
      await api.updateEntry(slug, target.entryId, payloadOf(composition.fields), target.baseVersion);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 412)) throw error;
      // Someone saved first: never overwrite silently. Show both and let the editor decide.
      const outcome = await resolveConflict(slug, target.entryId, composition.fields, this.host.briefing());
      if (outcome.kind === 'cancel') {
        this.host.render();
        return 'Not saved yet: your version is kept in the composer.';
      }
      if (outcome.kind === 'theirs') {
        this.host.finishEdit();
        return 'Kept their version; yours is discarded.';
      }
      composition.fields = outcome.fields;
      target.baseVersion = outcome.version;
      this.host.persist();
      // Still guarded: if yet another save came in meanwhile, this is a 412 again.
      await api.updateEntry(slug, target.entryId, payloadOf(outcome.fields), outcome.version);
    }
    this.host.finishEdit();
    return 'Correction saved. Readers see it as updated.';
  }
}

/**
 * The composer's model, without the page: what a composition holds, what of it is sent,
 * and whether what localStorage gives back is still a composition this console can use
 * (a stored one is older than the code that reads it, or damaged).
 */
import type { Draft } from '../../shared/console';
import type { Entry, Link, Media } from '../../shared/schemas';

export interface MediaDraft {
  url: string;
  alt: string;
  caption: string;
  credit: string;
}

export interface LinkDraft {
  title: string;
  url: string;
}

/** The fields as typed: text, never null, so every input always has a value to show. */
export interface ComposerFields {
  title: string;
  body: string;
  keyEvent: boolean;
  pinned: boolean;
  media: MediaDraft[];
  links: LinkDraft[];
  sources: string;
  /** Posts from other services, one URL a line. */
  embeds: string;
}

/** A draft target's `draftVersion` is the version the composer holds: every save names it (If-Match). */
export type DraftTarget = { kind: 'draft'; draftId: string; draftVersion: number; label: string };
export type EditTarget = { kind: 'edit'; entryId: string; baseVersion: number };
export type Target = { kind: 'new' } | DraftTarget | EditTarget;

export interface Composition {
  target: Target;
  fields: ComposerFields;
  /** Sent with a new entry, so a retry publishes once; empty for a correction, which If-Match guards. */
  idempotencyKey: string;
  /** The datetime-local input's value, in the editor's own time; empty: publish now. */
  scheduleAt: string;
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
  embeds: { url: string }[];
}

export const emptyFields = (): ComposerFields => ({
  title: '',
  body: '',
  keyEvent: false,
  pinned: false,
  media: [],
  links: [],
  sources: '',
  embeds: '',
});

export const emptyMedia = (): MediaDraft => ({ url: '', alt: '', caption: '', credit: '' });
export const emptyLink = (): LinkDraft => ({ title: '', url: '' });

export const freshComposition = (idempotencyKey: string): Composition => ({
  target: { kind: 'new' },
  fields: emptyFields(),
  idempotencyKey,
  scheduleAt: '',
});

export function fieldsOfEntry(
  entry: Pick<Entry, 'title' | 'body' | 'keyEvent' | 'pinned' | 'media' | 'links' | 'sources' | 'embeds'>,
): ComposerFields {
  return {
    title: entry.title ?? '',
    body: entry.body,
    keyEvent: entry.keyEvent,
    pinned: entry.pinned,
    media: entry.media.map((item) => ({ url: item.url, alt: item.alt, caption: item.caption ?? '', credit: item.credit ?? '' })),
    links: entry.links.map((link) => ({ ...link })),
    sources: entry.sources ?? '',
    embeds: entry.embeds.map((embed) => embed.url).join('\n'),
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
      embeds: draft.fields.embeds ?? [],
    }),
  };
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
      .map((item) => ({
        url: item.url.trim(),
        alt: item.alt.trim(),
        caption: item.caption.trim() || null,
        credit: item.credit.trim() || null,
      })),
    links: fields.links
      .filter((link) => link.url.trim() || link.title.trim())
      .map((link) => ({ title: link.title.trim(), url: link.url.trim() })),
    sources: fields.sources.trim() || null,
    embeds: embedLines(fields.embeds).map((url) => ({ url })),
  };
}

/** The embeds field's URLs: one a line, blank lines dropped. */
export function embedLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** How the composer names a draft it has open. */
export function draftLabel(draft: Draft): string {
  if (draft.kind === 'submitted') return `Submission by ${draft.author.name}`;
  return draft.kind === 'returned' ? 'Sent back to you' : `Draft by ${draft.author.name}`;
}

export function draftTarget(draft: Draft, label = draftLabel(draft)): DraftTarget {
  return { kind: 'draft', draftId: draft.id, draftVersion: draft.version, label };
}

// ---------- what storage gives back ----------

/**
 * Two slots per person and briefing: `compose` holds the new entry or the draft being
 * written, `edit` a correction of a published entry while one is open.
 */
export type Slot = 'compose' | 'edit';

export function storageKey(userId: string, slug: string, slot: Slot): string {
  return `livebrief.console.${userId}.${slug}.${slot}`;
}

type Shape = Record<string, 'string' | 'boolean' | 'number'>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasShape(value: unknown, shape: Shape): value is Record<string, unknown> {
  return isRecord(value) && Object.entries(shape).every(([name, type]) => typeof value[name] === type);
}

const listOf = (value: unknown, shape: Shape): boolean => Array.isArray(value) && value.every((item) => hasShape(item, shape));

function isFields(value: unknown): value is ComposerFields {
  // Compositions stored before the embeds field existed are kept: it starts empty.
  if (isRecord(value) && value.embeds === undefined) value.embeds = '';
  return (
    hasShape(value, { title: 'string', body: 'string', keyEvent: 'boolean', pinned: 'boolean', sources: 'string', embeds: 'string' }) &&
    listOf(value.media, { url: 'string', alt: 'string', caption: 'string', credit: 'string' }) &&
    listOf(value.links, { title: 'string', url: 'string' })
  );
}

function isTarget(value: unknown): value is Target {
  if (!isRecord(value)) return false;
  switch (value.kind) {
    case 'new':
      return true;
    case 'draft':
      return hasShape(value, { draftId: 'string', draftVersion: 'number', label: 'string' });
    case 'edit':
      return hasShape(value, { entryId: 'string', baseVersion: 'number' });
    default:
      return false;
  }
}

/**
 * The composition stored in `slot`, or null when there is none or it cannot be used: not
 * JSON, an older shape, or a target that does not belong in that slot. A composition this
 * console cannot read is dropped rather than half restored, which would fail on the first
 * keystroke or send a payload the server refuses.
 */
export function restoreComposition(raw: string | null, slot: Slot): Composition | null {
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!hasShape(value, { idempotencyKey: 'string', scheduleAt: 'string' }) || !isTarget(value.target) || !isFields(value.fields))
    return null;
  const composition = value as unknown as Composition;
  // A correction lives only in the edit slot; a new entry needs its key to publish once.
  const fits =
    slot === 'edit' ? composition.target.kind === 'edit' : composition.target.kind !== 'edit' && composition.idempotencyKey !== '';
  return fits ? composition : null;
}

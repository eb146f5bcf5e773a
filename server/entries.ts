/** Building entries from editors' input: ids, timestamps, rendered HTML, versions. */
import { randomBytes } from 'node:crypto';
import type { EntryVersion } from '../shared/console';
import type { Byline, CreateEntryInput, Entry, UpdateEntryInput } from '../shared/schemas';
import { renderMarkdown } from './render/markdown';
import type { Principal } from './auth/tokens';
import { AppError } from '../shared/errors';
import type { Store } from './store/store';
import { bylineOf, type UserStore } from './store/users';

/** Time-ordered, URL-safe and unguessable: base-36 milliseconds, then random bits. */
export function newEntryId(now: Date): string {
  return now.getTime().toString(36) + randomBytes(5).toString('hex');
}

/** Only the byline's own fields: never anything else of a principal (its access role is not a role line). */
function bylineFields(author: Byline): Byline {
  return {
    id: author.id,
    name: author.name,
    ...(author.role ? { role: author.role } : {}),
    ...(author.avatar ? { avatar: author.avatar } : {}),
  };
}

export function buildEntry(slug: string, input: CreateEntryInput, author: Byline, publishedAt: Date): Entry {
  return {
    id: newEntryId(publishedAt),
    slug,
    version: 1,
    publishedAt: publishedAt.toISOString(),
    updatedAt: null,
    author: bylineFields(author),
    title: input.title ?? null,
    body: input.body,
    html: renderMarkdown(input.body),
    keyEvent: input.keyEvent ?? false,
    pinned: input.pinned ?? false,
    media: (input.media ?? []).map((item) => ({ ...item, kind: 'image' as const })),
    links: input.links ?? [],
    sources: input.sources ?? null,
    embeds: input.embeds ?? [],
  };
}

/**
 * The byline a new entry is published under: the account named by `authorId` (an editor
 * publishing on behalf of a contributor: it must exist and be active), else the caller's own
 * account as it is now, else (an API token) the caller's name alone.
 */
export async function bylineFor(users: UserStore, principal: Principal, authorId: string | undefined): Promise<Byline> {
  if (authorId !== undefined) {
    const id = authorId.replace(/^user:/, '');
    const user = await users.findById(id);
    if (!user || user.disabled) throw new AppError('invalid', `authorId: no active account "${id}"`);
    return bylineOf(user);
  }
  if (principal.id.startsWith('user:')) {
    const user = await users.findById(principal.id.slice('user:'.length));
    if (user) return bylineOf(user);
  }
  return { id: principal.id, name: principal.name };
}

/**
 * Publishes an entry now, or keeps it scheduled for a `publishAt` in the future: the one
 * path of the API's POST and the console's approvals. Returns the response JSON that an
 * Idempotency-Key replays unchanged.
 */
export async function publishOrSchedule(
  store: Store,
  slug: string,
  fields: CreateEntryInput,
  author: Byline,
  options: { publishAt?: string | null | undefined; idempotencyKey?: string | undefined },
): Promise<{ entry: Entry; scheduled: boolean; response: string; replayed: boolean }> {
  const now = new Date();
  const at = options.publishAt ? new Date(options.publishAt) : null;
  const scheduled = at !== null && at.getTime() > now.getTime();
  const entry = buildEntry(slug, fields, author, scheduled && at ? at : now);
  const result = await store.createEntry(entry, {
    scheduleAtMs: scheduled && at ? at.getTime() : undefined,
    idempotencyKey: options.idempotencyKey,
  });
  return { entry, scheduled, ...result };
}

const CONTENT_FIELDS = ['body', 'title', 'media', 'links', 'sources', 'embeds'] as const;

/**
 * A new version of the entry with the patch applied. `updatedAt` (what readers see as
 * "Updated HH:mm") moves only when the content changes, not for a pin or a key-event mark.
 */
export function patchEntry(current: Entry, patch: UpdateEntryInput, now: Date): Entry {
  const next: Entry = { ...current, version: current.version + 1 };
  if (patch.body !== undefined) {
    next.body = patch.body;
    next.html = renderMarkdown(patch.body);
  }
  if (patch.title !== undefined) next.title = patch.title;
  if (patch.keyEvent !== undefined) next.keyEvent = patch.keyEvent;
  if (patch.pinned !== undefined) next.pinned = patch.pinned;
  if (patch.media !== undefined) next.media = patch.media.map((item) => ({ ...item, kind: 'image' as const }));
  if (patch.links !== undefined) next.links = patch.links;
  if (patch.sources !== undefined) next.sources = patch.sources;
  if (patch.embeds !== undefined) next.embeds = patch.embeds;
  const contentChanged = CONTENT_FIELDS.some((field) => JSON.stringify(next[field]) !== JSON.stringify(current[field]));
  if (contentChanged) next.updatedAt = now.toISOString();
  return next;
}

function contentOf(entry: Entry): string {
  return JSON.stringify(CONTENT_FIELDS.map((field) => entry[field]));
}

/**
 * What readers see as an entry's correction history: each published version whose content
 * differs from the one before, oldest first, ending with the current content. Pins and
 * key-event marks are not corrections, so they add no step.
 */
export function correctionHistory(versions: Entry[]): EntryVersion[] {
  const steps: EntryVersion[] = [];
  let previous: string | null = null;
  for (const entry of versions) {
    const content = contentOf(entry);
    if (content === previous) continue;
    previous = content;
    steps.push({
      version: entry.version,
      publishedAt: entry.publishedAt,
      updatedAt: entry.updatedAt,
      title: entry.title,
      body: entry.body,
      html: entry.html,
      media: entry.media,
      links: entry.links,
      sources: entry.sources,
      embeds: entry.embeds,
    });
  }
  return steps;
}

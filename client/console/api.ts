/**
 * Every request the console makes, one function per route: the only place that knows
 * their URLs, methods and headers. Bodies are typed by the shared schemas the server
 * checks them with (as their input types, so defaults may be left out), answers by the
 * shared wire types. The console routes are those of server/http/console-api.ts; the
 * console also uses a few routes of the public API (briefings, entries), listed last.
 */
import type { z } from 'zod';
import type {
  AuditRecord,
  BylineChoice,
  Draft,
  EntryVersion,
  PublicToken,
  PublicUser,
  Queue,
  ReadersNow,
  SessionInfo,
} from '../../shared/console';
import type {
  createDraftSchema,
  createTokenSchema,
  createUserSchema,
  draftFieldsSchema,
  loginSchema,
  previewSchema,
  returnDraftSchema,
  setupSchema,
  updateDraftSchema,
  updateProfileSchema,
  updateUserSchema,
} from '../../shared/console-schemas';
import type {
  Briefing,
  createBriefingSchema,
  createEntrySchema,
  Entry,
  updateBriefingSchema,
  updateEntrySchema,
} from '../../shared/schemas';
import type { UploadedMedia } from '../../shared/media';
import type { createWebhookSchema, updateWebhookSchema, Webhook, WebhookDelivery } from '../../shared/webhooks';
import { request, upload } from './http';

const CONSOLE = '/console/api';
const PUBLIC = '/api/v1';

/** Segments of a path are escaped, so that an id can never reach another route. */
const path = (base: string, ...segments: string[]): string => [base, ...segments.map(encodeURIComponent)].join('/');

/** The version the change was made from: the server refuses it (412) if the record moved on. */
const ifMatch = (version: number): Record<string, string> => ({ 'If-Match': `"${version}"` });

/** The fields of an entry, as the composer sends them for a draft, an entry or a correction. */
export type EntryFieldsInput = z.input<typeof draftFieldsSchema>;

// ---------- session ----------

export const getSession = (): Promise<{ session: SessionInfo | null; setupNeeded: boolean }> => request('GET', path(CONSOLE, 'session'));

/** A 401 here is a wrong password, not a session that ended. */
export const login = (body: z.input<typeof loginSchema>): Promise<SessionInfo> =>
  request('POST', path(CONSOLE, 'login'), { body, signingIn: true });

export async function logout(): Promise<void> {
  await request('POST', path(CONSOLE, 'logout'), { body: {} });
}

export const setup = (body: z.input<typeof setupSchema>): Promise<SessionInfo> => request('POST', path(CONSOLE, 'setup'), { body });

// ---------- composing ----------

/** Uploads a photo (its bytes as the body); the answer names its renditions. */
export const uploadImage = (file: Blob, onProgress: (fraction: number) => void): Promise<{ media: UploadedMedia }> =>
  upload(path(PUBLIC, 'media'), file, onProgress);

/** The entry HTML exactly as readers will get it. */
export const preview = (body: z.input<typeof previewSchema>): Promise<{ html: string }> =>
  request('POST', path(CONSOLE, 'preview'), { body });

// ---------- readers now ----------

/** Readers of every briefing now, over every process. */
export const readersNow = (): Promise<ReadersNow> => request('GET', path(CONSOLE, 'readers'));

/** Readers of one briefing now, over every process. */
export const briefingReadersNow = (slug: string): Promise<ReadersNow> => request('GET', path(CONSOLE, 'briefings', slug, 'readers'));

export const getQueue = (slug: string): Promise<Queue> => request('GET', path(CONSOLE, 'briefings', slug, 'queue'));

export const createDraft = (slug: string, body: z.input<typeof createDraftSchema>): Promise<{ draft: Draft }> =>
  request('POST', path(CONSOLE, 'briefings', slug, 'drafts'), { body });

export const updateDraft = (
  slug: string,
  id: string,
  seenVersion: number,
  body: z.input<typeof updateDraftSchema>,
): Promise<{ draft: Draft }> => request('PATCH', path(CONSOLE, 'briefings', slug, 'drafts', id), { body, headers: ifMatch(seenVersion) });

export async function deleteDraft(slug: string, id: string, seenVersion: number): Promise<void> {
  await request('DELETE', path(CONSOLE, 'briefings', slug, 'drafts', id), { headers: ifMatch(seenVersion) });
}

/** Publishes (or schedules, with `publishAt`) exactly the version seen; a later one is refused (412). */
export async function publishDraft(
  slug: string,
  id: string,
  seenVersion: number,
  body: Pick<z.input<typeof createEntrySchema>, 'publishAt'> = {},
): Promise<void> {
  await request('POST', path(CONSOLE, 'briefings', slug, 'drafts', id, 'publish'), { body, headers: ifMatch(seenVersion) });
}

export async function returnDraft(slug: string, id: string, seenVersion: number, body: z.input<typeof returnDraftSchema>): Promise<void> {
  await request('POST', path(CONSOLE, 'briefings', slug, 'drafts', id, 'return'), { body, headers: ifMatch(seenVersion) });
}

// ---------- accounts (admins) ----------

export const listUsers = (): Promise<{ users: PublicUser[] }> => request('GET', path(CONSOLE, 'users'));

export async function createUser(body: z.input<typeof createUserSchema>): Promise<void> {
  await request('POST', path(CONSOLE, 'users'), { body });
}

export async function updateUser(id: string, body: z.input<typeof updateUserSchema>): Promise<void> {
  await request('PATCH', path(CONSOLE, 'users', id), { body });
}

/** Changes one's own name, role line or avatar ("Your profile"). */
export const updateProfile = (body: z.input<typeof updateProfileSchema>): Promise<{ user: PublicUser }> =>
  request('PATCH', path(CONSOLE, 'profile'), { body });

/** The active accounts an editor may publish under (editors only). */
export const listBylines = (): Promise<{ bylines: BylineChoice[] }> => request('GET', path(CONSOLE, 'bylines'));

export const listTokens = (): Promise<{ tokens: PublicToken[] }> => request('GET', path(CONSOLE, 'tokens'));

/** The token's secret is in this answer only. */
export const createToken = (body: z.input<typeof createTokenSchema>): Promise<{ token: string; record: PublicToken }> =>
  request('POST', path(CONSOLE, 'tokens'), { body });

export async function deleteToken(id: string): Promise<void> {
  await request('DELETE', path(CONSOLE, 'tokens', id));
}

/** A page of the audit log, newest first; `before` is the `next` of the page before. */
export const listAudit = (before: string | null): Promise<{ records: AuditRecord[]; next: string | null }> =>
  request('GET', `${path(CONSOLE, 'audit')}${before ? `?before=${encodeURIComponent(before)}` : ''}`);

// ---------- webhooks (admins; routes of the public API) ----------

export const listWebhooks = (): Promise<{ webhooks: Webhook[] }> => request('GET', path(PUBLIC, 'webhooks'));

/** The secret is in this answer only. */
export const createWebhook = (body: z.input<typeof createWebhookSchema>): Promise<{ webhook: Webhook; secret: string }> =>
  request('POST', path(PUBLIC, 'webhooks'), { body });

export async function updateWebhook(id: string, body: z.input<typeof updateWebhookSchema>): Promise<void> {
  await request('PATCH', path(PUBLIC, 'webhooks', id), { body });
}

export async function deleteWebhook(id: string): Promise<void> {
  await request('DELETE', path(PUBLIC, 'webhooks', id));
}

export const webhookDeliveries = (id: string): Promise<{ deliveries: WebhookDelivery[] }> =>
  request('GET', path(PUBLIC, 'webhooks', id, 'deliveries'));

/** Sends one logged delivery again now; answers the new log line. */
export const redeliverWebhook = (id: string, deliveryId: string): Promise<{ delivery: WebhookDelivery }> =>
  request('POST', path(PUBLIC, 'webhooks', id, 'deliveries', deliveryId, 'redeliver'), { body: {} });

// ---------- the public API the console also uses ----------

export const listBriefings = (): Promise<{ briefings: Briefing[] }> => request('GET', path(PUBLIC, 'briefings'));

export const createBriefing = (body: z.input<typeof createBriefingSchema>): Promise<{ briefing: Briefing }> =>
  request('POST', path(PUBLIC, 'briefings'), { body });

export async function updateBriefing(slug: string, body: z.input<typeof updateBriefingSchema>): Promise<void> {
  await request('PATCH', path(PUBLIC, 'briefings', slug), { body });
}

/** One key per composition: a retry after a lost answer publishes once. */
export async function createEntry(slug: string, body: z.input<typeof createEntrySchema>, idempotencyKey: string): Promise<void> {
  await request('POST', path(PUBLIC, 'briefings', slug, 'entries'), { body, headers: { 'Idempotency-Key': idempotencyKey } });
}

export const getEntry = (slug: string, id: string): Promise<{ entry: Entry }> =>
  request('GET', path(PUBLIC, 'briefings', slug, 'entries', id));

/** With `seenVersion`, a correction made on an older version is refused (412). */
export async function updateEntry(slug: string, id: string, body: z.input<typeof updateEntrySchema>, seenVersion?: number): Promise<void> {
  await request('PATCH', path(PUBLIC, 'briefings', slug, 'entries', id), {
    body,
    headers: seenVersion === undefined ? {} : ifMatch(seenVersion),
  });
}

export async function deleteEntry(slug: string, id: string): Promise<void> {
  await request('DELETE', path(PUBLIC, 'briefings', slug, 'entries', id));
}

export const entryVersions = (slug: string, id: string): Promise<{ versions: EntryVersion[] }> =>
  request('GET', path(PUBLIC, 'briefings', slug, 'entries', id, 'versions'));

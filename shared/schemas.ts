/**
 * The wire format: zod schemas for everything that crosses the network, and the types
 * derived from them. Server and browser import these; nothing redeclares them.
 */
import { z } from 'zod';
import type { RefusedAck } from './errors';
import { ID_PATTERN, SLUG_PATTERN } from './identifiers';
import { LIMITS } from './limits';
import { EMBED_PROVIDERS, PROVIDER_NAMES, recognizeEmbed } from './embeds';

export { LIMITS };

export { ID_PATTERN, SLUG_PATTERN };

export const slugSchema = z
  .string()
  .regex(SLUG_PATTERN, 'must be 1-64 lowercase letters, digits or hyphens, starting with a letter or digit');

const httpUrl = z
  .string()
  .trim()
  .max(LIMITS.urlChars)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }));

const nullableText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .transform((value) => (value === '' ? null : value));

/** Stored in canonical form ("en-us" becomes "en-US"), on create and on edit alike. */
const localeSchema = z
  .string()
  .refine(isValidLocale, 'must be a BCP 47 language tag such as "en" or "pt-BR"')
  .transform((tag) => Intl.getCanonicalLocales(tag)[0] ?? tag);
const timeZoneSchema = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as "Europe/Kyiv"');

function isValidLocale(tag: string): boolean {
  try {
    return tag.length > 0 && tag.length <= 35 && Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

function isValidTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

// ---------- objects as stored and served ----------

export const briefingStatusSchema = z.enum(['live', 'ended']);

export const briefingSchema = z.object({
  slug: z.string(),
  title: z.string(),
  summary: z.string().describe('Markdown'),
  status: briefingStatusSchema,
  locale: z.string().describe('BCP 47 language tag, canonical form'),
  timeZone: z.string().describe('IANA time zone'),
  createdAt: z.string().describe('ISO 8601, UTC: when the coverage began'),
  updatedAt: z.string(),
  epoch: z.string().describe('Names the history of the change log; a new one means that history was lost'),
  seq: z.number().int().describe('The last change of the log in this epoch (0: none yet)'),
});
export type Briefing = z.infer<typeof briefingSchema>;
/** A briefing as stored: its log position (epoch, seq) is kept beside it, not inside it. */
export type BriefingMeta = Omit<Briefing, 'epoch' | 'seq'>;

export const mediaSchema = z.object({
  kind: z.literal('image'),
  url: z.string(),
  alt: z.string(),
  caption: z.string().nullable(),
  credit: z.string().nullable(),
});
export type Media = z.infer<typeof mediaSchema>;

export const linkSchema = z.object({ title: z.string(), url: z.string() });
export type Link = z.infer<typeof linkSchema>;

export const embedSchema = z.object({
  url: z.string().describe('The post or video, as the editor gave it'),
  provider: z.enum(EMBED_PROVIDERS).describe('The service the URL belongs to, recognized by the server'),
});
export type Embed = z.infer<typeof embedSchema>;

export const entrySchema = z.object({
  id: z.string(),
  slug: z.string(),
  version: z.number().int().describe('1, then one more on every edit'),
  publishedAt: z.string(),
  updatedAt: z.string().nullable().describe('When the content was last corrected; null if never'),
  author: z
    .object({
      id: z.string(),
      name: z.string(),
      role: z.string().optional().describe('The role line under the name at publication, e.g. "Kyiv correspondent"; absent when none'),
      avatar: z.string().optional().describe('The byline picture at publication: an https URL or a /media/ path; absent when none'),
    })
    .describe('The byline as readers saw it when the entry was published; an edit keeps it'),
  title: z.string().nullable(),
  body: z.string().describe('Markdown source'),
  html: z.string().describe('body rendered on the server and sanitized'),
  keyEvent: z.boolean(),
  pinned: z.boolean(),
  media: z.array(mediaSchema),
  links: z.array(linkSchema),
  sources: z.string().nullable(),
  embeds: z.array(embedSchema).describe('Posts and videos from other services; [] when none'),
});
export type Entry = z.infer<typeof entrySchema>;
/** Who an entry is by, as readers see it: name, and the role line and avatar if any. */
export type Byline = Entry['author'];

const changeHead = {
  slug: z.string(),
  epoch: z.string(),
  seq: z.number().int(),
  at: z.string(),
};

/**
 * One step of a briefing's change log: a `change` event, and an element of a catch-up.
 * Its `type` says which one field comes with it, so narrowing on `type` is all a consumer checks.
 */
export const changeSchema = z.discriminatedUnion('type', [
  z.object({ ...changeHead, type: z.enum(['entry.published', 'entry.updated']), entry: entrySchema.describe('The whole entry') }),
  z.object({ ...changeHead, type: z.literal('entry.deleted'), id: z.string().describe("The entry's id") }),
  z.object({ ...changeHead, type: z.literal('briefing.updated'), briefing: briefingSchema.describe('The whole briefing') }),
]);
export type Change = z.infer<typeof changeSchema>;

export interface Cursor {
  epoch: string;
  seq: number;
}

// ---------- HTTP input ----------

const mediaInputSchema = z.object({
  kind: z.literal('image').default('image'),
  url: httpUrl,
  alt: z.string().trim().min(1, 'alt text is required').max(LIMITS.altChars),
  caption: nullableText(LIMITS.captionChars).default(null),
  credit: nullableText(LIMITS.creditChars).default(null),
});

const linkInputSchema = z.object({
  title: z.string().trim().min(1).max(LIMITS.titleChars),
  url: httpUrl,
});

const EMBED_REFUSAL = `must be an https link to a post or video on ${Object.values(PROVIDER_NAMES).join(', ')}`;

/** The editor gives the URL; the server says which service it belongs to, or refuses it. */
const embedInputSchema = z
  .object({
    url: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(LIMITS.urlChars)
      .describe(`An https link to one post or video on ${Object.values(PROVIDER_NAMES).join(', ')}`),
  })
  .transform((input, ctx) => {
    const target = recognizeEmbed(input.url);
    if (!target) {
      ctx.addIssue({ code: 'custom', message: EMBED_REFUSAL, path: ['url'], input: input.url });
      return z.NEVER;
    }
    return { url: input.url, provider: target.provider };
  });

const entryFieldsSchema = z.object({
  body: z
    .string()
    .max(LIMITS.bodyChars)
    .refine((body) => body.trim().length > 0, 'must not be empty'),
  title: nullableText(LIMITS.titleChars),
  keyEvent: z.boolean(),
  pinned: z.boolean(),
  media: z.array(mediaInputSchema).max(LIMITS.mediaPerEntry),
  links: z.array(linkInputSchema).max(LIMITS.linksPerEntry),
  sources: nullableText(LIMITS.sourcesChars),
  embeds: z
    .array(embedInputSchema)
    .max(LIMITS.embedsPerEntry)
    .describe('Stored and answered as { url, provider }; in a PATCH the whole list is replaced ([] removes them)'),
});

export const createEntrySchema = entryFieldsSchema
  .partial()
  .required({ body: true })
  .extend({
    publishAt: z.iso.datetime({ offset: true }).optional(),
    authorId: z
      .string()
      .regex(/^(user:)?[a-f0-9]{16}$/, 'must be the id of an account')
      .optional()
      .describe('Publish under this active account’s byline (an editor on behalf of a contributor); default: the caller’s own'),
  });
export type CreateEntryInput = z.infer<typeof createEntrySchema>;

export const updateEntrySchema = entryFieldsSchema.partial().refine((patch) => Object.values(patch).some((value) => value !== undefined), {
  message: 'must change at least one of body, title, keyEvent, pinned, media, links, sources, embeds',
});
export type UpdateEntryInput = z.infer<typeof updateEntrySchema>;

export const createBriefingSchema = z.object({
  slug: slugSchema,
  title: z.string().trim().min(1).max(LIMITS.titleChars),
  summary: z.string().max(LIMITS.summaryChars).default(''),
  locale: localeSchema.default('en'),
  timeZone: timeZoneSchema.default('UTC'),
});

export const updateBriefingSchema = z
  .object({
    title: z.string().trim().min(1).max(LIMITS.titleChars),
    summary: z.string().max(LIMITS.summaryChars),
    status: briefingStatusSchema,
    locale: localeSchema,
    timeZone: timeZoneSchema,
    /** When the coverage began (beyond the contract): becomes the briefing's createdAt, which readers' pages give as its start. */
    coverageStart: z.iso.datetime({ offset: true }),
  })
  .partial()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'must change at least one of title, summary, status, locale, timeZone, coverageStart',
  });

/** Query strings arrive as text; these coerce and bound them. */
export const entriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
  before: z.string().max(200).optional(),
});

export const changesQuerySchema = z.object({
  epoch: z.string().max(100).optional(),
  since: z.coerce.number().int().min(0).default(0),
});

// ---------- Socket.IO ----------

export const cursorSchema = z.object({
  epoch: z.string().min(1).max(100),
  seq: z.number().int().min(0),
});

export const subscribeSchema = z.object({
  slug: slugSchema,
  since: cursorSchema.nullish(),
});
export type SubscribeRequest = z.infer<typeof subscribeSchema>;

export const unsubscribeSchema = z.object({ slug: slugSchema });

export interface Snapshot {
  briefing: Briefing;
  entries: Entry[];
  pinned: Entry[];
}

export type SubscribeAck =
  | { ok: true; mode: 'resume'; epoch: string; seq: number }
  | { ok: true; mode: 'snapshot'; epoch: string; seq: number; snapshot: Snapshot }
  | RefusedAck;

export type UnsubscribeAck = { ok: true } | RefusedAck;

export interface ServerToClientEvents {
  change: (change: Change) => void;
}

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: (response: SubscribeAck) => void) => void;
  unsubscribe: (request: { slug: string }, ack?: (response: UnsubscribeAck) => void) => void;
}

/** The first problem in a zod error as one sentence naming the field. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
  return `${field}: ${issue.message}`;
}

// ---------- entries as stored ----------

/** An entry read from storage: one stored before entries had `embeds` has none. */
export function parseStoredEntry(json: string): Entry {
  const entry = JSON.parse(json) as Omit<Entry, 'embeds'> & { embeds?: Entry['embeds'] };
  return { ...entry, embeds: entry.embeds ?? [] };
}

/**
 * The same for entries passed on as JSON text: only one without the key is parsed. The text
 * `"embeds":` can only be a key (a quote inside a string value is escaped), and only an
 * entry has that key.
 */
export function storedEntryJson(json: string): string {
  return json.includes('"embeds":') ? json : JSON.stringify(parseStoredEntry(json));
}

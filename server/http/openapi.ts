/**
 * The OpenAPI 3.1 description of the JSON API under /api/v1, served at
 * GET /api/v1/openapi.json. Every schema in it is zod's own JSON Schema output of the
 * schemas in shared/ that the routes validate with and answer in, so the description
 * cannot drift from what the server checks. Built once, at first use.
 */
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../../shared/errors';
import type { UploadedMedia } from '../../shared/media';
import {
  briefingSchema,
  changeSchema,
  changesQuerySchema,
  createBriefingSchema,
  createEntrySchema,
  entriesQuerySchema,
  entrySchema,
  ID_PATTERN,
  LIMITS,
  SLUG_PATTERN,
  updateBriefingSchema,
  updateEntrySchema,
} from '../../shared/schemas';
import { createWebhookSchema, updateWebhookSchema, webhookDeliverySchema, webhookSchema } from '../../shared/webhooks';

export type JsonSchema = z.core.JSONSchema.BaseSchema;

export interface Reference {
  $ref: string;
}

export interface HeaderObject {
  description: string;
  schema: JsonSchema;
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface MediaTypeObject {
  schema: JsonSchema | Reference;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject | Reference>;
  content?: Record<string, MediaTypeObject>;
}

export interface RequestBodyObject {
  required: boolean;
  content: Record<string, MediaTypeObject>;
}

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Empty list: public. Absent never happens here, so every operation says who may call it. */
  security: Record<string, string[]>[];
  parameters?: (ParameterObject | Reference)[];
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseObject | Reference>;
}

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';
export type PathItem = Partial<Record<HttpMethod, OperationObject>>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  jsonSchemaDialect: string;
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, ParameterObject>;
    headers: Record<string, HeaderObject>;
    responses: Record<string, ResponseObject>;
    securitySchemes: Record<string, Record<string, string>>;
  };
}

// ---------- schemas, from shared/ ----------

const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string().describe('Names the field or header at fault first, e.g. "body: must not be empty"'),
  }),
});
const positionSchema = z.object({ epoch: z.string(), seq: z.number().int() });
const entryVersionSchema = entrySchema.pick({
  version: true,
  publishedAt: true,
  updatedAt: true,
  title: true,
  body: true,
  html: true,
  media: true,
  links: true,
  sources: true,
  embeds: true,
});

const renditionSchema = z.object({
  width: z.number().int(),
  height: z.number().int(),
  format: z.enum(['avif', 'webp', 'jpeg']),
  url: z.string().describe('Served with `Cache-Control: public, max-age=31536000, immutable`'),
});
/** An uploaded image (shared/media.ts has its type; this describes it, and the compiler keeps the two alike). */
const uploadedMediaSchema = z.object({
  id: z.string().describe('`<content hash>-<width>x<height>`: the same bytes always give the same id'),
  url: z.string().describe("The largest JPEG rendition: what an entry's `media[].url` points at"),
  width: z.number().int().describe('Width once turned upright by its EXIF orientation'),
  height: z.number().int(),
  renditions: z.array(renditionSchema).describe('Every width (480, 960, 1600, never above the original) in AVIF, WebP and JPEG'),
}) satisfies z.ZodType<UploadedMedia>;

/** What the server sends: one registry, so that nested objects (an Entry in a Change) become $refs. */
const OUTPUT_SCHEMAS = {
  Briefing: briefingSchema,
  Entry: entrySchema,
  Change: changeSchema,
  EntryVersion: entryVersionSchema,
  Position: positionSchema,
  Error: errorBodySchema,
  BriefingList: z.object({ briefings: z.array(briefingSchema) }),
  BriefingResponse: z.object({ briefing: briefingSchema }),
  EntryResponse: z.object({ entry: entrySchema }),
  EntryPage: z.object({
    entries: z.array(entrySchema),
    epoch: z.string(),
    seq: z.number().int(),
    next: z.string().nullable().describe('The `before` value for the following (older) page; null on the last page'),
  }),
  EntryWrite: z.object({ entry: entrySchema, epoch: z.string(), seq: z.number().int() }),
  KeyEventList: z.object({
    entries: z.array(entrySchema).describe(`The key events, newest first; the newest ${LIMITS.keyEvents} of them`),
    epoch: z.string(),
    seq: z.number().int(),
  }),
  VersionList: z.object({ versions: z.array(entryVersionSchema) }),
  ChangeList: z.object({ epoch: z.string(), seq: z.number().int(), changes: z.array(changeSchema) }),
  Webhook: webhookSchema,
  WebhookDelivery: webhookDeliverySchema,
  WebhookList: z.object({ webhooks: z.array(webhookSchema) }),
  WebhookResponse: z.object({ webhook: webhookSchema }),
  WebhookCreated: z.object({
    webhook: webhookSchema,
    secret: z.string().describe('The signing secret: in this response only, keep it now'),
  }),
  WebhookDeliveryList: z.object({ deliveries: z.array(webhookDeliverySchema).describe('The newest 200 lines, newest first') }),
  WebhookDeliveryResponse: z.object({ delivery: webhookDeliverySchema }),
  Removed: z.object({ ok: z.literal(true) }),
  MediaResponse: z.object({ media: uploadedMediaSchema }),
  SnapshotResponse: z.object({
    epoch: z.string(),
    seq: z.number().int(),
    snapshot: z.object({
      briefing: briefingSchema,
      entries: z.array(entrySchema).describe('The newest published entries (at most 20), newest first'),
      pinned: z.array(entrySchema).describe('Every pinned entry'),
    }),
  }),
};

/** What the server accepts: described as input, so defaults are optional fields and transforms are skipped. */
const INPUT_SCHEMAS = {
  CreateBriefing: createBriefingSchema,
  UpdateBriefing: updateBriefingSchema,
  CreateEntry: createEntrySchema,
  UpdateEntry: updateEntrySchema,
  CreateWebhook: createWebhookSchema,
  UpdateWebhook: updateWebhookSchema,
};

type SchemaName = keyof typeof OUTPUT_SCHEMAS | keyof typeof INPUT_SCHEMAS;

function componentSchemas(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: converted } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Each component is part of one document: the per-schema $id and $schema would make every $ref inside it relative to that id.
  return Object.fromEntries(
    Object.entries(converted).map(([id, schema]) => {
      const component = { ...schema };
      delete component.$id;
      delete component.$schema;
      return [id, component];
    }),
  );
}

function ref(name: SchemaName): Reference {
  return { $ref: `#/components/schemas/${name}` };
}

function json(name: SchemaName): Record<string, MediaTypeObject> {
  return { 'application/json': { schema: ref(name) } };
}

/** A query object schema as one parameter per property (query strings arrive as text; the server coerces). */
function queryParameters(schema: z.ZodType, descriptions: Record<string, string>): ParameterObject[] {
  const converted = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
  const required = new Set(converted.required ?? []);
  return Object.entries(converted.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query' as const,
    required: required.has(name),
    description: descriptions[name] ?? name,
    schema: typeof property === 'boolean' ? {} : property,
  }));
}

// ---------- responses ----------

const ERROR_RESPONSES = {
  BadRequest: { status: 400, code: 'invalid', description: 'Invalid input: the message names the field, header or parameter at fault.' },
  Unauthorized: {
    status: 401,
    code: 'unauthorized',
    description: 'No credentials, or an unknown, revoked or malformed token, or an ended console session.',
  },
  Forbidden: {
    status: 403,
    code: 'forbidden',
    description:
      "The caller's role may not do this (contributors cannot publish), or a write with the console's session cookie lacks X-CSRF-Token or comes from another site.",
  },
  NotFound: {
    status: 404,
    code: 'not_found',
    description: 'No such briefing or entry (drafts and scheduled entries are not found either).',
  },
  Conflict: { status: 409, code: 'conflict', description: 'The write conflicts with what is stored.' },
  Gone: { status: 410, code: 'gone', description: 'That history is no longer kept: load the briefing and its entries again.' },
  PreconditionFailed: { status: 412, code: 'stale_version', description: 'If-Match names an older version than the stored one.' },
  PayloadTooLarge: { status: 413, code: 'too_large', description: 'The request body is larger than the body limit.' },
  UnsupportedMediaType: {
    status: 415,
    code: 'unsupported_media_type',
    description: 'The body is not sent as application/json (UTF-8), or in an unsupported Content-Encoding.',
  },
  Unavailable: {
    status: 503,
    code: 'unavailable',
    description:
      'The data store is unreachable or busy. A write cut off mid-way may still be applied: retry with the same Idempotency-Key, or reload first.',
  },
} as const satisfies Record<string, { status: number; code: ErrorCode; description: string }>;

type ErrorResponseName = keyof typeof ERROR_RESPONSES;

function errorResponse(name: ErrorResponseName): ResponseObject {
  const { code, description } = ERROR_RESPONSES[name];
  const response: ResponseObject = {
    description,
    content: {
      'application/json': {
        schema: { allOf: [{ $ref: ref('Error').$ref }, { properties: { error: { properties: { code: { const: code } } } } }] },
      },
    },
  };
  if (name === 'Unauthorized') response.headers = { 'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' } };
  if (name === 'Unavailable') response.headers = { 'Retry-After': { $ref: '#/components/headers/Retry-After' } };
  return response;
}

/** The error answers of one operation, keyed by status. */
function errors(...names: ErrorResponseName[]): Record<string, Reference> {
  return Object.fromEntries(names.map((name) => [String(ERROR_RESPONSES[name].status), { $ref: `#/components/responses/${name}` }]));
}

function ok(description: string, schema: SchemaName, headers?: Record<string, Reference>): ResponseObject {
  return { description, content: json(schema), ...(headers ? { headers } : {}) };
}

// ---------- operations ----------

const PUBLIC: Record<string, string[]>[] = [];
/** Editors and admins: an API token, or the console's session cookie (writes then need X-CSRF-Token). */
const EDITOR: Record<string, string[]>[] = [{ bearerToken: [] }, { consoleSession: [] }];

/** Admins only: an admin API token, or an admin's console session. */
const ADMIN = EDITOR;

const SLUG = { $ref: '#/components/parameters/slug' };
const WEBHOOK_ID = { $ref: '#/components/parameters/webhookId' };
const DELIVERY_ID = { $ref: '#/components/parameters/deliveryId' };
const ADMIN_ERRORS = ['Unauthorized', 'Forbidden', 'Unavailable'] as const;
const ID = { $ref: '#/components/parameters/id' };
const ETAG = { $ref: '#/components/headers/ETag' };

/** Every write body is JSON; reading it can fail in the same ways for each. */
const BODY_ERRORS = ['BadRequest', 'PayloadTooLarge', 'UnsupportedMediaType'] as const;
/** A path parameter with broken percent-encoding is a 400 before any route runs. */
const PATH_ERRORS = ['BadRequest', 'NotFound'] as const;

function paths(): Record<string, PathItem> {
  return {
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        tags: ['meta'],
        security: PUBLIC,
        responses: {
          '200': {
            description: 'The OpenAPI 3.1 description of /api/v1 (cacheable for an hour).',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    '/briefings': {
      get: {
        operationId: 'listBriefings',
        summary: 'Every briefing, newest first',
        tags: ['briefings'],
        security: PUBLIC,
        responses: { '200': ok('All briefings.', 'BriefingList'), ...errors('Unavailable') },
      },
      post: {
        operationId: 'createBriefing',
        summary: 'Create a briefing',
        description: 'The briefing starts live, at seq 0 of a new epoch.',
        tags: ['briefings'],
        security: EDITOR,
        requestBody: { required: true, content: json('CreateBriefing') },
        responses: {
          '201': ok('Created.', 'BriefingResponse'),
          ...errors(...BODY_ERRORS, 'Unauthorized', 'Forbidden', 'Conflict', 'Unavailable'),
        },
      },
    },
    '/briefings/{slug}': {
      get: {
        operationId: 'getBriefing',
        summary: 'One briefing',
        tags: ['briefings'],
        security: PUBLIC,
        parameters: [SLUG],
        responses: { '200': ok('The briefing.', 'BriefingResponse'), ...errors(...PATH_ERRORS, 'Unavailable') },
      },
      patch: {
        operationId: 'updateBriefing',
        summary: "Change a briefing's title, summary, status, locale, time zone or coverage start",
        description: "Readers receive a briefing.updated change with the next seq. `coverageStart` becomes the briefing's createdAt.",
        tags: ['briefings'],
        security: EDITOR,
        parameters: [SLUG],
        requestBody: { required: true, content: json('UpdateBriefing') },
        responses: {
          '200': ok('The briefing as changed.', 'BriefingResponse'),
          ...errors(...BODY_ERRORS, 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'Unavailable'),
        },
      },
    },
    '/briefings/{slug}/entries': {
      get: {
        operationId: 'listEntries',
        summary: 'Published entries, newest first, a page at a time',
        tags: ['entries'],
        security: PUBLIC,
        parameters: [
          SLUG,
          ...queryParameters(entriesQuerySchema, {
            limit: `Entries per page, 1-${LIMITS.pageSizeMax} (default ${LIMITS.pageSizeDefault}).`,
            before: 'The `next` value of the previous page; absent for the newest page.',
          }),
        ],
        responses: {
          '200': ok('A page of entries, and the position of the log they were read at.', 'EntryPage'),
          ...errors(...PATH_ERRORS, 'Unavailable'),
        },
      },
      post: {
        operationId: 'createEntry',
        summary: 'Publish an entry, or schedule it',
        description:
          'Published at once (entry.published with the next seq), or, with a future `publishAt`, kept out of sight and published at that time, exactly once. ' +
          'With an Idempotency-Key, the same key sent again for the same briefing within 24 hours answers the first response and publishes nothing. ' +
          'The entry carries the byline of the account it is published under (`authorId`, else the caller’s own): its name, role line and avatar as they are at that moment; a later edit keeps it.',
        tags: ['entries'],
        security: EDITOR,
        parameters: [SLUG, { $ref: '#/components/parameters/Idempotency-Key' }],
        requestBody: { required: true, content: json('CreateEntry') },
        responses: {
          '201': ok('Published or scheduled; epoch and seq are the log position after the write.', 'EntryWrite', {
            'Idempotent-Replayed': { $ref: '#/components/headers/Idempotent-Replayed' },
          }),
          ...errors(...BODY_ERRORS, 'Unauthorized', 'Forbidden', 'NotFound', 'Unavailable'),
        },
      },
    },
    '/briefings/{slug}/key-events': {
      get: {
        operationId: 'listKeyEvents',
        summary: 'The key events of a briefing, newest first',
        description: `Every published entry marked \`keyEvent\`, however old (the newest ${LIMITS.keyEvents}): what a reader's key-events index and "Key events only" filter show.`,
        tags: ['entries'],
        security: PUBLIC,
        parameters: [SLUG],
        responses: {
          '200': ok('The key events, and the position of the log they were read at.', 'KeyEventList'),
          ...errors(...PATH_ERRORS, 'Unavailable'),
        },
      },
    },
    '/briefings/{slug}/entries/{id}': {
      get: {
        operationId: 'getEntry',
        summary: 'One published entry',
        tags: ['entries'],
        security: PUBLIC,
        parameters: [SLUG, ID],
        responses: { '200': ok('The entry.', 'EntryResponse', { ETag: ETAG }), ...errors(...PATH_ERRORS, 'Unavailable') },
      },
      patch: {
        operationId: 'updateEntry',
        summary: 'Edit an entry (correct, pin, mark as key event)',
        description: 'Any entry field; its version grows by one. Readers receive entry.updated with the next seq.',
        tags: ['entries'],
        security: EDITOR,
        parameters: [SLUG, ID, { $ref: '#/components/parameters/If-Match' }],
        requestBody: { required: true, content: json('UpdateEntry') },
        responses: {
          '200': ok('The entry as edited.', 'EntryWrite', { ETag: ETAG }),
          ...errors(...BODY_ERRORS, 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'PreconditionFailed', 'Unavailable'),
        },
      },
      delete: {
        operationId: 'deleteEntry',
        summary: 'Delete an entry (published or scheduled)',
        tags: ['entries'],
        security: EDITOR,
        parameters: [SLUG, ID],
        responses: {
          '200': ok('Deleted; the log position after the entry.deleted change.', 'Position'),
          ...errors(...PATH_ERRORS, 'Unauthorized', 'Forbidden', 'Unavailable'),
        },
      },
    },
    '/briefings/{slug}/entries/{id}/versions': {
      get: {
        operationId: 'listEntryVersions',
        summary: "An entry's correction history",
        description: 'Every published version whose content differs from the one before it, oldest first.',
        tags: ['entries'],
        security: PUBLIC,
        parameters: [SLUG, ID],
        responses: { '200': ok('The versions.', 'VersionList'), ...errors(...PATH_ERRORS, 'Unavailable') },
      },
    },
    '/briefings/{slug}/changes': {
      get: {
        operationId: 'listChanges',
        summary: 'The change log after a cursor',
        description:
          `Every change after \`since\`, in order, when the cursor belongs to the kept history of the current epoch and is at most the replay limit (LIVEBRIEF_REPLAY_LIMIT, default 1000) behind the head; otherwise 410. ` +
          'Without `epoch`, `since` is read in the current epoch; `since=0` without `epoch` replays from the start while the log still holds it.',
        tags: ['changes'],
        security: PUBLIC,
        parameters: [
          SLUG,
          ...queryParameters(changesQuerySchema, {
            epoch: 'The epoch of the cursor; another epoch than the current one answers 410.',
            since: 'The seq of the last change the client has (default 0).',
          }),
        ],
        responses: {
          '200': ok(
            'The changes after since, and the head position. With no changes (at the head) it carries `Cache-Control: public, max-age=2`; otherwise `no-store`.',
            'ChangeList',
          ),
          ...errors(...PATH_ERRORS, 'Gone', 'Unavailable'),
        },
      },
    },
    '/media': {
      post: {
        operationId: 'uploadImage',
        summary: 'Upload a photo',
        description:
          'The body is the image itself (JPEG, PNG, WebP, AVIF, HEIF, GIF or TIFF; judged by its bytes, whatever the Content-Type says), at most `LIVEBRIEF_MEDIA_MAX_BYTES` (15 MB) and `LIVEBRIEF_MEDIA_MAX_PIXELS`. ' +
          'It is turned upright by its EXIF orientation, stripped of all metadata (EXIF, GPS, XMP, ICC), and stored as renditions under `/media/<id>/<width>.<avif|webp|jpg>` (outside /api/v1). ' +
          "The same bytes again answer the same id. Use `media.url` as an entry's `media[].url`: pages then offer every rendition.",
        tags: ['media'],
        security: EDITOR,
        requestBody: {
          required: true,
          content: { 'image/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
        },
        responses: {
          '201': ok('Stored (or already stored).', 'MediaResponse'),
          ...errors('BadRequest', 'PayloadTooLarge', 'UnsupportedMediaType', 'Unauthorized', 'Forbidden'),
        },
      },
    },
    '/briefings/{slug}/snapshot': {
      get: {
        operationId: 'getSnapshot',
        summary: 'The state exactly at one seq',
        description:
          "What a subscribe's snapshot holds, over plain HTTP: where a client without WebSocket starts, or starts over after a 410 from `…/changes`, going on with `…/changes` from its `(epoch, seq)`. " +
          'Cacheable for 2 s (`Cache-Control: public, max-age=2`): any snapshot is true at its own seq.',
        tags: ['changes'],
        security: PUBLIC,
        parameters: [SLUG],
        responses: { '200': ok('The snapshot and its position.', 'SnapshotResponse'), ...errors(...PATH_ERRORS, 'Unavailable') },
      },
    },
    ...webhookPaths(),
  };
}

function webhookPaths(): Record<string, PathItem> {
  const body = (name: SchemaName): { required: true; content: Record<string, MediaTypeObject> } => ({
    required: true,
    content: json(name),
  });
  return {
    '/webhooks': {
      get: {
        operationId: 'listWebhooks',
        summary: 'Every webhook endpoint (admins)',
        tags: ['webhooks'],
        security: ADMIN,
        responses: { '200': ok('The endpoints, oldest first; never their secrets.', 'WebhookList'), ...errors(...ADMIN_ERRORS) },
      },
      post: {
        operationId: 'createWebhook',
        summary: 'Register a webhook endpoint (admins)',
        description:
          'From now on every change of the chosen briefings (of the chosen types) is POSTed to `url`, signed with the secret (generated when not given; answered in this response only). ' +
          'A URL naming a loopback, private, link-local, CGNAT, multicast or unspecified address is refused (400 naming `url`); a host name is checked after resolution at each delivery. ' +
          'LIVEBRIEF_WEBHOOKS_ALLOW_PRIVATE=true allows them.',
        tags: ['webhooks'],
        security: ADMIN,
        requestBody: body('CreateWebhook'),
        responses: { '201': ok('The endpoint and its secret.', 'WebhookCreated'), ...errors(...BODY_ERRORS, ...ADMIN_ERRORS) },
      },
    },
    '/webhooks/{id}': {
      get: {
        operationId: 'getWebhook',
        summary: 'One webhook endpoint (admins)',
        tags: ['webhooks'],
        security: ADMIN,
        parameters: [WEBHOOK_ID],
        responses: { '200': ok('The endpoint.', 'WebhookResponse'), ...errors(...PATH_ERRORS, ...ADMIN_ERRORS) },
      },
      patch: {
        operationId: 'updateWebhook',
        summary: 'Change a webhook endpoint (admins)',
        description: 'Only the fields sent change. Briefings added to its list start at their current head.',
        tags: ['webhooks'],
        security: ADMIN,
        parameters: [WEBHOOK_ID],
        requestBody: body('UpdateWebhook'),
        responses: { '200': ok('The endpoint as changed.', 'WebhookResponse'), ...errors(...BODY_ERRORS, 'NotFound', ...ADMIN_ERRORS) },
      },
      delete: {
        operationId: 'deleteWebhook',
        summary: 'Remove a webhook endpoint and its delivery log (admins)',
        tags: ['webhooks'],
        security: ADMIN,
        parameters: [WEBHOOK_ID],
        responses: { '200': ok('Removed.', 'Removed'), ...errors(...PATH_ERRORS, ...ADMIN_ERRORS) },
      },
    },
    '/webhooks/{id}/deliveries': {
      get: {
        operationId: 'listWebhookDeliveries',
        summary: "An endpoint's delivery log (admins)",
        tags: ['webhooks'],
        security: ADMIN,
        parameters: [WEBHOOK_ID],
        responses: { '200': ok('The log, newest first.', 'WebhookDeliveryList'), ...errors(...PATH_ERRORS, ...ADMIN_ERRORS) },
      },
    },
    '/webhooks/{id}/deliveries/{deliveryId}/redeliver': {
      post: {
        operationId: 'redeliverWebhookDelivery',
        summary: 'Send one logged delivery again, now (admins)',
        description:
          'The same change, with the same `deliveryId` and `"redelivery": true`, sent once now; the answer is logged as a new line. Send `{}` as the body. 410 when the briefing no longer keeps that change.',
        tags: ['webhooks'],
        security: ADMIN,
        parameters: [WEBHOOK_ID, DELIVERY_ID],
        responses: {
          '200': ok("The new log line, with the receiver's answer.", 'WebhookDeliveryResponse'),
          ...errors(...BODY_ERRORS, 'NotFound', 'Gone', ...ADMIN_ERRORS),
        },
      },
    },
  };
}

// ---------- the document ----------

function buildOpenApiDocument(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'livebrief API',
      version: '1',
      description:
        'Live briefings for newsrooms. Reads are public; writes need an editor: `Authorization: Bearer <token>`, or the console session cookie with `X-CSRF-Token`. ' +
        'Every error answers `{ "error": { "code", "message" } }`. Readers follow changes live over Socket.IO (see docs/api.md in the repository).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/api/v1' }],
    tags: [
      { name: 'briefings', description: 'Briefings and their metadata.' },
      { name: 'entries', description: 'Published entries, their writes and correction history.' },
      { name: 'changes', description: "A briefing's change log, for catching up over plain HTTP." },
      { name: 'webhooks', description: 'Endpoints that receive every published change, signed (admins only).' },
      { name: 'media', description: 'Uploaded photos.' },
      { name: 'meta', description: 'This description.' },
    ],
    paths: paths(),
    components: {
      schemas: { ...componentSchemas(OUTPUT_SCHEMAS, 'output'), ...componentSchemas(INPUT_SCHEMAS, 'input') },
      parameters: {
        slug: {
          name: 'slug',
          in: 'path',
          required: true,
          description: 'The briefing. A slug that cannot exist answers 404, as an unknown one does.',
          schema: { type: 'string', pattern: SLUG_PATTERN.source },
        },
        id: {
          name: 'id',
          in: 'path',
          required: true,
          description: 'The entry.',
          schema: { type: 'string', pattern: ID_PATTERN.source },
        },
        webhookId: {
          name: 'id',
          in: 'path',
          required: true,
          description: 'The webhook endpoint.',
          schema: { type: 'string', pattern: '^[a-f0-9]{16}$' },
        },
        deliveryId: {
          name: 'deliveryId',
          in: 'path',
          required: true,
          description: "A delivery in the endpoint's log (the same for every attempt at one change).",
          schema: { type: 'string', pattern: '^[a-f0-9]{24}$' },
        },
        'If-Match': {
          name: 'If-Match',
          in: 'header',
          required: false,
          description:
            'The entry version the edit is based on, e.g. "3" (W/"3" and 3 are accepted, * means none). Stale: 412; malformed: 400.',
          schema: { type: 'string' },
        },
        'Idempotency-Key': {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: '1-200 printable ASCII characters; the same key for the same briefing within 24 hours replays the first response.',
          schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
        },
      },
      headers: {
        ETag: { description: 'The entry version, quoted: send it back as If-Match.', schema: { type: 'string', pattern: '^"\\d+"$' } },
        'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } },
        'WWW-Authenticate': { description: 'Always `Bearer`.', schema: { type: 'string', const: 'Bearer' } },
        'Idempotent-Replayed': {
          description: '`true` when this is the stored first response to a repeated Idempotency-Key.',
          schema: { type: 'string', const: 'true' },
        },
      },
      responses: Object.fromEntries((Object.keys(ERROR_RESPONSES) as ErrorResponseName[]).map((name) => [name, errorResponse(name)])),
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token with the editor or admin role.' },
        consoleSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'lb_session',
          description: "The console's session; writes made with it also need the session's X-CSRF-Token header and a same-origin request.",
        },
      },
    },
  };
}

let built: { document: OpenApiDocument; json: string } | null = null;

function once(): { document: OpenApiDocument; json: string } {
  if (!built) {
    const document = buildOpenApiDocument();
    built = { document, json: JSON.stringify(document) };
  }
  return built;
}

/** The document, built on first use and the same object after. */
export function openApiDocument(): OpenApiDocument {
  return once().document;
}

/** The document as served, serialized once. */
export function openApiJson(): string {
  return once().json;
}

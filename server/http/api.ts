/** The JSON API under /api/v1: parse, authorize, call the store, shape the answer. */
import express, { type Response, Router } from 'express';
import { AppError } from '../../shared/errors';
import {
  changesQuerySchema,
  createBriefingSchema,
  createEntrySchema,
  entriesQuerySchema,
  LIMITS,
  updateBriefingSchema,
  updateEntrySchema,
} from '../../shared/schemas';
import { EDITOR_ROLES } from '../../shared/console';
import type { Authenticator } from '../auth/authenticator';
import { bylineFor, correctionHistory, patchEntry, publishOrSchedule } from '../entries';
import type { Metrics } from '../metrics';
import type { Store } from '../store/store';
import type { UserStore } from '../store/users';
import { principalOf, requireRole } from './auth';
import { requireJsonBody } from './errors';
import { openApiJson } from './openapi';
import { idParam, ifMatchVersion, parse, slugParam } from './request-input';
import { webhooksRouter, type WebhooksApiOptions } from './webhooks-api';

export interface ApiOptions {
  store: Store;
  auth: Authenticator;
  /** The accounts whose bylines entries are published under. */
  users: UserStore;
  bodyLimitBytes: number;
  metrics: Metrics;
  webhooks: Omit<WebhooksApiOptions, 'store' | 'auth'>;
}

/** What polling readers read at the head: the contract allows a cache to keep it for at most 2 s. */
const HEAD_CACHE_CONTROL = 'public, max-age=2';
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

function sendJson(res: Response, status: number, json: string): void {
  res.status(status).type('application/json').send(json);
}

export function apiRouter(options: ApiOptions): Router {
  const { store, auth } = options;
  const router = Router();
  const editor = requireRole(auth, EDITOR_ROLES);

  router.use(requireJsonBody, express.json({ limit: options.bodyLimitBytes, strict: true }));

  /** This API's OpenAPI description: the same bytes for everyone until the next release, so caches may keep it. */
  router.get('/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    sendJson(res, 200, openApiJson());
  });

  router.get('/briefings', async (_req, res) => {
    res.json({ briefings: await store.listBriefings() });
  });

  router.post('/briefings', editor, async (req, res) => {
    const input = parse(createBriefingSchema, req.body);
    const now = new Date().toISOString();
    const briefing = await store.createBriefing({
      slug: input.slug,
      title: input.title,
      summary: input.summary,
      status: 'live',
      locale: input.locale,
      timeZone: input.timeZone,
      createdAt: now,
      updatedAt: now,
    });
    res.status(201).json({ briefing });
  });

  router.get('/briefings/:slug', async (req, res) => {
    res.json({ briefing: await store.getBriefing(slugParam(req)) });
  });

  router.patch('/briefings/:slug', editor, async (req, res) => {
    const slug = slugParam(req);
    const { coverageStart, ...patch } = parse(updateBriefingSchema, req.body);
    const briefing = await store.updateBriefing(slug, (current) => ({
      ...current,
      ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)),
      ...(coverageStart ? { createdAt: new Date(coverageStart).toISOString() } : {}),
      updatedAt: new Date().toISOString(),
    }));
    res.json({ briefing });
  });

  router.get('/briefings/:slug/entries', async (req, res) => {
    const slug = slugParam(req);
    const query = parse(entriesQuerySchema, req.query);
    sendJson(res, 200, await store.readEntriesJson(slug, { limit: query.limit, before: query.before }));
  });

  /** The briefing's key events, newest first, the newest LIMITS.keyEvents of them (beyond the contract). */
  router.get('/briefings/:slug/key-events', async (req, res) => {
    const index = await store.readKeyEvents(slugParam(req), LIMITS.keyEvents);
    res.json({ entries: index.entries, epoch: index.epoch, seq: index.seq });
  });

  router.get('/briefings/:slug/entries/:id', async (req, res) => {
    const slug = slugParam(req);
    const id = idParam(req, 'entry');
    const stored = await store.getEntry(slug, id);
    if (stored.status !== 'published') throw new AppError('not_found', `no entry "${id}" in briefing "${slug}"`);
    res.setHeader('ETag', `"${stored.entry.version}"`);
    res.json({ entry: stored.entry });
  });

  /** An entry's correction history: every published version, oldest first (beyond the contract). */
  router.get('/briefings/:slug/entries/:id/versions', async (req, res) => {
    const slug = slugParam(req);
    const id = idParam(req, 'entry');
    const versions = await store.listVersions(slug, id);
    if (!versions) throw new AppError('not_found', `no entry "${id}" in briefing "${slug}"`);
    res.json({ versions: correctionHistory(versions) });
  });

  router.post('/briefings/:slug/entries', editor, async (req, res) => {
    const slug = slugParam(req);
    const idempotencyKey = req.get('idempotency-key');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new AppError('invalid', 'Idempotency-Key: must be 1-200 printable ASCII characters');
    }
    const input = parse(createEntrySchema, req.body);
    const author = await bylineFor(options.users, principalOf(req), input.authorId);
    const result = await publishOrSchedule(store, slug, input, author, { publishAt: input.publishAt, idempotencyKey });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    // The actor is who sent it; the byline may be a contributor's: the log names both.
    res.locals.auditTarget = result.replayed
      ? { replayed: 'true' }
      : { id: result.entry.id, scheduled: String(result.scheduled), authorId: author.id, authorName: author.name };
    sendJson(res, 201, result.response);
  });

  router.patch('/briefings/:slug/entries/:id', editor, async (req, res) => {
    const slug = slugParam(req);
    const id = idParam(req, 'entry');
    const expectedVersion = ifMatchVersion(req, 'entry');
    const patch = parse(updateEntrySchema, req.body);
    const result = await store.updateEntry(slug, id, (current) => {
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new AppError(
          'stale_version',
          `If-Match: the entry is at version ${current.version}, not ${expectedVersion}; reload it and reapply your change`,
        );
      }
      return patchEntry(current, patch, new Date());
    });
    res.setHeader('ETag', `"${result.entry.version}"`);
    res.json(result);
  });

  router.delete('/briefings/:slug/entries/:id', editor, async (req, res) => {
    res.json(await store.deleteEntry(slugParam(req), idParam(req, 'entry')));
  });

  router.get('/briefings/:slug/changes', async (req, res) => {
    const slug = slugParam(req);
    const query = parse(changesQuerySchema, req.query);
    const catchUp = await store.changesSince(slug, { epoch: query.epoch, seq: query.since });
    options.metrics.catchUps.inc({
      kind: catchUp.kind === 'resume' ? 'resume' : catchUp.tooFar ? 'too_far' : 'snapshot',
      transport: 'http',
    });
    if (catchUp.kind === 'gone') {
      // Never cached: once a reader has started over, a kept 410 would send it round again.
      res.setHeader('Cache-Control', 'no-store');
      throw new AppError('gone', 'since: that history is no longer kept; get the snapshot and go on from its (epoch, seq)');
    }
    // Polling readers mostly ask at the head and get nothing new: a CDN may answer them for
    // a moment. An answer with changes grows as the head moves, so it is never kept.
    res.setHeader('Cache-Control', catchUp.changes.length === 0 ? HEAD_CACHE_CONTROL : 'no-store');
    res.json({ epoch: catchUp.epoch, seq: catchUp.seq, changes: catchUp.changes });
  });

  /**
   * The state exactly at one seq, as a subscribe's snapshot: where a reader without WebSocket
   * starts, or starts over after a 410. Any snapshot is true at its own seq, and the reader
   * goes on from there with `…/changes`, so a short-lived cached one costs nothing but a
   * longer catch-up.
   */
  router.get('/briefings/:slug/snapshot', async (req, res) => {
    const page = await store.readPage(slugParam(req), { limit: LIMITS.snapshotEntries, withPinned: true });
    res.setHeader('Cache-Control', HEAD_CACHE_CONTROL);
    res.json({ epoch: page.epoch, seq: page.seq, snapshot: { briefing: page.briefing, entries: page.entries, pinned: page.pinned } });
  });

  router.use(webhooksRouter({ store, auth, ...options.webhooks }));

  return router;
}

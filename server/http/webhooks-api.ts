/** /api/v1/webhooks: admins register the endpoints that receive every published change. */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { AppError } from '../../shared/errors';
import { createWebhookSchema, updateWebhookSchema, type Webhook } from '../../shared/webhooks';
import type { Authenticator } from '../auth/authenticator';
import type { Store } from '../store/store';
import type { WebhookRecord, WebhookStore } from '../store/webhooks';
import { isPrivateAddress, literalAddress } from '../webhooks/address';
import { webhookWants, type WebhookWorker } from '../webhooks/worker';
import { requireRole } from './auth';
import { parse, pathParam } from './request-input';

export interface WebhooksApiOptions {
  store: Store;
  auth: Authenticator;
  webhooks: WebhookStore;
  worker: WebhookWorker;
  allowPrivate: boolean;
}

const WEBHOOK_ID = /^[a-f0-9]{16}$/;
const DELIVERY_ID = /^[a-f0-9]{24}$/;

function publicWebhook({ id, url, briefings, events, enabled, createdAt }: WebhookRecord): Webhook {
  return { id, url, briefings, events, enabled, createdAt };
}

export function webhooksRouter(options: WebhooksApiOptions): Router {
  const { store, webhooks, worker } = options;
  const router = Router();
  const admin = requireRole(options.auth, ['admin']);

  /** A URL naming a private address outright is refused now; a name is checked again at each delivery, once resolved. */
  function checkUrl(url: string): void {
    if (options.allowPrivate) return;
    const literal = literalAddress(new URL(url).hostname);
    if (literal && isPrivateAddress(literal)) {
      throw new AppError('invalid', `url: ${literal} is a private address; webhooks may only reach public addresses`);
    }
  }

  /** An endpoint starts at each briefing's head: it receives what is published from now on, not the past. */
  async function startAtHeads(record: WebhookRecord): Promise<void> {
    const slugs = await store.redis.zrange(store.keys.briefings, 0, -1);
    await Promise.all(
      slugs
        .filter((slug) => webhookWants({ ...record, enabled: true }, slug))
        .map(async (slug) => {
          const head = await store.head(slug);
          if (!head) return;
          const cursor = {
            epoch: head.epoch,
            seq: head.seq,
            attempts: 0,
            failingSince: null,
            retryAt: 0,
            lastStatus: null,
            lastError: null,
          };
          await webhooks.initCursor(slug, record.id, cursor);
        }),
    );
  }

  async function found(id: string): Promise<WebhookRecord> {
    const record = await webhooks.find(id);
    if (!record) throw new AppError('not_found', `no webhook "${id}"`);
    return record;
  }

  const idOf = (req: Parameters<typeof pathParam>[0]): string => pathParam(req, 'id', WEBHOOK_ID, 'webhook');

  router.get('/webhooks', admin, async (_req, res) => {
    res.json({ webhooks: (await webhooks.list()).map(publicWebhook) });
  });

  /** The secret is in this one response only. */
  router.post('/webhooks', admin, async (req, res) => {
    const input = parse(createWebhookSchema, req.body);
    checkUrl(input.url);
    const record: WebhookRecord = {
      id: randomBytes(8).toString('hex'),
      url: input.url,
      secret: input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`,
      briefings: input.briefings,
      events: input.events,
      enabled: input.enabled,
      createdAt: new Date().toISOString(),
    };
    await startAtHeads(record);
    await webhooks.save(record);
    res.locals.auditTarget = { webhook: record.id };
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ webhook: publicWebhook(record), secret: record.secret });
  });

  router.get('/webhooks/:id', admin, async (req, res) => {
    res.json({ webhook: publicWebhook(await found(idOf(req))) });
  });

  router.patch('/webhooks/:id', admin, async (req, res) => {
    const current = await found(idOf(req));
    const patch = parse(updateWebhookSchema, req.body);
    if (patch.url !== undefined) checkUrl(patch.url);
    const next: WebhookRecord = {
      ...current,
      ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)),
    };
    // Briefings added to the list start at their heads too.
    await startAtHeads(next);
    await webhooks.save(next);
    res.locals.auditTarget = { webhook: next.id };
    res.json({ webhook: publicWebhook(next) });
  });

  router.delete('/webhooks/:id', admin, async (req, res) => {
    const id = idOf(req);
    if (!(await webhooks.remove(id))) throw new AppError('not_found', `no webhook "${id}"`);
    res.json({ ok: true });
  });

  router.get('/webhooks/:id/deliveries', admin, async (req, res) => {
    const record = await found(idOf(req));
    res.json({ deliveries: await webhooks.deliveries(record.id) });
  });

  /** "Send again": one logged delivery, now; answers the new log line (the receiver's answer in it). */
  router.post('/webhooks/:id/deliveries/:deliveryId/redeliver', admin, async (req, res) => {
    const record = await found(idOf(req));
    const deliveryId = pathParam(req, 'deliveryId', DELIVERY_ID, 'delivery');
    const line = (await webhooks.deliveries(record.id)).find(
      (candidate) => candidate.deliveryId === deliveryId && candidate.outcome !== 'note',
    );
    if (!line) throw new AppError('not_found', `no delivery "${deliveryId}" in the log of webhook "${record.id}"`);
    res.json({ delivery: await worker.redeliver(record, line) });
  });

  return router;
}

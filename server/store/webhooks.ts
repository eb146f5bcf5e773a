/**
 * Webhook endpoints, their delivery cursors and leases, and their delivery logs in Redis.
 * A cursor and its lease share the briefing's hash tag, so the script that advances a cursor
 * only while its lease is held touches one slot.
 */
import type { RedisClient } from '../redis';
import type { Webhook, WebhookDelivery } from '../../shared/webhooks';
import type { Keys } from './keys';
import { namedScript, scriptCaller, scriptInputs } from './scripting';

export interface WebhookRecord extends Webhook {
  secret: string;
}

/** Where delivery to one endpoint stands in one briefing, and its retry state for the next change. */
export interface DeliveryCursor {
  epoch: string;
  seq: number;
  /** Failed attempts at the change after `seq`. */
  attempts: number;
  /** When the first of them failed (ms), or null. */
  failingSince: number | null;
  /** Not before this (ms) is the next attempt made. */
  retryAt: number;
  lastStatus: number | null;
  lastError: string | null;
}

/** Most lines kept in each endpoint's delivery log. */
export const DELIVERY_LOG_LENGTH = 200;

const renewLease = namedScript(
  ['lease'],
  ['owner', 'ttlMs'],
  `
if redis.call('GET', lease_key) ~= owner then return 0 end
redis.call('PEXPIRE', lease_key, ttl_ms)
return 1
`,
);

const releaseLease = namedScript(
  ['lease'],
  ['owner'],
  `
if redis.call('GET', lease_key) ~= owner then return 0 end
redis.call('DEL', lease_key)
return 1
`,
);

/** Writes the cursor only while `owner` still holds the lease: a process that lost it cannot move it. */
const writeCursor = namedScript(
  ['lease', 'cursor'],
  ['owner', 'cursorJson'],
  `
if redis.call('GET', lease_key) ~= owner then return 0 end
redis.call('SET', cursor_key, cursor_json)
return 1
`,
);

const SCRIPTS = { webhookRenewLease: renewLease, webhookReleaseLease: releaseLease, webhookWriteCursor: writeCursor };

export class WebhookStore {
  private readonly call: (name: keyof typeof SCRIPTS, ...keysThenArgs: (string | number)[]) => Promise<number>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {
    this.call = scriptCaller<keyof typeof SCRIPTS, number>(redis, SCRIPTS);
  }

  async save(record: WebhookRecord): Promise<void> {
    await this.redis.hset(this.keys.webhooks, record.id, JSON.stringify(record));
  }

  async find(id: string): Promise<WebhookRecord | null> {
    const raw = await this.redis.hget(this.keys.webhooks, id);
    return raw ? (JSON.parse(raw) as WebhookRecord) : null;
  }

  async list(): Promise<WebhookRecord[]> {
    const all = await this.redis.hvals(this.keys.webhooks);
    return all.map((raw) => JSON.parse(raw) as WebhookRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Removes the endpoint and its log; returns whether it existed. Cursors of removed endpoints are never read again. */
  async remove(id: string): Promise<boolean> {
    const removed = (await this.redis.hdel(this.keys.webhooks, id)) === 1;
    await this.redis.del(this.keys.webhookDeliveries(id));
    return removed;
  }

  async cursor(slug: string, id: string): Promise<DeliveryCursor | null> {
    const raw = await this.redis.get(this.keys.webhookCursor(slug, id));
    return raw ? (JSON.parse(raw) as DeliveryCursor) : null;
  }

  /** Sets a cursor only where none is yet (an endpoint registered now starts at each briefing's head). */
  async initCursor(slug: string, id: string, cursor: DeliveryCursor): Promise<void> {
    await this.redis.set(this.keys.webhookCursor(slug, id), JSON.stringify(cursor), 'NX');
  }

  /** Returns false when the lease is no longer `owner`'s (nothing written). */
  async writeCursor(slug: string, id: string, owner: string, cursor: DeliveryCursor): Promise<boolean> {
    const keys = { lease: this.keys.webhookLease(slug, id), cursor: this.keys.webhookCursor(slug, id) };
    return (await this.call('webhookWriteCursor', ...scriptInputs(writeCursor, keys, { owner, cursorJson: JSON.stringify(cursor) }))) === 1;
  }

  async takeLease(slug: string, id: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.webhookLease(slug, id), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async renewLease(slug: string, id: string, owner: string, ttlMs: number): Promise<boolean> {
    const keys = { lease: this.keys.webhookLease(slug, id) };
    return (await this.call('webhookRenewLease', ...scriptInputs(renewLease, keys, { owner, ttlMs }))) === 1;
  }

  async releaseLease(slug: string, id: string, owner: string): Promise<void> {
    await this.call('webhookReleaseLease', ...scriptInputs(releaseLease, { lease: this.keys.webhookLease(slug, id) }, { owner }));
  }

  async logDelivery(id: string, line: WebhookDelivery): Promise<void> {
    const key = this.keys.webhookDeliveries(id);
    await this.redis
      .pipeline()
      .lpush(key, JSON.stringify(line))
      .ltrim(key, 0, DELIVERY_LOG_LENGTH - 1)
      .exec();
  }

  async deliveries(id: string): Promise<WebhookDelivery[]> {
    const raw = await this.redis.lrange(this.keys.webhookDeliveries(id), 0, DELIVERY_LOG_LENGTH - 1);
    return raw.map((line) => JSON.parse(line) as WebhookDelivery);
  }
}

/**
 * Delivers each briefing's change log to every webhook endpoint that wants it, in seq order,
 * at least once. Each process runs one worker; for each (endpoint, briefing) one of them at a
 * time holds a lease and moves the stored cursor, only after the receiver answered 2xx, so a
 * restart or a second process neither loses nor reorders a delivery.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Briefing, Change } from '../../shared/schemas';
import { AppError } from '../../shared/errors';
import type { WebhookDelivery } from '../../shared/webhooks';
import type { Store } from '../store/store';
import type { DeliveryCursor, WebhookRecord, WebhookStore } from '../store/webhooks';
import { deliveryIdOf, Sender, type SendResult } from './sender';

export interface WebhookWorkerOptions {
  allowPrivate: boolean;
  /** How often each briefing's head is looked at, in ms. */
  pollMs: number;
  /** Longest wait for one receiver's answer, in ms. */
  timeoutMs: number;
  /** How long a lease lasts without renewal, in ms (longer than timeoutMs). */
  leaseMs: number;
  /** Most deliveries to one endpoint for one briefing in one turn, so a long log is shared out. */
  batch: number;
  /** The first retry's delay; each next one doubles, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long one change is retried before it is marked failed and skipped. */
  retryWindowMs: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookWorkerOptions = {
  allowPrivate: false,
  pollMs: 1000,
  timeoutMs: 10_000,
  leaseMs: 30_000,
  batch: 100,
  retryBaseMs: 1000,
  retryMaxMs: 10 * 60_000,
  retryWindowMs: 24 * 60 * 60_000,
};

function freshCursor(epoch: string, seq: number): DeliveryCursor {
  return { epoch, seq, attempts: 0, failingSince: null, retryAt: 0, lastStatus: null, lastError: null };
}

/** The delay before retry number `attempts` (1, 2, …): doubling, capped, ±25 % so retries of many endpoints spread out. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  const plain = Math.min(maxMs, baseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(plain * (0.75 + Math.random() * 0.5));
}

export function webhookWants(endpoint: WebhookRecord, slug: string): boolean {
  return endpoint.enabled && (endpoint.briefings === 'all' || endpoint.briefings.includes(slug));
}

export class WebhookWorker {
  private readonly owner = randomBytes(8).toString('hex');
  private readonly sender: Sender;
  private readonly running = new Map<string, Promise<void>>();
  /** The head (`epoch:seq`) each pair was last found delivered up to: unchanged heads are not looked at again. */
  private readonly caughtUp = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly webhooks: WebhookStore,
    private readonly logger: Logger,
    private readonly options: WebhookWorkerOptions,
  ) {
    this.sender = new Sender(options.allowPrivate, options.timeoutMs);
  }

  start(): void {
    const loop = (): void => {
      this.timer = setTimeout(() => {
        this.tick()
          .catch((error: unknown) => this.logger.warn({ err: error }, 'webhook delivery round failed'))
          .finally(() => {
            if (!this.stopped) loop();
          });
      }, this.options.pollMs);
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // Requests in flight are cut off rather than waited for (up to the timeout): their cursors
    // have not moved, so whichever process delivers next sends them again.
    this.sender.close();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Starts a turn for every (endpoint, briefing) pair with something to deliver that none of this process's turns holds. */
  private async tick(): Promise<void> {
    const endpoints = (await this.webhooks.list()).filter((endpoint) => endpoint.enabled);
    if (endpoints.length === 0) return;
    const slugs = await this.store.redis.zrange(this.store.keys.briefings, 0, -1);
    const heads = new Map<string, string>();
    await Promise.all(
      slugs.map(async (slug) => {
        const keys = this.store.keys.briefing(slug);
        const [epoch, seq] = await this.store.redis.mget(keys.epoch, keys.seq);
        heads.set(slug, `${epoch ?? ''}:${seq ?? '0'}`);
      }),
    );
    for (const endpoint of endpoints) {
      for (const slug of slugs) {
        if (!webhookWants(endpoint, slug)) continue;
        const pair = `${endpoint.id} ${slug}`;
        if (this.running.has(pair) || this.caughtUp.get(pair) === heads.get(slug)) continue;
        const turn = this.turn(endpoint, slug, pair)
          .catch((error: unknown) => {
            if (error instanceof AppError && error.code === 'not_found') return;
            this.logger.warn({ err: error, webhook: endpoint.id, slug }, 'webhook delivery turn failed');
          })
          .finally(() => this.running.delete(pair));
        this.running.set(pair, turn);
      }
    }
  }

  /** One turn for one pair: at most `batch` deliveries in order, under the lease. */
  private async turn(endpoint: WebhookRecord, slug: string, pair: string): Promise<void> {
    const { webhooks, options } = this;
    if (!(await webhooks.takeLease(slug, endpoint.id, this.owner, options.leaseMs))) return;
    try {
      let cursor = await webhooks.cursor(slug, endpoint.id);
      if (!cursor) {
        // A briefing created after the endpoint was registered: from its first change.
        const head = await this.store.head(slug);
        if (!head) return;
        cursor = freshCursor(head.epoch, 0);
      }
      if (cursor.retryAt > Date.now()) return;
      let sent = 0;
      while (!this.stopped && sent < options.batch) {
        const catchUp = await this.store.changesSince(slug, { epoch: cursor.epoch, seq: cursor.seq });
        let pending: Change[];
        if (catchUp.kind === 'resume') {
          if (catchUp.changes.length === 0) {
            this.caughtUp.set(pair, `${catchUp.epoch}:${catchUp.seq}`);
            return;
          }
          pending = catchUp.changes;
        } else if (catchUp.epoch !== cursor.epoch && (await this.startsAgain(slug, catchUp.epoch))) {
          // A lost history: the new epoch's log is complete, so it is delivered from its start.
          cursor = freshCursor(catchUp.epoch, 0);
          if (!(await webhooks.writeCursor(slug, endpoint.id, this.owner, cursor))) return;
          await this.note(
            endpoint.id,
            slug,
            catchUp.epoch,
            0,
            'history.lost',
            'the briefing started a new history; delivering it from its start',
          );
          continue;
        } else {
          // Not all of what was missed is kept: the briefing as it is now, as a briefing.updated change.
          const snapshot = await this.snapshotChange(slug);
          if (!snapshot) return;
          if (cursor.attempts === 0) {
            await this.note(
              endpoint.id,
              slug,
              snapshot.epoch,
              snapshot.seq,
              'history.lost',
              'changes were no longer kept; sending the briefing as it is now',
            );
          }
          pending = [snapshot];
        }
        for (const change of pending) {
          if (this.stopped || sent >= options.batch) return;
          if (!endpoint.events.includes(change.type)) {
            cursor = freshCursor(change.epoch, change.seq);
            if (!(await webhooks.writeCursor(slug, endpoint.id, this.owner, cursor))) return;
            continue;
          }
          if (!(await webhooks.renewLease(slug, endpoint.id, this.owner, options.leaseMs))) return;
          const attempts = cursor.attempts + 1;
          const result = await this.post(endpoint, change, false);
          const now = Date.now();
          const delivered = result.status !== null && result.status >= 200 && result.status < 300;
          if (!delivered) {
            const failingSince = cursor.failingSince ?? now;
            if (now - failingSince < options.retryWindowMs) {
              cursor = {
                ...cursor,
                attempts,
                failingSince,
                retryAt: now + backoffMs(attempts, options.retryBaseMs, options.retryMaxMs),
                lastStatus: result.status,
                lastError: result.error ?? `answered ${result.status ?? ''}`,
              };
              if (!(await webhooks.writeCursor(slug, endpoint.id, this.owner, cursor))) return;
              // Only the first failure of a change is logged: its retries would crowd the capped log.
              if (attempts === 1) await webhooks.logDelivery(endpoint.id, this.logLine(endpoint.id, change, 'retrying', result, attempts));
              return;
            }
          }
          await webhooks.logDelivery(endpoint.id, this.logLine(endpoint.id, change, delivered ? 'delivered' : 'failed', result, attempts));
          if (!delivered)
            this.logger.warn({ webhook: endpoint.id, slug, seq: change.seq }, 'webhook delivery given up after the retry window');
          cursor = freshCursor(change.epoch, change.seq);
          if (!(await webhooks.writeCursor(slug, endpoint.id, this.owner, cursor))) return;
          sent += 1;
        }
      }
    } finally {
      await webhooks.releaseLease(slug, endpoint.id, this.owner).catch(() => undefined);
    }
  }

  /** Whether the log of `epoch` still holds its start (so nothing of it would be skipped). */
  private async startsAgain(slug: string, epoch: string): Promise<boolean> {
    const fromStart = await this.store.changesSince(slug, { epoch, seq: 0 });
    return fromStart.kind === 'resume';
  }

  private logLine(
    webhookId: string,
    change: Change,
    outcome: WebhookDelivery['outcome'],
    result: SendResult,
    attempts: number,
  ): WebhookDelivery {
    const delivered = outcome === 'delivered';
    return {
      deliveryId: deliveryIdOf(webhookId, change.slug, change.epoch, change.seq),
      slug: change.slug,
      epoch: change.epoch,
      seq: change.seq,
      type: change.type,
      outcome,
      status: result.status,
      error: delivered ? null : (result.error ?? `answered ${result.status ?? ''}`),
      attempts,
      redelivery: false,
      at: new Date().toISOString(),
    };
  }

  private async snapshotChange(slug: string): Promise<Change | null> {
    const head = await this.store.head(slug);
    if (!head) return null;
    const briefing: Briefing = head.briefing;
    return { type: 'briefing.updated', slug, epoch: head.epoch, seq: head.seq, at: new Date().toISOString(), briefing };
  }

  private async note(webhookId: string, slug: string, epoch: string, seq: number, type: string, error: string): Promise<void> {
    await this.webhooks.logDelivery(webhookId, {
      deliveryId: deliveryIdOf(webhookId, slug, epoch, -seq - 1),
      slug,
      epoch,
      seq,
      type,
      outcome: 'note',
      status: null,
      error,
      attempts: 0,
      redelivery: false,
      at: new Date().toISOString(),
    });
  }

  private post(endpoint: WebhookRecord, change: Change, redelivery: boolean) {
    const deliveryId = deliveryIdOf(endpoint.id, change.slug, change.epoch, change.seq);
    const body = JSON.stringify({ ...change, webhookId: endpoint.id, deliveryId, ...(redelivery ? { redelivery: true } : {}) });
    return this.sender.send(endpoint.url, endpoint.secret, change.type, deliveryId, body);
  }

  /** "Send again": one logged delivery, now, marked as a redelivery; logged like any other. */
  async redeliver(endpoint: WebhookRecord, line: WebhookDelivery): Promise<WebhookDelivery> {
    const catchUp = await this.store.changesSince(line.slug, { epoch: line.epoch, seq: line.seq - 1 });
    const change = catchUp.kind === 'resume' ? catchUp.changes.find((candidate) => candidate.seq === line.seq) : undefined;
    if (!change) throw new AppError('gone', 'deliveryId: that change is no longer kept in the briefing’s log');
    const result = await this.post(endpoint, change, true);
    const delivered = result.status !== null && result.status >= 200 && result.status < 300;
    const logged: WebhookDelivery = {
      ...this.logLine(endpoint.id, change, delivered ? 'delivered' : 'failed', result, 1),
      redelivery: true,
    };
    await this.webhooks.logDelivery(endpoint.id, logged);
    return logged;
  }
}

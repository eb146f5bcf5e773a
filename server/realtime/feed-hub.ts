/**
 * Fan-out of each briefing's change log to this process's sockets.
 *
 * One blocking Redis connection tails the logs (XREAD BLOCK) of every briefing a local
 * socket follows; each change is serialized once and emitted to the briefing's room.
 * A new subscriber is registered (and buffered) before its catch-up is read, and joins
 * the room only once the tail has reached what it was sent, so it receives every change
 * after its ack exactly once and in order, whatever the timing.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import { applyChange, viewFromSnapshot, type FeedView } from '../../shared/apply-change';
import { AppError } from '../../shared/errors';
import type {
  Change,
  ClientToServerEvents,
  Cursor,
  ServerToClientEvents,
  SubscribeAck,
} from '../../shared/schemas';
import { LIMITS } from '../../shared/schemas';
import type { Metrics } from '../metrics';
import { redisUnavailable } from '../redis';
import { decodeStreamEntry, seqOfStreamId, type Store } from '../store/store';

export type ReaderSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
export type ReaderServer = Server<ClientToServerEvents, ServerToClientEvents>;

export interface FeedHubOptions {
  /** Entries kept in each briefing's snapshot cache; more than a snapshot shows, so deletions rarely force a reload. Default 50. */
  cacheWindow?: number;
  /** Recent changes kept in memory per briefing to resume readers without asking Redis. Default 1000. */
  recentChanges?: number;
  /** How long a briefing nobody follows stays tailed, in ms. Default 30 000. */
  releaseDelayMs?: number;
  /** Longest XREAD block, in ms; also how often lost histories are looked for. Default 2000. */
  blockMs?: number;
  /** Most changes one catch-up replays; a cursor further behind gets a snapshot. */
  replayLimit: number;
  /** Briefings one socket may follow at once. */
  maxSubscriptionsPerSocket: number;
}

/** A subscriber between its subscribe call and joining the room. */
class PendingSubscription {
  acked = false;
  lastSent = 0;
  readonly buffer: Change[] = [];

  constructor(readonly socket: ReaderSocket) {}

  offer(change: Change): void {
    if (!this.acked) {
      this.buffer.push(change);
    } else if (change.seq > this.lastSent) {
      this.socket.emit('change', change);
      this.lastSent = change.seq;
    }
  }
}

class Feed {
  epoch = '';
  position = 0;
  /** The snapshot cache, kept current by applying each change of the tail. */
  cache: FeedView | null = null;
  /** The snapshot being read from Redis, and the tail position when that read began. */
  loading: { from: number; view: Promise<FeedView> } | null = null;
  /** The last changes delivered, contiguous, ending at `position`. */
  recent: Change[] = [];
  readonly pending = new Set<PendingSubscription>();
  readonly room: string;
  readonly logKey: string;
  followers = 0;
  releaseTimer: NodeJS.Timeout | null = null;
  ready: Promise<void> = Promise.resolve();
  initialised = false;
  /** Grows with every new epoch, so a subscribe can tell that what it read belongs to an older one. */
  generation = 0;
  /** The head check in flight, and the one queued behind it for those who came after it began. */
  verifying: Promise<void> | null = null;
  verifyingNext: Promise<void> | null = null;

  constructor(
    readonly slug: string,
    logKey: string,
  ) {
    this.room = `b:${slug}`;
    this.logKey = logKey;
  }
}

export class FeedHub {
  private readonly feeds = new Map<string, Feed>();
  private readonly feedsByLogKey = new Map<string, Feed>();
  private readonly subscriptionsBySocket = new WeakMap<ReaderSocket, Map<string, PendingSubscription | 'live'>>();
  private readonly cacheWindow: number;
  private readonly recentChanges: number;
  private readonly releaseDelayMs: number;
  private readonly blockMs: number;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private tailClientId: number | null = null;
  /** A token for the XREAD in flight, null between reads. */
  private readInFlight: object | null = null;
  private lastPositionCheck = 0;
  /** Set when the tail must compare every followed head with Redis before its next read (a reconnect, a change of another epoch). */
  private checkBeforeRead = false;

  constructor(
    private readonly store: Store,
    private readonly tailRedis: Redis,
    private readonly io: ReaderServer,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly options: FeedHubOptions,
  ) {
    this.cacheWindow = options.cacheWindow ?? 50;
    this.recentChanges = options.recentChanges ?? 1000;
    this.releaseDelayMs = options.releaseDelayMs ?? 30_000;
    this.blockMs = options.blockMs ?? 2000;
    tailRedis.on('ready', () => {
      this.tailClientId = null;
      // Redis may have restarted from older data or failed over: look before reading on.
      this.checkBeforeRead = true;
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.tailLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.interruptTail();
    await this.loopDone;
    for (const feed of this.feeds.values()) if (feed.releaseTimer) clearTimeout(feed.releaseTimer);
    this.feeds.clear();
    this.feedsByLogKey.clear();
  }

  /**
   * Handles one `subscribe`: resume or snapshot, then every change once, in order.
   * `reply` sends the ack; it is called exactly once unless this throws (then the caller
   * answers with the error), or the socket left meanwhile. A subscribe that a later
   * subscribe or unsubscribe for the same slug replaced is answered with `conflict`.
   */
  async subscribe(
    socket: ReaderSocket,
    slug: string,
    since: Cursor | null | undefined,
    reply: (ack: SubscribeAck) => void,
  ): Promise<void> {
    const subscriptions = this.subscriptionsOf(socket);
    if (!subscriptions.has(slug) && subscriptions.size >= this.options.maxSubscriptionsPerSocket) {
      throw new AppError('invalid', `at most ${this.options.maxSubscriptionsPerSocket} briefings per connection`);
    }
    this.unsubscribe(socket, slug);
    const pending = new PendingSubscription(socket);
    subscriptions.set(slug, pending);
    let feed: Feed;
    try {
      feed = await this.acquire(slug);
    } catch (error) {
      if (subscriptions.get(slug) === pending) subscriptions.delete(slug);
      throw error;
    }
    feed.pending.add(pending);
    try {
      let catchUp: Change[] | null = null;
      let snapshot: FeedView | null = null;
      // What is read must belong to the epoch the feed is in when the ack goes out; a new
      // epoch found meanwhile (a lost history) means reading again.
      for (let generation = -1; generation !== feed.generation; ) {
        generation = feed.generation;
        pending.buffer.length = 0;
        await this.verifyHead(feed).catch((error: unknown) => {
          // Redis away: serve what this process holds. Nothing can be written meanwhile, and
          // a history found lost when Redis returns reaches this reader as a new epoch, as it
          // reaches every reader connected through the outage.
          if (!redisUnavailable(error)) throw error;
        });
        if (generation !== feed.generation) continue;
        catchUp = since && since.epoch === feed.epoch ? await this.catchUp(feed, since) : null;
        snapshot = catchUp ? null : await this.snapshotOf(feed);
      }
      if (!socket.connected || subscriptions.get(slug) !== pending) {
        // unsubscribe() or dropSocket() has released the feed already
        feed.pending.delete(pending);
        if (socket.connected) {
          reply({ ok: false, error: { code: 'conflict', message: `slug: a later subscribe or unsubscribe for "${slug}" replaced this one` } });
        }
        return;
      }
      // From here on nothing awaits: the ack, the missed changes and the join of the room
      // go out in this order with no change of the tail in between.
      if (catchUp && since) {
        reply({ ok: true, mode: 'resume', epoch: feed.epoch, seq: since.seq });
        pending.lastSent = since.seq;
        this.metrics.subscriptions.inc({ mode: 'resume' });
      } else if (snapshot) {
        reply({
          ok: true,
          mode: 'snapshot',
          epoch: snapshot.epoch,
          seq: snapshot.seq,
          snapshot: {
            briefing: snapshot.briefing,
            entries: snapshot.entries.slice(0, LIMITS.snapshotEntries),
            pinned: snapshot.pinned,
          },
        });
        pending.lastSent = snapshot.seq;
        this.metrics.subscriptions.inc({ mode: 'snapshot' });
      }
      pending.acked = true;
      for (const change of [...(catchUp ?? []), ...pending.buffer]) pending.offer(change);
      pending.buffer.length = 0;
      this.joinIfCaughtUp(feed, pending);
    } catch (error) {
      if (subscriptions.get(slug) === pending) {
        subscriptions.delete(slug);
        feed.pending.delete(pending);
        this.release(feed);
      }
      throw error;
    }
  }

  unsubscribe(socket: ReaderSocket, slug: string): void {
    const subscriptions = this.subscriptionsBySocket.get(socket);
    const state = subscriptions?.get(slug);
    if (!subscriptions || state === undefined) return;
    subscriptions.delete(slug);
    const feed = this.feeds.get(slug);
    if (!feed) return;
    if (state === 'live') void socket.leave(feed.room);
    else feed.pending.delete(state);
    this.release(feed);
  }

  dropSocket(socket: ReaderSocket): void {
    const subscriptions = this.subscriptionsBySocket.get(socket);
    if (!subscriptions) return;
    for (const slug of [...subscriptions.keys()]) this.unsubscribe(socket, slug);
  }

  // ---------- subscription internals ----------

  private joinIfCaughtUp(feed: Feed, pending: PendingSubscription): void {
    if (feed.position < pending.lastSent) return;
    feed.pending.delete(pending);
    void pending.socket.join(feed.room);
    this.subscriptionsOf(pending.socket).set(feed.slug, 'live');
  }

  /** The changes after `since`, or null when they are no longer kept or too many (then a snapshot). */
  private async catchUp(feed: Feed, since: Cursor): Promise<Change[] | null> {
    if (feed.position - since.seq > this.options.replayLimit) return null;
    const first = feed.recent[0];
    if (first && since.seq >= first.seq - 1 && since.seq <= feed.position) {
      return feed.recent.filter((change) => change.seq > since.seq);
    }
    if (since.seq === feed.position && feed.recent.length === 0) return [];
    const read = await this.store.changesSince(feed.slug, since);
    return read.kind === 'resume' ? read.changes : null;
  }

  /**
   * Compares the feed with the briefing's head in Redis, where a lost history shows (and
   * is given its new epoch), before a cursor is served: a wipe or a restore leaves this
   * process's memory as it was. Joins arriving while a check is under way share the next
   * one, so a storm of joins costs Redis a command or two per round trip, not one each.
   */
  private verifyHead(feed: Feed): Promise<void> {
    if (!feed.verifying) {
      const check = this.compareHead(feed).finally(() => {
        if (feed.verifying === check) feed.verifying = null;
      });
      feed.verifying = check;
      return check;
    }
    feed.verifyingNext ??= feed.verifying
      .catch(() => undefined)
      .then(() => {
        feed.verifyingNext = null;
        return this.verifyHead(feed);
      });
    return feed.verifyingNext;
  }

  private async compareHead(feed: Feed): Promise<void> {
    const before = this.positionOf(feed);
    const head = await this.store.head(feed.slug);
    if (!head) throw new AppError('not_found', `no briefing "${feed.slug}"`);
    await this.follow(feed, before, head);
  }

  private positionOf(feed: Feed): { generation: number; position: number } {
    return { generation: feed.generation, position: feed.position };
  }

  /**
   * Brings the feed to the head's epoch: another epoch, or a log behind what this process
   * had delivered before the head was read, is a lost history. (The tail delivers while the
   * head is read: only what it had delivered before may be compared.)
   */
  private async follow(feed: Feed, before: { generation: number; position: number }, head: { epoch: string; seq: number }): Promise<void> {
    if (feed.generation !== before.generation) return;
    if (head.epoch !== feed.epoch) {
      this.resetFeed(feed, head.epoch);
      // A briefing wiped and created again has no change yet to tell its readers of the new
      // epoch: their connections are closed instead, and they come back with their cursors.
      if (head.seq === 0) this.io.in(feed.room).disconnectSockets(true);
    } else if (head.seq < before.position) {
      const rotated = await this.store.rotateEpoch(feed.slug, feed.epoch);
      if (rotated && rotated.epoch !== feed.epoch && feed.generation === before.generation) this.resetFeed(feed, rotated.epoch);
    }
  }

  private async snapshotOf(feed: Feed): Promise<FeedView> {
    const cached = feed.cache;
    if (cached && cached.epoch === feed.epoch && cached.seq >= feed.position) return cached;
    // Only a read begun at the tail's position or later will do: one begun earlier may have
    // read Redis before changes that the tail delivered before this subscriber registered,
    // which would then be in neither its snapshot nor its buffer.
    if (!feed.loading || feed.loading.from < feed.position) {
      const load = {
        from: feed.position,
        view: this.store.readPage(feed.slug, { limit: this.cacheWindow, withPinned: true }).then((page) => {
          const view = viewFromSnapshot(page.epoch, page.seq, page, this.cacheWindow);
          if (page.epoch === feed.epoch && page.seq >= feed.position && (!feed.cache || feed.cache.seq < page.seq)) {
            feed.cache = view;
          }
          return view;
        }),
      };
      const done = (): void => {
        if (feed.loading === load) feed.loading = null;
      };
      load.view.then(done, done);
      feed.loading = load;
    }
    return feed.loading.view;
  }

  private subscriptionsOf(socket: ReaderSocket): Map<string, PendingSubscription | 'live'> {
    let subscriptions = this.subscriptionsBySocket.get(socket);
    if (!subscriptions) {
      subscriptions = new Map();
      this.subscriptionsBySocket.set(socket, subscriptions);
    }
    return subscriptions;
  }

  // ---------- feeds ----------

  private async acquire(slug: string): Promise<Feed> {
    let feed = this.feeds.get(slug);
    if (!feed) {
      const created = new Feed(slug, this.store.logKey(slug));
      feed = created;
      this.feeds.set(slug, created);
      this.feedsByLogKey.set(created.logKey, created);
      created.ready = this.store.head(slug).then((head) => {
        if (!head) throw new AppError('not_found', `no briefing "${slug}"`);
        created.epoch = head.epoch;
        created.position = head.seq;
        created.initialised = true;
        this.metrics.watchedBriefings.set(this.feeds.size);
        this.wake?.();
        void this.interruptTail();
      });
      created.ready.catch(() => {
        if (this.feeds.get(slug) === created && created.followers === 0) this.forget(created);
      });
    }
    feed.followers++;
    if (feed.releaseTimer) {
      clearTimeout(feed.releaseTimer);
      feed.releaseTimer = null;
    }
    try {
      await feed.ready;
    } catch (error) {
      feed.followers--;
      if (feed.followers === 0) this.forget(feed);
      throw error;
    }
    return feed;
  }

  private release(feed: Feed): void {
    feed.followers = Math.max(0, feed.followers - 1);
    if (feed.followers > 0 || feed.releaseTimer) return;
    feed.releaseTimer = setTimeout(() => {
      feed.releaseTimer = null;
      if (feed.followers === 0) this.forget(feed);
    }, this.releaseDelayMs);
    feed.releaseTimer.unref();
  }

  private forget(feed: Feed): void {
    if (this.feeds.get(feed.slug) !== feed) return;
    this.feeds.delete(feed.slug);
    this.feedsByLogKey.delete(feed.logKey);
    this.metrics.watchedBriefings.set(this.feeds.size);
  }

  private deliver(feed: Feed, change: Change): void {
    if (change.seq <= feed.position) return;
    if (change.seq !== feed.position + 1) {
      this.logger.warn({ slug: feed.slug, expected: feed.position + 1, got: change.seq }, 'change log gap while tailing');
    }
    feed.position = change.seq;
    feed.recent.push(change);
    if (feed.recent.length > this.recentChanges) feed.recent.splice(0, feed.recent.length - this.recentChanges);
    if (feed.recent.length > 1 && feed.recent[feed.recent.length - 2]?.seq !== change.seq - 1) feed.recent = [change];
    this.updateCache(feed, change);
    this.io.to(feed.room).emit('change', change);
    this.metrics.changesDelivered.inc();
    for (const pending of feed.pending) {
      pending.offer(change);
      if (pending.acked) this.joinIfCaughtUp(feed, pending);
    }
  }

  private updateCache(feed: Feed, change: Change): void {
    const cache = feed.cache;
    if (!cache || change.seq <= cache.seq) return;
    const result = applyChange(cache, change);
    if (result.status !== 'applied') {
      feed.cache = null;
      return;
    }
    const view = result.view;
    if (view.entries.length > this.cacheWindow) {
      view.entries = view.entries.slice(0, this.cacheWindow);
      view.complete = false;
    }
    // A snapshot shows the newest 20: below that, only a reload can say what comes next.
    feed.cache = view.entries.length < LIMITS.snapshotEntries && !view.complete ? null : view;
  }

  private resetFeed(feed: Feed, epoch: string): void {
    this.logger.warn({ slug: feed.slug, from: feed.epoch, to: epoch }, 'briefing history replaced: new epoch');
    feed.epoch = epoch;
    feed.position = 0;
    feed.generation++;
    feed.cache = null;
    feed.loading = null;
    feed.recent = [];
    // Acked subscribers still waiting to join would wait for a position of the old epoch:
    // they join now, and the new epoch's first change tells them to subscribe again.
    for (const pending of [...feed.pending]) {
      if (!pending.acked) continue;
      feed.pending.delete(pending);
      void pending.socket.join(feed.room);
      this.subscriptionsOf(pending.socket).set(feed.slug, 'live');
    }
    void this.interruptTail();
  }

  // ---------- the tail ----------

  private async tailLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const feeds = [...this.feeds.values()].filter((feed) => feed.initialised);
      if (feeds.length === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, this.blockMs).unref();
        });
        this.wake = null;
        continue;
      }
      try {
        if (this.checkBeforeRead) {
          this.checkBeforeRead = false;
          await this.checkPositions();
        }
        if (this.tailClientId === null) this.tailClientId = Number(await this.tailRedis.client('ID'));
        const read = {};
        this.readInFlight = read;
        const generations = new Map(feeds.map((feed) => [feed, feed.generation]));
        const reply = await this.tailRedis
          .xread(
            'COUNT',
            1000,
            'BLOCK',
            this.blockMs,
            'STREAMS',
            ...feeds.map((feed) => feed.logKey),
            ...feeds.map((feed) => `${feed.position}-0`),
          )
          .finally(() => {
            if (this.readInFlight === read) this.readInFlight = null;
          });
        for (const [key, items] of reply ?? []) {
          const feed = this.feedsByLogKey.get(key);
          // A feed reset to a new epoch while this read was under way reads its log again from the start.
          if (!feed || feed.generation !== generations.get(feed)) continue;
          for (const item of items) this.deliverStreamEntry(feed, item);
        }
        if (!reply || Date.now() - this.lastPositionCheck > this.blockMs) await this.checkPositions();
        failures = 0;
      } catch (error) {
        if (!this.running) break;
        failures++;
        this.checkBeforeRead = true;
        this.logger.error({ err: error }, 'change log tail failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** failures)));
      }
    }
  }

  /**
   * Notices a history that was lost or replaced (Redis wiped or rolled back): a log behind
   * what this process already delivered is given a new epoch, so no reader is left holding
   * numbers that now mean other changes.
   */
  private async checkPositions(): Promise<void> {
    this.lastPositionCheck = Date.now();
    const feeds = [...this.feeds.values()].filter((feed) => feed.initialised);
    const before = feeds.map((feed) => this.positionOf(feed));
    const heads = await Promise.all(feeds.map((feed) => this.store.head(feed.slug)));
    for (const [index, feed] of feeds.entries()) {
      const head = heads[index];
      const seen = before[index];
      if (head && seen) await this.follow(feed, seen, head);
    }
  }

  /**
   * Ends the XREAD in flight so the next one includes a newly followed briefing. UNBLOCK
   * reaches only a client already blocked; one whose XREAD is sent but not yet blocking
   * would miss it, so it is tried again until that read has ended.
   */
  private async interruptTail(): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const read = this.readInFlight;
      const id = this.tailClientId;
      if (!read || id === null) return;
      try {
        const unblocked = Number(await this.store.redis.client('UNBLOCK', id));
        if (unblocked === 1 || this.readInFlight !== read) return;
      } catch (error) {
        this.logger.debug({ err: error }, 'could not interrupt the log tail');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** A log entry that cannot be read is skipped (readers then see a gap and resubscribe) rather than stalling every briefing. */
  private deliverStreamEntry(feed: Feed, item: [id: string, fields: string[]]): void {
    let change: Change;
    try {
      change = decodeStreamEntry(feed.slug, feed.epoch, item);
      if (change.epoch !== feed.epoch) {
        // The log was started again under a new epoch since this feed last looked: never
        // deliver its changes under the old one. The check before the next read resets the feed.
        this.checkBeforeRead = true;
        return;
      }
    } catch (error) {
      this.logger.error({ err: error, slug: feed.slug, id: item[0] }, 'unreadable change in the log; skipped');
      feed.position = Math.max(feed.position, seqOfStreamId(item[0]));
      feed.cache = null;
      feed.recent = [];
      return;
    }
    this.deliver(feed, change);
  }
}

/**
 * The briefings this process follows, kept current with Redis: each followed briefing's
 * change log is tailed (one blocking XREAD for all of them), and its head is compared with
 * Redis before cursors are served, on every reconnect and every few seconds, so that a lost
 * history is found and its feed starts over in the new epoch. What the tail delivers, and
 * each new epoch, go to the listener (the hub), which speaks to the sockets.
 */
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors';
import type { Change } from '../../shared/schemas';
import type { Metrics } from '../metrics';
import type { Tail, TailFactory } from '../store/log-tail';
import { decodeStreamEntry, seqOfStreamId, type Store } from '../store/store';
import { FreshReads } from '../fresh-reads';
import { Feed } from './feed';

export interface FeedTrackerOptions {
  /** Entries kept in each briefing's snapshot cache. */
  cacheWindow: number;
  /** Recent changes kept in memory per briefing. */
  recentChanges: number;
  /** How long a briefing nobody follows stays tailed, in ms. */
  releaseDelayMs: number;
  /** Longest XREAD block, in ms; also how often lost histories are looked for. */
  blockMs: number;
}

export interface FeedListener {
  /** The tail took in the feed's next change; `endsCoverage` when it turns a live briefing ended. */
  delivered(feed: Feed, change: Change, endsCoverage: boolean): void;
  /** The feed starts over in a new epoch; `headSeq` is where the new history stands (0: nothing yet). */
  reset(feed: Feed, headSeq: number): void;
}

export class FeedTracker {
  private readonly feeds = new Map<string, Feed>();
  private readonly feedsByLogKey = new Map<string, Feed>();
  private readonly tail: Tail;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private lastPositionCheck = 0;
  /** Set when every followed head must be compared with Redis before the next read (a reconnect, a change of another epoch). */
  private checkBeforeRead = false;
  /** Head checks of each feed, shared by the joins that arrive while one is under way. */
  private readonly headChecks = new FreshReads<Feed, void>((feed) => this.compareHead(feed));

  constructor(
    private readonly store: Store,
    makeTail: TailFactory,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly options: FeedTrackerOptions,
    private readonly listener: FeedListener,
  ) {
    // Redis may have restarted from older data or failed over: look before reading on.
    this.tail = makeTail(() => {
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
    await this.tail.interrupt();
    this.tail.close();
    await this.loopDone;
    for (const feed of this.feeds.values()) if (feed.releaseTimer) clearTimeout(feed.releaseTimer);
    this.feeds.clear();
    this.feedsByLogKey.clear();
  }

  /** Every feed this process follows (or still holds during its release delay). */
  followedFeeds(): IterableIterator<Feed> {
    return this.feeds.values();
  }

  /** The feed of `slug` if this process follows it. */
  followed(slug: string): Feed | undefined {
    return this.feeds.get(slug);
  }

  /** The feed of `slug`, followed (and tailed) until as many release() calls; rejects with not_found for no such briefing. */
  async acquire(slug: string): Promise<Feed> {
    let feed = this.feeds.get(slug);
    if (!feed) {
      const created = new Feed(slug, this.store.logKey(slug), {
        cacheEntries: this.options.cacheWindow,
        recentChanges: this.options.recentChanges,
      });
      feed = created;
      this.feeds.set(slug, created);
      this.feedsByLogKey.set(created.logKey, created);
      created.ready = this.store.head(slug).then((head) => {
        if (!head) throw new AppError('not_found', `no briefing "${slug}"`);
        created.epoch = head.epoch;
        created.position = head.seq;
        created.status = head.briefing.status;
        created.initialised = true;
        this.metrics.watchedBriefings.set(this.feeds.size);
        this.wake?.();
        void this.tail.interrupt();
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

  /** One follower fewer; a feed nobody follows is forgotten after the release delay. */
  release(feed: Feed): void {
    feed.followers = Math.max(0, feed.followers - 1);
    if (feed.followers > 0 || feed.releaseTimer) return;
    feed.releaseTimer = setTimeout(() => {
      feed.releaseTimer = null;
      if (feed.followers === 0) this.forget(feed);
    }, this.options.releaseDelayMs);
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
    const endsCoverage = feed.advance(change);
    this.listener.delivered(feed, change, endsCoverage);
  }

  private resetFeed(feed: Feed, epoch: string, head: { seq: number }): void {
    this.logger.warn({ slug: feed.slug, from: feed.epoch, to: epoch }, 'briefing history replaced: new epoch');
    feed.reset(epoch);
    this.listener.reset(feed, head.seq);
    void this.tail.interrupt();
  }

  /**
   * Compares the feed with the briefing's head in Redis, where a lost history shows (and
   * is given its new epoch), before a cursor is served: a wipe or a restore leaves this
   * process's memory as it was. Joins arriving while a check is under way share the next
   * one, so a storm of joins costs Redis a command or two per round trip, not one each.
   */
  verifyHead(feed: Feed): Promise<void> {
    return this.headChecks.read(feed);
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
      this.resetFeed(feed, head.epoch, head);
    } else if (head.seq < before.position) {
      const rotated = await this.store.rotateEpoch(feed.slug, feed.epoch);
      if (rotated && rotated.epoch !== feed.epoch && feed.generation === before.generation) this.resetFeed(feed, rotated.epoch, rotated);
    }
  }

  private async tailLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const feeds = [...this.feeds.values()].filter((feed) => feed.initialised);
      if (feeds.length === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, this.options.blockMs).unref();
        });
        this.wake = null;
        continue;
      }
      try {
        if (this.checkBeforeRead) {
          this.checkBeforeRead = false;
          await this.checkPositions();
        }
        const generations = new Map(feeds.map((feed) => [feed, feed.generation]));
        const reply = await this.tail.read(feeds, this.options.blockMs);
        for (const [key, items] of reply ?? []) {
          const feed = this.feedsByLogKey.get(key);
          // A feed reset to a new epoch while this read was under way reads its log again from the start.
          if (!feed || feed.generation !== generations.get(feed)) continue;
          for (const item of items) this.deliverStreamEntry(feed, item);
        }
        if (!reply || Date.now() - this.lastPositionCheck > this.options.blockMs) await this.checkPositions();
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
      feed.forgetHistory();
      return;
    }
    this.deliver(feed, change);
  }
}

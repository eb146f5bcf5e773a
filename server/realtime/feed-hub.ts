/**
 * The subscribe protocol: resume or snapshot, then every change once, in order.
 *
 * The feeds of the briefings followed are kept current by the FeedTracker (the log tail
 * and the head checks); each change it delivers is queued on the briefing's fan-out, which
 * encodes it once and writes it to the followers slice by slice. A new subscriber is
 * registered (and buffered) before its catch-up is read, and joins the fan-out only once the
 * tail has reached what it was sent, placed after everything already queued, so it receives
 * every change after its ack exactly once and in order, whatever the timing.
 */
import type { Logger } from 'pino';
import type { DefaultEventsMap, Server } from 'socket.io';
import { viewFromSnapshot, type FeedView } from '../../shared/apply-change';
import { CONSOLE_FEED_QUERY } from '../../shared/console';
import { AppError } from '../../shared/errors';
import type { Change, ClientToServerEvents, Cursor, ServerToClientEvents, SubscribeAck } from '../../shared/schemas';
import { LIMITS } from '../../shared/schemas';
import type { Metrics } from '../metrics';
import { redisUnavailable } from '../redis';
import type { TailFactory } from '../store/log-tail';
import type { Store } from '../store/store';
import { DEFAULT_FAN_OUT, FanOut, type FanOutSettings, type MemberAction } from './fan-out';
import { PendingSubscription, type Feed, type ReaderSocket, type ReaderSocketData } from './feed';
import { FeedTracker } from './feed-tracker';
import { SubscriptionTable } from './subscriptions';

export type { ReaderSocket } from './feed';

export type ReaderServer = Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, ReaderSocketData>;

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

export class FeedHub {
  private readonly subscriptions = new SubscriptionTable();
  private readonly cacheWindow: number;
  /** How the fan-outs write; tests make slices small to force many of them. */
  readonly fanOut: FanOutSettings = { ...DEFAULT_FAN_OUT };
  private readonly fanOuts = new WeakMap<Feed, FanOut>();
  private readonly tracker: FeedTracker;

  constructor(
    private readonly store: Store,
    makeTail: TailFactory,
    private readonly io: ReaderServer,
    logger: Logger,
    private readonly metrics: Metrics,
    private readonly options: FeedHubOptions,
  ) {
    this.cacheWindow = options.cacheWindow ?? 50;
    const trackerOptions = {
      cacheWindow: this.cacheWindow,
      recentChanges: options.recentChanges ?? 1000,
      releaseDelayMs: options.releaseDelayMs ?? 30_000,
      blockMs: options.blockMs ?? 2000,
    };
    this.tracker = new FeedTracker(store, makeTail, logger, metrics, trackerOptions, {
      delivered: (feed, change, endsCoverage) => this.delivered(feed, change, endsCoverage),
      reset: (feed, headSeq) => this.reset(feed, headSeq),
    });
  }

  start(): void {
    this.tracker.start();
  }

  async stop(): Promise<void> {
    await this.tracker.stop();
  }

  /** Subscriptions (acked or not, the console's own included) on this process per followed briefing: its load, for metrics. */
  subscriberCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const feed of this.tracker.followedFeeds()) if (feed.followers > 0) counts.set(feed.slug, feed.followers);
    return counts;
  }

  /**
   * Readers on this process per briefing ("readers now"): the live followers of each feed,
   * less the console's own feeds (editors at work are not readers).
   */
  readerCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const feed of this.tracker.followedFeeds()) {
      let count = 0;
      for (const socket of this.fanOutOf(feed).sockets()) {
        if (socket.handshake.query.client !== CONSOLE_FEED_QUERY.client) count++;
      }
      if (count > 0) counts.set(feed.slug, count);
    }
    return counts;
  }

  /**
   * Handles one `subscribe`: resume or snapshot, then every change once, in order.
   * `reply` sends the ack; it is called exactly once unless this throws (then the caller
   * answers with the error), or the socket left meanwhile. A subscribe that a later
   * subscribe or unsubscribe for the same slug replaced is answered with `conflict`.
   */
  async subscribe(socket: ReaderSocket, slug: string, since: Cursor | null | undefined, reply: (ack: SubscribeAck) => void): Promise<void> {
    const { subscriptions } = this;
    if (subscriptions.get(socket, slug) === undefined && subscriptions.slugsOf(socket).length >= this.options.maxSubscriptionsPerSocket) {
      throw new AppError('invalid', `at most ${this.options.maxSubscriptionsPerSocket} briefings per connection`);
    }
    this.unsubscribe(socket, slug);
    const pending = new PendingSubscription(socket);
    subscriptions.set(socket, slug, pending);
    let feed: Feed;
    try {
      feed = await this.tracker.acquire(slug);
    } catch (error) {
      if (subscriptions.get(socket, slug) === pending) subscriptions.delete(socket, slug);
      throw error;
    }
    feed.pending.add(pending);
    try {
      let catchUp: Change[] | null = null;
      let snapshot: FeedView | null = null;
      let tooFar = false;
      // What is read must belong to the epoch the feed is in when the ack goes out; a new
      // epoch found meanwhile (a lost history) means reading again.
      for (let generation = -1; generation !== feed.generation;) {
        generation = feed.generation;
        pending.buffer.length = 0;
        let headVerified = true;
        await this.tracker.verifyHead(feed).catch((error: unknown) => {
          // Redis away: serve what this process holds, as a snapshot only. A history found
          // lost when Redis returns reaches this reader as a new epoch, as it reaches every
          // reader connected through the outage; but memory cannot vouch that a cursor's
          // changes are kept (after a failover another process may already have found them
          // lost), so no cursor is resumed from it.
          if (!redisUnavailable(error)) throw error;
          headVerified = false;
        });
        if (generation !== feed.generation) continue;
        const read = headVerified && since && since.epoch === feed.epoch ? await this.catchUp(feed, since) : null;
        tooFar = read === 'too_far';
        catchUp = Array.isArray(read) ? read : null;
        snapshot = catchUp ? null : await this.snapshotOf(feed);
      }
      if (!socket.connected || subscriptions.get(socket, slug) !== pending) {
        // unsubscribe() or dropSocket() has released the feed already
        feed.pending.delete(pending);
        if (socket.connected) {
          reply({
            ok: false,
            error: { code: 'conflict', message: `slug: a later subscribe or unsubscribe for "${slug}" replaced this one` },
          });
        }
        return;
      }
      // From here on nothing awaits: the ack, the missed changes and the join of the fan-out
      // go out in this order with no change of the tail in between.
      if (catchUp && since) {
        reply({ ok: true, mode: 'resume', epoch: feed.epoch, seq: since.seq });
        pending.lastSent = since.seq;
        this.metrics.subscriptions.inc({ mode: 'resume' });
        this.metrics.catchUps.inc({ kind: 'resume', transport: 'socket' });
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
        this.metrics.catchUps.inc({ kind: tooFar ? 'too_far' : 'snapshot', transport: 'socket' });
      }
      pending.acked = true;
      for (const change of [...(catchUp ?? []), ...pending.buffer]) pending.offer(change);
      pending.buffer.length = 0;
      this.joinIfCaughtUp(feed, pending);
    } catch (error) {
      if (subscriptions.get(socket, slug) === pending) {
        subscriptions.delete(socket, slug);
        feed.pending.delete(pending);
        this.tracker.release(feed);
      }
      throw error;
    }
  }

  unsubscribe(socket: ReaderSocket, slug: string): void {
    const state = this.subscriptions.get(socket, slug);
    if (state === undefined) return;
    this.subscriptions.delete(socket, slug);
    const feed = this.tracker.followed(slug);
    if (!feed) return;
    if (state === 'live') this.fanOutOf(feed).leave(socket);
    else feed.pending.delete(state);
    this.tracker.release(feed);
  }

  dropSocket(socket: ReaderSocket): void {
    for (const slug of this.subscriptions.slugsOf(socket)) this.unsubscribe(socket, slug);
  }

  // ---------- subscription internals ----------

  /** A change of the tail: queued for the followers, and sent to the subscribers not yet among them. */
  private delivered(feed: Feed, change: Change, endsCoverage: boolean): void {
    // Followers are let go once the ending change has been written to them.
    this.fanOutOf(feed).send(change, endsCoverage ? 'let-go' : 'follow');
    this.metrics.changesDelivered.inc();
    // `at` is the storing process's clock: clocks apart by more than the lag make it 0 here.
    const storedAt = Date.parse(change.at);
    if (Number.isFinite(storedAt)) this.metrics.deliveryLag.observe(Math.max(0, Date.now() - storedAt) / 1000);
    const sentNow: ReaderSocket[] = [];
    for (const pending of feed.pending) {
      pending.offer(change);
      if (!pending.acked) continue;
      // Subscribers still waiting for their ack are left alone: the change reaches them after it.
      if (endsCoverage) sentNow.push(pending.socket);
      else this.joinIfCaughtUp(feed, pending);
    }
    for (const socket of sentNow) this.letGo(feed, socket);
  }

  /**
   * Coverage ended: a reader who was sent that change stops following the briefing (later
   * corrections reach it on its next page load), and a socket left following nothing is
   * closed, after what was queued for it: nothing live is left to hold it for.
   */
  private letGo(feed: Feed, socket: ReaderSocket): void {
    this.unsubscribe(socket, feed.slug);
    if (this.subscriptions.slugsOf(socket).length === 0) socket.disconnect(true);
  }

  private reset(feed: Feed, headSeq: number): void {
    // Acked subscribers still waiting to join would wait for a position of the old epoch:
    // they join now, and the new epoch's first change tells them to subscribe again.
    for (const pending of [...feed.pending]) if (pending.acked) this.join(feed, pending);
    // A briefing wiped and created again has no change yet to tell its readers of the new
    // epoch: their connections are closed instead (after what is queued for them), and they
    // come back with their cursors.
    if (headSeq === 0) this.fanOutOf(feed).closeAll();
  }

  private joinIfCaughtUp(feed: Feed, pending: PendingSubscription): void {
    if (feed.position >= pending.lastSent) this.join(feed, pending);
  }

  /** The subscriber has been sent everything delivered so far: it follows from the next change on. */
  private join(feed: Feed, pending: PendingSubscription): void {
    feed.pending.delete(pending);
    this.fanOutOf(feed).join(pending.socket);
    this.subscriptions.set(pending.socket, feed.slug, 'live');
  }

  private fanOutOf(feed: Feed): FanOut {
    let fanOut = this.fanOuts.get(feed);
    if (!fanOut) {
      const act: MemberAction = (socket, then) => {
        if (then === 'let-go') this.letGo(feed, socket);
        else socket.disconnect(true);
      };
      fanOut = new FanOut(this.io.encoder, this.fanOut, act, !this.io.engine.opts.perMessageDeflate);
      this.fanOuts.set(feed, fanOut);
    }
    return fanOut;
  }

  /** The changes after `since`; null when they are no longer kept, 'too_far' when more than the replay limit (then a snapshot). */
  private async catchUp(feed: Feed, since: Cursor): Promise<Change[] | 'too_far' | null> {
    if (feed.position - since.seq > this.options.replayLimit) return 'too_far';
    const first = feed.recent[0];
    if (first && since.seq >= first.seq - 1 && since.seq <= feed.position) {
      return feed.recent.filter((change) => change.seq > since.seq);
    }
    if (since.seq === feed.position && feed.recent.length === 0) return [];
    const read = await this.store.changesSince(feed.slug, since);
    if (read.kind === 'resume') return read.changes;
    return read.tooFar ? 'too_far' : null;
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
}

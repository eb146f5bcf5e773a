/**
 * One briefing as a process follows it: its position in the change log, the recent
 * changes and the snapshot cache that the tail keeps current, and the subscribers still
 * waiting to join its fan-out.
 */
import type { DefaultEventsMap, Socket } from 'socket.io';
import { applyChange, type FeedView } from '../../shared/apply-change';
import type { Change, ClientToServerEvents, ServerToClientEvents } from '../../shared/schemas';
import { LIMITS } from '../../shared/schemas';

/**
 * What a reader's connection carries in `socket.data`, set when it connects. A process holds
 * tens of thousands of these: fields here rather than objects and closures of their own.
 */
export interface ReaderSocketData {
  /** The client's address, as counted against the per-address connection limit. */
  address: string;
  /** Subscribes left in the connection's allowance, and when it was last refilled. */
  subscribeTokens: number;
  tokensRefilledMs: number;
}

export type ReaderSocket = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, ReaderSocketData>;

/** A subscriber between its subscribe call and joining the fan-out. */
export class PendingSubscription {
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

export class Feed {
  epoch = '';
  position = 0;
  /** The snapshot cache, kept current by applying each change of the tail. */
  cache: FeedView | null = null;
  /** The snapshot being read from Redis, and the tail position when that read began. */
  loading: { from: number; view: Promise<FeedView> } | null = null;
  /** The last changes delivered, contiguous, ending at `position`. */
  recent: Change[] = [];
  readonly pending = new Set<PendingSubscription>();
  followers = 0;
  releaseTimer: NodeJS.Timeout | null = null;
  ready: Promise<void> = Promise.resolve();
  initialised = false;
  /** Grows with every new epoch, so a subscribe can tell that what it read belongs to an older one. */
  generation = 0;
  /** The briefing's status as of `position`: a change that ends the coverage is told from one that edits an ended briefing. */
  status: 'live' | 'ended' | null = null;

  constructor(
    readonly slug: string,
    readonly logKey: string,
    /** Entries kept in the snapshot cache, and changes kept in `recent`. */
    private readonly windows: { cacheEntries: number; recentChanges: number },
  ) {}

  /** Takes in the next change of the tail: the position, the recent changes, the cache. True when it ends the coverage. */
  advance(change: Change): boolean {
    let ends = false;
    if (change.type === 'briefing.updated') {
      ends = this.status === 'live' && change.briefing.status === 'ended';
      this.status = change.briefing.status;
    }
    this.position = change.seq;
    this.recent.push(change);
    if (this.recent.length > this.windows.recentChanges) this.recent.splice(0, this.recent.length - this.windows.recentChanges);
    if (this.recent.length > 1 && this.recent[this.recent.length - 2]?.seq !== change.seq - 1) this.recent = [change];
    this.updateCache(change);
    return ends;
  }

  /** Starts over in a new epoch: nothing of the old one is kept. */
  reset(epoch: string): void {
    this.epoch = epoch;
    this.position = 0;
    this.generation++;
    this.forgetHistory();
  }

  /** Drops what memory holds of the history (recent changes, snapshot cache): it is read from Redis again. */
  forgetHistory(): void {
    this.cache = null;
    this.loading = null;
    this.recent = [];
  }

  private updateCache(change: Change): void {
    const cache = this.cache;
    if (!cache || change.seq <= cache.seq) return;
    const result = applyChange(cache, change);
    if (result.status !== 'applied') {
      this.cache = null;
      return;
    }
    const view = result.view;
    if (view.entries.length > this.windows.cacheEntries) {
      view.entries = view.entries.slice(0, this.windows.cacheEntries);
      view.complete = false;
    }
    // A snapshot shows the newest 20: below that, only a reload can say what comes next.
    this.cache = view.entries.length < LIMITS.snapshotEntries && !view.complete ? null : view;
  }
}

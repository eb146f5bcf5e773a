/**
 * The connection of a feed to one briefing, for the reader's page, the embed and the
 * console's feed alike: subscribes with the cursor it holds, hands each change to the feed
 * to fold, resubscribes on a gap, and says quietly whether it is live. Going offline, a
 * dropped socket and a tab hidden for long all end the same way: connect again and resume
 * from the cursor, so nothing is missed or shown twice.
 */
import { io, type Socket } from 'socket.io-client';
import type { ApplyResult } from '../../shared/apply-change';
import type { Change, ClientToServerEvents, Cursor, ServerToClientEvents, Snapshot, SubscribeAck } from '../../shared/schemas';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** What the connection asks of the feed it serves. */
export interface FeedSink {
  /** The cursor of what is on screen, or null before anything is. */
  cursor(): Cursor | null;
  /** Replaces everything with a snapshot (first load, another epoch, or history no longer kept). */
  reset(epoch: string, seq: number, snapshot: Snapshot): void;
  apply(change: Change): ApplyResult['status'];
  connectionState(state: ConnectionState): void;
  /** The server refused a subscribe (e.g. no such briefing); it is asked again shortly. */
  refused?(message: string): void;
}

export interface ConnectionOptions {
  /** The service's origin ('' for the page's own). */
  origin: string;
  slug: string;
  sink: FeedSink;
  /** A tab hidden this long lets its connection go; it resumes when shown again. Default 5 minutes. */
  hiddenDisconnectMs?: number;
}

type ReaderSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const DEFAULT_HIDDEN_DISCONNECT_MS = 5 * 60_000;
/** After a refused subscribe (briefing gone, server busy), ask again this much later. */
const RETRY_MS = 5_000;

export class FeedConnection {
  private readonly socket: ReaderSocket;
  /** True from each subscribe until its ack: changes meanwhile are the old subscription's and are re-sent after the ack. */
  private awaitingAck = true;
  /** Tells the ack of the latest subscribe from those of earlier ones. */
  private attempt = 0;
  private state: ConnectionState = 'connecting';
  private hiddenTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pausedWhileHidden = false;
  private forceSnapshot = false;
  /** Closed for good: the socket's own farewell events say nothing more to the sink. */
  private closed = false;
  private readonly teardown: (() => void)[] = [];

  constructor(private readonly options: ConnectionOptions) {
    this.socket = io(options.origin || undefined, {
      // WebSocket only: no sticky sessions needed across server processes.
      transports: ['websocket'],
      // Never the page's shared Manager: the console opens a socket of its own beside this one,
      // which must neither take these options (no auto-connect) nor lend this one its own.
      forceNew: true,
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
    });
    this.socket.on('connect', () => this.subscribe());
    this.socket.on('disconnect', (reason) => {
      this.awaitingAck = true;
      // The server let us go (e.g. it is shutting down): Socket.IO does not retry that by itself.
      if (reason === 'io server disconnect') this.socket.connect();
      if (!this.pausedWhileHidden) this.setState(navigator.onLine ? 'reconnecting' : 'offline');
    });
    this.socket.on('connect_error', () => this.setState(navigator.onLine ? 'reconnecting' : 'offline'));
    this.socket.on('change', (change) => this.onChange(change));

    this.listen(window, 'offline', () => {
      // The browser knows before the socket does: stop now, resume from the cursor on return.
      this.socket.disconnect();
      this.setState('offline');
    });
    this.listen(window, 'online', () => this.connect());
    this.listen(document, 'visibilitychange', () => this.onVisibility());
  }

  start(): void {
    if (!navigator.onLine) this.setState('offline');
    else this.connect();
  }

  close(): void {
    this.closed = true;
    for (const undo of this.teardown.splice(0)) undo();
    if (this.hiddenTimer) clearTimeout(this.hiddenTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }

  /** Subscribes again from the cursor held, e.g. after a gap. */
  resync(): void {
    if (this.socket.connected) this.subscribe();
  }

  private connect(): void {
    this.pausedWhileHidden = false;
    if (this.socket.connected) return;
    this.setState(this.state === 'live' || this.state === 'offline' ? 'reconnecting' : this.state);
    this.socket.connect();
  }

  private subscribe(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.awaitingAck = true;
    const attempt = ++this.attempt;
    const since = this.forceSnapshot ? null : this.options.sink.cursor();
    this.forceSnapshot = false;
    this.socket.emit('subscribe', { slug: this.options.slug, ...(since ? { since } : {}) }, (ack: SubscribeAck) => {
      if (attempt !== this.attempt) return;
      // Taken in right here, synchronously: the changes after the ack can arrive in the same tick.
      this.onAck(ack, since);
    });
  }

  private onAck(ack: SubscribeAck, since: Cursor | null): void {
    if (!ack.ok) {
      this.options.sink.refused?.(ack.error.message);
      this.setState('reconnecting');
      this.retryTimer = setTimeout(() => this.resync(), RETRY_MS);
      return;
    }
    if (ack.mode === 'snapshot') {
      this.options.sink.reset(ack.epoch, ack.seq, ack.snapshot);
      // The sink may have closed this connection (the briefing's coverage has ended).
      if (this.closed) return;
    } else if (!since || since.epoch !== ack.epoch || since.seq !== ack.seq) {
      // A resume must start where we are; otherwise only a snapshot can be trusted.
      this.forceSnapshot = true;
      this.subscribe();
      return;
    }
    this.awaitingAck = false;
    this.setState('live');
  }

  private onChange(change: Change): void {
    if (change.slug !== this.options.slug || this.awaitingAck || this.closed) return;
    if (this.options.sink.apply(change) === 'gap') this.subscribe();
  }

  private onVisibility(): void {
    if (document.visibilityState === 'hidden') {
      if (this.hiddenTimer) clearTimeout(this.hiddenTimer);
      this.hiddenTimer = setTimeout(() => {
        this.pausedWhileHidden = true;
        this.socket.disconnect();
      }, this.options.hiddenDisconnectMs ?? DEFAULT_HIDDEN_DISCONNECT_MS);
      return;
    }
    if (this.hiddenTimer) clearTimeout(this.hiddenTimer);
    this.hiddenTimer = null;
    if (this.pausedWhileHidden && navigator.onLine) this.connect();
  }

  private setState(state: ConnectionState): void {
    if (state === this.state || this.closed) return;
    this.state = state;
    this.options.sink.connectionState(state);
  }

  private listen(target: EventTarget, type: string, handler: () => void): void {
    target.addEventListener(type, handler);
    this.teardown.push(() => target.removeEventListener(type, handler));
  }
}

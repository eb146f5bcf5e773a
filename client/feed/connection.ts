/**
 * The connection of a feed to one briefing, for the reader's page, the embed and the
 * console's feed alike: subscribes with the cursor it holds, hands each change to the feed
 * to fold, resubscribes on a gap, and says quietly whether it is live. Going offline, a
 * dropped socket and a tab hidden for long all end the same way: connect again and resume
 * from the cursor, so nothing is missed or shown twice.
 *
 * Where the WebSocket cannot open (a proxy refusing it), the feed is followed by polling
 * over plain HTTP instead (changes-poller.ts), from the same cursor into the same sink; the
 * WebSocket is tried again now and then, and taken back as soon as it opens.
 */
import { io, type Socket } from 'socket.io-client';
import type { ApplyResult } from '../../shared/apply-change';
import type { Change, ClientToServerEvents, Cursor, ServerToClientEvents, Snapshot, SubscribeAck } from '../../shared/schemas';
import { ChangesPoller, jittered } from './changes-poller';

export type ConnectionState = 'connecting' | 'live' | 'polling' | 'reconnecting' | 'offline';

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
  /** Sent with the handshake: the console's feed says so, and is not counted among the readers. */
  query?: Record<string, string>;
}

type ReaderSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const DEFAULT_HIDDEN_DISCONNECT_MS = 5 * 60_000;
/** After a refused subscribe (briefing gone, server busy), ask again this much later. */
const RETRY_MS = 5_000;
/** Failed WebSocket opens in a row after which the feed polls instead. */
const FALLBACK_AFTER_FAILURES = 2;
/** …or this long without the WebSocket opening (a proxy that leaves the upgrade unanswered), in ms. */
const FALLBACK_AFTER_MS = 3_000;
/** While polling, the WebSocket is tried again after this long (jittered), doubling up to PROBE_MAX_MS. */
const PROBE_FIRST_MS = 5_000;
const PROBE_MAX_MS = 60_000;

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
  private readonly poller: ChangesPoller;
  /** True while the WebSocket cannot open and the feed is followed over HTTP instead. */
  private polling = false;
  /** WebSocket opens failed in a row. */
  private failedOpens = 0;
  private fallbackTimer: ReturnType<typeof setTimeout> | null = null;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  private probes = 0;

  constructor(private readonly options: ConnectionOptions) {
    this.socket = io(options.origin || undefined, {
      // WebSocket only, never Socket.IO's long-polling, which needs sticky sessions across
      // server processes; where the WebSocket cannot open, the ChangesPoller polls instead.
      transports: ['websocket'],
      // Never the page's shared Manager: the console opens a socket of its own beside this one,
      // which must neither take these options (no auto-connect) nor lend this one its own.
      forceNew: true,
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
      ...(options.query ? { query: options.query } : {}),
    });
    this.poller = new ChangesPoller({
      origin: options.origin,
      slug: options.slug,
      sink: options.sink,
      polled: (answered) => this.setState(answered ? 'polling' : this.troubleState()),
    });
    this.socket.on('connect', () => this.onOpen());
    this.socket.on('disconnect', (reason) => {
      this.awaitingAck = true;
      // Our own doing (hidden, offline, closed): whatever did it says what comes next.
      if (reason === 'io client disconnect') return;
      // The server let us go (e.g. it is shutting down): Socket.IO does not retry that by itself.
      if (reason === 'io server disconnect') this.socket.connect();
      this.setState(this.troubleState());
      this.armFallback();
    });
    this.socket.on('connect_error', () => this.onOpenFailed());
    this.socket.on('change', (change) => this.onChange(change));

    this.listen(window, 'offline', () => {
      // The browser knows before the socket does: stop now, resume from the cursor on return.
      this.pause();
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
    this.pause();
  }

  /** Subscribes again from the cursor held, e.g. after a gap. */
  resync(): void {
    if (this.socket.connected) this.subscribe();
  }

  private connect(): void {
    this.pausedWhileHidden = false;
    if (this.polling) {
      this.poller.start();
      this.scheduleProbe();
      return;
    }
    if (this.socket.connected) return;
    this.setState(this.state === 'live' || this.state === 'offline' ? 'reconnecting' : this.state);
    this.armFallback();
    this.socket.connect();
  }

  /** Stops the socket, the polling and every timer that would start either; connect() takes up from the cursor. */
  private pause(): void {
    this.clearTimer('fallbackTimer');
    this.clearTimer('probeTimer');
    // Back from a hidden tab or offline is another network, perhaps: the WebSocket is tried again soon.
    this.probes = 0;
    this.poller.stop();
    this.socket.disconnect();
  }

  // ---------- WebSocket or polling ----------

  private onOpen(): void {
    this.failedOpens = 0;
    this.clearTimer('fallbackTimer');
    if (this.polling) {
      // Handover: polling stops here, and the subscribe below resumes from where it got to;
      // until its ack nothing is applied, after it every change comes once, in order.
      this.polling = false;
      this.poller.stop();
      this.clearTimer('probeTimer');
      this.probes = 0;
      this.socket.io.reconnection(true);
    }
    this.subscribe();
  }

  private onOpenFailed(): void {
    if (this.polling) {
      // A probe that failed: polling goes on, and the WebSocket is tried again later.
      this.scheduleProbe();
      return;
    }
    this.setState(this.troubleState());
    if (++this.failedOpens >= FALLBACK_AFTER_FAILURES && navigator.onLine) this.fallBack();
  }

  /** Falls back to polling if the WebSocket has not opened within FALLBACK_AFTER_MS. */
  private armFallback(): void {
    if (this.fallbackTimer || this.polling) return;
    this.fallbackTimer = setTimeout(() => {
      this.fallbackTimer = null;
      if (!this.socket.connected && !this.pausedWhileHidden && navigator.onLine) this.fallBack();
    }, FALLBACK_AFTER_MS);
  }

  private fallBack(): void {
    if (this.polling) return;
    this.polling = true;
    this.failedOpens = 0;
    this.clearTimer('fallbackTimer');
    // Socket.IO's own retries stop; the probes below take their place, far less often.
    this.socket.io.reconnection(false);
    this.socket.disconnect();
    this.probes = 0;
    this.scheduleProbe();
    this.poller.start();
  }

  private scheduleProbe(): void {
    if (this.probeTimer) return;
    const delay = jittered(Math.min(PROBE_FIRST_MS * 2 ** this.probes, PROBE_MAX_MS));
    this.probes++;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      if (this.polling && !this.pausedWhileHidden && navigator.onLine) this.socket.connect();
    }, delay);
  }

  private troubleState(): ConnectionState {
    return navigator.onLine ? 'reconnecting' : 'offline';
  }

  private clearTimer(name: 'fallbackTimer' | 'probeTimer'): void {
    const timer = this[name];
    if (timer) clearTimeout(timer);
    this[name] = null;
  }

  // ---------- the subscription ----------

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
        this.pause();
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

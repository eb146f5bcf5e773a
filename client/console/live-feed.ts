/**
 * The feed as readers see it, live: the console subscribes over Socket.IO exactly as a
 * reader's page does and folds every change with the shared applyChange, so what editors
 * look at is what readers get.
 */
import type { Socket } from 'socket.io-client';
import { applyChange, viewFromSnapshot, type FeedView } from '../../shared/apply-change';
import type { Change, ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../shared/schemas';
import { LIMITS } from '../../shared/limits';

export type ReaderSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class LiveFeed {
  view: FeedView | null = null;
  private stopped = false;

  constructor(
    private readonly socket: ReaderSocket,
    readonly slug: string,
    private readonly onView: (view: FeedView, change: Change | null) => void,
    private readonly onProblem: (message: string) => void,
  ) {}

  start(): void {
    this.socket.on('change', this.handleChange);
    this.socket.on('connect', this.subscribe);
    if (this.socket.connected) this.subscribe();
  }

  stop(): void {
    this.stopped = true;
    this.socket.off('change', this.handleChange);
    this.socket.off('connect', this.subscribe);
    if (this.socket.connected) this.socket.emit('unsubscribe', { slug: this.slug });
  }

  /** Subscribes with the cursor held, so a reconnect resumes without reloading. */
  private readonly subscribe = (): void => {
    const since = this.view ? { epoch: this.view.epoch, seq: this.view.seq } : undefined;
    this.socket.emit('subscribe', { slug: this.slug, ...(since ? { since } : {}) }, (ack: SubscribeAck) => {
      if (this.stopped) return;
      if (!ack.ok) {
        this.onProblem(ack.error.message);
        return;
      }
      if (ack.mode === 'snapshot') {
        this.view = viewFromSnapshot(ack.epoch, ack.seq, ack.snapshot, LIMITS.snapshotEntries);
        this.onView(this.view, null);
      }
    });
  };

  private readonly handleChange = (change: Change): void => {
    if (change.slug !== this.slug || !this.view) return;
    const result = applyChange(this.view, change);
    if (result.status === 'gap') {
      this.subscribe();
      return;
    }
    if (result.status === 'applied') {
      this.view = result.view;
      this.onView(this.view, change);
    }
  };
}

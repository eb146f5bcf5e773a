/**
 * A reader as the browser is one: subscribes with its cursor, folds every change with the
 * shared applyChange, and records exactly what arrived and when, so tests can assert the
 * delivery guarantee (after the ack: seq + 1, + 2 … once each, in order).
 */
import { applyChange, viewFromSnapshot, type FeedView } from '../../shared/apply-change';
import type { Change, Cursor, SubscribeAck } from '../../shared/schemas';
import { LIMITS } from '../../shared/schemas';
import { waitFor, type ReaderClient } from './harness';

export type TimelineItem = { kind: 'ack'; ack: SubscribeAck } | { kind: 'change'; change: Change } | { kind: 'unsubscribed' };

export class FoldingReader {
  view: FeedView | null = null;
  /** Every event for this slug in arrival order, acks included. */
  readonly timeline: TimelineItem[] = [];
  /** Problems seen: a change before the ack, a duplicate, a gap. Tests expect it empty. */
  readonly problems: string[] = [];
  private lastAckSeq: number | null = null;
  /** Where this reader is, with or without a folded view (a resume can start from a bare cursor). */
  private position: Cursor | null = null;

  constructor(
    readonly socket: ReaderClient,
    readonly slug: string,
  ) {
    socket.on('change', (change) => {
      if (change.slug !== this.slug) return;
      this.timeline.push({ kind: 'change', change });
      this.fold(change);
    });
  }

  get cursor(): Cursor | null {
    return this.position;
  }

  /** Changes received since the last ack. */
  changesSinceAck(): Change[] {
    const lastAck = this.timeline.map((item) => item.kind).lastIndexOf('ack');
    return this.timeline
      .slice(lastAck + 1)
      .filter((item): item is { kind: 'change'; change: Change } => item.kind === 'change')
      .map((item) => item.change);
  }

  async subscribe(since: Cursor | null = this.cursor): Promise<SubscribeAck> {
    return new Promise<SubscribeAck>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for subscribe to ${this.slug}`)), 10_000);
      this.socket.emit('subscribe', { slug: this.slug, ...(since ? { since } : {}) }, (ack) => {
        clearTimeout(timer);
        // Taken in before returning: the changes that follow the ack arrive in the same tick.
        this.takeAck(ack, since);
        resolve(ack);
      });
    });
  }

  /** Unsubscribes; a change arriving after the server's answer, before the next ack, is a problem. */
  async unsubscribe(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to unsubscribe from ${this.slug}`)), 10_000);
      this.socket.emit('unsubscribe', { slug: this.slug }, () => {
        clearTimeout(timer);
        this.timeline.push({ kind: 'unsubscribed' });
        this.lastAckSeq = null;
        resolve();
      });
    });
  }

  private takeAck(ack: SubscribeAck, since: Cursor | null): void {
    this.timeline.push({ kind: 'ack', ack });
    if (!ack.ok) return;
    this.lastAckSeq = ack.seq;
    if (ack.mode === 'snapshot') {
      this.view = viewFromSnapshot(ack.epoch, ack.seq, ack.snapshot, LIMITS.snapshotEntries);
    } else if (since && (since.epoch !== ack.epoch || since.seq !== ack.seq)) {
      this.problems.push(`resume ack at ${ack.epoch}/${ack.seq} does not match the cursor ${since.epoch}/${since.seq}`);
    }
    if (this.view && (this.view.epoch !== ack.epoch || this.view.seq !== ack.seq)) this.view = null;
    this.position = { epoch: ack.epoch, seq: ack.seq };
  }

  /** Waits until the reader has taken in everything up to `seq`; returns its view (null for a bare cursor). */
  async waitForSeq(seq: number, timeoutMs = 10_000): Promise<FeedView | null> {
    await waitFor(() => (this.position && this.position.seq >= seq ? true : undefined), timeoutMs, `${this.slug} seq ${seq}`);
    return this.view;
  }

  /** Like waitForSeq, for readers that started from a snapshot or were given a view. */
  async waitForView(seq: number, timeoutMs = 10_000): Promise<FeedView> {
    await this.waitForSeq(seq, timeoutMs);
    if (!this.view) throw new Error(`${this.slug}: no view to compare (the reader resumed from a bare cursor)`);
    return this.view;
  }

  private fold(change: Change): void {
    if (this.lastAckSeq === null) {
      this.problems.push(`change ${change.seq} arrived outside a subscription (before its ack, or after unsubscribing)`);
      return;
    }
    const at = this.position;
    if (!at) return;
    if (change.epoch !== at.epoch || change.seq > at.seq + 1) {
      this.problems.push(`gap: had ${at.epoch}/${at.seq}, got ${change.epoch}/${change.seq}`);
      return;
    }
    if (change.seq <= at.seq) {
      this.problems.push(`duplicate change ${change.seq}`);
      return;
    }
    this.position = { epoch: change.epoch, seq: change.seq };
    if (this.view) {
      const result = applyChange(this.view, change);
      if (result.status !== 'applied') this.problems.push(`applyChange said ${result.status} at ${change.seq}`);
      this.view = result.view;
    }
  }
}

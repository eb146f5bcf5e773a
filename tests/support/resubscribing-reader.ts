/**
 * A reader that behaves as client/feed/connection.ts does, without a browser: it folds each
 * change with the shared applyChange, and on a gap or a change of another epoch it
 * subscribes again with its cursor (a snapshot when that history is gone), as it does after
 * the server closed its socket. A refused subscribe (Redis away) is asked again shortly. Unlike FoldingReader, another epoch is not
 * a problem here but a path the contract allows; what it records lets a test check what the
 * contract still promises: within an epoch no seq means two changes, and after each ack the
 * seqs follow one by one.
 */
import { applyChange, viewFromSnapshot, type FeedView } from '../../shared/apply-change';
import type { ErrorCode } from '../../shared/errors';
import type { Change, Cursor, SubscribeAck } from '../../shared/schemas';
import { LIMITS } from '../../shared/schemas';
import { onClose, waitFor, type ReaderClient } from './harness';

/** After a refused subscribe, ask again this much later (the browser waits 5 s; tests are in a hurry). */
const RETRY_MS = 200;

export type ReaderEvent =
  | { kind: 'ack'; mode: 'resume' | 'snapshot'; epoch: string; seq: number }
  | { kind: 'refused'; code: ErrorCode }
  | { kind: 'disconnect'; reason: string }
  | { kind: 'applied'; epoch: string; seq: number }
  | { kind: 'gap'; had: Cursor; got: Cursor }
  | { kind: 'duplicate'; epoch: string; seq: number };

export class ResubscribingReader {
  view: FeedView | null = null;
  readonly events: ReaderEvent[] = [];
  /** Every change seen (also those ignored while an ack was awaited), by "epoch/seq": what it carried. */
  readonly seen = new Map<string, string>();
  /** The same epoch/seq seen carrying two different changes: a seq used twice. */
  readonly reused: string[] = [];
  private awaitingAck = true;
  private attempt = 0;
  private forceSnapshot = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly socket: ReaderClient,
    readonly slug: string,
  ) {
    socket.on('change', (change) => this.onChange(change));
    socket.on('connect', () => this.subscribe());
    socket.on('disconnect', (reason) => {
      this.awaitingAck = true;
      this.events.push({ kind: 'disconnect', reason });
      // The contract lets the server close a socket instead of sending another epoch; like the
      // browser's connection, come back and resume from the cursor.
      if (reason === 'io server disconnect' && !this.closed) this.socket.connect();
    });
    onClose(() => this.close());
  }

  get cursor(): Cursor | null {
    return this.view ? { epoch: this.view.epoch, seq: this.view.seq } : null;
  }

  /** Subscribes (the socket is connected already) and resolves with the first successful ack, retrying refusals. */
  async start(timeoutMs = 10_000): Promise<void> {
    this.subscribe();
    await waitFor(() => (this.awaitingAck ? undefined : true), timeoutMs, `first ack for ${this.slug}`);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /** Waits until the view holds everything up to (epoch, seq). */
  async waitFor(epoch: string, seq: number, timeoutMs = 10_000): Promise<FeedView> {
    return waitFor(
      () => (this.view && this.view.epoch === epoch && this.view.seq >= seq && !this.awaitingAck ? this.view : undefined),
      timeoutMs,
      `${this.slug} at ${epoch}/${seq} (reader at ${this.view?.epoch ?? '-'}/${this.view?.seq ?? '-'})`,
    );
  }

  /**
   * What went against the contract: after each ack, the applied seqs must be ack + 1, + 2 …
   * within the ack's epoch, and a resume ack must start at the cursor it was asked with.
   */
  violations(): string[] {
    const found = [...this.reused.map((key) => `seq used twice: ${key}`)];
    let expected: Cursor | null = null;
    for (const event of this.events) {
      if (event.kind === 'ack') expected = { epoch: event.epoch, seq: event.seq };
      if (event.kind === 'duplicate') found.push(`duplicate ${event.epoch}/${event.seq}`);
      if (event.kind !== 'applied') continue;
      if (!expected || event.epoch !== expected.epoch || event.seq !== expected.seq + 1) {
        found.push(`applied ${event.epoch}/${event.seq} after ${expected ? `${expected.epoch}/${expected.seq}` : 'no ack'}`);
      }
      expected = { epoch: event.epoch, seq: event.seq };
    }
    return found;
  }

  private subscribe(): void {
    if (this.closed || !this.socket.connected) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.awaitingAck = true;
    const attempt = ++this.attempt;
    const since = this.forceSnapshot ? null : this.cursor;
    this.forceSnapshot = false;
    this.socket.emit('subscribe', { slug: this.slug, ...(since ? { since } : {}) }, (ack: SubscribeAck) => {
      if (attempt !== this.attempt) return;
      // Taken in synchronously: the changes after the ack can arrive in the same tick.
      this.onAck(ack, since);
    });
  }

  private onAck(ack: SubscribeAck, since: Cursor | null): void {
    if (!ack.ok) {
      this.events.push({ kind: 'refused', code: ack.error.code });
      this.retryTimer = setTimeout(() => this.subscribe(), RETRY_MS);
      return;
    }
    if (ack.mode === 'snapshot') {
      this.view = viewFromSnapshot(ack.epoch, ack.seq, ack.snapshot, LIMITS.snapshotEntries);
    } else if (!since || since.epoch !== ack.epoch || since.seq !== ack.seq) {
      // A resume must start where we are; otherwise only a snapshot can be trusted.
      this.forceSnapshot = true;
      this.subscribe();
      return;
    }
    this.events.push({ kind: 'ack', mode: ack.mode, epoch: ack.epoch, seq: ack.seq });
    this.awaitingAck = false;
  }

  private onChange(change: Change): void {
    if (change.slug !== this.slug) return;
    this.remember(change);
    if (this.awaitingAck || !this.view) return;
    const result = applyChange(this.view, change);
    if (result.status === 'applied') {
      this.view = result.view;
      this.events.push({ kind: 'applied', epoch: change.epoch, seq: change.seq });
    } else if (result.status === 'duplicate') {
      this.events.push({ kind: 'duplicate', epoch: change.epoch, seq: change.seq });
    } else {
      this.events.push({ kind: 'gap', had: { epoch: this.view.epoch, seq: this.view.seq }, got: { epoch: change.epoch, seq: change.seq } });
      this.subscribe();
    }
  }

  private remember(change: Change): void {
    const key = `${change.epoch}/${change.seq}`;
    const what = `${change.type}:${carried(change)}`;
    const before = this.seen.get(key);
    if (before === undefined) this.seen.set(key, what);
    else if (before !== what) this.reused.push(`${key} was ${before}, then ${what}`);
  }
}

/** "id:version" of the entry a change carries, "id:" of a deleted one, ":" for a briefing. */
function carried(change: Change): string {
  switch (change.type) {
    case 'entry.published':
    case 'entry.updated':
      return `${change.entry.id}:${change.entry.version}`;
    case 'entry.deleted':
      return `${change.id}:`;
    case 'briefing.updated':
      return ':';
  }
}

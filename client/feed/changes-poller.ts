/**
 * Following a briefing over plain HTTP, for readers whose WebSocket cannot open (proxies
 * and filters that block it): polls `GET …/changes` from the cursor the feed holds and
 * hands each change to the same sink as the socket does, so the same guarantees hold (in
 * order, once, no gap). A 410, another epoch or a gap starts over from `GET …/snapshot`,
 * as a subscribe would. Every request stands alone, so any server process can answer it
 * (no sticky sessions), and a CDN can answer those at the head.
 */
import type { Change, Snapshot } from '../../shared/schemas';
import type { FeedSink } from './connection';
import { BriefingRoutes } from './reader-api';

export interface ChangesPollerOptions {
  /** The service's origin ('' for the page's own). */
  origin: string;
  slug: string;
  sink: FeedSink;
  /** After each poll: whether the server answered it (false: network down, 5xx, briefing refused). */
  polled(answered: boolean): void;
}

/**
 * Time between polls, in ms, jittered by a quarter either way. With a CDN keeping the answer
 * at the head for up to 2 s, a change shows within about 4.5 s: the contract's 5 s.
 */
export const POLL_MS = 2_000;
/** The longest wait after failed polls (the wait doubles from POLL_MS with each failure). */
const FAILED_POLL_MAX_MS = 30_000;

/** `ms` moved by up to a quarter either way, so that readers who lost the same server do not come back in step. */
export function jittered(ms: number): number {
  return Math.round(ms * (0.75 + Math.random() * 0.5));
}

interface ChangeList {
  epoch: string;
  seq: number;
  changes: Change[];
}

interface SnapshotAnswer {
  epoch: string;
  seq: number;
  snapshot: Snapshot;
}

/** A poll the server refused (not found, invalid): told to the sink like a refused subscribe. */
class Refused extends Error {}

export class ChangesPoller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The poll in flight; stopping aborts it, and nothing it read is applied. */
  private inFlight: AbortController | null = null;
  private failures = 0;

  private readonly routes: BriefingRoutes;

  constructor(private readonly options: ChangesPollerOptions) {
    this.routes = new BriefingRoutes(options.origin, options.slug);
  }

  get running(): boolean {
    return this.timer !== null || this.inFlight !== null;
  }

  /** Polls now, then every few seconds until stopped. Nothing happens if it is running already. */
  start(): void {
    if (this.running) return;
    this.failures = 0;
    this.schedule(0);
  }

  /** Stops at once: a poll in flight is dropped, so whoever takes over starts from the cursor as it is now. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.inFlight?.abort();
    this.inFlight = null;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, ms);
  }

  private async poll(): Promise<void> {
    const controller = new AbortController();
    this.inFlight = controller;
    let answered = true;
    try {
      await this.catchUp(controller.signal);
      this.failures = 0;
    } catch (error) {
      if (controller.signal.aborted) return;
      answered = false;
      this.failures++;
      if (error instanceof Refused) this.options.sink.refused?.(error.message);
    }
    if (controller.signal.aborted) return;
    this.inFlight = null;
    this.options.polled(answered);
    this.schedule(jittered(answered ? POLL_MS : Math.min(POLL_MS * 2 ** this.failures, FAILED_POLL_MAX_MS)));
  }

  /** One poll: the changes after the cursor, or a snapshot when they cannot be had. */
  private async catchUp(signal: AbortSignal): Promise<void> {
    const { sink } = this.options;
    const cursor = sink.cursor();
    if (!cursor) return this.startOver(signal);
    const response = await fetch(this.routes.changes(cursor.epoch, cursor.seq), { signal });
    if (response.status === 410) return this.startOver(signal);
    const list = await this.read<ChangeList>(response);
    signal.throwIfAborted();
    // A 200 under another epoch is the new history from its start: only a snapshot joins it to what is shown.
    if (list.epoch !== cursor.epoch) return this.startOver(signal);
    for (const change of list.changes) {
      if (sink.apply(change) === 'gap') return this.startOver(signal);
    }
  }

  private async startOver(signal: AbortSignal): Promise<void> {
    const answer = await this.read<SnapshotAnswer>(await fetch(this.routes.snapshot(), { signal }));
    signal.throwIfAborted();
    this.options.sink.reset(answer.epoch, answer.seq, answer.snapshot);
  }

  private async read<T>(response: Response): Promise<T> {
    // Only these say the briefing cannot be followed; a 429 or a 5xx is tried again later like a network failure.
    if (response.status === 400 || response.status === 404) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      throw new Refused(body?.error?.message ?? `HTTP ${response.status}`);
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as T;
  }
}

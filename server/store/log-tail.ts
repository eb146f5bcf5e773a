/**
 * The blocking read of many briefings' change logs (XREAD BLOCK), and its interruption
 * when the set of logs to read changes: on one Redis, one connection; on a Redis Cluster,
 * one per primary that owns followed briefings, read side by side.
 */
import calculateSlot from 'cluster-key-slot';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { nodeKeyOf, waitReady } from '../redis';

/** A log to read, after the position already delivered. */
export interface LogCursor {
  logKey: string;
  position: number;
}

/** What one read brought: per log key, its stream entries ([id, [field, value, …]]). */
export type LogReply = [logKey: string, items: [id: string, fields: string[]][]][];

/** Most stream entries one read returns per log. */
const READ_COUNT = 1000;

/** What the feed tracker reads the logs through. */
export interface Tail {
  /** Waits up to `blockMs` for entries after each cursor; null when none came. */
  read(cursors: LogCursor[], blockMs: number): Promise<LogReply | null>;
  /** Ends the read in flight, so the next one reads another set of logs. */
  interrupt(): Promise<void>;
  /** Closes its connections; a read in flight fails. */
  close(): void;
}

/** Makes the tail; `onReconnect` is called whenever a blocking connection is ready again (Redis may have restarted). */
export type TailFactory = (onReconnect: () => void) => Tail;

/** The tail on one Redis (or one primary of a Cluster): one blocking connection. */
export class LogTail implements Tail {
  private clientId: number | null = null;
  /** A token for the XREAD in flight, null between reads. */
  private readInFlight: object | null = null;

  /**
   * `blocking` carries the XREADs and nothing else; `control` sends CLIENT UNBLOCK to it.
   * `onReconnect` is called whenever `blocking` is ready again (Redis may have restarted).
   */
  constructor(
    private readonly blocking: Redis,
    private readonly control: () => Redis | undefined,
    private readonly logger: Logger,
    onReconnect: () => void,
  ) {
    blocking.on('ready', () => {
      this.clientId = null;
      onReconnect();
    });
  }

  /** Waits up to `blockMs` for entries after each cursor; null when none came. */
  async read(cursors: LogCursor[], blockMs: number): Promise<LogReply | null> {
    if (this.clientId === null) this.clientId = Number(await this.blocking.client('ID'));
    const read = {};
    this.readInFlight = read;
    try {
      return await this.blocking.xread(
        'COUNT',
        READ_COUNT,
        'BLOCK',
        blockMs,
        'STREAMS',
        ...cursors.map((cursor) => cursor.logKey),
        ...cursors.map((cursor) => `${cursor.position}-0`),
      );
    } finally {
      if (this.readInFlight === read) this.readInFlight = null;
    }
  }

  /**
   * Ends the XREAD in flight so the next one reads another set of logs. UNBLOCK reaches
   * only a client already blocked; one whose XREAD is sent but not yet blocking would miss
   * it, so it is tried again until that read has ended.
   */
  async interrupt(): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const read = this.readInFlight;
      const id = this.clientId;
      if (!read || id === null) return;
      try {
        const control = this.control();
        if (!control) return;
        const unblocked = Number(await control.client('UNBLOCK', id));
        if (unblocked === 1 || this.readInFlight !== read) return;
      } catch (error) {
        this.logger.debug({ err: error }, 'could not interrupt the log tail');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    this.blocking.disconnect();
  }
}

/** How long a new blocking connection to a Cluster primary may take to be ready, in ms. */
const NODE_READY_MS = 2000;

/**
 * The tail on a Redis Cluster: the followed logs grouped by the primary that owns their
 * slot, one blocking XREAD per primary at once; the first to return ends the others' wait,
 * and what all of them brought is delivered together. A read that fails (a slot moved:
 * MOVED/ASK; a primary gone) makes the cluster client read the slot table again, and the
 * next read is grouped anew; a
 * primary restarted or replaced calls `onReconnect`, so every head is checked as on one Redis.
 */
export class ClusterLogTail implements Tail {
  private readonly tails = new Map<string, Promise<LogTail>>();
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly connectBlocking: (host: string, port: number) => Redis,
    private readonly logger: Logger,
    private readonly onReconnect: () => void,
  ) {}

  async read(cursors: LogCursor[], blockMs: number): Promise<LogReply | null> {
    const groups = new Map<string, LogCursor[]>();
    for (const cursor of cursors) {
      const owner = this.cluster.slots[calculateSlot(cursor.logKey)]?.[0];
      if (!owner) {
        this.cluster.refreshSlotsCache();
        throw new Error(`Cluster isn't ready: no primary known for ${cursor.logKey}`);
      }
      groups.set(owner, [...(groups.get(owner) ?? []), cursor]);
    }
    for (const [node, tail] of this.tails) {
      if (groups.has(node)) continue;
      this.tails.delete(node);
      void tail.then(
        (unused) => unused.close(),
        () => undefined,
      );
    }
    const reads = [...groups].map(async ([node, group]) => (await this.tailOf(node)).read(group, blockMs));
    // The first read to end (changes came, or an error) ends the others' wait.
    const results = await Promise.allSettled(reads.map((read) => read.finally(() => void this.interrupt())));
    const merged: LogReply = [];
    let failure: Error | null = null;
    for (const result of results) {
      if (result.status === 'fulfilled') merged.push(...(result.value ?? []));
      else failure ??= result.reason instanceof Error ? result.reason : new Error(String(result.reason));
    }
    if (failure !== null) {
      // A slot moved (MOVED/ASK) or a primary gone: the slot table is read again, and the
      // next read is grouped by it.
      this.cluster.refreshSlotsCache();
      // What did arrive is delivered; the failed node is read again next time.
      if (merged.length === 0) throw failure;
    }
    return merged.length > 0 ? merged : null;
  }

  async interrupt(): Promise<void> {
    const tails = await Promise.allSettled([...this.tails.values()]);
    await Promise.all(tails.flatMap((tail) => (tail.status === 'fulfilled' ? [tail.value.interrupt()] : [])));
  }

  close(): void {
    this.closed = true;
    for (const tail of this.tails.values())
      void tail.then(
        (open) => open.close(),
        () => undefined,
      );
    this.tails.clear();
  }

  private tailOf(node: string): Promise<LogTail> {
    let tail = this.tails.get(node);
    if (!tail) {
      const at = node.lastIndexOf(':');
      const blocking = this.connectBlocking(node.slice(0, at), Number(node.slice(at + 1)));
      blocking.on('error', (error: Error) => this.logger.warn({ err: error.message, node }, 'log tail connection problem'));
      const control = (): Redis | undefined => this.cluster.nodes('master').find((primary) => nodeKeyOf(primary) === node);
      const made = new LogTail(blocking, control, this.logger, this.onReconnect);
      tail = waitReady(blocking, NODE_READY_MS).then(
        () => {
          if (this.closed) made.close();
          return made;
        },
        (error: unknown) => {
          made.close();
          if (this.tails.get(node) === tail) this.tails.delete(node);
          throw error;
        },
      );
      this.tails.set(node, tail);
    }
    return tail;
  }
}

/**
 * "Readers now": how many reader subscriptions each briefing has, summed over every
 * process. Each process rewrites its own field of the briefing's hash every few seconds; a
 * field not rewritten for STALE_MS (its process died or lost Redis) no longer counts and is
 * pruned by the next reader of the hash. One hash per briefing, under its hash tag, so every
 * key of a briefing stays in one Cluster slot.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis';
import type { Logger } from 'pino';
import type { Keys } from './keys';

/** A count older than this no longer counts, in ms. */
export const STALE_MS = 10_000;
/** How often each process writes its counts, in ms: well inside STALE_MS, so a missed write or two loses nothing. */
export const REPORT_INTERVAL_MS = 3000;

/** Parses "count:ms"; null for anything else (a field written by some other version, say). */
function parseField(value: string): { count: number; at: number } | null {
  const match = /^(\d+):(\d+)$/.exec(value);
  return match ? { count: Number(match[1]), at: Number(match[2]) } : null;
}

export class ReadersStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Writes this process's counts; `dropped`: briefings it counted before and no longer follows. */
  async write(processId: string, counts: ReadonlyMap<string, number>, dropped: Iterable<string>, now = Date.now()): Promise<void> {
    // One command per key (never a pipeline across briefings): on a Cluster each key may live on another node.
    const writes: Promise<unknown>[] = [];
    for (const [slug, count] of counts) {
      const key = this.keys.readers(slug);
      writes.push(this.redis.hset(key, processId, `${count}:${now}`), this.redis.pexpire(key, STALE_MS * 3));
    }
    for (const slug of dropped) writes.push(this.redis.hdel(this.keys.readers(slug), processId));
    await Promise.all(writes);
  }

  /** Readers of each briefing now, summed over the processes that counted within STALE_MS. */
  async count(slugs: readonly string[], now = Date.now()): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    await Promise.all(
      slugs.map(async (slug) => {
        const key = this.keys.readers(slug);
        const fields = await this.redis.hgetall(key);
        let total = 0;
        const stale: string[] = [];
        for (const [processId, value] of Object.entries(fields)) {
          const parsed = parseField(value);
          if (parsed && now - parsed.at <= STALE_MS) total += parsed.count;
          else stale.push(processId);
        }
        if (stale.length > 0) await this.redis.hdel(key, ...stale);
        totals.set(slug, total);
      }),
    );
    return totals;
  }
}

/** Writes one process's counts every REPORT_INTERVAL_MS, and takes them back when it stops. */
export class ReadersReporter {
  readonly processId = randomUUID();
  private timer: NodeJS.Timeout | null = null;
  private reported = new Set<string>();
  private writing: Promise<void> = Promise.resolve();
  private inFlight = false;

  constructor(
    private readonly store: ReadersStore,
    private readonly counts: () => ReadonlyMap<string, number>,
    private readonly logger: Logger,
    private readonly intervalMs = REPORT_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.report();
    this.timer = setInterval(() => this.report(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops reporting and removes this process's counts, so they stop counting at once rather than after STALE_MS. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.writing;
    const gone = [...this.reported];
    this.reported = new Set();
    await this.store.write(this.processId, new Map(), gone).catch(() => undefined);
  }

  private report(): void {
    // One write at a time: ticks that come while Redis is slow are skipped, not piled up.
    if (this.inFlight) return;
    this.inFlight = true;
    this.writing = this.writeNow().finally(() => {
      this.inFlight = false;
    });
  }

  private async writeNow(): Promise<void> {
    const counts = new Map([...this.counts()].filter(([, count]) => count > 0));
    const dropped = [...this.reported].filter((slug) => !counts.has(slug));
    try {
      await this.store.write(this.processId, counts, dropped);
      this.reported = new Set(counts.keys());
    } catch (error) {
      // Redis away: the counts age out meanwhile, and the next write puts them back.
      this.logger.debug({ err: error }, 'could not write the readers-now counts');
    }
  }
}

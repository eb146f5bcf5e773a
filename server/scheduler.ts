/** Publishes scheduled entries at their time; every process runs one, the store decides who wins each entry. */
import type { Logger } from 'pino';
import type { Metrics } from './metrics';
import type { Store } from './store/store';

/**
 * How often the scheduler's index is rebuilt from the briefings' own scheduled sets, in ms:
 * an index write lost between a briefing's script and the index costs at most this much delay.
 */
const INDEX_REBUILD_MS = 60_000;

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** When the index was last rebuilt; 0: at the first tick. */
  private rebuiltAt = 0;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    const now = Date.now();
    const rebuild = now - this.rebuiltAt >= INDEX_REBUILD_MS;
    if (rebuild) this.rebuiltAt = now;
    this.running = (rebuild ? this.store.rebuildScheduleIndex() : Promise.resolve())
      .then(() => this.store.publishDue(now))
      .then((count) => {
        if (count > 0) this.metrics.scheduledPublished.inc(count);
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'scheduled publishing failed; will retry'))
      .finally(() => {
        this.running = null;
      });
  }
}

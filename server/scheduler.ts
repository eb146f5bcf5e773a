/** Publishes scheduled entries at their time; every process runs one, the store decides who wins each entry. */
import type { Logger } from 'pino';
import type { Metrics } from './metrics';
import type { Store } from './store/store';

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

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
    this.running = this.store
      .publishDue(Date.now())
      .then((count) => {
        if (count > 0) this.metrics.scheduledPublished.inc(count);
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'scheduled publishing failed; will retry'))
      .finally(() => {
        this.running = null;
      });
  }
}

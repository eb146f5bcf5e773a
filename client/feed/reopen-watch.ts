/**
 * A page left open on a briefing whose coverage has ended holds no connection: it asks
 * now and then (one small GET, none while the tab is hidden) whether the briefing is live
 * again, and says so once.
 */
import { BriefingRoutes } from './reader-api';

/** How often to ask, in ms. */
export const REOPEN_CHECK_MS = 60_000;

export class ReopenWatch {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly routes: BriefingRoutes,
    private readonly onReopened: () => void,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => void this.check(), REOPEN_CHECK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async check(): Promise<void> {
    if (document.visibilityState === 'hidden') return;
    try {
      const response = await fetch(this.routes.briefing());
      if (!response.ok) return;
      const { briefing } = (await response.json()) as { briefing: { status: string } };
      if (briefing.status !== 'live' || this.timer === null) return;
    } catch {
      return; // offline or the service is away: the next look tries again
    }
    this.stop();
    this.onReopened();
  }
}

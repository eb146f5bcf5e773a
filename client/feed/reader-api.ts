/**
 * The addresses the reader's feed reads over HTTP, for one briefing: the one place the
 * page, the widget and the polling fallback name the service's public routes.
 */
export class BriefingRoutes {
  private readonly base: string;

  /** `origin`: '' on our own pages, the service's origin inside an embed. */
  constructor(
    private readonly origin: string,
    private readonly slug: string,
  ) {
    this.base = `${origin}/api/v1/briefings/${encodeURIComponent(slug)}`;
  }

  briefing(): string {
    return this.base;
  }

  /** Newest first, `limit` of them, older than the `before` cursor when given. */
  entries(limit: number, before: string | null): string {
    return `${this.base}/entries?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`;
  }

  versions(entryId: string): string {
    return `${this.base}/entries/${encodeURIComponent(entryId)}/versions`;
  }

  keyEvents(): string {
    return `${this.base}/key-events`;
  }

  changes(epoch: string, since: number): string {
    return `${this.base}/changes?epoch=${encodeURIComponent(epoch)}&since=${since}`;
  }

  snapshot(): string {
    return `${this.base}/snapshot`;
  }

  /** The summary rendered (not under /api/v1: it belongs with the pages). */
  summary(): string {
    return `${this.origin}/b/${encodeURIComponent(this.slug)}/summary`;
  }
}

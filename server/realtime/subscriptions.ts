/**
 * Which briefings each reader's socket follows on this process, and how far along each
 * subscription is. Kept by briefing: an entry per subscription in the briefing's map, rather
 * than a map per socket, which every idle reader would hold (about 0.3 KiB each). A process
 * follows few briefings, so what is asked per socket scans them.
 */
import type { PendingSubscription, ReaderSocket } from './feed';

/** Waiting for its ack or its catch-up (pending), or following the fan-out ('live'). */
export type SubscriptionState = PendingSubscription | 'live';

export class SubscriptionTable {
  private readonly bySlug = new Map<string, Map<ReaderSocket, SubscriptionState>>();

  get(socket: ReaderSocket, slug: string): SubscriptionState | undefined {
    return this.bySlug.get(slug)?.get(socket);
  }

  set(socket: ReaderSocket, slug: string, state: SubscriptionState): void {
    let sockets = this.bySlug.get(slug);
    if (!sockets) {
      sockets = new Map();
      this.bySlug.set(slug, sockets);
    }
    sockets.set(socket, state);
  }

  delete(socket: ReaderSocket, slug: string): void {
    const sockets = this.bySlug.get(slug);
    if (!sockets?.delete(socket)) return;
    if (sockets.size === 0) this.bySlug.delete(slug);
  }

  /** The briefings the socket follows. */
  slugsOf(socket: ReaderSocket): string[] {
    const slugs: string[] = [];
    for (const [slug, sockets] of this.bySlug) if (sockets.has(socket)) slugs.push(slug);
    return slugs;
  }
}

/**
 * Prometheus metrics, one registry per app instance so tests can run several side by side.
 * Node's default metrics (event-loop lag, heap, GC, CPU) carry the same `livebrief_` prefix.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Briefings named in the per-briefing subscribers gauge; the rest are summed under OTHER_SLUG, so the label set stays bounded. */
export const TOP_BRIEFINGS = 20;
/** Cannot be a slug (slugs start with a letter or digit). */
export const OTHER_SLUG = '_other';

/** How a cursor was answered: its changes, a snapshot (none or another history), or a snapshot / 410 because it is beyond the replay limit. */
export type CatchUpKind = 'resume' | 'snapshot' | 'too_far';
export type CatchUpTransport = 'socket' | 'http';

/** The events of an ioredis connection (a single node or a Cluster) that tell of its health. */
interface RedisEvents {
  on(event: 'error' | 'reconnecting' | 'ready' | 'close' | 'end', listener: (...args: unknown[]) => void): unknown;
}

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  socketsConnected: Gauge;
  watchedBriefings: Gauge;
  subscriptions: Counter<'mode'>;
  changesDelivered: Counter;
  scheduledPublished: Counter;
  readersRefused: Counter<'reason'>;
  deliveryLag: Histogram;
  catchUps: Counter<'kind' | 'transport'>;
  redisErrors: Counter<'connection'>;
  redisReconnects: Counter<'connection'>;
  redisReady: Gauge<'connection'>;
  /** Gives the subscribers gauges their numbers, read at each scrape: subscribers per followed briefing. */
  countSubscribersWith(source: () => ReadonlyMap<string, number>): void;
  /** Counts a Redis connection's errors and reconnects, and tracks whether it is ready, under `connection`. */
  watchRedis(redis: RedisEvents, connection: string): void;
}

/** The `limit` largest counts by name (ties by slug), and the sum of the rest. */
export function topCounts(counts: ReadonlyMap<string, number>, limit: number): { top: [string, number][]; rest: number } {
  const sorted = [...counts.entries()].filter(([, count]) => count > 0).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return { top: sorted.slice(0, limit), rest: sorted.slice(limit).reduce((sum, [, count]) => sum + count, 0) };
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'livebrief_' });
  let subscriberSource: () => ReadonlyMap<string, number> = () => new Map();
  new Gauge({
    name: 'livebrief_subscribers',
    help: 'Briefing subscriptions of reader sockets on this process (one socket following three briefings counts three)',
    registers: [registry],
    collect() {
      let total = 0;
      for (const count of subscriberSource().values()) total += count;
      this.set(total);
    },
  });
  new Gauge({
    name: 'livebrief_briefing_subscribers',
    help: `Subscribers on this process per briefing, for the ${TOP_BRIEFINGS} most followed here; the rest summed under slug="${OTHER_SLUG}"`,
    labelNames: ['slug'],
    registers: [registry],
    collect() {
      // Labels are set anew at each scrape: a briefing no longer followed, or no longer in the top, leaves no series behind.
      this.reset();
      const { top, rest } = topCounts(subscriberSource(), TOP_BRIEFINGS);
      for (const [slug, count] of top) this.set({ slug }, count);
      if (rest > 0) this.set({ slug: OTHER_SLUG }, rest);
    },
  });
  const redisErrors = new Counter({
    name: 'livebrief_redis_errors_total',
    help: 'Errors reported by a Redis connection (refused, reset, timed out), by connection',
    labelNames: ['connection'],
    registers: [registry],
  });
  const redisReconnects = new Counter({
    name: 'livebrief_redis_reconnects_total',
    help: 'Reconnection attempts of a Redis connection after it was lost, by connection',
    labelNames: ['connection'],
    registers: [registry],
  });
  const redisReady = new Gauge({
    name: 'livebrief_redis_ready',
    help: 'Whether a Redis connection is ready for commands (1) or not (0), by connection',
    labelNames: ['connection'],
    registers: [registry],
  });
  const catchUps = new Counter({
    name: 'livebrief_catchups_total',
    help: 'Cursors answered, by kind (resume, snapshot, too_far: beyond LIVEBRIEF_REPLAY_LIMIT) and transport (socket subscribe, http GET …/changes)',
    labelNames: ['kind', 'transport'],
    registers: [registry],
  });
  // Every series exists from the start, so rate() sees the first one counted.
  for (const kind of ['resume', 'snapshot', 'too_far'] satisfies CatchUpKind[]) {
    for (const transport of ['socket', 'http'] satisfies CatchUpTransport[]) catchUps.inc({ kind, transport }, 0);
  }
  return {
    registry,
    deliveryLag: new Histogram({
      name: 'livebrief_delivery_lag_seconds',
      help: "From a change's time (set by the process that stored it) to its emission to this process's sockets",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    catchUps,
    redisErrors,
    redisReconnects,
    redisReady,
    countSubscribersWith(source) {
      subscriberSource = source;
    },
    watchRedis(redis, connection) {
      redisErrors.inc({ connection }, 0);
      redisReconnects.inc({ connection }, 0);
      redisReady.set({ connection }, 0);
      redis.on('error', () => redisErrors.inc({ connection }));
      redis.on('reconnecting', () => {
        redisReconnects.inc({ connection });
        redisReady.set({ connection }, 0);
      });
      redis.on('ready', () => redisReady.set({ connection }, 1));
      redis.on('close', () => redisReady.set({ connection }, 0));
      redis.on('end', () => redisReady.set({ connection }, 0));
    },
    httpDuration: new Histogram({
      name: 'livebrief_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    socketsConnected: new Gauge({
      name: 'livebrief_sockets_connected',
      help: 'Socket.IO connections open on this process',
      registers: [registry],
    }),
    watchedBriefings: new Gauge({
      name: 'livebrief_watched_briefings',
      help: 'Briefings whose change log this process tails',
      registers: [registry],
    }),
    subscriptions: new Counter({
      name: 'livebrief_subscriptions_total',
      help: 'Accepted subscriptions by mode (resume or snapshot)',
      labelNames: ['mode'],
      registers: [registry],
    }),
    changesDelivered: new Counter({
      name: 'livebrief_changes_delivered_total',
      help: 'Changes read from the logs and emitted to local rooms',
      registers: [registry],
    }),
    scheduledPublished: new Counter({
      name: 'livebrief_scheduled_published_total',
      help: 'Scheduled entries this process published at their time',
      registers: [registry],
    }),
    readersRefused: new Counter({
      name: 'livebrief_readers_refused_total',
      help: 'Reader connections refused or dropped, and subscribes refused, by the limit that applied',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

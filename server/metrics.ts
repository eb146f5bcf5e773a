/** Prometheus metrics, one registry per app instance so tests can run several side by side. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  socketsConnected: Gauge;
  watchedBriefings: Gauge;
  subscriptions: Counter<'mode'>;
  changesDelivered: Counter;
  scheduledPublished: Counter;
  readersRefused: Counter<'reason'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'livebrief_' });
  return {
    registry,
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

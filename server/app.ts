/**
 * Assembles the service (Express, Socket.IO, the change-log hub, the scheduler) apart
 * from listening, so tests and main.ts build it the same way.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cluster } from 'ioredis';
import express from 'express';
import compression from 'compression';
import helmet, { strictTransportSecurity } from 'helmet';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { AppError } from '../shared/errors';
import { sameSecret, TokenVerifier } from './auth/tokens';
import type { Config } from './config';
import { createConsole, type ConsoleService } from './console';
import { apiRouter } from './http/api';
import { crossOriginReads, socketOriginAllowed } from './http/cross-origin';
import { errorHandler, notFoundHandler } from './http/errors';
import { mediaRouter } from './http/media';
import { MediaStore } from './media/images';
import { defaultPublicDir, pagesRouter } from './http/pages';
import { createMetrics, type Metrics } from './metrics';
import { FeedHub, type ReaderServer } from './realtime/feed-hub';
import { attachReaderSockets } from './realtime/reader-socket';
import { answersEverywhere, connectClusterNode, connectCommands, connectConfigured, waitReady } from './redis';
import { Scheduler } from './scheduler';
import { ReadersReporter, ReadersStore } from './store/readers';
import { ClusterLogTail, LogTail, type TailFactory } from './store/log-tail';
import { Store } from './store/store';
import { TokenStore } from './store/tokens';
import { WebhookStore } from './store/webhooks';
import { DEFAULT_WEBHOOK_OPTIONS, WebhookWorker } from './webhooks/worker';

export interface App {
  config: Readonly<Config>;
  http: HttpServer;
  /** The Express app behind `http` (Socket.IO wraps the server's request listener, so it cannot be reached from there). */
  express: express.Express;
  io: ReaderServer;
  store: Store;
  tokens: TokenStore;
  hub: FeedHub;
  metrics: Metrics;
  /** The editors' console: accounts, sessions, drafts, presence, audit log. */
  console: ConsoleService;
  /** Uploaded images (storeImage() for any feature that takes a photo). */
  media: MediaStore;
  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish, closes sockets and Redis. */
  close(): Promise<void>;
}

/** The matched route pattern (never the raw path, which would explode label cardinality). */
function routeLabel(req: express.Request): string {
  const route: unknown = req.route;
  const path = typeof route === 'object' && route !== null && 'path' in route ? String(route.path) : null;
  return path ? `${req.baseUrl}${path}` : 'unmatched';
}

/** How long shutdown waits for in-flight requests before cutting them, in ms. */
const SHUTDOWN_GRACE_MS = 5000;

export async function createApp(config: Readonly<Config>, logger: Logger): Promise<App> {
  const metrics = createMetrics();
  const connectionProblem = (error: Error): void => {
    logger.warn({ err: error.message }, 'redis connection problem');
  };
  const redis = connectCommands(config, 'livebrief');
  redis.on('error', connectionProblem);
  metrics.watchRedis(redis, 'command');
  let makeTail: TailFactory;
  if (redis instanceof Cluster) {
    await waitReady(redis, 5000).catch((error: unknown) => {
      redis.disconnect();
      const seeds = config.redisClusterNodes?.map((seed) => `${seed.host}:${seed.port}`).join(',') ?? '';
      throw new Error(`No Redis Cluster answers at REDIS_CLUSTER_NODES (${seeds}): start it, or fix REDIS_CLUSTER_NODES.`, {
        cause: error,
      });
    });
    // A Redis Cluster: the tail opens a blocking connection to each primary it reads.
    makeTail = (onReconnect) =>
      new ClusterLogTail(
        redis,
        (host, port) => {
          const node = connectClusterNode(host, port, 'livebrief-tail');
          metrics.watchRedis(node, 'blocking');
          return node;
        },
        logger,
        onReconnect,
      );
  } else {
    // One Redis, reached directly or through Sentinels: one more connection for the tail's blocking reads.
    const tailRedis = connectConfigured(config, 'livebrief-tail', { blocking: true });
    tailRedis.on('error', connectionProblem);
    metrics.watchRedis(tailRedis, 'blocking');
    await Promise.all([waitReady(redis, 5000), waitReady(tailRedis, 5000)]);
    makeTail = (onReconnect) => new LogTail(tailRedis, () => redis, logger, onReconnect);
  }

  const store = new Store(redis, config.redisPrefix, {
    historyLimit: config.historyLimit,
    replayLimit: config.replayLimit,
    versionsPerEntry: config.versionsPerEntry,
  });
  // Entries scheduled under the single-Redis layout of earlier versions join their briefings' sets.
  await store.adoptLegacySchedule();
  const tokens = new TokenStore(redis, store.keys);
  const verifier = new TokenVerifier(tokens, config.adminToken);
  if (config.adminToken !== undefined && config.adminToken.length < 16) {
    logger.warn('LIVEBRIEF_ADMIN_TOKEN is shorter than 16 characters: anyone who guesses it is an admin');
  }
  const isRedisReady = (): boolean => redis.status === 'ready';
  const readers = new ReadersStore(redis, store.keys);
  const consoleService = createConsole({ redis, store, tokens, verifier, config, logger, readers });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // HSTS over plain http would pin a browser to https for a host that may not serve it
  // (http://localhost in development): sent only when the request came over HTTPS, directly
  // or through a trusted proxy (req.secure follows 'trust proxy').
  app.use(helmet({ strictTransportSecurity: false }));
  const hsts = strictTransportSecurity();
  app.use((req, res, next) => (req.secure ? hsts(req, res, next) : next()));
  // Readers are often on slow networks: pages, bundles and JSON go out compressed.
  app.use(compression());
  app.use((req, res, next) => {
    const stop = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => stop({ route: routeLabel(req), status: res.statusCode }));
    next();
  });

  // Readers' pages next: by far the most frequent requests, and no route below shares their paths.
  app.use(pagesRouter({ store, config, publicDir: defaultPublicDir() }));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    // On a Cluster every primary must answer: each holds some briefings' slots.
    const ready = await answersEverywhere(redis);
    res.status(ready ? 200 : 503).json({ ok: ready, redis: ready ? 'ready' : 'unreachable' });
  });
  const metricsToken = config.metricsToken === undefined ? null : createHash('sha256').update(config.metricsToken).digest();
  app.get('/metrics', async (req, res) => {
    if (metricsToken) {
      const given = /^Bearer (\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (given === undefined || !sameSecret(given, metricsToken)) {
        throw new AppError('unauthorized', 'authorization: /metrics needs Authorization: Bearer <LIVEBRIEF_METRICS_TOKEN>');
      }
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // Embeds on other sites read the public JSON (GET) too.
  app.use('/api/v1', crossOriginReads(config.embedOrigins));
  app.use(consoleService.auditMiddleware);
  const media = new MediaStore(config.mediaDir, { maxBytes: config.mediaMaxBytes, maxPixels: config.mediaMaxPixels });
  // Before the JSON API, whose routes refuse any body that is not JSON.
  app.use(mediaRouter({ media, auth: consoleService.auth, embedOrigins: config.embedOrigins, publicUrl: config.publicUrl }));
  const webhooks = new WebhookStore(redis, store.keys);
  const webhookWorker = new WebhookWorker(store, webhooks, logger, {
    ...DEFAULT_WEBHOOK_OPTIONS,
    ...config.webhooks,
    leaseMs: Math.max(DEFAULT_WEBHOOK_OPTIONS.leaseMs, config.webhooks.timeoutMs * 3),
  });
  app.use(
    '/api/v1',
    apiRouter({
      store,
      auth: consoleService.auth,
      users: consoleService.users,
      bodyLimitBytes: config.bodyLimitBytes,
      metrics,
      webhooks: { webhooks, worker: webhookWorker, allowPrivate: config.webhooks.allowPrivate },
    }),
  );
  app.use(consoleService.router);
  app.use(notFoundHandler);
  app.use(errorHandler(logger, isRedisReady));

  const http = createServer(app);
  const io: ReaderServer = new Server(http, {
    maxHttpBufferSize: config.socketMessageLimitBytes,
    perMessageDeflate: false,
    serveClient: false,
    // Embeds connect from other sites' pages: only from the allowed origins.
    allowRequest: (req, callback) => callback(null, socketOriginAllowed(config.embedOrigins, req)),
    cors: { origin: config.embedOrigins === '*' ? '*' : [...config.embedOrigins] },
  });
  const hub = new FeedHub(store, makeTail, io, logger, metrics, {
    replayLimit: config.replayLimit,
    maxSubscriptionsPerSocket: config.subscriptionsPerSocket,
  });
  metrics.countSubscribersWith(() => hub.subscriberCounts());
  const readersReporter = new ReadersReporter(readers, () => hub.readerCounts(), logger);
  const stopReaderLimits = attachReaderSockets(io, hub, logger, metrics, {
    subscribesPerMinute: config.subscribesPerMinute,
    connectionsPerAddress: config.connectionsPerAddress,
    slowConsumerBytes: config.slowConsumerBytes,
  });
  const consoleSockets = consoleService.attachSockets(io);
  const scheduler = new Scheduler(store, logger, metrics, config.schedulerIntervalMs);

  let closing: Promise<void> | null = null;

  return {
    config,
    http,
    express: app,
    io,
    store,
    tokens,
    hub,
    metrics,
    console: consoleService,
    media,
    async listen() {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      hub.start();
      scheduler.start();
      readersReporter.start();
      webhookWorker.start();
      const address = http.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const setupLink = await consoleService.firstRun.linkIfNoAccounts(config.publicUrl ?? `http://${host}:${address.port}`);
      // Logged on purpose, once per start while no account exists: it is how the first admin gets in.
      if (setupLink) logger.warn(`no console account exists yet: create the first admin at ${setupLink} (valid 24 h, once)`);
      return address;
    },
    close() {
      closing ??= (async () => {
        const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        const cutoff = setTimeout(() => http.closeAllConnections(), SHUTDOWN_GRACE_MS);
        io.disconnectSockets(true);
        consoleSockets.stop();
        stopReaderLimits();
        await Promise.all([httpClosed, scheduler.stop(), readersReporter.stop(), webhookWorker.stop()]);
        clearTimeout(cutoff);
        await new Promise<void>((resolve) => io.close(() => resolve()));
        await hub.stop();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}

/**
 * Assembles the service (Express, Socket.IO, the change-log hub, the scheduler) apart
 * from listening, so tests and main.ts build it the same way.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import compression from 'compression';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { TokenVerifier } from './auth/tokens';
import type { Config } from './config';
import { createConsole, type ConsoleService } from './console';
import { apiRouter } from './http/api';
import { crossOriginReads, socketOriginAllowed } from './http/cross-origin';
import { errorHandler, notFoundHandler } from './http/errors';
import { defaultPublicDir, pagesRouter } from './http/pages';
import { createMetrics, type Metrics } from './metrics';
import { FeedHub, type ReaderServer } from './realtime/feed-hub';
import { attachReaderSockets } from './realtime/reader-socket';
import { connectConfigured, waitReady } from './redis';
import { Scheduler } from './scheduler';
import { Store } from './store/store';
import { TokenStore } from './store/tokens';

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
  const redis = connectConfigured(config, 'livebrief');
  const tailRedis = connectConfigured(config, 'livebrief-tail', { blocking: true });
  for (const connection of [redis, tailRedis]) {
    connection.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem'));
  }
  await Promise.all([waitReady(redis, 5000), waitReady(tailRedis, 5000)]);

  const metrics = createMetrics();
  const store = new Store(redis, config.redisPrefix, {
    historyLimit: config.historyLimit,
    replayLimit: config.replayLimit,
    versionsPerEntry: config.versionsPerEntry,
  });
  const tokens = new TokenStore(redis, store.keys);
  const verifier = new TokenVerifier(tokens, config.adminToken);
  if (config.adminToken !== undefined && config.adminToken.length < 16) {
    logger.warn('LIVEBRIEF_ADMIN_TOKEN is shorter than 16 characters: anyone who guesses it is an admin');
  }
  const isRedisReady = (): boolean => redis.status === 'ready';
  const consoleService = createConsole({ redis, store, tokens, verifier, config, logger });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  // Readers are often on slow networks: pages, bundles and JSON go out compressed.
  app.use(compression());
  app.use((req, res, next) => {
    const stop = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => stop({ route: routeLabel(req), status: res.statusCode }));
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const ready =
      isRedisReady() &&
      (await redis.ping().then(
        () => true,
        () => false,
      ));
    res.status(ready ? 200 : 503).json({ ok: ready, redis: ready ? 'ready' : 'unreachable' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // Embeds on other sites read the public JSON (GET) too.
  app.use('/api/v1', crossOriginReads(config.embedOrigins));
  app.use(consoleService.auditMiddleware);
  app.use('/api/v1', apiRouter({ store, auth: consoleService.auth, bodyLimitBytes: config.bodyLimitBytes }));
  app.use(consoleService.router);
  app.use(pagesRouter({ store, config, publicDir: defaultPublicDir() }));
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
  const hub = new FeedHub(store, tailRedis, io, logger, metrics, {
    replayLimit: config.replayLimit,
    maxSubscriptionsPerSocket: config.subscriptionsPerSocket,
  });
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
        await Promise.all([httpClosed, scheduler.stop()]);
        clearTimeout(cutoff);
        await new Promise<void>((resolve) => io.close(() => resolve()));
        const hubStopped = hub.stop();
        tailRedis.disconnect();
        await hubStopped;
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}

/**
 * `npm start`: configuration, Redis, the app, signals. With LIVEBRIEF_WORKERS (or `--cluster`,
 * as `npm run start:cluster` passes: one worker per CPU) this process is the primary of that
 * many workers on the one port, and each worker runs the app.
 */
import type { ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { ensureRedis, StartupError } from './redis';
import { reportListening, runPrimary, WORKER_HEADER } from './workers';

/** The contract's start line, printed at any LOG_LEVEL: scripts and operators wait for it. */
function announce(logger: Logger, address: AddressInfo): void {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.child({}, { level: 'info' }).info({ port: address.port }, `listening on http://${host}:${address.port}`);
}

async function startRedisIfNeeded(config: Readonly<Config>, logger: Logger): Promise<ChildProcess | null> {
  try {
    return await ensureRedis(config, logger, process.env.PATH);
  } catch (error) {
    if (error instanceof StartupError) {
      logger.fatal(error.message);
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Runs the app in this process: the whole service, or one worker of it. */
async function serve(config: Readonly<Config>, parentLogger: Logger, redisChild: ChildProcess | null): Promise<void> {
  const worker = cluster.worker;
  const logger = worker ? parentLogger.child({ worker: worker.id }) : parentLogger;
  const app = await createApp(config, logger);
  if (worker) {
    // Which worker answered, for operators and tests (workers are otherwise alike).
    const id = String(worker.id);
    app.http.prependListener('request', (_req, res) => res.setHeader(WORKER_HEADER, id));
    app.io.engine.on('headers', (headers: Record<string, string>) => {
      headers[WORKER_HEADER] = id;
    });
  }
  const address = await app.listen();
  if (worker) {
    logger.info({ port: address.port }, 'worker accepting connections');
    reportListening(address);
  } else {
    announce(logger, address);
  }

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app
      .close()
      .then(() => {
        redisChild?.kill('SIGTERM');
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A worker whose primary is gone (killed) stops too, rather than serving on unwatched.
  if (worker) process.on('disconnect', () => shutdown('primary gone'));
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config);
  if (cluster.isWorker) {
    // The primary made sure of Redis before forking.
    await serve(config, logger, null);
    return;
  }
  const redisChild = await startRedisIfNeeded(config, logger);
  const workers = config.workers ?? (process.argv.includes('--cluster') ? availableParallelism() : null);
  if (workers === null) {
    await serve(config, logger, redisChild);
    return;
  }
  logger.info({ workers }, 'starting workers');
  runPrimary({
    workers,
    logger,
    onListening: (address) => announce(logger, address),
    onStopped: () => {
      redisChild?.kill('SIGTERM');
      logger.info('stopped');
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`livebrief failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

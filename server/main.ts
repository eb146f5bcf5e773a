/** `npm start`: configuration, Redis, the app, signals. */
import type { ChildProcess } from 'node:child_process';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { ensureRedis, StartupError } from './redis';

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
  let redisChild: ChildProcess | null = null;
  try {
    redisChild = await ensureRedis(config, logger, process.env.PATH);
  } catch (error) {
    if (error instanceof StartupError) {
      logger.fatal(error.message);
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const app = await createApp(config, logger);
  const address = await app.listen();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  // The contract's start line is printed at any LOG_LEVEL: scripts and operators wait for it.
  logger.child({}, { level: 'info' }).info({ port: address.port }, `listening on http://${host}:${address.port}`);

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
}

main().catch((error: unknown) => {
  process.stderr.write(`livebrief failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

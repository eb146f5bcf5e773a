import pino, { type Logger } from 'pino';
import type { Config } from './config';

/** JSON logs on stdout; credentials are redacted wherever they might be logged. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'livebrief' },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'token', 'password', '*.token', '*.password'],
      censor: '[redacted]',
    },
  });
}

import pino, { type Logger } from 'pino';
import type { Config } from './config';

function isCommand(value: unknown): value is { name: unknown; args: unknown[] } {
  return typeof value === 'object' && value !== null && 'name' in value && 'args' in value && Array.isArray(value.args);
}

/**
 * ioredis attaches the failed command to its errors, arguments included: password hashes,
 * session digests in key names. Only the command's name is kept, at any depth (a MULTI's
 * previousErrors, say; pino folds a `cause` into the message and stack).
 */
function withoutCommandArguments(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 10) return value;
  if (value instanceof Error) return withoutCommandArguments(pino.stdSerializers.err(value), depth + 1);
  if (Array.isArray(value)) return value.map((item) => withoutCommandArguments(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      key === 'command' && isCommand(item)
        ? { name: item.name, args: `[${item.args.length} arguments redacted]` }
        : withoutCommandArguments(item, depth + 1);
  }
  return copy;
}

/** pino's error serializer, without the arguments of failed Redis commands. */
export function serializeError(error: unknown): unknown {
  return withoutCommandArguments(error);
}

/** JSON logs on stdout; credentials are redacted wherever they might be logged. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'livebrief' },
    serializers: { err: serializeError, error: serializeError },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'token', 'password', '*.token', '*.password'],
      censor: '[redacted]',
    },
  });
}

import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
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

/** Where logs go: stdout unless told otherwise, and whether that is a terminal (a person reading). */
export interface LogOutput {
  stream?: DestinationStream & NodeJS.WritableStream;
  isTTY: boolean;
}

/** JSON for machines, readable lines for a person at a terminal, unless the operator chose one. */
export function logFormatFor(config: Pick<Config, 'logFormat'>, isTTY: boolean): 'json' | 'pretty' {
  return config.logFormat ?? (isTTY ? 'pretty' : 'json');
}

/** Logs on stdout (JSON or pretty, see logFormatFor); credentials are redacted wherever they might be logged, in either format. */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  output: LogOutput = { isTTY: process.stdout.isTTY === true },
): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'livebrief' },
    serializers: { err: serializeError, error: serializeError },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'token', 'password', '*.token', '*.password'],
      censor: '[redacted]',
    },
  };
  if (logFormatFor(config, output.isTTY) === 'json') return output.stream ? pino(options, output.stream) : pino(options);
  // Written synchronously, in this thread: the last lines before process.exit are not lost.
  const pretty = pinoPretty({
    destination: output.stream ?? 1,
    sync: true,
    colorize: output.isTTY,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname,service',
  });
  return pino(options, pretty);
}

/**
 * Redis connections, and the convenience of `npm start` on a machine with no Redis
 * running: it starts a `redis-server` child with its data under the data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from '../shared/errors';
import type { Config, RedisAddress, RedisSentinelConfig } from './config';

/**
 * Fail fast while Redis is away, so requests answer 503 instead of hanging: no offline
 * queue (a command while disconnected fails at once), few retries, and timers for a Redis
 * that keeps the connection open but answers nothing (hung, paused, or a dead peer that
 * never sent a reset).
 */
const CONNECTION_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  retryStrategy: (attempt) => Math.min(1000, 50 * attempt),
};

/** A command connection: every command is short, so no answer within this long means Redis is not answering, in ms. */
export const COMMAND_TIMEOUT_MS = 1000;
/** A command connection that receives nothing this long while commands wait is dropped and made anew, in ms. */
const COMMAND_SOCKET_TIMEOUT_MS = 3000;
/**
 * The same for a blocking connection (the log tail's XREAD BLOCK): it must exceed the
 * longest BLOCK used there (FeedHub's blockMs, 2 s), or a quiet log would look like a dead
 * Redis. Commands on it get no timeout of their own: a hung Redis just holds the XREAD,
 * which carries on when Redis does.
 */
const BLOCKING_SOCKET_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  /** True for a connection that runs blocking commands (XREAD BLOCK). Default false. */
  blocking?: boolean;
}

/**
 * What the stores talk to: one Redis, or a Redis Cluster. Both speak the same commands;
 * every script and multi-key command keeps to the keys of one hash slot (see keys.ts).
 */
export type RedisClient = Redis | Cluster;

function timeoutsFor(options: ConnectOptions): RedisOptions {
  return options.blocking
    ? { socketTimeout: BLOCKING_SOCKET_TIMEOUT_MS }
    : {
        commandTimeout: COMMAND_TIMEOUT_MS,
        socketTimeout: COMMAND_SOCKET_TIMEOUT_MS,
        // A write cut off by a dropped connection may have been applied already: sent again
        // after the reconnect it could publish twice. It fails instead (503), and the client
        // retries with its Idempotency-Key.
        autoResendUnfulfilledCommands: false,
      };
}

/** The options every connection of the service gets, whatever Redis deployment it reaches. */
function serviceOptions(name: string, options: ConnectOptions): RedisOptions {
  return { ...CONNECTION_OPTIONS, ...timeoutsFor(options), connectionName: name, lazyConnect: true };
}

export function connectRedis(url: string, name: string, options: ConnectOptions = {}): Redis {
  return new Redis(url, serviceOptions(name, options));
}

/** The Redis deployment named by the configuration. */
export type RedisTarget = Pick<Config, 'redisUrl' | 'redisSentinel'>;

/** A connection to the one configured Redis primary, reached directly or through Sentinels. */
export function connectConfigured(target: RedisTarget, name: string, options: ConnectOptions = {}): Redis {
  if (target.redisSentinel) return connectSentinel(target.redisSentinel, name, options);
  return connectRedis(target.redisUrl, name, options);
}

/** The command connection of the configured deployment: a Cluster client, or one primary's connection. */
export function connectCommands(config: Pick<Config, 'redisUrl' | 'redisSentinel' | 'redisClusterNodes'>, name: string): RedisClient {
  return config.redisClusterNodes ? connectCluster(config.redisClusterNodes, name) : connectConfigured(config, name);
}

// ---------- Sentinel ----------

/**
 * A connection to the primary that the Sentinels name, with the same fail-fast options as
 * any other. On every (re)connection it asks the Sentinels where the primary is, so after a
 * failover it reaches the promoted replica by itself: at once when a Sentinel announces the
 * switch (failoverDetector), or when the old primary refuses a write as a replica now
 * (READONLY), or drops the connection.
 */
function connectSentinel(sentinel: RedisSentinelConfig, name: string, options: ConnectOptions): Redis {
  return new Redis({
    ...serviceOptions(name, options),
    sentinels: sentinel.sentinels.map((address) => ({ ...address })),
    name: sentinel.name,
    role: 'master',
    // Never give up asking: the Sentinels may all be restarting; meanwhile commands fail at once (no offline queue).
    sentinelRetryStrategy: (attempt) => Math.min(1000, 50 * attempt),
    sentinelCommandTimeout: COMMAND_TIMEOUT_MS,
    failoverDetector: true,
    // 1: reconnect (asking the Sentinels again) without sending the refused command anew; it answered 503.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 1 : false),
  });
}

// ---------- Redis Cluster (REDIS_CLUSTER_NODES) ----------

/**
 * A Redis Cluster client with the same fail-fast behaviour as connectRedis: no offline
 * queue, the timeouts on every node's connection, writes and reads on the primaries only
 * (a replica may lag behind what was just acknowledged), and node addresses used as the
 * cluster announces them.
 */
export function connectCluster(seeds: readonly RedisAddress[], name: string): Cluster {
  return new Cluster([...seeds], {
    lazyConnect: true,
    enableOfflineQueue: false,
    scaleReads: 'master',
    slotsRefreshTimeout: CONNECTION_OPTIONS.connectTimeout ?? 2000,
    // The slot table is read again now and then, not only on a MOVED: a failover or a slot
    // moved shows even where no command of this process met it (the log tail, durability).
    slotsRefreshInterval: 5000,
    clusterRetryStrategy: (attempt) => Math.min(1000, 50 * attempt),
    dnsLookup: (address, callback) => callback(null, address),
    // Each node's connection: the timeouts, but its reconnects and queue are the cluster's to manage.
    redisOptions: {
      connectTimeout: CONNECTION_OPTIONS.connectTimeout,
      maxRetriesPerRequest: CONNECTION_OPTIONS.maxRetriesPerRequest,
      ...timeoutsFor({}),
      connectionName: name,
    },
  });
}

/** A blocking connection to one primary of a Cluster, for the log tail (see ClusterLogTail). */
export function connectClusterNode(host: string, port: number, name: string): Redis {
  return new Redis({ ...serviceOptions(name, { blocking: true }), host, port });
}

/** The primaries to look at one by one (readiness, durability settings): the cluster's, or the one Redis. */
export function primariesOf(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/** `host:port` of a primary as the cluster's slot table names it. */
export function nodeKeyOf(node: Redis): string {
  return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
}

/** True when every primary answers PING (on a Cluster: and the slot table is known). */
export async function answersEverywhere(redis: RedisClient): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  const primaries = primariesOf(redis);
  if (primaries.length === 0) return false;
  const pings = await Promise.all(
    primaries.map((node) =>
      node.ping().then(
        () => true,
        () => false,
      ),
    ),
  );
  return pings.every(Boolean);
}

/** Resolves once the connection is ready; rejects after `timeoutMs`. */
export async function waitReady(redis: RedisClient, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') void redis.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

function findExecutable(name: string, searchPath: string | undefined): string | null {
  for (const dir of (searchPath ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Redis could not be reached, or refused for a while (loading its data, a failover under
 * way). Told apart by the client library's messages and names, the socket's error codes,
 * and Redis's own error prefixes, since none of them carries a type to test.
 */
const NOT_SENT_MESSAGES = [
  "Stream isn't writeable",
  'Connection is closed',
  // a Cluster between slot tables (starting, a node lost)
  "Cluster isn't ready",
  'Failed to refresh slots cache',
  'None of startup nodes is available',
];
const CUT_OFF_MESSAGES = ['Command timed out', 'Command aborted due to connection close', 'Ready check failed', 'Socket timeout'];
const CUT_OFF_NAMES = new Set(['MaxRetriesPerRequestError']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const REDIS_BUSY_PREFIXES = ['LOADING', 'BUSY', 'MASTERDOWN', 'READONLY', 'CLUSTERDOWN', 'TRYAGAIN', 'NOREPLICAS', 'MISCONF'];

export const UNAVAILABLE_MESSAGE = 'the data store is unavailable; try again shortly';
/** A write whose command was sent but never answered may still be applied when Redis runs again. */
export const CUT_OFF_MESSAGE =
  'the data store stopped answering; a change sent now may still be applied: retry with the same Idempotency-Key, or reload before retrying';

/** The 503 for a Redis that is away, or null when `error` is something else. */
export function redisUnavailable(error: unknown): AppError | null {
  if (!(error instanceof Error)) return null;
  const message = error.message;
  if (CUT_OFF_NAMES.has(error.name) || CUT_OFF_MESSAGES.some((known) => message.startsWith(known))) {
    return new AppError('unavailable', CUT_OFF_MESSAGE);
  }
  const code = 'code' in error ? String(error.code) : '';
  if (
    SOCKET_CODES.has(code) ||
    NOT_SENT_MESSAGES.some((known) => message.startsWith(known)) ||
    (error.name === 'ReplyError' && REDIS_BUSY_PREFIXES.some((prefix) => message.startsWith(`${prefix} `)))
  ) {
    return new AppError('unavailable', UNAVAILABLE_MESSAGE);
  }
  return null;
}

export class StartupError extends Error {}

/**
 * Makes sure a Redis answers. With REDIS_URL unset and nothing at the default address,
 * starts `redis-server` as a child (append-only file on); otherwise fails with one clear
 * sentence rather than retrying silently.
 */
export async function ensureRedis(config: Readonly<Config>, logger: Logger, searchPath: string | undefined): Promise<ChildProcess | null> {
  // A Cluster or Sentinels are the operator's: nothing to start here, and the app's connect fails clearly.
  if (config.redisClusterNodes || config.redisSentinel) return null;
  if (await answers(config.redisUrl)) return null;
  if (config.redisUrlGiven) {
    throw new StartupError(`No Redis answers at REDIS_URL (${redactUrl(config.redisUrl)}): start it, or fix REDIS_URL.`);
  }
  const binary = findExecutable('redis-server', searchPath);
  if (!binary) {
    throw new StartupError(
      `No Redis answers at ${config.redisUrl} and no redis-server is installed: install Redis 7 (for example "apt-get install redis-server") or set REDIS_URL to a running one.`,
    );
  }
  const dataDir = path.resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const url = new URL(config.redisUrl);
  const child = spawn(
    binary,
    ['--port', url.port || '6379', '--bind', url.hostname, '--dir', dataDir, '--appendonly', 'yes', '--save', ''],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await answers(config.redisUrl)) {
      logger.info({ pid: child.pid, dataDir }, `started redis-server at ${config.redisUrl} with its data in ${dataDir}`);
      return child;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new StartupError(`Started ${binary} but it did not answer at ${config.redisUrl}; see its log or set REDIS_URL.`);
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

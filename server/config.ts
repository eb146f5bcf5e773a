/**
 * Configuration: read from the environment once at start, validated, frozen, then passed
 * in. No other module reads process.env.
 */
import { z } from 'zod';
import { describeIssue } from '../shared/schemas';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `host:port` (a bracketed IPv6 host too), as Sentinels and Cluster seeds are given. */
export interface RedisAddress {
  host: string;
  port: number;
}

/** A comma-separated list of `host:port`, at least one. */
const addressList = z.string().transform((value, context) => {
  const addresses: RedisAddress[] = [];
  for (const item of value.split(',').map((part) => part.trim())) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(item);
    const port = match ? Number(match[2]) : 0;
    if (!match?.[1] || port < 1 || port > 65_535) {
      context.addIssue({ code: 'custom', message: `"${item}" is not host:port (a comma-separated list of host:port is expected)` });
      return z.NEVER;
    }
    addresses.push({ host: match[1].replace(/^\[(.*)\]$/, '$1'), port });
  }
  return addresses;
});

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  REDIS_PREFIX: z.string().default('livebrief:'),
  /** Seed nodes of a Redis Cluster, `host:port,host:port`; used instead of REDIS_URL when set. */
  REDIS_CLUSTER_NODES: addressList.optional(),
  /** Redis Sentinels to ask where the primary is; with REDIS_SENTINEL_NAME, used instead of REDIS_URL. */
  REDIS_SENTINELS: addressList.optional(),
  /** The name the Sentinels monitor the primary under. */
  REDIS_SENTINEL_NAME: z.string().trim().min(1).optional(),
  /** Any length is accepted (the contract sets none); a short one is warned about at start. */
  LIVEBRIEF_ADMIN_TOKEN: z.string().optional(),
  /** If set, GET /metrics needs `Authorization: Bearer <it>`. */
  LIVEBRIEF_METRICS_TOKEN: z.string().optional(),
  /** How many changes of each briefing's log are kept for resuming readers. */
  LIVEBRIEF_HISTORY_LIMIT: positiveInt(10_000),
  /** The most changes one catch-up replays (subscribe or GET …/changes); a cursor further behind gets a snapshot or 410. */
  LIVEBRIEF_REPLAY_LIMIT: positiveInt(1000),
  /** The most versions one published entry keeps; a further edit is refused with 409. */
  LIVEBRIEF_VERSIONS_PER_ENTRY: positiveInt(500),
  /** Subscribes one reader connection may send per minute; more are refused with a rate_limited ack. */
  LIVEBRIEF_SUBSCRIBES_PER_MINUTE: positiveInt(120),
  /** Reader connections one client address may hold open on one process. */
  LIVEBRIEF_CONNECTIONS_PER_ADDRESS: positiveInt(256),
  /** A reader whose unsent data passes this many bytes is disconnected (it resumes from its cursor). */
  LIVEBRIEF_SLOW_CONSUMER_BYTES: positiveInt(4 * 1024 * 1024),
  /** Largest accepted JSON request body, in bytes. */
  LIVEBRIEF_BODY_LIMIT: positiveInt(256 * 1024),
  /** Largest accepted Socket.IO message from a client, in bytes. */
  LIVEBRIEF_SOCKET_MESSAGE_LIMIT: positiveInt(16 * 1024),
  /** Briefings one socket may follow at once. */
  LIVEBRIEF_SUBSCRIPTIONS_PER_SOCKET: positiveInt(50),
  /** How often each process looks for scheduled entries that are due, in milliseconds. */
  LIVEBRIEF_SCHEDULER_INTERVAL_MS: positiveInt(250),
  /** Where a Redis started by `npm start` keeps its append-only file. */
  LIVEBRIEF_DATA_DIR: z.string().default('./data'),
  /** Worker processes to run on the one port (node's cluster); unset: one process, as ever. */
  LIVEBRIEF_WORKERS: z.coerce.number().int().positive().max(256).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json` (one object a line) or `pretty` (for people); unset: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** How long a console session lasts without use, in hours. */
  LIVEBRIEF_SESSION_HOURS: positiveInt(12),
  /** The public origin of the reader pages (absolute links in JSON-LD, feeds, share links); unset: taken from each request. */
  LIVEBRIEF_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The publisher named on reader pages and in their schema.org data. */
  LIVEBRIEF_PUBLISHER_NAME: z.string().trim().min(1).max(100).default('livebrief'),
  /** The service's own language (BCP 47): the words of the list at `/` and of pages no briefing speaks for. */
  LIVEBRIEF_LANGUAGE: z
    .string()
    .trim()
    .default('en')
    .refine(
      (tag) => {
        try {
          return Intl.getCanonicalLocales(tag).length === 1;
        } catch {
          return false;
        }
      },
      { message: 'must be a BCP 47 language tag, e.g. en or ru-RU' },
    ),
  /** The publisher's logo: an absolute URL, or a path on this service. */
  LIVEBRIEF_PUBLISHER_LOGO: z.string().trim().min(1).max(2048).default('/assets/logo.svg'),
  /** Origins allowed to embed the widget: `*`, or a comma-separated list of origins. */
  LIVEBRIEF_EMBED_ORIGINS: z
    .string()
    .default('*')
    .transform((value) =>
      value.trim() === '*'
        ? '*'
        : value
            .split(',')
            .map((origin) => origin.trim())
            .filter(Boolean),
    )
    .pipe(z.union([z.literal('*'), z.array(z.url({ protocol: /^https?$/ }).transform((origin) => new URL(origin).origin)).min(1)])),
  /** Drafts and submissions one author may keep in one briefing. */
  LIVEBRIEF_DRAFTS_PER_AUTHOR: positiveInt(200),
  /** Lets webhooks reach loopback, private, link-local and other internal addresses (on-premises receivers, tests). */
  LIVEBRIEF_WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  /** How often each briefing's head is looked at for webhook deliveries, in ms. */
  LIVEBRIEF_WEBHOOKS_POLL_MS: positiveInt(1000),
  /** The first retry of a failed webhook delivery waits this long (ms); each next one twice as long. */
  LIVEBRIEF_WEBHOOKS_RETRY_MS: positiveInt(1000),
  /** The longest wait between two retries of a webhook delivery, in ms. */
  LIVEBRIEF_WEBHOOKS_RETRY_MAX_MS: positiveInt(10 * 60_000),
  /** How long one change is retried before it is logged as failed and the next one is sent, in ms. */
  LIVEBRIEF_WEBHOOKS_RETRY_FOR_MS: positiveInt(24 * 60 * 60_000),
  /** Longest wait for a webhook receiver's answer, in ms. */
  LIVEBRIEF_WEBHOOKS_TIMEOUT_MS: positiveInt(10_000),
  /** Where uploaded images are stored (a volume shared by every process). */
  LIVEBRIEF_MEDIA_DIR: z.string().default('./data/media'),
  /** Largest accepted image upload, in bytes. */
  LIVEBRIEF_MEDIA_MAX_BYTES: positiveInt(15 * 1024 * 1024),
  /** Largest accepted image, in pixels (width × height): bounds the memory a decode takes. */
  LIVEBRIEF_MEDIA_MAX_PIXELS: positiveInt(50_000_000),
});

export interface Config {
  port: number;
  host: string;
  /** The Redis to use; `redisUrlGiven` tells whether the operator chose it. */
  redisUrl: string;
  redisUrlGiven: boolean;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES), used instead of redisUrl; null for one Redis. */
  redisClusterNodes: readonly RedisAddress[] | null;
  /** Redis behind Sentinels (REDIS_SENTINELS, REDIS_SENTINEL_NAME), or null; when set it is used instead of `redisUrl`. */
  redisSentinel: RedisSentinelConfig | null;
  redisPrefix: string;
  adminToken: string | undefined;
  /** The bearer token /metrics asks for, or undefined for an open /metrics. */
  metricsToken: string | undefined;
  historyLimit: number;
  replayLimit: number;
  versionsPerEntry: number;
  subscribesPerMinute: number;
  connectionsPerAddress: number;
  slowConsumerBytes: number;
  bodyLimitBytes: number;
  socketMessageLimitBytes: number;
  subscriptionsPerSocket: number;
  schedulerIntervalMs: number;
  dataDir: string;
  /** Worker processes sharing the port, or null for a single process (`npm run start:cluster` defaults it to the CPUs). */
  workers: number | null;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** The log format the operator forced, or null to choose by whether stdout is a terminal. */
  logFormat: 'json' | 'pretty' | null;
  /** Idle lifetime of a console session, in seconds. */
  sessionTtlSeconds: number;
  /** Origin (no trailing slash) for absolute links, or null to use each request's. */
  publicUrl: string | null;
  publisherName: string;
  publisherLogo: string;
  /** BCP 47 tag of the service's own pages (the list, "not found"); a briefing's pages speak its own locale. */
  language: string;
  /** Who may embed the widget (CORS, frame-ancestors, Socket.IO origin): everyone, or these origins. */
  embedOrigins: '*' | readonly string[];
  /** Drafts and submissions one author may keep in one briefing; more are refused with 409. */
  draftsPerAuthor: number;
  /** Webhook delivery: whether internal addresses may be reached, and its timings (ms). */
  webhooks: { allowPrivate: boolean; pollMs: number; retryBaseMs: number; retryMaxMs: number; retryWindowMs: number; timeoutMs: number };
  /** Folder of uploaded images and their renditions. */
  mediaDir: string;
  /** Largest accepted image upload, in bytes. */
  mediaMaxBytes: number;
  /** Largest accepted image, in pixels. */
  mediaMaxPixels: number;
}

export interface RedisSentinelConfig {
  sentinels: readonly RedisAddress[];
  /** The monitored primary's name. */
  name: string;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${describeIssue(parsed.error)}`);
  const e = parsed.data;
  if ((e.REDIS_SENTINELS === undefined) !== (e.REDIS_SENTINEL_NAME === undefined)) {
    throw new ConfigError('invalid configuration: REDIS_SENTINELS and REDIS_SENTINEL_NAME go together: set both, or neither');
  }
  if (e.REDIS_CLUSTER_NODES && e.REDIS_SENTINELS) {
    throw new ConfigError('invalid configuration: REDIS_CLUSTER_NODES and REDIS_SENTINELS name two deployments: set one of them');
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL ?? DEFAULT_REDIS_URL,
    redisUrlGiven: e.REDIS_URL !== undefined,
    redisClusterNodes: e.REDIS_CLUSTER_NODES ?? null,
    redisSentinel:
      e.REDIS_SENTINELS && e.REDIS_SENTINEL_NAME ? Object.freeze({ sentinels: e.REDIS_SENTINELS, name: e.REDIS_SENTINEL_NAME }) : null,
    redisPrefix: e.REDIS_PREFIX,
    adminToken: e.LIVEBRIEF_ADMIN_TOKEN,
    metricsToken: e.LIVEBRIEF_METRICS_TOKEN,
    historyLimit: e.LIVEBRIEF_HISTORY_LIMIT,
    replayLimit: e.LIVEBRIEF_REPLAY_LIMIT,
    versionsPerEntry: e.LIVEBRIEF_VERSIONS_PER_ENTRY,
    subscribesPerMinute: e.LIVEBRIEF_SUBSCRIBES_PER_MINUTE,
    connectionsPerAddress: e.LIVEBRIEF_CONNECTIONS_PER_ADDRESS,
    slowConsumerBytes: e.LIVEBRIEF_SLOW_CONSUMER_BYTES,
    bodyLimitBytes: e.LIVEBRIEF_BODY_LIMIT,
    socketMessageLimitBytes: e.LIVEBRIEF_SOCKET_MESSAGE_LIMIT,
    subscriptionsPerSocket: e.LIVEBRIEF_SUBSCRIPTIONS_PER_SOCKET,
    schedulerIntervalMs: e.LIVEBRIEF_SCHEDULER_INTERVAL_MS,
    dataDir: e.LIVEBRIEF_DATA_DIR,
    workers: e.LIVEBRIEF_WORKERS ?? null,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? null,
    sessionTtlSeconds: e.LIVEBRIEF_SESSION_HOURS * 3600,
    publicUrl: e.LIVEBRIEF_PUBLIC_URL ? e.LIVEBRIEF_PUBLIC_URL.replace(/\/+$/, '') : null,
    publisherName: e.LIVEBRIEF_PUBLISHER_NAME,
    publisherLogo: e.LIVEBRIEF_PUBLISHER_LOGO,
    language: e.LIVEBRIEF_LANGUAGE,
    embedOrigins: e.LIVEBRIEF_EMBED_ORIGINS,
    draftsPerAuthor: e.LIVEBRIEF_DRAFTS_PER_AUTHOR,
    webhooks: {
      allowPrivate: e.LIVEBRIEF_WEBHOOKS_ALLOW_PRIVATE === 'true',
      pollMs: e.LIVEBRIEF_WEBHOOKS_POLL_MS,
      retryBaseMs: e.LIVEBRIEF_WEBHOOKS_RETRY_MS,
      retryMaxMs: e.LIVEBRIEF_WEBHOOKS_RETRY_MAX_MS,
      retryWindowMs: e.LIVEBRIEF_WEBHOOKS_RETRY_FOR_MS,
      timeoutMs: e.LIVEBRIEF_WEBHOOKS_TIMEOUT_MS,
    },
    mediaDir: e.LIVEBRIEF_MEDIA_DIR,
    mediaMaxBytes: e.LIVEBRIEF_MEDIA_MAX_BYTES,
    mediaMaxPixels: e.LIVEBRIEF_MEDIA_MAX_PIXELS,
  });
}

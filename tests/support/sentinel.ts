/**
 * A Redis primary with one replica, watched by three Sentinels, all private redis-server
 * processes on free loopback ports (started through startRedis, closed by closeAll).
 */
import { Redis } from 'ioredis';
import { onClose, startRedis, waitFor, type RedisProcess } from './harness';

export const SENTINEL_NAME = 'livebrief-primary';
/** How long a Sentinel waits for an unanswering primary before calling it down, in ms. */
const DOWN_AFTER_MS = 1000;

export interface SentinelGroup {
  name: string;
  primary: RedisProcess;
  replica: RedisProcess;
  sentinels: RedisProcess[];
  /** `host:port,…` of the Sentinels, as REDIS_SENTINELS takes it. */
  addresses: string;
  /** The port the Sentinels name as the primary's now. */
  primaryPort(): Promise<number>;
  /** Asks a Sentinel to fail the primary over (SENTINEL FAILOVER). */
  failover(): Promise<void>;
  /**
   * Waits until every Sentinel names `port` as the primary's. Each announces the switch when
   * it learns of it (the last up to seconds after the first), and a service told so
   * reconnects: only then is the failover over for it.
   */
  waitForPrimary(port: number, timeoutMs?: number): Promise<void>;
}

function admin(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  onClose(() => redis.disconnect());
  return redis;
}

/** Reads a flat [key, value, key, value …] reply as a record. */
function record(reply: unknown): Record<string, string> {
  const flat = Array.isArray(reply) ? reply.map(String) : [];
  const result: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) result[flat[i] ?? ''] = flat[i + 1] ?? '';
  return result;
}

/**
 * Starts the group and waits until each Sentinel knows the replica and the two other
 * Sentinels: before that, a failover could not be agreed on. Every process writes its
 * append-only file with `appendfsync always`.
 */
export async function startSentinelGroup(): Promise<SentinelGroup> {
  const primary = await startRedis({ appendOnly: true });
  const replica = await startRedis({ appendOnly: true, args: ['--replicaof', '127.0.0.1', String(primary.port)] });
  const sentinels = await Promise.all(
    [0, 1, 2].map(() =>
      startRedis({
        appendOnly: false,
        configLines: [
          `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_NAME} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${SENTINEL_NAME} 5000`,
          `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
        ],
        args: ['--sentinel'],
      }),
    ),
  );
  const clients = sentinels.map((sentinel) => admin(sentinel.url));
  await waitFor(
    async () => {
      for (const client of clients) {
        const master = record(await client.call('SENTINEL', 'MASTER', SENTINEL_NAME));
        if (Number(master['num-slaves']) < 1 || Number(master['num-other-sentinels']) < 2) return undefined;
        const replicas = (await client.call('SENTINEL', 'REPLICAS', SENTINEL_NAME)) as unknown[];
        const known = replicas.map(record).find((item) => Number(item.port) === replica.port);
        if (!known || known.flags !== 'slave' || known['master-link-status'] !== 'ok') return undefined;
      }
      return true;
    },
    20_000,
    'the Sentinels to know the replica and each other',
  );
  const first = clients[0];
  if (!first) throw new Error('no Sentinel');
  const namedPorts = async (): Promise<number[]> =>
    Promise.all(
      clients.map(async (client) => {
        const reply = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME).catch(() => null)) as string[] | null;
        return Number(reply?.[1] ?? 0);
      }),
    );
  return {
    name: SENTINEL_NAME,
    primary,
    replica,
    sentinels,
    addresses: sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(','),
    async primaryPort() {
      const reply = (await first.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME)) as string[];
      return Number(reply[1]);
    },
    async failover() {
      await first.call('SENTINEL', 'FAILOVER', SENTINEL_NAME);
    },
    async waitForPrimary(port, timeoutMs = 20_000) {
      await waitFor(
        async () => ((await namedPorts()).every((named) => named === port) ? true : undefined),
        timeoutMs,
        `every Sentinel to name port ${port} the primary's`,
      );
    },
  };
}

/**
 * A private Redis Cluster for tests and the benchmark: three `redis-server --cluster-enabled
 * yes` primaries on free loopback ports, each in its own temporary folder, joined by
 * `redis-cli --cluster create`. Everything is killed and removed by closeAll() (or stop()).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, onClose, waitFor } from './harness';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  dir: string;
  /** `host:port`, as REDIS_CLUSTER_NODES lists it. */
  address: string;
  readonly pid: number | null;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** Starts it again with the same port, folder and options; resolves once it answers PING. */
  start(): Promise<void>;
}

export interface RedisCluster {
  nodes: ClusterNode[];
  /** The value for REDIS_CLUSTER_NODES. */
  seeds: string;
  /** A plain connection to one node (closed by closeAll()). */
  connect(node: ClusterNode): Redis;
  /** The node that serves `slot` now. */
  ownerOf(slot: number): Promise<ClusterNode>;
  /**
   * Moves one slot from one primary to another as `redis-cli --cluster reshard` does
   * (IMPORTING/MIGRATING, MIGRATE a few keys at a time, then SETSLOT NODE everywhere),
   * slowly enough that writes go on while its keys are split between the two.
   */
  moveSlot(slot: number, from: ClusterNode, to: ClusterNode): Promise<void>;
  /** Waits until every node running says cluster_state:ok. */
  waitHealthy(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Per node index, extra redis-server arguments (e.g. `--appendonly yes --appendfsync always`). */
  extraArgs?: (index: number) => string[];
}

async function info(port: number, section: string): Promise<string | undefined> {
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return section === 'cluster' ? await probe.cluster('INFO') : await probe.info(section);
  } catch {
    return undefined;
  } finally {
    probe.disconnect();
  }
}

function startNode(port: number, dir: string, extra: string[]): ClusterNode {
  let child: ChildProcess | null = null;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    '2000',
    '--appendonly',
    'no',
    '--save',
    '',
    ...extra,
  ];
  const node: ClusterNode = {
    port,
    dir,
    address: `127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? null;
    },
    async kill() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    async start() {
      const started = spawn('redis-server', args, { stdio: 'ignore' });
      child = started;
      await waitFor(
        async () => {
          if (started.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${started.exitCode}`);
          return (await info(port, 'server')) ? true : undefined;
        },
        10_000,
        `cluster node on ${port}`,
      );
    },
  };
  return node;
}

export async function startRedisCluster(options: ClusterOptions = {}): Promise<RedisCluster> {
  const nodes: ClusterNode[] = [];
  const connections: Redis[] = [];
  const stop = async (): Promise<void> => {
    for (const connection of connections.splice(0)) connection.disconnect();
    for (const node of nodes) {
      await node.kill();
      rmSync(node.dir, { recursive: true, force: true });
    }
  };
  onClose(stop);
  for (let index = 0; index < 3; index++) {
    const node = startNode(await freePort(), mkdtempSync(path.join(tmpdir(), 'livebrief-cluster-')), options.extraArgs?.(index) ?? []);
    nodes.push(node);
    await node.start();
  }
  await run('redis-cli', ['--cluster', 'create', ...nodes.map((node) => node.address), '--cluster-replicas', '0', '--cluster-yes']);
  const cluster: RedisCluster = {
    nodes,
    seeds: nodes.map((node) => node.address).join(','),
    connect(node) {
      const connection = new Redis(node.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
      connection.on('error', () => undefined);
      connections.push(connection);
      return connection;
    },
    async ownerOf(slot) {
      const probe = cluster.connect(nodes[0] as ClusterNode);
      const ranges = await probe.cluster('SLOTS');
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      const owner = nodes.find((node) => node.port === range?.[2]?.[1]);
      if (!owner) throw new Error(`no node serves slot ${slot}`);
      return owner;
    },
    async moveSlot(slot, from, to) {
      const source = cluster.connect(from);
      const target = cluster.connect(to);
      const fromId = String(await source.call('CLUSTER', 'MYID'));
      const toId = String(await target.call('CLUSTER', 'MYID'));
      await target.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
      await source.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
      for (;;) {
        const keys = (await source.call('CLUSTER', 'GETKEYSINSLOT', slot, 3)) as string[];
        if (keys.length === 0) break;
        await source.call('MIGRATE', '127.0.0.1', to.port, '', 0, 5000, 'KEYS', ...keys);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      for (const node of [to, from, ...nodes.filter((other) => other !== to && other !== from)]) {
        await cluster.connect(node).call('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
      }
    },
    async waitHealthy() {
      await waitFor(
        async () => {
          for (const node of nodes) {
            if (!(await info(node.port, 'cluster'))?.includes('cluster_state:ok')) return undefined;
          }
          return true;
        },
        20_000,
        'cluster_state:ok on every node',
      );
    },
    stop,
  };
  await cluster.waitHealthy();
  return cluster;
}

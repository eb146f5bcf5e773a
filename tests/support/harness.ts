/**
 * Test harness: real servers on port 0 with a unique Redis prefix, real socket.io-client
 * connections, and waiting on events with a ceiling. Everything started here is closed
 * by `closeAll()` (call it in afterAll / afterEach).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { onClose } from './closers';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/schemas';
import { createApp, type App } from '../../server/app';
import { loadConfig, type Config } from '../../server/config';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';
const ROOT = path.resolve(__dirname, '../..');
/** The built server, as `npm start` runs it. */
export const SERVER_MAIN = path.join(ROOT, 'dist/server/main.js');

export { closeAll, onClose, onTestEnd } from './closers';

export function uniquePrefix(): string {
  return `lbtest:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under a prefix (tests clean up after themselves). */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // that Redis is gone already
  } finally {
    redis.disconnect();
  }
}

export interface TestServer {
  app: App;
  url: string;
  prefix: string;
  api: ApiClient;
}

export interface StartOptions {
  /** Where the server logs, at env's LOG_LEVEL (default silent); unset: nowhere. */
  log?: pino.DestinationStream;
}

/** Starts the app in this process on port 0 with its own prefix. */
export async function startServer(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestServer> {
  const prefix = env.REDIS_PREFIX ?? uniquePrefix();
  // Uploaded photos go to a folder of the test's own, removed with it, unless the test names one.
  const mediaDir = env.LIVEBRIEF_MEDIA_DIR ?? mkdtempSync(path.join(tmpdir(), 'livebrief-media-'));
  if (env.LIVEBRIEF_MEDIA_DIR === undefined) onClose(() => rmSync(mediaDir, { recursive: true, force: true }));
  const config: Readonly<Config> = loadConfig({
    PORT: '0',
    REDIS_URL: DEFAULT_REDIS,
    LIVEBRIEF_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    LIVEBRIEF_MEDIA_DIR: mediaDir,
    ...env,
    REDIS_PREFIX: prefix,
  });
  const app = await createApp(config, options.log ? pino({ level: config.logLevel }, options.log) : pino({ level: 'silent' }));
  const address = await app.listen();
  const url = `http://127.0.0.1:${address.port}`;
  onClose(() => deletePrefix(config.redisUrl, prefix));
  onClose(() => app.close());
  return { app, url, prefix, api: new ApiClient(url, ADMIN_TOKEN) };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM, then waits for the exit code; given `graceMs`, SIGKILL if it has not exited by then (code null). */
  stop(graceMs?: number): Promise<number | null>;
  kill(): Promise<void>;
}

/**
 * Starts `node dist/server/main.js` (with `args`) as its own process (npm test builds first);
 * `nodeArgs` names another program for node to run instead (a server that prints the same
 * `listening on` line).
 */
export async function spawnServer(
  env: Record<string, string>,
  args: string[] = [],
  nodeArgs: string[] = [SERVER_MAIN],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      REDIS_URL: DEFAULT_REDIS,
      LIVEBRIEF_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs?: number): Promise<number | null> => {
    if (running()) child.kill('SIGTERM');
    if (graceMs === undefined) return exited;
    const timer = setTimeout(() => {
      if (running()) child.kill('SIGKILL');
    }, graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  let url: string;
  try {
    url = await waitFor(
      () => {
        const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
        if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
        return match?.[1];
      },
      15_000,
      'server to listen',
    );
  } catch (error) {
    // A server too slow to start is not left behind: SIGTERM lets a --cluster primary stop its workers.
    await stop(5000);
    throw error;
  }
  const handle: ServerProcess = {
    url,
    child,
    output: () => output,
    stop,
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
  onClose(() => handle.kill());
  return handle;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisProcess {
  url: string;
  port: number;
  dir: string;
  /** The running redis-server's pid, or null while it is not running. */
  readonly pid: number | null;
  /** SIGTERM (SIGCONT first if paused): Redis writes what it has and exits; waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed beyond what appendfsync already wrote; waits for the exit. */
  kill(): Promise<void>;
  /** SIGSTOP: the process and its open connections stay, but nothing is answered (a hung or partitioned Redis). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Starts redis-server again on the same port with the same data folder; resolves once it answers PING. */
  start(): Promise<void>;
}

export interface RedisServerOptions {
  appendOnly: boolean;
  /** When the append-only file is fsynced; default `always` (nothing acknowledged is lost to a crash). */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Where its data folder is made; default the OS temporary folder, which may be in memory (then fsync costs nothing). */
  parentDir?: string;
  /** Lines of a config file in its data folder, loaded first (a Sentinel rewrites its own, so it needs one). */
  configLines?: string[];
  /** Further command-line arguments, after the others (e.g. `--replicaof host port`, `--sentinel`). */
  args?: string[];
}

async function answersPing(url: string): Promise<true | undefined> {
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG' ? true : undefined;
  } catch {
    return undefined;
  } finally {
    probe.disconnect();
  }
}

/** A private redis-server on a free port, with its files in a temporary folder. */
export async function startRedis(options: RedisServerOptions): Promise<RedisProcess> {
  const port = await freePort();
  if (options.parentDir) mkdirSync(options.parentDir, { recursive: true });
  const dir = mkdtempSync(path.join(options.parentDir ?? tmpdir(), 'livebrief-redis-'));
  let child: ChildProcess | null = null;
  let paused = false;
  const url = `redis://127.0.0.1:${port}`;
  const configFile = path.join(dir, 'redis.conf');
  if (options.configLines) writeFileSync(configFile, `${options.configLines.join('\n')}\n`);
  const args = [
    ...(options.configLines ? [configFile] : []),
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendOnly ? 'yes' : 'no',
    '--appendfsync',
    options.appendfsync ?? 'always',
    ...(options.args ?? []),
  ];
  /** Ends the running process with `signal` and waits until it is gone. */
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    // A stopped process only acts on SIGTERM once it runs again.
    if (paused) running.kill('SIGCONT');
    paused = false;
    await exited;
  };
  const handle: RedisProcess = {
    url,
    port,
    dir,
    get pid() {
      return child?.pid ?? null;
    },
    async start() {
      const started = spawn('redis-server', args, { stdio: 'ignore' });
      child = started;
      await waitFor(
        () => {
          if (started.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${started.exitCode}`);
          return answersPing(url);
        },
        10_000,
        `redis-server on ${port}`,
      );
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    pause() {
      if (!child) throw new Error('redis-server is not running');
      child.kill('SIGSTOP');
      paused = true;
    },
    resume() {
      if (!child) throw new Error('redis-server is not running');
      child.kill('SIGCONT');
      paused = false;
    },
  };
  await handle.start();
  onClose(async () => {
    await handle.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  return handle;
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
      if (error instanceof Error && error.message.startsWith('server exited early')) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---------- HTTP ----------

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string | null,
  ) {}

  withToken(token: string | null): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T = Record<string, unknown>>(
    method: string,
    pathname: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const init: RequestInit = { method, headers: { ...headers } };
    const requestHeaders = init.headers as Record<string, string>;
    if (this.token) requestHeaders.authorization = `Bearer ${this.token}`;
    if (body !== undefined) {
      requestHeaders['content-type'] ??= 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(`${this.baseUrl}${pathname}`, init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = Record<string, unknown>>(pathname: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', pathname);
  }

  post<T = Record<string, unknown>>(pathname: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.request<T>('POST', pathname, body, headers);
  }

  patch<T = Record<string, unknown>>(pathname: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', pathname, body, headers);
  }

  delete<T = Record<string, unknown>>(pathname: string): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', pathname);
  }
}

// ---------- Socket.IO ----------

export type ReaderClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function connectReader(url: string, options: { transports?: string[] } = {}): Promise<ReaderClient> {
  const socket: ReaderClient = connectSocket(url, {
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await connected(socket, `socket did not connect to ${url}`);
  return socket;
}

/**
 * Waits for a socket made with `reconnection: false` to connect, and has closeAll()
 * disconnect it. Rejects with the server's refusal, or with `timeoutMessage` after 10 s.
 */
export async function connected(socket: Socket, timeoutMessage: string): Promise<void> {
  onClose(() => {
    socket.disconnect();
  });
  await connectOutcome(socket, timeoutMessage);
}

/** Resolves when the socket connects; rejects with the server's refusal, or with `timeoutMessage` after 10 s. */
export async function connectOutcome(socket: Socket, timeoutMessage: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(timeoutMessage)), 10_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

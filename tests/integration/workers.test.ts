/**
 * Several workers on one port (LIVEBRIEF_WORKERS, node's cluster module), run as the built
 * service is: one start line with the real port once all listen, readers on every worker
 * getting every change once and in order whichever worker took the publish, a dead worker
 * replaced, and SIGTERM stopping them all with exit code 0.
 */
import { execFileSync } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { availableParallelism } from 'node:os';
import { io as connectSocket } from 'socket.io-client';
import type { EntriesPage } from '../../shared/apply-change';
import type { Entry } from '../../shared/schemas';
import {
  ADMIN_TOKEN,
  ApiClient,
  closeAll,
  connected,
  deletePrefix,
  DEFAULT_REDIS,
  onClose,
  spawnServer,
  uniquePrefix,
  waitFor,
  type ReaderClient,
  type ServerProcess,
} from '../support/harness';
import { createBriefing } from '../support/fixtures';
import { FoldingReader } from '../support/reader';

afterEach(closeAll);

const WORKER_HEADER = 'x-livebrief-worker';

/** Runs the built service with `count` workers, or with `--cluster` (as `npm run start:cluster` does) for one per CPU. */
async function startWorkers(count: number | 'per CPU'): Promise<{ server: ServerProcess; api: ApiClient }> {
  const prefix = uniquePrefix();
  onClose(() => deletePrefix(DEFAULT_REDIS, prefix));
  const env = { REDIS_PREFIX: prefix, LOG_LEVEL: 'info' };
  const server =
    count === 'per CPU' ? await spawnServer(env, ['--cluster']) : await spawnServer({ ...env, LIVEBRIEF_WORKERS: String(count) });
  return { server, api: new ApiClient(server.url, ADMIN_TOKEN) };
}

/** The pids of a primary's workers. */
function workerPids(primary: ServerProcess): number[] {
  return execFileSync('ps', ['-o', 'pid=', '--ppid', String(primary.child.pid)])
    .toString()
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((value) => value > 0);
}

/**
 * A reader's socket, and the worker that accepted its WebSocket, told by the upgrade
 * response's header. That response is seen on the client's `ws` socket, which the
 * WebSocket transport makes at once when the reader is created (internals of
 * engine.io-client: if they change, this fails loudly rather than passing).
 */
async function connectReaderOnWorker(url: string): Promise<{ socket: ReaderClient; worker: string }> {
  let worker: string | undefined;
  const socket: ReaderClient = connectSocket(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  const ws = (socket.io.engine.transport as unknown as { ws?: EventEmitter }).ws;
  ws?.once('upgrade', (response: IncomingMessage) => {
    worker = String(response.headers[WORKER_HEADER]);
  });
  await connected(socket, `socket did not connect to ${url}`);
  if (!worker) throw new Error('the WebSocket upgrade named no worker');
  return { socket, worker };
}

/** A POST on a connection of its own (fetch would keep reusing one, and so one worker); resolves with the worker that answered. */
async function publishOnNewConnection(url: string, slug: string, body: string): Promise<{ worker: string; entry: Entry; seq: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/briefings/${slug}/entries`,
      { method: 'POST', agent: false, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          if (res.statusCode !== 201) return reject(new Error(`publish answered ${res.statusCode}: ${text}`));
          const parsed = JSON.parse(text) as { entry: Entry; seq: number };
          resolve({ worker: String(res.headers[WORKER_HEADER]), ...parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ body }));
  });
}

/** Connects readers until at least `perWorker` are on each of `workers` workers. */
async function readersOnEveryWorker(url: string, workers: number, perWorker: number) {
  const readers: { socket: ReaderClient; worker: string }[] = [];
  const count = (worker: string): number => readers.filter((reader) => reader.worker === worker).length;
  for (let attempt = 0; attempt < 40; attempt++) {
    readers.push(await connectReaderOnWorker(url));
    const seen = [...new Set(readers.map((reader) => reader.worker))];
    if (seen.length >= workers && seen.every((worker) => count(worker) >= perWorker)) break;
  }
  return readers;
}

function startLines(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('listening on http://'));
}

test('two workers on one port: one start line with the real port, every reader on either worker gets every change once, in order; SIGTERM exits 0', async () => {
  const { server, api } = await startWorkers(2);
  expect(new URL(server.url).port).not.toBe('0');
  const slug = 'two-workers';
  await createBriefing(api, slug);

  const readers = await readersOnEveryWorker(server.url, 2, 2);
  const workers = new Set(readers.map((reader) => reader.worker));
  expect(workers.size).toBe(2);
  const folding = readers.map(({ socket }) => new FoldingReader(socket, slug));
  const acks = await Promise.all(folding.map((reader) => reader.subscribe()));
  for (const ack of acks) expect(ack).toMatchObject({ ok: true, mode: 'snapshot' });

  // Publishes land on both workers too: a change reaches readers of the other one through Redis.
  const published: { worker: string; entry: Entry; seq: number }[] = [];
  for (let i = 0; i < 12; i++) published.push(await publishOnNewConnection(server.url, slug, `entry ${i}`));
  expect(new Set(published.map((item) => item.worker)).size).toBe(2);
  const last = published[published.length - 1];
  if (!last) throw new Error('nothing published');

  const stored = (await api.get<EntriesPage>(`/api/v1/briefings/${slug}/entries?limit=100`)).body;
  expect(stored.seq).toBe(last.seq);
  for (const [index, reader] of folding.entries()) {
    const view = await reader.waitForView(last.seq);
    expect(reader.problems).toEqual([]);
    const ackSeq = acks[index]?.ok ? acks[index].seq : -1;
    // Every change after its ack, once each, in order.
    expect(reader.changesSinceAck().map((change) => change.seq)).toEqual(
      Array.from({ length: last.seq - ackSeq }, (_, i) => ackSeq + i + 1),
    );
    expect(view.entries).toEqual(stored.entries);
  }

  expect(await server.stop()).toBe(0);
  expect(startLines(server.output())).toHaveLength(1);
});

test('a worker that dies is replaced, and the service keeps answering on its port', async () => {
  const { server, api } = await startWorkers(2);
  const slug = 'replaced-worker';
  await createBriefing(api, slug);
  const before = await waitFor(() => (workerPids(server).length === 2 ? workerPids(server) : undefined), 5000, 'two workers');
  const victim = before[0];
  if (victim === undefined) throw new Error('no worker');
  process.kill(victim, 'SIGKILL');

  const after = await waitFor(
    () => {
      const now = workerPids(server);
      return now.length === 2 && !now.includes(victim) ? now : undefined;
    },
    10_000,
    'a new worker in place of the dead one',
  );
  expect(after).toContain(before[1]);
  // The replacement serves once it has started: readers reach it (worker ids count up from 1; it is the third).
  await waitFor(
    async () => ((await connectReaderOnWorker(server.url)).worker === '3' ? true : undefined),
    15_000,
    'a reader on the new worker',
  );
  // …and readers on it get what is published through either worker.
  const reader = new FoldingReader((await connectReaderOnWorker(server.url)).socket, slug);
  const ack = await reader.subscribe();
  const published = await publishOnNewConnection(server.url, slug, 'after the replacement');
  await reader.waitForView(published.seq);
  expect(reader.problems).toEqual([]);
  expect(ack.ok && ack.seq + 1).toBe(published.seq);
  expect(await server.stop()).toBe(0);
  expect(startLines(server.output())).toHaveLength(1);
});

test('--cluster (npm run start:cluster) runs one worker per CPU', async () => {
  const { server, api } = await startWorkers('per CPU');
  expect(workerPids(server)).toHaveLength(availableParallelism());
  expect((await api.get('/healthz')).headers.get(WORKER_HEADER)).toMatch(/^\d+$/);
  expect(await server.stop()).toBe(0);
  expect(startLines(server.output())).toHaveLength(1);
});

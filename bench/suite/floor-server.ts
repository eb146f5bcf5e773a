/**
 * The floor: a bare Socket.IO 4 server (the project's socket.io, livebrief's options) with
 * no persistence, as its own process. What livebrief does on top of a room broadcast is
 * what the suite measures against it.
 *
 *   POST /snapshot  { epoch, seq, snapshot }  the ack a snapshot subscribe gets (the
 *                   orchestrator hands it what livebrief sent); forgets earlier changes
 *   POST /publish   a change (JSON)  kept in memory, emitted to the slug's room in seq order
 *                   (one that overtook its predecessor waits for it), then 201
 *   subscribe       ack (snapshot, or resume when `since` is within what it holds), the
 *                   changes after the ack's seq, then the room: nothing in between
 *
 * Prints `listening on http://127.0.0.1:PORT` like the real server. PORT (default 0).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { loadConfig } from '../../server/config';

interface ChangeLike {
  slug: string;
  seq: number;
}

interface SnapshotAck {
  epoch: string;
  seq: number;
  snapshot: unknown;
}

const HOST = '127.0.0.1';
/** Largest request body taken, in bytes. */
const BODY_LIMIT = 4 * 1024 * 1024;

let base: SnapshotAck | null = null;
/** The changes published, in seq order with no gap after the snapshot's seq. */
const changes: ChangeLike[] = [];
/** Changes that came before their predecessor: publishes race each other on separate connections. */
const early = new Map<number, ChangeLike>();

function headSeq(snapshot: SnapshotAck): number {
  return changes.at(-1)?.seq ?? snapshot.seq;
}

/** Keeps the change and emits it, and every early one it was holding back, in seq order. */
function publish(snapshot: SnapshotAck, change: ChangeLike): void {
  early.set(change.seq, change);
  for (let next = early.get(headSeq(snapshot) + 1); next; next = early.get(headSeq(snapshot) + 1)) {
    early.delete(next.seq);
    changes.push(next);
    io.to(room(next.slug)).emit('change', next);
  }
}

function room(slug: string): string {
  return `briefing:${slug}`;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error('body too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

function isChange(value: unknown): value is ChangeLike {
  const change = value as Partial<ChangeLike> | null;
  return typeof change?.slug === 'string' && typeof change.seq === 'number';
}

function isSnapshotAck(value: unknown): value is SnapshotAck {
  const ack = value as Partial<SnapshotAck> | null;
  return typeof ack?.epoch === 'string' && typeof ack.seq === 'number' && typeof ack.snapshot === 'object';
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method === 'GET' && request.url === '/healthz') return answer(response, 200, { ok: true });
  if (request.method !== 'POST') return answer(response, 404, { error: 'not found' });
  const body = await readJson(request);
  if (request.url === '/snapshot' && isSnapshotAck(body)) {
    base = body;
    changes.length = 0;
    early.clear();
    return answer(response, 204, null);
  }
  if (request.url === '/publish' && isChange(body) && base) {
    publish(base, body);
    return answer(response, 201, { seq: body.seq });
  }
  return answer(response, 400, { error: 'bad request' });
}

const http = createServer((request, response) => {
  route(request, response).catch((error: unknown) => answer(response, 400, { error: String(error) }));
});
const io = new Server(http, {
  // As livebrief's: its default message limit, no compression, no client bundle.
  maxHttpBufferSize: loadConfig({}).socketMessageLimitBytes,
  perMessageDeflate: false,
  serveClient: false,
});

function subscribe(socket: Socket, request: unknown, ack: (response: unknown) => void): void {
  const { slug, since } = (request ?? {}) as { slug?: unknown; since?: { epoch?: unknown; seq?: unknown } | null };
  if (typeof slug !== 'string' || !base) {
    ack({ ok: false, error: { code: 'not_found', message: 'slug: no such briefing' } });
    return;
  }
  const head = headSeq(base);
  const resumable = since && since.epoch === base.epoch && typeof since.seq === 'number' && since.seq >= base.seq && since.seq <= head;
  const from = resumable ? (since.seq as number) : base.seq;
  if (resumable) ack({ ok: true, mode: 'resume', epoch: base.epoch, seq: from });
  else ack({ ok: true, mode: 'snapshot', epoch: base.epoch, seq: base.seq, snapshot: base.snapshot });
  for (const change of changes) if (change.seq > from && change.slug === slug) socket.emit('change', change);
  void socket.join(room(slug));
}

io.on('connection', (socket) => {
  socket.on('subscribe', (request: unknown, ack: unknown) => {
    if (typeof ack === 'function') subscribe(socket, request, ack as (response: unknown) => void);
  });
});

http.listen(Number(process.env.PORT ?? 0), HOST, () => {
  const { port } = http.address() as AddressInfo;
  process.stdout.write(`floor: listening on http://${HOST}:${port}\n`);
});
process.on('SIGTERM', () => {
  void io.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
});

/**
 * Socket.IO fuzzing with fast-check: generated packets on the readers' namespace and on
 * /console (signed in), sent from real socket.io-client connections, as raw socket.io
 * packets over those connections, and as raw engine.io payloads over HTTP long-polling;
 * plus console handshakes with and without a session. Properties, per batch: no crash, an
 * ack for every known event that asked for one, each a success or an error ack in the
 * documented shape; a connection is closed only for what the protocol refuses (a
 * malformed or oversized packet); nothing under the test's prefix changes. Throughout, a
 * control reader keeps receiving published changes, in order, once each. Afterwards every
 * connection is gone and the heap is back near where it started.
 *
 * Reproducible: seed FUZZ_SEED (fixed by default), count FUZZ_SOCKET_PACKETS.
 *
 * Not compared: `b:{slug}:presence`, where a signed-in console's `join` and `editing`
 * record who has a briefing open, by design (and which expires on its own); and
 * `b:{slug}:readers`, where each process counts the readers subscribed (readers now).
 */
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { Change, Entry } from '../../shared/schemas';
import { addUser } from '../support/console';
import { closeAll, connectReader, waitFor, type TestServer, connectOutcome } from '../support/harness';
import { FoldingReader } from '../support/reader';
import { FUZZ_SEED, edgeString, hugeString, mutated, shallowJunkValue } from './support/arbitraries';
import { collector, isErrorAck, liveHeap, errorLogCollector, startFuzzTarget } from './support/checks';
import { differences, settledSnapshot, snapshot, type RedisState } from './support/redis-state';

const PACKETS = Number(process.env.FUZZ_SOCKET_PACKETS ?? 10_000);
const PER_BATCH = 20;
/** The server's limit on one message from a client (LIVEBRIEF_SOCKET_MESSAGE_LIMIT's default). */
const MESSAGE_LIMIT = 16 * 1024;
/**
 * How much the live heap (heapUsed after full collections; the server runs in this process)
 * may grow from after the warm-up to after the run. Runs grow it by 1.5-4 MB (compiled code,
 * V8's own tables); 16 MB is what a leak of about 1.7 KB per packet over the 10 000 would take.
 */
const HEAP_GROWTH_LIMIT = 16 * 1024 * 1024;
const ACK_TIMEOUT_MS = 5000;

const ignoredKey = (key: string): boolean => key.endsWith(':presence') || key.endsWith(':readers');

// ---------- what a generated packet is ----------

type Namespace = 'reader' | 'console';

type Packet =
  /** socket.io-client's emit, with or without an ack function. */
  | { kind: 'emit'; ns: Namespace; conn: number; event: string; args: unknown[]; ack: boolean }
  /** A socket.io packet as text, straight onto a live connection's engine. */
  | { kind: 'raw'; ns: Namespace; conn: number; text: string; attachment: boolean }
  /** An engine.io payload over long-polling, on a session of its own. */
  | { kind: 'engine'; payload: string }
  /** A /console handshake: a live session or not, from this site or another. */
  | { kind: 'handshake'; cookie: 'valid' | 'junk' | 'none'; origin: 'same' | 'other' | 'none' };

const READER_EVENTS = ['subscribe', 'subscribe', 'subscribe', 'unsubscribe', 'unsubscribe', 'change', 'join', 'publish'];
const CONSOLE_EVENTS = ['join', 'join', 'editing', 'editing', 'leave', 'subscribe', 'presence', 'queue'];
/** Names socket.io-client refuses to emit; they go out as raw packets instead. */
const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener', 'error'];

const eventName = (ns: Namespace): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...(ns === 'reader' ? READER_EVENTS : CONSOLE_EVENTS)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }).filter((name) => !RESERVED.includes(name)) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'x'.repeat(3000), 'Subscribe', 'subscribe ') },
  );

/** Binary where JSON is expected: a Buffer (socket.io sends it as an attachment). */
const binary = fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes));

const payload = (event: string): fc.Arbitrary<unknown> => {
  const template: Record<string, unknown> =
    event === 'editing'
      ? { slug: 'alpha', editing: '$ENTRY' }
      : event === 'subscribe'
        ? { slug: 'alpha', since: { epoch: '$EPOCH', seq: 2 } }
        : { slug: 'alpha' };
  return fc.oneof(
    { weight: 6, arbitrary: mutated(template, shallowJunkValue) },
    { weight: 1, arbitrary: binary },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('slug', 'since', 'editing'), binary).map(([key, bytes]) => ({ ...template, [key]: bytes })),
    },
    { weight: 1, arbitrary: fc.constantFrom('beta', 'no-such-briefing', 'Alpha', 'alpha ').map((slug) => ({ ...template, slug })) },
  );
};

const emitPacket = (ns: Namespace): fc.Arbitrary<Packet> =>
  eventName(ns).chain((event) =>
    fc.record({
      kind: fc.constant('emit' as const),
      ns: fc.constant(ns),
      conn: fc.nat({ max: 2 }),
      event: fc.constant(event),
      args: fc.oneof(
        { weight: 6, arbitrary: payload(event).map((value) => [value]) },
        { weight: 1, arbitrary: fc.array(fc.oneof(shallowJunkValue, binary), { maxLength: 3 }) },
      ),
      ack: fc.boolean(),
    }),
  );

/** Socket.IO packet text: type, namespace, ack id, then (mostly) a JSON array of junk. */
const rawSocketText = (ns: Namespace): fc.Arbitrary<string> => {
  const prefix = ns === 'console' ? '/console,' : '';
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '9', ''),
        fc.constantFrom('', '1-', '9-', '-'),
        fc.constantFrom(prefix, '', '/nope,', '/console,'),
        fc.option(fc.nat(), { nil: undefined }),
        fc.array(fc.oneof(shallowJunkValue, fc.constantFrom(...RESERVED)), { maxLength: 3 }),
      )
      .map(([type, attachments, nsp, id, data]) => `${type}${attachments}${nsp}${id ?? ''}${JSON.stringify(data)}`),
    fc.constantFrom(
      `2${prefix}["subscribe",{`,
      `2${prefix}["unterminated`,
      `2${prefix}9garbage`,
      `5${prefix}1-["subscribe",{"_placeholder":true,"num":0}]`,
      `51-${prefix}["subscribe",{"_placeholder":true,"num":7}]`,
      `2${prefix}[{"slug":"alpha"}]`,
      `2${prefix}[]`,
      `2${prefix}[null]`,
      `3${prefix}123["ack for nothing"]`,
      `2${prefix}1["subscribe",{"slug":"alpha"}]`,
      `1${prefix}`,
      `0${prefix}{"token":"x"}`,
      '0/console,',
      '1/console,',
      '4{"message":"from the client"}',
    ),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
  );
};

/**
 * An event nested thousands deep, as raw text (socket.io-client cannot encode it), with
 * the binary placeholder at the bottom and its attachment after, so the server's decoder
 * walks all of it. Up to the 16 KB message limit and past it.
 */
const deepRawPacket: fc.Arbitrary<Packet> = fc
  .tuple(
    fc.constantFrom<Namespace>('reader', 'console'),
    fc.nat({ max: 2 }),
    fc.integer({ min: 100, max: 12_000 }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([ns, conn, depth, arrays, attachment]): Packet => {
    const prefix = ns === 'console' ? '/console,' : '';
    const bottom = attachment ? '{"_placeholder":true,"num":0}' : '1';
    const body = arrays ? `${'['.repeat(depth)}${bottom}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${bottom}${'}'.repeat(depth)}`;
    const event = ns === 'console' ? 'join' : 'subscribe';
    return { kind: 'raw', ns, conn, text: `${attachment ? '51-' : '2'}${prefix}["${event}",${body}]`, attachment };
  });

/** An engine.io payload: packets separated by the record separator, ending with a close. */
const enginePayload: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '0',
        '1',
        '2',
        '2probe',
        '3',
        '5',
        '6',
        '7',
        '8',
        '9',
        '',
        'b',
        'bAAAA',
        'b!!!',
        '40',
        '41',
        '40/console,',
        '42["subscribe",{"slug":"alpha"}]',
        '4',
      ),
      rawSocketText('reader').map((text) => `4${text}`),
      fc.string({ maxLength: 30 }),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((packets) => [...packets, '1'].join('\x1e'));

const packet: fc.Arbitrary<Packet> = fc.oneof(
  { weight: 10, arbitrary: emitPacket('reader') },
  { weight: 6, arbitrary: emitPacket('console') },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      ns: fc.constantFrom<Namespace>('reader', 'console'),
      conn: fc.nat({ max: 2 }),
      text: fc.oneof(rawSocketText('reader'), rawSocketText('console')),
      attachment: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: deepRawPacket },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('engine' as const), payload: enginePayload }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('handshake' as const),
      cookie: fc.constantFrom('valid', 'junk', 'none'),
      origin: fc.constantFrom('same', 'other', 'none'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('emit' as const),
      ns: fc.constant<Namespace>('reader'),
      conn: fc.nat({ max: 2 }),
      event: fc.constant('subscribe'),
      args: hugeString.map((slug) => [{ slug }]),
      ack: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('emit' as const),
      ns: fc.constant<Namespace>('reader'),
      conn: fc.nat({ max: 2 }),
      event: fc.constant('subscribe'),
      args: edgeString.map((slug) => [{ slug }]),
      ack: fc.constant(true),
    }),
  },
);

// ---------- the fixture ----------

interface Fixture {
  server: TestServer;
  redis: Redis;
  cookie: string;
  epoch: string;
  entryIds: string[];
  control: FoldingReader;
  readers: Array<Socket | null>;
  consoles: Array<Socket | null>;
}

let fx: Fixture;
let baseline: RedisState;
const { log, lines: errorLogs } = errorLogCollector();
const counts = { packets: 0, emits: 0, acks: 0, errorAcks: 0, raw: 0, engine: 0, handshakes: 0, closedByServer: 0, controlChecks: 0 };

/** Fuzz connections still open; closed at the end. (Not through the harness's closeAll, which would keep every retired one alive until then.) */
const live = new Set<Socket>();

async function open(ns: Namespace): Promise<Socket> {
  const socket =
    ns === 'reader'
      ? connectSocket(fx.server.url, { transports: ['websocket'], reconnection: false, forceNew: true })
      : connectSocket(`${fx.server.url}/console`, {
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          extraHeaders: { cookie: fx.cookie, origin: fx.server.url },
        });
  live.add(socket);
  await connectOutcome(socket, `${ns} socket did not connect`);
  return socket;
}

function retire(socket: Socket): void {
  socket.disconnect();
  live.delete(socket);
}

/** The connection `conn` of a namespace, connected again if the server closed it. */
async function connection(ns: Namespace, conn: number): Promise<Socket> {
  const pool = ns === 'reader' ? fx.readers : fx.consoles;
  const current = pool[conn];
  if (current?.connected) return current;
  if (current) retire(current);
  const fresh = await open(ns);
  pool[conn] = fresh;
  return fresh;
}

beforeAll(async () => {
  const { server, redis } = await startFuzzTarget(log);
  const { api, app } = server;
  for (const slug of ['alpha', 'beta']) expect((await api.post('/api/v1/briefings', { slug, title: slug })).status).toBe(201);
  const entryIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const response = await api.post<{ entry: Entry }>('/api/v1/briefings/alpha/entries', { body: `Entry ${i}`, pinned: i === 0 });
    expect(response.status).toBe(201);
    entryIds.push(response.body.entry.id);
  }
  const editor = await addUser(server, 'fuzz-editor', 'Fuzz editor', 'editor');
  const { secret } = await app.console.sessions.create(editor.id);
  const epoch = (await api.get<{ briefing: { epoch: string } }>('/api/v1/briefings/alpha')).body.briefing.epoch;
  const control = new FoldingReader(await connectReader(server.url), 'alpha');
  expect(await control.subscribe(null)).toMatchObject({ ok: true, mode: 'snapshot', seq: 3 });
  fx = {
    server,
    redis,
    cookie: `lb_session=${secret}`,
    epoch,
    entryIds,
    control,
    readers: [null, null, null],
    consoles: [null, null, null],
  };
  baseline = await settledSnapshot(redis, server.prefix, ignoredKey);
}, 60_000);

afterAll(async () => {
  for (const socket of live) retire(socket);
  await closeAll();
});

// ---------- sending ----------

/** `$EPOCH` and `$ENTRY` in a template stand for the real epoch and an entry id. */
function resolve(value: unknown, depth = 0): unknown {
  if (value === '$EPOCH') return fx.epoch;
  if (value === '$ENTRY') return fx.entryIds[0];
  // templates are shallow; junk nested thousands deep is passed on as it is
  if (depth > 3 || typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map((item) => resolve(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, depth + 1)]));
}

/** At least how big the message is on the wire (a Buffer counts as its JSON form, larger than its attachment). */
function wireSize(args: unknown[]): number {
  return Buffer.byteLength(JSON.stringify(args) ?? '');
}

const KNOWN_ACKED: Record<Namespace, string[]> = { reader: ['subscribe', 'unsubscribe'], console: ['join', 'editing'] };

function ackProblem(ns: Namespace, event: string, ack: unknown): string | null {
  if (isErrorAck(ack)) {
    counts.errorAcks++;
    return null;
  }
  const value = ack as Record<string, unknown> | null;
  if (typeof value !== 'object' || value === null || value.ok !== true)
    return `not a success or error ack: ${JSON.stringify(ack)?.slice(0, 300)}`;
  if (ns === 'reader' && event === 'subscribe' && !['snapshot', 'resume'].includes(String(value.mode)))
    return `subscribe ack without a mode: ${JSON.stringify(ack).slice(0, 300)}`;
  if (ns === 'console' && !Array.isArray(value.present)) return `presence ack without present: ${JSON.stringify(ack).slice(0, 300)}`;
  return null;
}

interface BatchResult {
  problems: string[];
  /** Connections a packet was allowed to get closed (malformed or oversized). */
  mayClose: Set<Socket>;
  /** Each connection used, with what it was sent in this batch (for the failure message). */
  used: Map<Socket, string[]>;
}

const closeReasons = new WeakMap<Socket, string>();
/** Connections that were sent a raw packet (they are retired at the end of their batch). */
const rawSent = new WeakSet<Socket>();

function use(result: BatchResult, socket: Socket, label: string): void {
  if (!result.used.has(socket)) {
    result.used.set(socket, []);
    socket.once('disconnect', (reason) => closeReasons.set(socket, reason));
  }
  result.used.get(socket)?.push(label.slice(0, 300));
}

async function send(p: Packet, result: BatchResult, pendingAcks: Array<Promise<void>>): Promise<void> {
  counts.packets++;
  if (p.kind === 'emit') {
    counts.emits++;
    const socket = await connection(p.ns, p.conn);
    const args = resolve(p.args) as unknown[];
    if (wireSize(args) > MESSAGE_LIMIT - 100) result.mayClose.add(socket);
    const label = `${p.ns} emit ${JSON.stringify(p.event).slice(0, 40)} ${JSON.stringify(args)?.slice(0, 200)}`;
    use(result, socket, label);
    if (!p.ack) {
      socket.emit(p.event, ...args);
      return;
    }
    if (!KNOWN_ACKED[p.ns].includes(p.event)) {
      // No handler, so no ack is due; should one come anyway, it must be an error ack.
      socket.emit(p.event, ...args, (ack: unknown) => {
        // (raw packets carry ack ids of their own: once one was sent, an answer may be to it)
        if (!rawSent.has(socket) && !isErrorAck(ack))
          result.problems.push(`an ack for an event without a handler: ${JSON.stringify(ack)?.slice(0, 200)}: ${label}`);
      });
      return;
    }
    if (result.mayClose.has(socket)) {
      // This connection may be closing: an ack is not due, but one that comes must be well-formed.
      socket.emit(p.event, ...args, (ack: unknown) => {
        const problem = rawSent.has(socket) ? null : ackProblem(p.ns, p.event, ack);
        if (problem) result.problems.push(`${problem}: ${label}`);
      });
      return;
    }
    pendingAcks.push(
      new Promise<void>((done) => {
        const finish = (): void => {
          clearTimeout(timer);
          socket.off('disconnect', finish);
          done();
        };
        const timer = setTimeout(() => {
          // a connection closed meanwhile is judged below, by why it may have been closed
          if (socket.connected)
            result.problems.push(
              `no ack within ${ACK_TIMEOUT_MS} ms: ${label}; this connection was sent: ${result.used.get(socket)?.join(' ; ')}`,
            );
          finish();
        }, ACK_TIMEOUT_MS);
        socket.once('disconnect', finish);
        socket.emit(p.event, ...args, (ack: unknown) => {
          finish();
          counts.acks++;
          const problem = ackProblem(p.ns, p.event, ack);
          if (problem) result.problems.push(`${problem}: ${label}`);
        });
      }),
    );
    return;
  }
  if (p.kind === 'raw') {
    counts.raw++;
    const socket = await connection(p.ns, p.conn);
    use(result, socket, `raw ${p.text.slice(0, 200)}`);
    rawSent.add(socket);
    result.mayClose.add(socket);
    socket.io.engine.send(p.text);
    if (p.attachment) socket.io.engine.send(Buffer.from([1, 2, 3]));
    return;
  }
  if (p.kind === 'engine') {
    counts.engine++;
    const base = `${fx.server.url}/socket.io/?EIO=4&transport=polling`;
    const open = await fetch(base);
    const text = await open.text();
    const sid = /"sid":"([^"]+)"/.exec(text)?.[1];
    if (open.status !== 200 || !sid) {
      result.problems.push(`polling handshake answered ${open.status} ${text.slice(0, 100)}`);
      return;
    }
    // A poll waits first, as a live client's would: the close at the end of the payload then goes
    // out on it at once (without one, engine.io holds a closing session for its 30 s close timeout).
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 2000);
    const poll = fetch(`${base}&sid=${sid}`, { signal: abort.signal })
      .then((response) => response.text())
      .catch(() => undefined);
    const posted = await fetch(`${base}&sid=${sid}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: p.payload,
    });
    await posted.text();
    if (posted.status >= 500)
      result.problems.push(`engine.io POST answered ${posted.status} for ${JSON.stringify(p.payload).slice(0, 200)}`);
    await poll;
    clearTimeout(timer);
    return;
  }
  counts.handshakes++;
  const headers: Record<string, string> = {};
  if (p.cookie === 'valid') headers.cookie = fx.cookie;
  if (p.cookie === 'junk') headers.cookie = 'lb_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  if (p.origin === 'same') headers.origin = fx.server.url;
  if (p.origin === 'other') headers.origin = 'https://evil.example';
  const socket = connectSocket(`${fx.server.url}/console`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: headers,
  });
  live.add(socket);
  const outcome = await new Promise<string>((done) => {
    const timer = setTimeout(() => done('timeout'), ACK_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      done('connected');
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      done(`refused: ${error.message}`);
    });
  });
  retire(socket);
  const allowed = p.cookie === 'valid' && p.origin !== 'other';
  if (allowed !== (outcome === 'connected')) result.problems.push(`console handshake ${JSON.stringify(p)}: ${outcome}`);
}

let lastControlSeq = 3;

/** Publishes through the API and waits for the control reader to get exactly that change next. */
async function controlCheck(): Promise<void> {
  counts.controlChecks++;
  const published = await fx.server.api.post<{ seq: number }>('/api/v1/briefings/alpha/entries', {
    body: `Control ${counts.controlChecks}`,
  });
  expect(published.status).toBe(201);
  const seq = published.body.seq;
  expect(seq).toBe(lastControlSeq + 1);
  await waitFor(
    () => (fx.control.timeline.some((item) => item.kind === 'change' && item.change.seq === seq) ? true : undefined),
    5000,
    `control reader to receive seq ${seq}`,
  );
  const changes: Change[] = fx.control.changesSinceAck();
  expect(changes.map((change) => change.seq)).toEqual(Array.from({ length: seq - 3 }, (_, i) => 4 + i));
  expect(fx.control.problems).toEqual([]);
  lastControlSeq = seq;
  baseline = await settledSnapshot(fx.redis, fx.server.prefix, ignoredKey);
}

async function runBatch(batch: Packet[]): Promise<void> {
  const result: BatchResult = { problems: [], mayClose: new Set(), used: new Map() };
  const pendingAcks: Array<Promise<void>> = [];
  // What may get a connection closed goes last, once the rest has been answered: the server
  // drops events still queued when a connection closes, and a closed one owes no ack.
  const mayCloseConnection = (p: Packet): boolean => p.kind === 'raw' || (p.kind === 'emit' && wireSize(p.args) > MESSAGE_LIMIT - 100);
  for (const p of batch.filter((p) => !mayCloseConnection(p))) await send(p, result, pendingAcks);
  await Promise.all(pendingAcks);
  for (const p of batch.filter(mayCloseConnection)) await send(p, result, pendingAcks);
  await Promise.all(pendingAcks);
  // a round trip on every connection used, so that what was sent has been handled
  await Promise.all(
    [...result.used.keys()].map(async (socket) => {
      // (one that was sent junk may be closed on the server's side without knowing it yet: it is retired below)
      if (!socket.connected || result.mayClose.has(socket)) return;
      const settled = await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(fx.readers.includes(socket) ? 'unsubscribe' : 'editing', fx.readers.includes(socket) ? { slug: 'settle' } : {})
        .then(
          () => true,
          () => false,
        );
      if (!settled && socket.connected) result.problems.push('a connection stopped answering');
    }),
  );
  for (const [socket, sent] of result.used) {
    if (socket.connected) continue;
    counts.closedByServer++;
    if (!result.mayClose.has(socket)) {
      result.problems.push(
        `the server closed (${closeReasons.get(socket) ?? '?'}) a connection that sent only well-formed, small packets: ${sent.join(' ; ')}`,
      );
    }
  }
  // A connection that was sent raw junk may still be mid-packet (a binary event waiting for
  // attachments that never come): it is retired, so the next batch starts on clean ones.
  for (const socket of result.mayClose) retire(socket);
  const after = await snapshot(fx.redis, fx.server.prefix, ignoredKey);
  const changed = differences(baseline, after);
  if (changed.length > 0) result.problems.push(`Redis changed: ${changed.join(', ')}`);
  if (errorLogs.length > 0) result.problems.push(`the server logged errors: ${errorLogs.join('\n').slice(0, 1000)}`);
  if (result.problems.length > 0) throw new Error(result.problems.join('\n'));
}

describe(`Socket.IO fuzz (seed ${FUZZ_SEED}, ${PACKETS} packets)`, () => {
  let gc: () => void;
  let heapBefore = 0;

  test('warm-up: connections open, the heap is measured', async () => {
    gc = collector();
    await fc.assert(fc.asyncProperty(fc.array(packet, { minLength: PER_BATCH, maxLength: PER_BATCH }), runBatch), {
      seed: FUZZ_SEED ^ 0x5a5a,
      numRuns: 10,
      endOnFailure: true,
    });
    await controlCheck();
    heapBefore = await liveHeap(gc);
    expect(heapBefore).toBeGreaterThan(0);
  }, 60_000);

  test('every packet: no crash, documented acks, connections closed only for protocol errors, nothing stored', async () => {
    const started = Date.now();
    let batches = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(packet, { minLength: PER_BATCH, maxLength: PER_BATCH }), async (batch) => {
        await runBatch(batch);
        batches++;
        // others keep being served: every 50 batches the control reader gets a published change
        if (batches % 50 === 0) await controlCheck();
      }),
      // No shrinking: each problem already names its packet, and a failing batch can wait seconds for missing acks.
      { seed: FUZZ_SEED, numRuns: Math.ceil(PACKETS / PER_BATCH), endOnFailure: true },
    );
    await controlCheck();
    process.stdout.write(`Socket.IO fuzz: ${JSON.stringify(counts)} in ${Date.now() - started} ms\n`);
    expect(counts.acks).toBeGreaterThan(0);
    expect(counts.errorAcks).toBeGreaterThan(0);
    expect(counts.closedByServer).toBeGreaterThan(0);
  }, 150_000);

  test('afterwards every fuzz connection is gone and the heap is back near its start', async () => {
    for (const socket of live) retire(socket);
    const { io } = fx.server.app;
    // only the control reader is left, once the server has seen the rest go
    const left = (): string =>
      `${io.engine.clientsCount} engine clients, ${io.of('/').sockets.size} readers, ${io.of('/console').sockets.size} consoles`;
    await waitFor(
      () => (left() === '1 engine clients, 1 readers, 0 consoles' ? true : undefined),
      10_000,
      'fuzz connections to close',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; left: ${left()}`, { cause: error });
    });
    await controlCheck();
    const heapAfter = await liveHeap(gc);
    process.stdout.write(
      `Socket.IO fuzz heap: ${(heapBefore / 1048576).toFixed(1)} MB before, ${(heapAfter / 1048576).toFixed(1)} MB after\n`,
    );
    expect(heapAfter - heapBefore).toBeLessThan(HEAP_GROWTH_LIMIT);
  }, 30_000);
});

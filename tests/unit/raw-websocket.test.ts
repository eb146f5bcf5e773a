/**
 * The benchmark reader's WebSocket client reads frames where they lie in the chunks the
 * socket gives: frames split anywhere across chunks, many in one chunk, every length
 * encoding, a frame far larger than a chunk, must all read back as sent, in order. A close
 * frame's status reaches the reader; a ping is answered; a bad handshake fails.
 */
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { HANDSHAKE_GUID, RawWebSocket } from '../../bench/suite/raw-websocket';
import { FrameLog } from '../../server/realtime/frame-log';
import { closeAll, onClose } from '../support/harness';

afterEach(closeAll);

/** A bare TCP server that answers the handshake (with `accept` bent when asked), then hands the socket to `serve`. */
async function serveSocket(serve: (socket: Socket) => void, options: { wrongAccept?: boolean; status?: string } = {}): Promise<string> {
  const server: Server = createServer((socket) => {
    // The client may be gone before everything is written: that ends the test, not the process.
    socket.on('error', () => undefined);
    socket.once('data', (request) => {
      const key = /sec-websocket-key: (.+)\r\n/i.exec(request.toString())?.[1] ?? '';
      const accept = createHash('sha1')
        .update(`${key}${options.wrongAccept ? 'x' : HANDSHAKE_GUID}`)
        .digest('base64');
      socket.write(
        `HTTP/1.1 ${options.status ?? '101 Switching Protocols'}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      serve(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onClose(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/socket.io/?EIO=4&transport=websocket`;
}

function framesOf(texts: string[]): Buffer {
  const log = new FrameLog();
  const spans = texts.map((text) => log.append(text));
  return Buffer.from(log.slice(spans[0]?.from ?? 0, spans.at(-1)?.to ?? 0));
}

/** Writes `bytes` in pieces of the given sizes (cycled), each a write of its own after an event-loop turn. */
async function writeInPieces(socket: Socket, bytes: Buffer, sizes: number[]): Promise<void> {
  let offset = 0;
  for (let piece = 0; offset < bytes.length && !socket.destroyed; piece++) {
    const size = sizes[piece % sizes.length] ?? 1;
    socket.write(bytes.subarray(offset, offset + size));
    offset += size;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface Received {
  texts: string[];
  /** Clock readings of the chunks the texts came in. */
  times: number[];
  closed: Promise<{ code: number; reason: string }>;
  errors: Error[];
  socket: RawWebSocket;
}

function connect(url: string): Received {
  const texts: string[] = [];
  const times: number[] = [];
  const errors: Error[] = [];
  let closed: (value: { code: number; reason: string }) => void = () => undefined;
  const closedPromise = new Promise<{ code: number; reason: string }>((resolve) => (closed = resolve));
  let tick = 0;
  const socket = new RawWebSocket(url, () => ++tick, {
    text: (bytes, start, end, at) => {
      texts.push(bytes.toString('utf8', start, end));
      times.push(at);
    },
    close: (code, reason) => closed({ code, reason }),
    error: (error) => errors.push(error),
  });
  onClose(() => socket.terminate());
  return { texts, times, closed: closedPromise, errors, socket };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One frame of each length encoding (7-bit, 16-bit, 64-bit) and then some. */
const TEXTS = ['40{"sid":"a"}', '42["change",{"seq":1}]', 'é'.repeat(200), 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(65_536), '2'];
/** Written a byte at a time, the 64-bit frame would be 65,000 writes: it is left to the other cases. */
const SHORT_TEXTS = TEXTS.filter((text) => text.length < 65_536);

test.each([
  ['one byte at a time', [1], SHORT_TEXTS],
  ['pieces of odd sizes', [3, 7, 1, 250, 2], TEXTS],
  ['all at once', [1_000_000], TEXTS],
])('frames written %s read back as sent, in order', async (_, sizes, texts) => {
  const bytes = framesOf(texts);
  const url = await serveSocket((socket) => void writeInPieces(socket, bytes, sizes));
  const received = connect(url);
  await until(() => received.texts.length === texts.length, 'every frame');
  expect(received.texts).toEqual(texts);
  expect(received.errors).toEqual([]);
});

test('a frame far larger than a chunk reads back whole', async () => {
  const large = 'L'.repeat(3_000_000);
  const url = await serveSocket((socket) => void writeInPieces(socket, framesOf(['before', large, 'after']), [65_536]));
  const received = connect(url);
  await until(() => received.texts.length === 3, 'the three frames');
  expect(received.texts.map((text) => text.length)).toEqual([6, large.length, 5]);
  expect(received.texts[1] === large).toBe(true);
});

test('frames that arrive in one chunk share its clock reading', async () => {
  const url = await serveSocket((socket) => socket.write(framesOf(['one', 'two', 'three'])));
  const received = connect(url);
  await until(() => received.texts.length === 3, 'the three frames');
  expect(new Set(received.times).size).toBe(1);
});

test("a close frame's status and reason reach the reader", async () => {
  const close = Buffer.from([0x88, 7, 0x03, 0xe9, ...Buffer.from('going')]);
  const url = await serveSocket((socket) => socket.write(close));
  const received = connect(url);
  expect(await received.closed).toEqual({ code: 1001, reason: 'going' });
});

test('a ping is answered with a pong of the same payload, and a text sent arrives masked', async () => {
  let fromClient = Buffer.alloc(0);
  const url = await serveSocket((socket) => {
    socket.on('data', (chunk: Buffer) => (fromClient = Buffer.concat([fromClient, chunk])));
    socket.write(Buffer.from([0x89, 4, ...Buffer.from('beat')]));
  });
  const received = connect(url);
  await until(() => fromClient.length >= 10, 'the pong');
  expect(fromClient[0]).toBe(0x8a);
  expect(fromClient[1]).toBe(0x80 | 4);
  const mask = fromClient.subarray(2, 6);
  expect(Buffer.from(fromClient.subarray(6, 10).map((byte, index) => byte ^ (mask[index % 4] ?? 0))).toString()).toBe('beat');
  received.socket.send('3');
  await until(() => fromClient.length >= 17, 'the text');
  const textMask = fromClient.subarray(12, 16);
  expect([fromClient[10], fromClient[11]]).toEqual([0x81, 0x80 | 1]);
  expect(String.fromCharCode((fromClient[16] ?? 0) ^ (textMask[0] ?? 0))).toBe('3');
});

test('a handshake answered with the wrong accept fails the connection', async () => {
  const url = await serveSocket(() => undefined, { wrongAccept: true });
  const received = connect(url);
  expect((await received.closed).code).toBe(1006);
  expect(received.errors.map((error) => error.message)).toEqual([expect.stringMatching(/Sec-WebSocket-Accept/)]);
});

test('a handshake answered with another status than 101 fails the connection', async () => {
  const url = await serveSocket(() => undefined, { status: '403 Forbidden' });
  const received = connect(url);
  expect((await received.closed).code).toBe(1006);
  expect(received.errors.map((error) => error.message)).toEqual([expect.stringMatching(/403 Forbidden/)]);
});

test('terminate ends the connection once, as a close without a frame', async () => {
  const url = await serveSocket(() => undefined);
  const received = connect(url);
  await until(() => received.socket.isOpen, 'the connection');
  received.socket.terminate();
  received.socket.terminate();
  expect(await received.closed).toEqual({ code: 1006, reason: '' });
  expect(received.socket.isOpen).toBe(false);
});

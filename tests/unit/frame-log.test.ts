/**
 * The fan-out builds its WebSocket frames itself, back to back in one log: a real WebSocket
 * client must read them as the text sent, at every length encoding (7-bit, 16-bit and
 * 64-bit lengths), also a run of several frames sliced from the log as one write. A slice
 * handed to a socket must keep its bytes while the log grows and frees room.
 */
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server } from 'node:net';
import WebSocket from 'ws';
import { HANDSHAKE_GUID } from '../../bench/suite/raw-websocket';
import { FrameLog } from '../../server/realtime/frame-log';

/** A bare TCP server that answers the WebSocket handshake, then writes `bytes` once. */
async function serveBytes(bytes: Buffer): Promise<Server> {
  const server = createServer((socket) => {
    socket.once('data', (request) => {
      const key = /sec-websocket-key: (.+)\r\n/i.exec(request.toString())?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      socket.write(bytes);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function receive(bytes: Buffer, count: number): Promise<string[]> {
  const server = await serveBytes(bytes);
  try {
    const { port } = server.address() as AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    const messages: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${messages.length} of ${count} messages`)), 5000);
      client.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) reject(new Error('a binary message'));
        messages.push(data.toString());
        if (messages.length === count) {
          clearTimeout(timer);
          resolve();
        }
      });
      client.on('error', reject);
    });
    client.terminate();
    return messages;
  } finally {
    server.close();
  }
}

function frameOf(text: string): Buffer {
  const log = new FrameLog();
  const { from, to } = log.append(text);
  return log.slice(from, to);
}

test.each([0, 1, 125, 126, 65_535, 65_536, 70_000])('a %i-byte text reads back as sent', async (length) => {
  const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
  expect(await receive(frameOf(text), 1)).toEqual([text]);
});

test('a run of frames sliced from the log reads back as as many messages, in order', async () => {
  const log = new FrameLog();
  const texts = ['42["change",{"seq":1}]', 'a'.repeat(300), '42["change",{"seq":3}]'];
  const spans = texts.map((text) => log.append(text));
  const run = log.slice(spans[0]?.from ?? -1, spans.at(-1)?.to ?? -1);
  expect(await receive(run, texts.length)).toEqual(texts);
});

test('slices handed out keep their bytes while the log grows, frees room and starts over', () => {
  const log = new FrameLog();
  const handedOut: { slice: Buffer; copy: Buffer }[] = [];
  let oldest = 0;
  for (let index = 0; index < 2000; index++) {
    const { from, to } = log.append(`42["change",{"seq":${index}}]${'x'.repeat(index % 700)}`);
    const slice = log.slice(from, to);
    handedOut.push({ slice, copy: Buffer.from(slice) });
    // Free all but the last few frames now and then, as a fan-out's passes do.
    if (index % 50 === 49) oldest = from;
    log.release(oldest);
  }
  log.release(Number.POSITIVE_INFINITY);
  log.append('after everything was released');
  expect(handedOut.filter(({ slice, copy }) => !slice.equals(copy))).toEqual([]);
});

test('bytes released are no longer sliced', () => {
  const log = new FrameLog();
  const first = log.append('first');
  const second = log.append('second');
  log.release(second.from);
  expect(() => log.slice(first.from, first.to)).toThrow(/not in the log/);
  expect(log.slice(second.from, second.to).subarray(2).toString()).toBe('second');
});

/**
 * The fan-out builds its WebSocket frames itself (one buffer, header and payload): a real
 * WebSocket client must read them as the text sent, at every length encoding (7-bit,
 * 16-bit and 64-bit lengths), also several frames joined into one write.
 */
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server } from 'node:net';
import WebSocket from 'ws';
import { webSocketTextFrame } from '../../server/realtime/fan-out';

/** RFC 6455 §1.3. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

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

test.each([0, 1, 125, 126, 65_535, 65_536, 70_000])('a %i-byte text reads back as sent', async (length) => {
  const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
  expect(await receive(webSocketTextFrame(text), 1)).toEqual([text]);
});

test('frames joined into one write read back as as many messages, in order', async () => {
  const texts = ['42["change",{"seq":1}]', 'a'.repeat(300), '42["change",{"seq":3}]'];
  expect(await receive(Buffer.concat(texts.map((text) => webSocketTextFrame(text))), texts.length)).toEqual(texts);
});

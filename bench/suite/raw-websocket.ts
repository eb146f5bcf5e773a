/**
 * The benchmark reader's WebSocket client. At 5,000 readers and 100 changes a second the
 * two reader processes take half a million frames a second; with `ws` (a Buffer and an
 * event per frame, a new Buffer per read) they took more of the two cores than the server
 * they measure, a fifth of it in garbage collection. Here every socket of the process
 * reads into one buffer (net's `onread`), and the server's frames are handled where they
 * lie in it, with one clock reading per read; only a frame cut by the end of a read is
 * copied. So the opening handshake is written and its answer read here too (Node's http
 * client hands over a socket that allocates a Buffer per read).
 *
 * It reads what a server sends (RFC 6455 §5.2: unmasked, final frames; text, close, ping)
 * and sends short masked text frames (the client's few Engine.IO packets). A fragmented
 * or masked frame from the server, or a bad handshake, fails the connection.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

/** RFC 6455 §1.3. */
export const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
/** The status a connection closed without a close frame is given (RFC 6455 §7.1.5). */
const CLOSED_ABNORMALLY = 1006;
const END_OF_HEADERS = Buffer.from('\r\n\r\n');
/** The longest handshake answer read before giving up on it. */
const MOST_HANDSHAKE_BYTES = 16 * 1024;
/** The one buffer every socket of the process reads into: a read is handled before the next one happens. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export interface RawWebSocketHandlers {
  /** A text frame's payload is bytes[start, end); `at` is when the chunk holding it was read. */
  text(bytes: Buffer, start: number, end: number, at: number): void;
  /** The connection is gone; `code` is the close frame's status, 1006 without one. Called once. */
  close(code: number, reason: string): void;
  /** The connection failed (handshake, network, protocol); close follows. */
  error(error: Error): void;
}

export class RawWebSocket {
  private readonly socket: net.Socket;
  private open = false;
  /** Set once the connection is gone, when `close` is called. */
  private ended = false;
  /** The handshake's answer so far, until its headers end. */
  private handshake: Buffer | null = Buffer.alloc(0);
  private readonly expectedAccept: string;
  /** The start of a frame the last reads ended in, and that frame's whole length (header included; 0: not known yet). */
  private partial: Buffer[] = [];
  private partialLength = 0;
  private needed = 0;

  constructor(
    url: string,
    private readonly clock: () => number,
    private readonly handlers: RawWebSocketHandlers,
  ) {
    const target = new URL(url);
    // The suite runs on loopback: no TLS here.
    if (target.protocol !== 'ws:') throw new Error(`only ws:// URLs, not ${target.protocol}`);
    const key = randomBytes(16).toString('base64');
    this.expectedAccept = createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
    this.socket = net.connect({
      host: target.hostname,
      port: Number(target.port),
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (length: number, buffer: Uint8Array) => this.read(length, buffer) },
    });
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.finish(CLOSED_ABNORMALLY, ''));
    this.socket.write(
      `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`,
    );
  }

  get isOpen(): boolean {
    return this.open && !this.ended;
  }

  /** Sends `text` as one masked text frame. */
  send(text: string): void {
    if (this.isOpen) this.sendFrame(OPCODE_TEXT, Buffer.from(text));
  }

  /** Drops the connection at once, without a close handshake. */
  terminate(): void {
    this.socket.destroy();
    this.finish(CLOSED_ABNORMALLY, '');
  }

  private read(length: number, buffer: Uint8Array): boolean {
    const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, length);
    if (this.handshake === null) this.receive(chunk);
    else this.readHandshake(chunk);
    return true;
  }

  /** Reads the answer to the opening handshake: a 101 with the right Sec-WebSocket-Accept; what follows it are frames. */
  private readHandshake(chunk: Buffer): void {
    const answer = Buffer.concat([this.handshake ?? Buffer.alloc(0), chunk]);
    const headersEnd = answer.indexOf(END_OF_HEADERS);
    if (headersEnd < 0) {
      this.handshake = answer.length <= MOST_HANDSHAKE_BYTES ? answer : null;
      if (!this.handshake) this.fail(new Error('the handshake answer has no end of headers'));
      return;
    }
    this.handshake = null;
    const [statusLine = '', ...headerLines] = answer.toString('latin1', 0, headersEnd).split('\r\n');
    const accept = headerLines.find((line) => /^sec-websocket-accept:/i.test(line))?.replace(/^[^:]*:\s*/, '');
    if (!/^HTTP\/1\.1 101 /.test(statusLine)) {
      this.fail(new Error(`the server answered the handshake with "${statusLine}", not 101`));
    } else if (accept !== this.expectedAccept) {
      this.fail(new Error('the server answered the handshake with a wrong Sec-WebSocket-Accept'));
    } else {
      this.open = true;
      const frames = answer.subarray(headersEnd + END_OF_HEADERS.length);
      if (frames.length > 0) this.receive(frames);
    }
  }

  /** Handles the frames of a read; `chunk` is only valid until this returns (the next read overwrites it). */
  private receive(chunk: Buffer): void {
    const at = this.clock();
    let offset = 0;
    if (this.partialLength > 0) {
      offset = this.completePartial(chunk, at);
      if (offset < 0) return;
    }
    while (offset < chunk.length && !this.ended) {
      const frameLength = frameLengthAt(chunk, offset);
      if (frameLength === 0 || offset + frameLength > chunk.length) {
        const rest = Buffer.from(chunk.subarray(offset));
        this.partial = [rest];
        this.partialLength = rest.length;
        this.needed = frameLength;
        return;
      }
      this.handleFrame(chunk, offset, frameLength, at);
      offset += frameLength;
    }
  }

  /**
   * Joins the frame the previous chunks ended in with the start of `chunk`, and handles it
   * once it is whole. Returns where in `chunk` the next frame starts, or -1 when the frame
   * needs more chunks still. Only that one frame is copied, never the rest of the chunk.
   */
  private completePartial(chunk: Buffer, at: number): number {
    if (this.needed === 0) {
      // Its header was cut: a longest header's worth of bytes tells its length.
      this.needed = frameLengthAt(Buffer.concat([...this.partial, chunk.subarray(0, 10)]), 0);
    }
    if (this.needed === 0 || this.partialLength + chunk.length < this.needed) {
      this.partial.push(Buffer.from(chunk));
      this.partialLength += chunk.length;
      return -1;
    }
    const taken = this.needed - this.partialLength;
    const frame = Buffer.concat([...this.partial, chunk.subarray(0, taken)], this.needed);
    this.partial = [];
    this.partialLength = 0;
    this.needed = 0;
    this.handleFrame(frame, 0, frame.length, at);
    return taken;
  }

  /** Handles the whole frame bytes[offset, offset + frameLength). */
  private handleFrame(bytes: Buffer, offset: number, frameLength: number, at: number): void {
    const first = bytes[offset] ?? 0;
    const second = bytes[offset + 1] ?? 0;
    if ((first & 0x80) === 0 || (second & 0x80) !== 0) {
      this.fail(new Error('the server sent a fragmented or masked frame'));
      return;
    }
    const lengthCode = second & 0x7f;
    const start = offset + (lengthCode === 127 ? 10 : lengthCode === 126 ? 4 : 2);
    const end = offset + frameLength;
    const opcode = first & 0x0f;
    if (opcode === OPCODE_TEXT) {
      this.handlers.text(bytes, start, end, at);
    } else if (opcode === OPCODE_CLOSE) {
      const code = end - start >= 2 ? bytes.readUInt16BE(start) : CLOSED_ABNORMALLY;
      this.finish(code, bytes.toString('utf8', Math.min(start + 2, end), end));
      this.socket.destroy();
    } else if (opcode === OPCODE_PING) {
      this.sendFrame(OPCODE_PONG, bytes.subarray(start, end));
    }
  }

  /** One final, masked frame (RFC 6455 §5.2), as a client must send it. */
  private sendFrame(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
    const frame = Buffer.allocUnsafe(6 + lengthBytes + length);
    frame[0] = 0x80 | opcode;
    if (lengthBytes === 0) {
      frame[1] = 0x80 | length;
    } else if (lengthBytes === 2) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const maskAt = 2 + lengthBytes;
    randomBytes(4).copy(frame, maskAt);
    for (let index = 0; index < length; index++) frame[maskAt + 4 + index] = (payload[index] ?? 0) ^ (frame[maskAt + (index % 4)] ?? 0);
    this.socket.write(frame);
  }

  private fail(error: Error): void {
    if (this.ended) return;
    this.handlers.error(error);
    this.socket.destroy();
    this.finish(CLOSED_ABNORMALLY, error.message);
  }

  private finish(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.open = false;
    this.handlers.close(code, reason);
  }
}

/** The whole length (header and payload) of the frame at `offset`, or 0 when its header is not all there. */
function frameLengthAt(bytes: Buffer, offset: number): number {
  const available = bytes.length - offset;
  if (available < 2) return 0;
  const lengthCode = (bytes[offset + 1] ?? 0) & 0x7f;
  if (lengthCode === 126) return available < 4 ? 0 : 4 + bytes.readUInt16BE(offset + 2);
  if (lengthCode === 127) return available < 10 ? 0 : 10 + Number(bytes.readBigUInt64BE(offset + 2));
  return 2 + lengthCode;
}

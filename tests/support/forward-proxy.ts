/**
 * A forward HTTP proxy like the corporate ones that break live pages: it passes plain HTTP
 * requests (absolute-URI form) but answers WebSocket upgrades and CONNECT tunnels (which
 * browsers use for WebSockets through a proxy) with 403, or leaves them unanswered, until
 * `webSockets` is 'pass', from when it pipes both through. It counts what it refused, held
 * and passed, so a test can prove the WebSocket really was refused rather than passing by
 * accident. It only reaches
 * loopback addresses: the browser's own calls home are refused and not counted.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { onClose } from './harness';

export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`, for Chromium's `--proxy-server`. */
  readonly url: string;
  /** What becomes of WebSockets and tunnels: answered 403 (the default), never answered, or piped through. */
  webSockets: 'refuse' | 'hold' | 'pass';
  /** Upgrades and CONNECTs to loopback answered 403 (browsers send WebSockets through a proxy as CONNECT). */
  readonly refusedWebSockets: number;
  /** Upgrades and CONNECTs to loopback left unanswered. */
  readonly heldWebSockets: number;
  /** Upgrades and CONNECTs piped through. */
  readonly passedWebSockets: number;
  /** Plain HTTP requests forwarded. */
  readonly plainRequests: number;
}

const REFUSAL = 'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** Headers meant for the proxy itself, not passed on. */
const HOP_BY_HOP = new Set(['proxy-connection', 'proxy-authorization', 'keep-alive']);

function forwardedHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  return headers;
}

/** Joins two sockets both ways, and ends each with the other. */
function pipeBoth(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

/** Starts the proxy on a free port; closed by closeAll(). */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const tunnels = new Set<Duplex>();
  const state = {
    webSockets: 'refuse' as ForwardProxy['webSockets'],
    refusedWebSockets: 0,
    heldWebSockets: 0,
    passedWebSockets: 0,
    plainRequests: 0,
  };
  const track = (socket: Duplex): void => {
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
  };
  /** A WebSocket to one of ours, unless passed: refused or held, and counted. */
  const refuse = (socket: Duplex): void => {
    if (state.webSockets === 'hold') {
      state.heldWebSockets++;
      track(socket);
      return;
    }
    state.refusedWebSockets++;
    socket.end(REFUSAL);
  };
  /** Anything else (the browser calling home): refused, not counted. */
  const deny = (socket: Duplex): void => {
    socket.end(REFUSAL);
  };

  const server = createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (!LOOPBACK.has(target.hostname)) {
      res.writeHead(403).end();
      return;
    }
    state.plainRequests++;
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: forwardedHeaders(req),
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      return deny(socket);
    }
    if (!LOOPBACK.has(target.hostname)) return deny(socket);
    if (state.webSockets !== 'pass') return refuse(socket);
    state.passedWebSockets++;
    const upstream: Socket = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${target.pathname}${target.search} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(req.rawHeaders[i]!.toLowerCase())) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      pipeBoth(socket, upstream);
    });
    track(socket);
    track(upstream);
  });

  server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const [host = '', port] = (req.url ?? '').split(':');
    if (!LOOPBACK.has(host)) return deny(socket);
    if (state.webSockets !== 'pass') return refuse(socket);
    state.passedWebSockets++;
    const upstream: Socket = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      pipeBoth(socket, upstream);
    });
    upstream.on('error', () => socket.destroy());
    track(socket);
    track(upstream);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  onClose(async () => {
    for (const socket of tunnels) socket.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  return {
    url: `http://127.0.0.1:${port}`,
    get webSockets() {
      return state.webSockets;
    },
    set webSockets(mode: ForwardProxy['webSockets']) {
      state.webSockets = mode;
    },
    get refusedWebSockets() {
      return state.refusedWebSockets;
    },
    get heldWebSockets() {
      return state.heldWebSockets;
    },
    get passedWebSockets() {
      return state.passedWebSockets;
    },
    get plainRequests() {
      return state.plainRequests;
    },
  };
}

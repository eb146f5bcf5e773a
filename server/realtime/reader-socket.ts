/**
 * The readers' Socket.IO surface: `subscribe` and `unsubscribe`, validated where they
 * enter. Anything else a reader sends is ignored; nothing a reader sends changes state.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { Logger } from 'pino';
import { AppError, type ConnectRefusalData, type ErrorCode } from '../../shared/errors';
import { describeIssue, subscribeSchema, unsubscribeSchema, type SubscribeAck, type UnsubscribeAck } from '../../shared/schemas';
import type { Metrics } from '../metrics';
import type { ReaderSocket, ReaderSocketData } from './feed';
import type { FeedHub, ReaderServer } from './feed-hub';
import { unsentBytes } from './fan-out';

/** Socket.IO passes the ack as the last argument, wherever a client put it. */
export function splitAck<Response = never>(args: unknown[]): { request: unknown; ack: ((response: Response) => void) | null } {
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as (response: Response) => void) : null;
  return { request: ack && args.length === 1 ? undefined : args[0], ack };
}

/** Refuses a connection: Socket.IO hands the client the message and `data`, which names the code from the error catalogue. */
export function connectionRefusal(code: ErrorCode, message: string): Error & { data: ConnectRefusalData } {
  return Object.assign(new Error(message), { data: { code } });
}

/** What one reader may cost a process. */
export interface ReaderLimits {
  /** Subscribes one connection may send per minute. */
  subscribesPerMinute: number;
  /** Connections one client address may hold open. */
  connectionsPerAddress: number;
  /** Unsent bytes past which a connection is dropped (it resumes from its cursor). */
  slowConsumerBytes: number;
  /** How often connections are looked over for unsent data, in ms. Default 1000. */
  slowConsumerCheckMs?: number;
}

/** The client's address: the peer, or what a proxy on this machine says it forwarded for (as Express is told to trust). */
function clientAddress(request: IncomingMessage): string {
  return proxyAddr(request, 'loopback');
}

/**
 * Takes one subscribe from the connection's allowance, refilled evenly over a minute.
 * Synchronous on purpose (rate-limiter-flexible answers with a promise): a subscribe must
 * reach the hub in the order its connection sent it, before a later unsubscribe.
 */
function takeSubscribe(data: ReaderSocketData, perMinute: number, nowMs = Date.now()): boolean {
  data.subscribeTokens = Math.min(perMinute, data.subscribeTokens + ((nowMs - data.tokensRefilledMs) * perMinute) / 60_000);
  data.tokensRefilledMs = nowMs;
  if (data.subscribeTokens < 1) return false;
  data.subscribeTokens -= 1;
  return true;
}

/** Returns a function that stops the slow-consumer check. */
export function attachReaderSockets(io: ReaderServer, hub: FeedHub, logger: Logger, metrics: Metrics, limits: ReaderLimits): () => void {
  const connectionsByAddress = new Map<string, number>();

  io.use((socket, next) => {
    const address = clientAddress(socket.request);
    if ((connectionsByAddress.get(address) ?? 0) >= limits.connectionsPerAddress) {
      metrics.readersRefused.inc({ reason: 'connections_per_address' });
      next(
        connectionRefusal(
          'rate_limited',
          `too many connections from your address (at most ${limits.connectionsPerAddress}); close some and try again`,
        ),
      );
      return;
    }
    next();
  });

  const slowConsumerCheck = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      if (unsentBytes(socket) <= limits.slowConsumerBytes) continue;
      metrics.readersRefused.inc({ reason: 'slow_consumer' });
      logger.info(
        { address: socket.data.address, limit: limits.slowConsumerBytes },
        'slow reader disconnected: its unsent data passed the limit',
      );
      socket.disconnect(true);
    }
  }, limits.slowConsumerCheckMs ?? 1000);
  slowConsumerCheck.unref();

  // One set of handlers for every connection, each reading its socket from `this` and
  // its state from `socket.data`: per-connection closures and objects would be memory that
  // every idle reader holds.
  function onSubscribe(this: ReaderSocket, ...args: unknown[]): void {
    const { request, ack } = splitAck<SubscribeAck>(args);
    const reply = (response: SubscribeAck): void => ack?.(response);
    const parsed = subscribeSchema.safeParse(request);
    if (!parsed.success) {
      reply({ ok: false, error: { code: 'invalid', message: describeIssue(parsed.error) } });
      return;
    }
    if (!takeSubscribe(this.data, limits.subscribesPerMinute)) {
      metrics.readersRefused.inc({ reason: 'subscribe_rate' });
      reply({
        ok: false,
        error: {
          code: 'rate_limited',
          message: `slug: at most ${limits.subscribesPerMinute} subscribes a minute on one connection; try again shortly`,
        },
      });
      return;
    }
    let replied = false;
    const replyOnce = (response: SubscribeAck): void => {
      if (replied) return;
      replied = true;
      reply(response);
    };
    hub.subscribe(this, parsed.data.slug, parsed.data.since, replyOnce).catch((error: unknown) => {
      if (error instanceof AppError) {
        replyOnce({ ok: false, error: { code: error.code, message: error.message } });
      } else {
        logger.error({ err: error, slug: parsed.data.slug }, 'subscribe failed');
        replyOnce({ ok: false, error: { code: 'unavailable', message: 'could not subscribe right now; try again' } });
      }
    });
  }

  function onUnsubscribe(this: ReaderSocket, ...args: unknown[]): void {
    const { request, ack } = splitAck<UnsubscribeAck>(args);
    const parsed = unsubscribeSchema.safeParse(request);
    if (!parsed.success) {
      // the same error ack as a refused subscribe, so a client handles both one way
      ack?.({ ok: false, error: { code: 'invalid', message: describeIssue(parsed.error) } });
      return;
    }
    hub.unsubscribe(this, parsed.data.slug);
    ack?.({ ok: true });
  }

  function onDisconnect(this: ReaderSocket): void {
    metrics.socketsConnected.dec();
    const { address } = this.data;
    const left = (connectionsByAddress.get(address) ?? 1) - 1;
    if (left > 0) connectionsByAddress.set(address, left);
    else connectionsByAddress.delete(address);
    hub.dropSocket(this);
  }

  io.on('connection', (socket: ReaderSocket) => {
    metrics.socketsConnected.inc();
    const address = clientAddress(socket.request);
    connectionsByAddress.set(address, (connectionsByAddress.get(address) ?? 0) + 1);
    Object.assign(socket.data, { address, subscribeTokens: limits.subscribesPerMinute, tokensRefilledMs: Date.now() });
    socket.on('subscribe', onSubscribe);
    socket.on('unsubscribe', onUnsubscribe);
    socket.on('disconnect', onDisconnect);
  });
  return () => clearInterval(slowConsumerCheck);
}

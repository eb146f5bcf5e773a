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
import type { FeedHub, ReaderServer, ReaderSocket } from './feed-hub';
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
 * A per-connection allowance of subscribes, refilled evenly over a minute. Synchronous on
 * purpose (rate-limiter-flexible answers with a promise): a subscribe must reach the hub in
 * the order its connection sent it, before a later unsubscribe.
 */
class SubscribeAllowance {
  private tokens: number;
  private updatedMs = Date.now();

  constructor(private readonly perMinute: number) {
    this.tokens = perMinute;
  }

  take(nowMs = Date.now()): boolean {
    this.tokens = Math.min(this.perMinute, this.tokens + ((nowMs - this.updatedMs) * this.perMinute) / 60_000);
    this.updatedMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
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
        { address: clientAddress(socket.request), limit: limits.slowConsumerBytes },
        'slow reader disconnected: its unsent data passed the limit',
      );
      socket.disconnect(true);
    }
  }, limits.slowConsumerCheckMs ?? 1000);
  slowConsumerCheck.unref();

  io.on('connection', (socket: ReaderSocket) => {
    metrics.socketsConnected.inc();
    const address = clientAddress(socket.request);
    connectionsByAddress.set(address, (connectionsByAddress.get(address) ?? 0) + 1);
    const allowance = new SubscribeAllowance(limits.subscribesPerMinute);

    socket.on('subscribe', (...args: unknown[]) => {
      const { request, ack } = splitAck<SubscribeAck>(args);
      const reply = (response: SubscribeAck): void => ack?.(response);
      const parsed = subscribeSchema.safeParse(request);
      if (!parsed.success) {
        reply({ ok: false, error: { code: 'invalid', message: describeIssue(parsed.error) } });
        return;
      }
      if (!allowance.take()) {
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
      hub.subscribe(socket, parsed.data.slug, parsed.data.since, replyOnce).catch((error: unknown) => {
        if (error instanceof AppError) {
          replyOnce({ ok: false, error: { code: error.code, message: error.message } });
        } else {
          logger.error({ err: error, slug: parsed.data.slug }, 'subscribe failed');
          replyOnce({ ok: false, error: { code: 'unavailable', message: 'could not subscribe right now; try again' } });
        }
      });
    });

    socket.on('unsubscribe', (...args: unknown[]) => {
      const { request, ack } = splitAck<UnsubscribeAck>(args);
      const parsed = unsubscribeSchema.safeParse(request);
      if (!parsed.success) {
        // the same error ack as a refused subscribe, so a client handles both one way
        ack?.({ ok: false, error: { code: 'invalid', message: describeIssue(parsed.error) } });
        return;
      }
      hub.unsubscribe(socket, parsed.data.slug);
      ack?.({ ok: true });
    });

    socket.on('disconnect', () => {
      metrics.socketsConnected.dec();
      const left = (connectionsByAddress.get(address) ?? 1) - 1;
      if (left > 0) connectionsByAddress.set(address, left);
      else connectionsByAddress.delete(address);
      hub.dropSocket(socket);
    });
  });
  return () => clearInterval(slowConsumerCheck);
}

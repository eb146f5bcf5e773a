/**
 * The readers' Socket.IO surface: `subscribe` and `unsubscribe`, validated where they
 * enter. Anything else a reader sends is ignored; nothing a reader sends changes state.
 */
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors';
import { describeIssue, subscribeSchema, unsubscribeSchema, type SubscribeAck } from '../../shared/schemas';
import type { Metrics } from '../metrics';
import type { FeedHub, ReaderServer, ReaderSocket } from './feed-hub';

function replierOf(ack: unknown): (response: SubscribeAck) => void {
  return typeof ack === 'function' ? (response) => (ack as (response: SubscribeAck) => void)(response) : () => undefined;
}

export function attachReaderSockets(io: ReaderServer, hub: FeedHub, logger: Logger, metrics: Metrics): void {
  io.on('connection', (socket: ReaderSocket) => {
    metrics.socketsConnected.inc();

    socket.on('subscribe', (request: unknown, ack: unknown) => {
      const reply = replierOf(ack);
      const parsed = subscribeSchema.safeParse(request);
      if (!parsed.success) {
        reply({ ok: false, error: { code: 'invalid', message: describeIssue(parsed.error) } });
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

    socket.on('unsubscribe', (request: unknown, ack: unknown) => {
      const parsed = unsubscribeSchema.safeParse(request);
      if (parsed.success) hub.unsubscribe(socket, parsed.data.slug);
      if (typeof ack === 'function') (ack as (response: { ok: boolean }) => void)({ ok: parsed.success });
    });

    socket.on('disconnect', () => {
      metrics.socketsConnected.dec();
      hub.dropSocket(socket);
    });
  });
}

/**
 * The readers' Socket.IO surface: `subscribe` and `unsubscribe`, validated where they
 * enter. Anything else a reader sends is ignored; nothing a reader sends changes state.
 */
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors';
import { describeIssue, subscribeSchema, unsubscribeSchema, type SubscribeAck, type UnsubscribeAck } from '../../shared/schemas';
import type { Metrics } from '../metrics';
import type { FeedHub, ReaderServer, ReaderSocket } from './feed-hub';

/** Socket.IO passes the ack as the last argument, wherever a client put it. */
export function splitAck<Response = never>(args: unknown[]): { request: unknown; ack: ((response: Response) => void) | null } {
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as (response: Response) => void) : null;
  return { request: ack && args.length === 1 ? undefined : args[0], ack };
}

export function attachReaderSockets(io: ReaderServer, hub: FeedHub, logger: Logger, metrics: Metrics): void {
  io.on('connection', (socket: ReaderSocket) => {
    metrics.socketsConnected.inc();

    socket.on('subscribe', (...args: unknown[]) => {
      const { request, ack } = splitAck(args);
      const reply = (response: SubscribeAck): void => ack?.(response as never);
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
      hub.dropSocket(socket);
    });
  });
}

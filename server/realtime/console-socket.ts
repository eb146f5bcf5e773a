/**
 * The console's Socket.IO namespace (/console): who has a briefing open and what each is
 * editing, and a nudge when drafts change. Only signed-in console users connect here (the
 * session cookie, from this site); readers stay on the default namespace, where nothing
 * they send changes anything. This namespace changes no public state either.
 *
 * Presence lives in Redis with an expiry, so several processes agree; each process looks
 * at the briefings its console sockets have open once a second and pushes what changed.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Namespace, Socket } from 'socket.io';
import { presenceEditingSchema, presenceJoinSchema } from '../../shared/console-schemas';
import {
  CONSOLE_NAMESPACE,
  type ConsoleClientEvents,
  type ConsoleServerEvents,
  type PresenceAck,
  type PresentEditor,
} from '../../shared/console';
import { AppError } from '../../shared/errors';
import { describeIssue } from '../../shared/schemas';
import { assertSameOrigin, type Authenticator } from '../auth/authenticator';
import type { DraftStore } from '../store/drafts';
import type { PresenceStore } from '../store/presence';
import type { Store } from '../store/store';
import type { ReaderServer } from './feed-hub';
import { connectionRefusal, splitAck } from './reader-socket';

interface ConsoleSocketData {
  userId: string;
  name: string;
  role: PresentEditor['role'];
  sessionSecret: string;
  /** Briefing slug -> the entry this connection is editing there (or null). */
  open: Map<string, string | null>;
}

type ConsoleNamespace = Namespace<ConsoleClientEvents, ConsoleServerEvents, Record<string, never>, ConsoleSocketData>;
type ConsoleSocket = Socket<ConsoleClientEvents, ConsoleServerEvents, Record<string, never>, ConsoleSocketData>;

export interface ConsoleSocketOptions {
  /** How often open briefings are checked for presence and queue changes, in ms. Default 1000. */
  pollMs?: number;
  /** How often each connection renews its presence and has its session checked, in ms. Default 10 000. */
  heartbeatMs?: number;
}

export interface ConsoleSockets {
  /** Tells the consoles that have `slug` open that its drafts changed. */
  notifyQueue(slug: string): void;
  /** Closes this process's console connections of an account (other processes notice within a heartbeat). */
  disconnectUser(userId: string): void;
  stop(): void;
}

const room = (slug: string): string => `p:${slug}`;

/** The scheme the browser used: X-Forwarded-Proto counts only from a proxy on this machine, as for Express. */
function protocolOf(request: IncomingMessage): string {
  const forwarded = request.headers['x-forwarded-proto'];
  const remote = request.socket.remoteAddress ?? '';
  const loopback = remote === '::1' || remote.startsWith('127.') || remote.startsWith('::ffff:127.');
  if (loopback && typeof forwarded === 'string') return forwarded.split(',')[0]?.trim() ?? 'http';
  return 'encrypted' in request.socket && request.socket.encrypted ? 'https' : 'http';
}

export function attachConsoleSockets(
  io: ReaderServer,
  deps: { auth: Authenticator; presence: PresenceStore; drafts: DraftStore; store: Store; logger: Logger },
  options: ConsoleSocketOptions = {},
): ConsoleSockets {
  const { auth, presence, drafts, store, logger } = deps;
  const pollMs = options.pollMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  // The server is typed for readers' events; this namespace has its own event maps.
  const namespace = io.of(CONSOLE_NAMESPACE) as unknown as ConsoleNamespace;
  const lastPresence = new Map<string, string>();
  const lastRevision = new Map<string, string>();

  namespace.use((socket, next) => {
    try {
      // A WebSocket is not bound by the same-origin policy: refuse other sites' pages.
      assertSameOrigin(socket.request, protocolOf(socket.request));
    } catch (error) {
      next(error instanceof AppError ? connectionRefusal(error.code, error.message) : connectionRefusal('forbidden', 'forbidden'));
      return;
    }
    auth
      .sessionOf(socket.request)
      .then((active) => {
        if (!active) {
          next(connectionRefusal('unauthorized', 'unauthorized: sign in to the console'));
          return;
        }
        socket.data = {
          userId: active.user.id,
          name: active.user.name,
          role: active.user.role,
          sessionSecret: active.secret,
          open: new Map(),
        };
        next();
      })
      .catch(() => next(connectionRefusal('unavailable', 'unavailable: try again')));
  });

  const editorOf = (socket: ConsoleSocket, slug: string): PresentEditor => ({
    userId: socket.data.userId,
    name: socket.data.name,
    role: socket.data.role,
    editing: socket.data.open.get(slug) ?? null,
  });

  /** Reads the presence of a briefing and pushes it to its room if it changed. */
  const pushPresence = async (slug: string, force = false): Promise<PresentEditor[]> => {
    const present = await presence.list(slug);
    const json = JSON.stringify(present);
    if (force || lastPresence.get(slug) !== json) {
      lastPresence.set(slug, json);
      namespace.to(room(slug)).emit('presence', { slug, present });
    }
    return present;
  };

  const fail = (ack: ((response: PresenceAck) => void) | undefined, error: unknown): void => {
    const known = error instanceof AppError ? error : new AppError('unavailable', 'try again');
    if (!(error instanceof AppError)) logger.warn({ err: error }, 'console presence failed');
    ack?.({ ok: false, error: { code: known.code, message: known.message } });
  };

  namespace.on('connection', (socket: ConsoleSocket) => {
    socket.on('join', (...args: unknown[]) => {
      // The ack is the last argument wherever the client put it: `join` sent with no payload must still be answered.
      const { request, ack } = splitAck<PresenceAck>(args);
      const respond = ack ?? undefined;
      const parsed = presenceJoinSchema.safeParse(request);
      if (!parsed.success) {
        fail(respond, new AppError('invalid', describeIssue(parsed.error)));
        return;
      }
      const { slug } = parsed.data;
      (async () => {
        await store.getBriefing(slug);
        if (!socket.data.open.has(slug)) socket.data.open.set(slug, null);
        await socket.join(room(slug));
        await presence.touch(slug, socket.id, editorOf(socket, slug));
        respond?.({ ok: true, present: await pushPresence(slug, true) });
      })().catch((error: unknown) => fail(respond, error));
    });

    socket.on('editing', (...args: unknown[]) => {
      const { request, ack } = splitAck<PresenceAck>(args);
      const respond = ack ?? undefined;
      const parsed = presenceEditingSchema.safeParse(request);
      if (!parsed.success || !socket.data.open.has(parsed.data.slug)) {
        fail(respond, new AppError('invalid', parsed.success ? 'slug: join the briefing first' : describeIssue(parsed.error)));
        return;
      }
      const { slug, editing } = parsed.data;
      socket.data.open.set(slug, editing);
      (async () => {
        await presence.touch(slug, socket.id, editorOf(socket, slug));
        respond?.({ ok: true, present: await pushPresence(slug) });
      })().catch((error: unknown) => fail(respond, error));
    });

    socket.on('leave', (request) => {
      const parsed = presenceJoinSchema.safeParse(request);
      if (!parsed.success || !socket.data.open.delete(parsed.data.slug)) return;
      const { slug } = parsed.data;
      void socket.leave(room(slug));
      presence
        .remove(slug, socket.id)
        .then(() => pushPresence(slug))
        .catch((error: unknown) => logger.warn({ err: error }, 'console presence failed'));
    });

    socket.on('disconnect', () => {
      for (const slug of socket.data.open.keys()) {
        presence
          .remove(slug, socket.id)
          .then(() => pushPresence(slug))
          .catch((error: unknown) => logger.warn({ err: error }, 'console presence failed'));
      }
    });
  });

  let lastHeartbeat = Date.now();
  let busy = false;
  const tick = async (): Promise<void> => {
    const sockets = [...namespace.sockets.values()];
    if (Date.now() - lastHeartbeat >= heartbeatMs) {
      lastHeartbeat = Date.now();
      for (const socket of sockets) {
        // A disabled account or an ended session loses its live console too.
        const active = await auth.sessionBySecret(socket.data.sessionSecret);
        if (!active) {
          socket.disconnect(true);
          continue;
        }
        for (const slug of socket.data.open.keys()) await presence.touch(slug, socket.id, editorOf(socket, slug));
      }
    }
    const slugs = [...new Set(sockets.flatMap((socket) => [...socket.data.open.keys()]))];
    const revisions = await drafts.revision(slugs);
    for (const slug of slugs) {
      await pushPresence(slug);
      const revision = revisions.get(slug) ?? '0';
      const previous = lastRevision.get(slug);
      lastRevision.set(slug, revision);
      if (previous !== undefined && previous !== revision) namespace.to(room(slug)).emit('queue', { slug });
    }
    for (const slug of lastPresence.keys()) if (!slugs.includes(slug)) lastPresence.delete(slug);
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch((error: unknown) => logger.warn({ err: error }, 'console presence poll failed'))
      .finally(() => {
        busy = false;
      });
  }, pollMs);
  timer.unref();

  return {
    notifyQueue(slug) {
      namespace.to(room(slug)).emit('queue', { slug });
    },
    disconnectUser(userId) {
      for (const socket of namespace.sockets.values()) if (socket.data.userId === userId) socket.disconnect(true);
    },
    stop() {
      clearInterval(timer);
      namespace.disconnectSockets(true);
    },
  };
}

/**
 * The editors' console, assembled: accounts, sessions, drafts, presence, the audit log and
 * the routes and socket namespace that use them. app.ts mounts what this returns.
 */
import { Router, type RequestHandler } from 'express';
import type { RedisClient } from './redis';
import type { Logger } from 'pino';
import { Authenticator } from './auth/authenticator';
import { LoginLimiter, type LoginLimits } from './auth/login-limiter';
import { FirstRun } from './auth/setup';
import type { TokenVerifier } from './auth/tokens';
import type { Config } from './config';
import { auditWrites } from './http/audit-writes';
import { consoleApiRouter } from './http/console-api';
import { consolePageRouter } from './http/console-page';
import { attachConsoleSockets, type ConsoleSockets, type ConsoleSocketOptions } from './realtime/console-socket';
import type { ReaderServer } from './realtime/feed-hub';
import { AuditLog } from './store/audit';
import { DraftStore } from './store/drafts';
import { PresenceStore } from './store/presence';
import type { ReadersStore } from './store/readers';
import { SessionStore } from './store/sessions';
import type { Store } from './store/store';
import type { TokenStore } from './store/tokens';
import { UserStore } from './store/users';

/** A console connection counts as present this long after its last heartbeat, in ms. */
const PRESENCE_TTL_MS = 30_000;

export interface ConsoleService {
  auth: Authenticator;
  users: UserStore;
  sessions: SessionStore;
  drafts: DraftStore;
  audit: AuditLog;
  presence: PresenceStore;
  firstRun: FirstRun;
  /** Records every authorized write; mount before the routes. */
  auditMiddleware: RequestHandler;
  /** /console, its assets and /console/api. */
  router: Router;
  attachSockets(io: ReaderServer, options?: ConsoleSocketOptions): ConsoleSockets;
}

export function createConsole(deps: {
  redis: RedisClient;
  store: Store;
  tokens: TokenStore;
  verifier: TokenVerifier;
  config: Readonly<Config>;
  logger: Logger;
  readers: ReadersStore;
  loginLimits?: LoginLimits;
}): ConsoleService {
  const { redis, store, tokens, verifier, config, logger } = deps;
  const keys = store.keys;
  const users = new UserStore(redis, keys);
  const sessions = new SessionStore(redis, keys, config.sessionTtlSeconds);
  const drafts = new DraftStore(store, config.draftsPerAuthor);
  const audit = new AuditLog(redis, keys);
  const presence = new PresenceStore(redis, keys, PRESENCE_TTL_MS);
  const firstRun = new FirstRun(redis, keys, users);
  const auth = new Authenticator(verifier, users, sessions);
  const limiter = new LoginLimiter(redis, keys, deps.loginLimits);
  let sockets: ConsoleSockets | null = null;

  const router = Router();
  router.use(consolePageRouter());
  router.use(
    '/console/api',
    consoleApiRouter({
      store,
      auth,
      users,
      sessions,
      drafts,
      tokens,
      audit,
      limiter,
      firstRun,
      readers: deps.readers,
      sessionTtlSeconds: config.sessionTtlSeconds,
      bodyLimitBytes: config.bodyLimitBytes,
      onQueueChange: (slug) => sockets?.notifyQueue(slug),
      onSessionsEnded: (userId) => sockets?.disconnectUser(userId),
    }),
  );

  return {
    auth,
    users,
    sessions,
    drafts,
    audit,
    presence,
    firstRun,
    auditMiddleware: auditWrites(audit, logger),
    router,
    attachSockets(io, options) {
      sockets = attachConsoleSockets(io, { auth, presence, drafts, store, logger }, options);
      return sockets;
    },
  };
}

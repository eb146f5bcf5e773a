/**
 * The console's own JSON routes under /console/api: sign-in, first-run setup, previews,
 * drafts and submissions, accounts, API tokens and the audit log. Everything readers see
 * is still written through the contract's API (/api/v1), which takes the same session.
 */
import express, { type Request, Router } from 'express';
import {
  createDraftSchema,
  createTokenSchema,
  createUserSchema,
  loginSchema,
  previewSchema,
  returnDraftSchema,
  setupSchema,
  updateDraftSchema,
  updateProfileSchema,
  updateUserSchema,
} from '../../shared/console-schemas';
import {
  canEdit,
  EDITOR_ROLES,
  ROLES,
  type BylineChoice,
  type Draft,
  type PublicToken,
  type Queue,
  type ReadersNow,
  type SessionInfo,
} from '../../shared/console';
import { AppError } from '../../shared/errors';
import { createEntrySchema } from '../../shared/schemas';
import { assertSameOrigin, type Authenticator } from '../auth/authenticator';
import type { LoginLimiter } from '../auth/login-limiter';
import { hashPassword, verifyPassword } from '../auth/passwords';
import type { FirstRun } from '../auth/setup';
import { createToken, type Principal } from '../auth/tokens';
import { bylineFor, publishOrSchedule } from '../entries';
import { renderMarkdown } from '../render/markdown';
import type { AuditLog } from '../store/audit';
import type { ReadersStore } from '../store/readers';
import { StaleDraftError, type DraftStore } from '../store/drafts';
import type { SessionStore } from '../store/sessions';
import type { Store } from '../store/store';
import type { TokenStore } from '../store/tokens';
import { publicUser, type UserRecord, type UserStore } from '../store/users';
import { principalOf, requireRole } from './auth';
import { requireJsonBody } from './errors';
import { idParam, ifMatchVersion, parse, pathParam, slugParam } from './request-input';

export interface ConsoleApiOptions {
  store: Store;
  auth: Authenticator;
  users: UserStore;
  sessions: SessionStore;
  drafts: DraftStore;
  tokens: TokenStore;
  audit: AuditLog;
  limiter: LoginLimiter;
  firstRun: FirstRun;
  readers: ReadersStore;
  sessionTtlSeconds: number;
  bodyLimitBytes: number;
  /** Called after any change to a briefing's drafts, so open consoles refresh at once. */
  onQueueChange: (slug: string) => void;
  /** Called when an account's sessions were ended (disabled, new password): its live consoles close. */
  onSessionsEnded: (userId: string) => void;
}

/** Saves and approvals decide on a text, so they must say which version of it they saw. */
function requiredSeenVersion(req: Request): number {
  const version = ifMatchVersion(req, 'draft');
  if (version === undefined) throw new AppError('invalid', 'If-Match: send the version of the draft you saw, e.g. "3"');
  return version;
}

function userIdOf(principal: Principal): string {
  return principal.id.startsWith('user:') ? principal.id.slice('user:'.length) : principal.id;
}

export function consoleApiRouter(options: ConsoleApiOptions): Router {
  const { store, auth, users, sessions, drafts, tokens, audit, limiter, firstRun } = options;
  const router = Router();
  const anyone = requireRole(auth, ROLES);
  const editor = requireRole(auth, EDITOR_ROLES);
  const admin = requireRole(auth, ['admin']);

  router.use(requireJsonBody, express.json({ limit: options.bodyLimitBytes, strict: true }));

  /** `user` as it was when its password was checked: a change since then refuses the session. */
  const startSession = async (req: Request, res: express.Response, user: UserRecord): Promise<SessionInfo> => {
    const { secret, record } = await sessions.create(user.id, user.passwordHash);
    auth.setSessionCookie(req, res, secret, options.sessionTtlSeconds);
    return { user: publicUser(user), csrfToken: record.csrf, idleSeconds: options.sessionTtlSeconds };
  };

  // ---------- session ----------

  router.get('/session', async (req, res) => {
    const active = await auth.sessionOf(req);
    const session: SessionInfo | null = active
      ? { user: publicUser(active.user), csrfToken: active.session.csrf, idleSeconds: options.sessionTtlSeconds }
      : null;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ session, setupNeeded: session ? false : (await users.count()) === 0 });
  });

  router.post('/login', async (req, res) => {
    assertSameOrigin(req, req.protocol);
    const input = parse(loginSchema, req.body);
    const address = req.ip ?? 'unknown';
    // Taken before the (slow) password check, so that attempts sent at once are counted at once.
    const attempt = await limiter.attempt(input.username, address);
    const user = await users.findByUsername(input.username);
    const valid = await verifyPassword(user?.passwordHash ?? null, input.password);
    const actor = { id: user ? `user:${user.id}` : 'unknown', name: input.username, role: user?.role ?? null, via: 'none' as const };
    if (!user || !valid) {
      await audit.record({ at: new Date().toISOString(), actor, action: 'login.failed', status: 401, target: { address } });
      throw new AppError('unauthorized', 'password: wrong username or password');
    }
    if (user.disabled) {
      await audit.record({ at: new Date().toISOString(), actor, action: 'login.refused', status: 403, target: { reason: 'disabled' } });
      throw new AppError('forbidden', 'username: this account is disabled; ask an admin');
    }
    await attempt.succeeded();
    const info = await startSession(req, res, user);
    await audit.record({ at: new Date().toISOString(), actor, action: 'login', status: 200, target: { address } });
    res.json(info);
  });

  router.post('/logout', anyone, async (req, res) => {
    const secret = auth.cookieSecret(req.headers.cookie);
    if (secret) await sessions.destroy(secret);
    auth.clearSessionCookie(req, res);
    res.json({ ok: true });
  });

  router.post('/setup', async (req, res) => {
    assertSameOrigin(req, req.protocol);
    const input = parse(setupSchema, req.body);
    if (!(await firstRun.consume(input.token))) {
      throw new AppError('forbidden', 'token: this setup link is used, expired or no longer needed; sign in instead');
    }
    const user = await users.create({
      username: input.username,
      name: input.name,
      role: 'admin',
      passwordHash: await hashPassword(input.password),
    });
    const info = await startSession(req, res, user);
    await audit.record({
      at: new Date().toISOString(),
      actor: { id: `user:${user.id}`, name: user.name, role: 'admin', via: 'none' },
      action: 'setup.first-admin',
      status: 201,
      target: { username: user.username },
    });
    res.status(201).json(info);
  });

  // ---------- composing ----------

  /** The entry HTML exactly as readers will get it: the same renderer and sanitizer. */
  router.post('/preview', anyone, (req, res) => {
    const input = parse(previewSchema, req.body);
    res.json({ html: renderMarkdown(input.body) });
  });

  const draftIdOf = (req: Request): string => idParam(req, 'draft');

  /** Contributors see and change only their own drafts; editors see every draft of the briefing. */
  const mayTouch = (principal: Principal, draft: Draft): boolean => canEdit(principal.role) || draft.author.id === principal.id;

  // ---------- readers now ----------

  const sendReaders = (res: express.Response, counts: Map<string, number>): void => {
    const body: ReadersNow = { readers: Object.fromEntries(counts) };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };

  router.get('/readers', anyone, async (_req, res) => {
    const briefings = await store.listBriefings();
    sendReaders(res, await options.readers.count(briefings.map((briefing) => briefing.slug)));
  });

  router.get('/briefings/:slug/readers', anyone, async (req, res) => {
    const slug = slugParam(req);
    await store.getBriefing(slug);
    sendReaders(res, await options.readers.count([slug]));
  });

  router.get('/briefings/:slug/queue', anyone, async (req, res) => {
    const slug = slugParam(req);
    await store.getBriefing(slug);
    const principal = principalOf(req);
    const all = await drafts.list(slug);
    const queue: Queue = {
      drafts: all.filter((draft) => mayTouch(principal, draft)),
      scheduled: canEdit(principal.role) ? await store.listScheduled(slug) : [],
    };
    res.setHeader('Cache-Control', 'no-store');
    res.json(queue);
  });

  router.post('/briefings/:slug/drafts', anyone, async (req, res) => {
    const slug = slugParam(req);
    await store.getBriefing(slug);
    const input = parse(createDraftSchema, req.body);
    const principal = principalOf(req);
    const draft = await drafts.create(slug, input.kind, input.fields, { id: principal.id, name: principal.name });
    res.locals.auditTarget = { draft: draft.id, kind: draft.kind };
    options.onQueueChange(slug);
    res.status(201).json({ draft });
  });

  router.patch('/briefings/:slug/drafts/:id', anyone, async (req, res) => {
    const slug = slugParam(req);
    const id = draftIdOf(req);
    const patch = parse(updateDraftSchema, req.body);
    const principal = principalOf(req);
    const draft = await drafts.update(slug, id, requiredSeenVersion(req), (current) => {
      if (!mayTouch(principal, current)) throw new AppError('forbidden', 'this draft is someone else’s');
      // An edit of a submission keeps it submitted at a new version: it needs review again,
      // and an approval of the version before is refused (412).
      return {
        ...current,
        kind: patch.kind ?? (current.kind === 'returned' ? 'draft' : current.kind),
        fields: patch.fields ?? current.fields,
      };
    });
    res.locals.auditTarget = { kind: draft.kind };
    options.onQueueChange(slug);
    res.json({ draft });
  });

  router.delete('/briefings/:slug/drafts/:id', anyone, async (req, res) => {
    const slug = slugParam(req);
    const id = draftIdOf(req);
    const seen = ifMatchVersion(req, 'draft');
    const { draft, raw } = await drafts.get(slug, id);
    if (!mayTouch(principalOf(req), draft)) throw new AppError('forbidden', 'this draft is someone else’s');
    if (seen !== undefined && seen !== draft.version) throw new StaleDraftError(seen, draft);
    await drafts.remove(draft, raw);
    options.onQueueChange(slug);
    res.json({ ok: true });
  });

  /**
   * Publishes a draft or approves a submission (now, or at `publishAt`), under its
   * author's name, at the version the editor saw (If-Match): a draft changed since is
   * refused with 412 and both versions. The draft's id and version are the Idempotency-Key,
   * so a double click or two editors approving at once publish it once.
   */
  router.post('/briefings/:slug/drafts/:id/publish', editor, async (req, res) => {
    const slug = slugParam(req);
    const id = draftIdOf(req);
    const seen = requiredSeenVersion(req);
    const { publishAt } = parse(createEntrySchema.pick({ publishAt: true }), req.body ?? {});
    const { draft, raw } = await drafts.get(slug, id).catch((error: unknown) => {
      throw error instanceof AppError && error.code === 'not_found'
        ? new AppError('conflict', `draft "${id}" was published, sent back or deleted meanwhile`)
        : error;
    });
    if (draft.version !== seen) throw new StaleDraftError(seen, draft);
    // The fields published are those of the version checked above, whatever happens next.
    const author = await bylineFor(users, { ...draft.author, role: 'contributor', via: 'session' }, undefined);
    const result = await publishOrSchedule(store, slug, draft.fields, author, {
      publishAt,
      idempotencyKey: `draft:${draft.id}:${draft.version}`,
    });
    // Fails only if the author edited it in the moment between: that edit stays in the
    // queue as a submission to review, never published by this approval.
    await drafts.removeIfUnchanged(draft, raw).catch(() => false);
    res.locals.auditTarget = { draft: id, version: String(draft.version), author: draft.author.name, scheduled: String(result.scheduled) };
    options.onQueueChange(slug);
    res.status(201).type('application/json').send(result.response);
  });

  router.post('/briefings/:slug/drafts/:id/return', editor, async (req, res) => {
    const slug = slugParam(req);
    const id = draftIdOf(req);
    const { note } = parse(returnDraftSchema, req.body ?? {});
    const draft = await drafts.update(slug, id, ifMatchVersion(req, 'draft'), (current) => {
      if (current.kind !== 'submitted') throw new AppError('conflict', 'only a submitted entry can be sent back');
      return { ...current, kind: 'returned', note: note || null };
    });
    options.onQueueChange(slug);
    res.json({ draft });
  });

  // ---------- accounts (admins) ----------

  router.get('/users', admin, async (_req, res) => {
    res.json({ users: (await users.list()).map(publicUser) });
  });

  router.post('/users', admin, async (req, res) => {
    const input = parse(createUserSchema, req.body);
    const user = await users.create({
      username: input.username,
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      roleLine: input.roleLine,
      avatarUrl: input.avatarUrl,
    });
    res.locals.auditTarget = { username: user.username, role: user.role };
    res.status(201).json({ user: publicUser(user) });
  });

  router.patch('/users/:id', admin, async (req, res) => {
    const id = idParam(req, 'user');
    const patch = parse(updateUserSchema, req.body);
    if (userIdOf(principalOf(req)) === id && (patch.disabled === true || (patch.role && patch.role !== 'admin'))) {
      throw new AppError('conflict', 'you cannot disable yourself or take away your own admin role');
    }
    // Hashed once, before the compare-and-set, which may run the change more than once.
    const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
    // One script: the change lands only on the record it was made from, leaves an active
    // admin, and ends every session of the account with a new password or a disable.
    const next = await users.update(
      id,
      (current) => ({
        ...current,
        ...withByline(current, patch),
        role: patch.role ?? current.role,
        disabled: patch.disabled ?? current.disabled,
        passwordHash: passwordHash ?? current.passwordHash,
      }),
      { keepAnAdmin: true },
    );
    if (next.disabled || patch.password) options.onSessionsEnded(id);
    res.locals.auditTarget = changedFields(next.username, patch);
    res.json({ user: publicUser(next) });
  });

  /** Anyone's own byline ("Your profile"): name, role line, avatar; nothing else of the account. */
  router.patch('/profile', anyone, async (req, res) => {
    const principal = principalOf(req);
    if (!principal.id.startsWith('user:')) throw new AppError('forbidden', 'only a signed-in account has a profile');
    const patch = parse(updateProfileSchema, req.body);
    const next = await users.update(userIdOf(principal), (current) => ({ ...current, ...withByline(current, patch) }));
    res.locals.auditTarget = changedFields(next.username, patch);
    res.json({ user: publicUser(next) });
  });

  /** The active accounts an editor may publish under (the composer's "Byline" select). */
  router.get('/bylines', editor, async (_req, res) => {
    const bylines: BylineChoice[] = (await users.list())
      .filter((user) => !user.disabled)
      .map((user) => ({ id: user.id, name: user.name, roleLine: user.roleLine ?? null }));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ bylines });
  });

  router.get('/tokens', admin, async (_req, res) => {
    const list: PublicToken[] = (await tokens.list()).map(({ id, name, role, createdAt }) => ({ id, name, role, createdAt }));
    res.json({ tokens: list });
  });

  /** The secret is in this one response only; Redis keeps its digest. */
  router.post('/tokens', admin, async (req, res) => {
    const input = parse(createTokenSchema, req.body);
    const { token, record } = await createToken(tokens, input.name, input.role);
    res.locals.auditTarget = { token: record.id, name: record.name, role: record.role };
    res.setHeader('Cache-Control', 'no-store');
    const body: { token: string; record: PublicToken } = {
      token,
      record: { id: record.id, name: record.name, role: record.role, createdAt: record.createdAt },
    };
    res.status(201).json(body);
  });

  router.delete('/tokens/:id', admin, async (req, res) => {
    const id = pathParam(req, 'id', /^[a-f0-9]{16}$/, 'token');
    if (!(await tokens.remove(id))) throw new AppError('not_found', `no token "${id}"`);
    res.json({ ok: true });
  });

  router.get('/audit', admin, async (req, res) => {
    const before = typeof req.query.before === 'string' && /^\d{1,20}-\d{1,20}$/.test(req.query.before) ? req.query.before : undefined;
    res.json(await audit.list({ limit: 100, before }));
  });

  return router;
}

type BylinePatch = { name?: string | undefined; roleLine?: string | null | undefined; avatarUrl?: string | null | undefined };

/** An account's byline fields after a patch: a field left out keeps its value, null clears it. */
function withByline(current: UserRecord, patch: BylinePatch): Pick<UserRecord, 'name' | 'roleLine' | 'avatarUrl'> {
  return {
    name: patch.name ?? current.name,
    roleLine: patch.roleLine === undefined ? (current.roleLine ?? null) : patch.roleLine,
    avatarUrl: patch.avatarUrl === undefined ? (current.avatarUrl ?? null) : patch.avatarUrl,
  };
}

/** What the audit log records of an account change: whose, and which fields the request named. */
function changedFields(username: string, patch: object): { username: string; changed: string } {
  return {
    username,
    changed: Object.entries(patch)
      .filter(([, value]) => value !== undefined)
      .map(([key]) => key)
      .join(','),
  };
}

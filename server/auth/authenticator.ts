/**
 * Who is calling, for every route that needs it: an API token (`Authorization: Bearer`)
 * or the console's session cookie. A cookie is sent by the browser on its own, so a write
 * made with it must also prove it comes from the console: the session's CSRF token in
 * `X-CSRF-Token`, and no cross-site Origin or Sec-Fetch-Site. Bearer tokens are never sent
 * on their own, so they need neither.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { Request, Response } from 'express';
import { AppError } from '../../shared/errors';
import type { SessionRecord, SessionStore } from '../store/sessions';
import type { UserRecord, UserStore } from '../store/users';
import type { Principal, TokenVerifier } from './tokens';

export const SESSION_COOKIE = 'lb_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ActiveSession {
  secret: string;
  session: SessionRecord;
  user: UserRecord;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function principalOfUser(user: UserRecord): Principal {
  return { id: `user:${user.id}`, name: user.name, role: user.role, via: 'session' };
}

/**
 * Refuses requests that a browser says come from another site. Browsers send Origin on
 * every cross-origin request and on same-origin writes, and Sec-Fetch-Site on all requests;
 * clients that send neither (scripts, curl) are no CSRF vector.
 */
export function assertSameOrigin(request: IncomingMessage & { protocol?: string }, protocol: string): void {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    throw new AppError('forbidden', `origin: cross-site request refused (Sec-Fetch-Site: ${site})`);
  }
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (typeof origin === 'string' && origin !== `${protocol}://${host ?? ''}`) {
    throw new AppError('forbidden', 'origin: requests from other sites are refused');
  }
}

export class Authenticator {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly users: UserStore,
    private readonly sessions: SessionStore,
  ) {}

  /**
   * The caller, or null when it sent no credentials at all. Throws 401 for a bad token or
   * an ended session, 403 for a cookie write without the CSRF proof.
   */
  async authenticate(req: Request): Promise<Principal | null> {
    const header = req.get('authorization');
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1]) throw new AppError('unauthorized', 'authorization: send Authorization: Bearer <token>');
      const principal = await this.verifier.verify(match[1]);
      if (!principal) throw new AppError('unauthorized', 'authorization: unknown or revoked token');
      return principal;
    }
    const secret = this.cookieSecret(req.headers.cookie);
    if (secret === null) return null;
    const active = await this.sessionBySecret(secret);
    if (!active) throw new AppError('unauthorized', 'session: signed out or expired; sign in to the console again');
    if (!SAFE_METHODS.has(req.method)) this.assertWriteFromConsole(req, active.session);
    return principalOfUser(active.user);
  }

  /** The signed-in account behind a request's cookie (for the console's own routes), or null. */
  async sessionOf(req: Pick<IncomingMessage, 'headers'>): Promise<ActiveSession | null> {
    const secret = this.cookieSecret(req.headers.cookie);
    return secret === null ? null : this.sessionBySecret(secret);
  }

  /** Checks the CSRF token and the origin of a cookie-authenticated write. */
  assertWriteFromConsole(req: Request, session: SessionRecord): void {
    assertSameOrigin(req, req.protocol);
    const given = req.get(CSRF_HEADER);
    if (!given || !sameToken(given, session.csrf)) {
      throw new AppError('forbidden', 'X-CSRF-Token: missing or wrong; reload the console and try again');
    }
  }

  setSessionCookie(req: Request, res: Response, secret: string, maxAgeSeconds: number): void {
    res.append(
      'Set-Cookie',
      serializeCookie(SESSION_COOKIE, secret, {
        httpOnly: true,
        sameSite: 'lax',
        // req.secure follows X-Forwarded-Proto from a trusted proxy (app's `trust proxy`).
        secure: req.secure,
        path: '/',
        maxAge: maxAgeSeconds,
      }),
    );
  }

  clearSessionCookie(req: Request, res: Response): void {
    res.append(
      'Set-Cookie',
      serializeCookie(SESSION_COOKIE, '', {
        httpOnly: true,
        sameSite: 'lax',
        secure: req.secure,
        path: '/',
        maxAge: 0,
      }),
    );
  }

  cookieSecret(cookieHeader: string | undefined): string | null {
    if (!cookieHeader) return null;
    return parseCookies(cookieHeader)[SESSION_COOKIE] ?? null;
  }

  /** A disabled account's sessions stop at once: the account is read on every request. */
  async sessionBySecret(secret: string): Promise<ActiveSession | null> {
    const session = await this.sessions.resolve(secret);
    if (!session) return null;
    const user = await this.users.findById(session.userId);
    if (!user || user.disabled) return null;
    return { secret, session, user };
  }
}

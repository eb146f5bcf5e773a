/** Who is calling (API token or console session) and whether their role allows the route. */
import type { Request, RequestHandler } from 'express';
import type { Role } from '../../shared/console';
import { AppError } from '../../shared/errors';
import type { Authenticator } from '../auth/authenticator';
import type { Principal } from '../auth/tokens';

/** What requireRole learnt about a request, kept for the route and for the audit log. */
export interface Authorized {
  principal: Principal;
  /** The route pattern, e.g. "/api/v1/briefings/:slug/entries". */
  route: string;
  params: Record<string, string>;
}

const authorized = new WeakMap<Request, Authorized>();

export function principalOf(req: Request): Principal {
  const found = authorized.get(req);
  if (!found) throw new Error('principalOf() used on a route without requireRole()');
  return found.principal;
}

/** The authorization of a request, if a route authorized it (the audit log reads it after the response). */
export function authorizationOf(req: Request): Authorized | undefined {
  return authorized.get(req);
}

export function requireRole(auth: Authenticator, roles: readonly Role[]): RequestHandler {
  return async (req, _res, next) => {
    const principal = await auth.authenticate(req);
    if (!principal) {
      throw new AppError('unauthorized', 'authorization: send Authorization: Bearer <token>, or sign in to the console');
    }
    if (!roles.includes(principal.role)) {
      throw new AppError('forbidden', `this needs the role ${roles.join(' or ')}; you are ${principal.role}`);
    }
    const route: unknown = req.route;
    const path = typeof route === 'object' && route !== null && 'path' in route ? String(route.path) : req.path;
    authorized.set(req, { principal, route: `${req.baseUrl}${path}`, params: { ...(req.params as Record<string, string>) } });
    next();
  };
}

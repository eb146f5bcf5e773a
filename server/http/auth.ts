/** Who is calling: bearer tokens for now; roles decide what they may do. */
import type { Request, RequestHandler } from 'express';
import { AppError } from '../../shared/errors';
import type { Principal, TokenVerifier } from '../auth/tokens';
import type { Role } from '../store/tokens';

const principals = new WeakMap<Request, Principal>();

export function principalOf(req: Request): Principal {
  const principal = principals.get(req);
  if (!principal) throw new Error('principalOf() used on a route without requireRole()');
  return principal;
}

export function requireRole(verifier: TokenVerifier, roles: readonly Role[]): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new AppError('unauthorized', 'authorization: send Authorization: Bearer <token>');
    }
    const principal = await verifier.verify(match[1]);
    if (!principal) throw new AppError('unauthorized', 'authorization: unknown or revoked token');
    if (!roles.includes(principal.role)) {
      throw new AppError('forbidden', `this needs the role ${roles.join(' or ')}`);
    }
    principals.set(req, principal);
    next();
  };
}

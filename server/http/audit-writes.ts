/**
 * Records every authorized write in the audit log once its response is sent: who (the
 * principal requireRole found), what (method and route pattern), on what (the route's
 * parameters plus any detail the route left in res.locals.auditTarget), and the outcome.
 * One middleware, so no route can forget it.
 */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { AuditLog } from '../store/audit';
import { authorizationOf } from './auth';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function auditWrites(audit: AuditLog, logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    res.on('finish', () => {
      const found = authorizationOf(req);
      if (!found || res.statusCode >= 400) return;
      const extra: unknown = res.locals.auditTarget;
      const target: Record<string, string> = { ...found.params };
      if (typeof extra === 'object' && extra !== null) {
        for (const [key, value] of Object.entries(extra)) target[key] = String(value);
      }
      audit
        .record({
          at: new Date().toISOString(),
          actor: { id: found.principal.id, name: found.principal.name, role: found.principal.role, via: found.principal.via },
          action: `${req.method} ${found.route}`,
          status: res.statusCode,
          target,
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'could not write the audit log'));
    });
    next();
  };
}

/**
 * Uploaded photos: `POST /api/v1/media` (editors; the image's bytes as the raw body) and
 * the renditions under `/media/<id>/<width>.<avif|webp|jpg>`, immutable and readable from
 * the sites that embed the widget.
 */
import express, { type ErrorRequestHandler, type Request, Router } from 'express';
import { EDITOR_ROLES } from '../../shared/console';
import { AppError } from '../../shared/errors';
import type { Authenticator } from '../auth/authenticator';
import { tooManyBytes, type MediaStore } from '../media/images';
import { requireRole } from './auth';
import { allowCrossOrigin, type EmbedOrigins } from './cross-origin';

export interface MediaRouteOptions {
  media: MediaStore;
  auth: Authenticator;
  embedOrigins: EmbedOrigins;
  /** Origin for the answered URLs; null: the request's. */
  publicUrl: string | null;
}

/** A rendition never changes under its name: caches may keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function mediaRouter(options: MediaRouteOptions): Router {
  const { media } = options;
  const router = Router();
  const baseOf = (req: Request): string => `${options.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`}/media/`;

  router.post(
    '/api/v1/media',
    // Credentials first, so that nobody can make us read megabytes without them.
    requireRole(options.auth, EDITOR_ROLES),
    // Any Content-Type: what the file is, is decided by its bytes, not by its name or label.
    express.raw({ type: () => true, limit: media.limits.maxBytes }),
    async (req, res) => {
      const body: unknown = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        throw new AppError('invalid', 'body: send the image bytes as the body, e.g. Content-Type: image/jpeg');
      }
      const stored = await media.storeImage(body, baseOf(req));
      res.locals.auditTarget = { id: stored.id };
      res.status(201).json({ media: stored });
    },
  );
  const tooLargeBody: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
    const type = typeof error === 'object' && error !== null && 'type' in error ? error.type : null;
    next(type === 'entity.too.large' ? tooManyBytes(media.limits.maxBytes) : error);
  };
  router.use('/api/v1/media', tooLargeBody);

  router.get('/media/:id/:file', (req, res, next) => {
    const path = media.filePath(String(req.params.id), String(req.params.file));
    if (!path) throw new AppError('not_found', `no such image: ${req.path}`);
    allowCrossOrigin(res, options.embedOrigins, req.get('origin'));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(path, { headers: { 'Cache-Control': IMMUTABLE }, cacheControl: false, dotfiles: 'deny' }, (error?: unknown) => {
      if (!error) return;
      const missing = typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
      next(missing ? new AppError('not_found', `no such image: ${req.path}`) : error);
    });
  });

  return router;
}

/** Maps every failure to the contract's error shape, in one place. Never a stack trace. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, ERROR_STATUS, type ErrorCode } from '../../shared/errors';
import { UNAVAILABLE_MESSAGE, redisUnavailable } from '../redis';

/** body-parser's error types and what they mean to a client. */
const BODY_PARSER_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  'entity.too.large': { code: 'too_large', message: 'body: the request body is too large' },
  'entity.parse.failed': { code: 'invalid', message: 'body: malformed JSON' },
  'entity.verify.failed': { code: 'invalid', message: 'body: malformed JSON' },
  'encoding.unsupported': { code: 'unsupported_media_type', message: 'body: unsupported content encoding' },
  'charset.unsupported': { code: 'unsupported_media_type', message: 'body: JSON must be UTF-8' },
  'request.aborted': { code: 'invalid', message: 'body: the request was aborted' },
  'request.size.invalid': { code: 'invalid', message: 'body: length does not match Content-Length' },
  'stream.encoding.set': { code: 'invalid', message: 'body: could not be read' },
  'parameters.too.many': { code: 'too_large', message: 'body: too many parameters' },
};

function bodyParserError(error: unknown): AppError | null {
  if (typeof error !== 'object' || error === null || !('type' in error)) return null;
  const known = BODY_PARSER_ERRORS[String(error.type)];
  return known ? new AppError(known.code, known.message) : null;
}

/**
 * Other client errors raised by Express and its parsers (http-errors style, with a 4xx
 * `status`): a path parameter with broken percent-encoding, a body that fails to
 * decompress. Mapped to the code of that status; the library's own message is not echoed.
 */
function clientError(error: unknown): AppError | null {
  if (typeof error !== 'object' || error === null) return null;
  const status = 'status' in error ? Number(error.status) : 'statusCode' in error ? Number(error.statusCode) : NaN;
  if (!Number.isInteger(status) || status < 400 || status > 499) return null;
  if (error instanceof URIError) return new AppError('invalid', 'path: malformed percent-encoding');
  const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((candidate) => ERROR_STATUS[candidate] === status) ?? 'invalid';
  return new AppError(code, 'request: could not be read; check the body and its Content-Encoding');
}

/** Retry-After when the refusal does not say: Redis comes back or fails over within seconds; a rate window is a minute. */
const DEFAULT_RETRY_AFTER_SECONDS = { rate_limited: 60, unavailable: 2 } as const;

export function errorHandler(logger: Logger, isRedisReady: () => boolean): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let appError = error instanceof AppError ? error : (bodyParserError(error) ?? clientError(error) ?? redisUnavailable(error));
    if (!appError) {
      if (!isRedisReady()) {
        appError = new AppError('unavailable', UNAVAILABLE_MESSAGE);
      } else {
        logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
        appError = new AppError('internal', 'something went wrong on our side');
      }
    }
    // A static file fails after its headers are set (a 412 on If-Match, a 416 on Range):
    // the error must not go out typed or cacheable as that file.
    for (const header of ['Content-Type', 'ETag', 'Last-Modified', 'Accept-Ranges']) res.removeHeader(header);
    if (res.getHeader('Cache-Control') !== undefined) res.setHeader('Cache-Control', 'no-store');
    if (appError.code === 'unauthorized') res.setHeader('WWW-Authenticate', 'Bearer');
    if (appError.code === 'rate_limited' || appError.code === 'unavailable') {
      res.setHeader('Retry-After', String(appError.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS[appError.code]));
    }
    res.status(appError.status).json(appError.toBody());
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no such resource: ${req.method} ${req.path}`));
};

/** Writes must send JSON: anything else is refused before it is read. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  if ((req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') && !req.is('application/json')) {
    next(new AppError('unsupported_media_type', 'body: send JSON with Content-Type: application/json'));
    return;
  }
  next();
};

/**
 * What a route reads from its request, checked where it enters: a body or query by its
 * zod schema (400 `invalid`, naming the field), and a path parameter by its pattern.
 */
import type { Request } from 'express';
import type { z } from 'zod';
import { AppError } from '../../shared/errors';
import { describeIssue, ID_PATTERN, SLUG_PATTERN } from '../../shared/schemas';

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('invalid', describeIssue(result.error));
  return result.data;
}

/** A path parameter that cannot name anything is simply unknown: 404, as for one that could. */
export function pathParam(req: Request, name: string, pattern: RegExp, what: string): string {
  const value = String(req.params[name]);
  if (!pattern.test(value)) throw new AppError('not_found', `no ${what} "${value}"`);
  return value;
}

/** `:slug`, a briefing. */
export function slugParam(req: Request): string {
  return pathParam(req, 'slug', SLUG_PATTERN, 'briefing');
}

/** `:id`, of an entry, a draft or an account (`what` names it in the error). */
export function idParam(req: Request, what: string): string {
  return pathParam(req, 'id', ID_PATTERN, what);
}

/**
 * `If-Match: "3"` (also `W/"3"` or `3`): the version of the `what` (entry, draft) its
 * sender saw. Absent or `*`: undefined, no version check.
 */
export function ifMatchVersion(req: Request, what: string): number | undefined {
  const header = req.get('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match?.[1]) throw new AppError('invalid', `If-Match: must be the ${what} version in quotes, e.g. "3"`);
  return Number(match[1]);
}

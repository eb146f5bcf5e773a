/** zod schemas for what the console sends: checked where it enters the server. */
import { z } from 'zod';
import { PASSWORD_MAX, PASSWORD_MIN, ROLE_LINE_MAX, ROLES, TOKEN_ROLES, USERNAME_PATTERN } from './console';
import { LIMITS } from './limits';
import { createEntrySchema, ID_PATTERN, slugSchema } from './schemas';

/** What an entry will be: the fields of a new entry, without a publication time. */
export const draftFieldsSchema = createEntrySchema.omit({ publishAt: true, authorId: true });

const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(USERNAME_PATTERN, 'must be 2-64 characters: letters, digits, . _ @ + -, starting with a letter or digit');
const displayNameSchema = z.string().trim().min(1, 'must not be empty').max(100);
const passwordSchema = z
  .string()
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);

/** The line under a byline's name; '' or null clears it. */
const roleLineSchema = z
  .string()
  .trim()
  .max(ROLE_LINE_MAX, `must be at most ${ROLE_LINE_MAX} characters`)
  .nullable()
  .transform((value) => (value === '' ? null : value));

/**
 * A byline's picture: an https URL, or a path under /media/ of this service (uploaded
 * photos). Never another scheme, a protocol-relative URL or any other path of ours.
 */
const avatarUrlSchema = z
  .string()
  .trim()
  .max(LIMITS.urlChars)
  .nullable()
  .transform((value) => (value === '' ? null : value))
  .refine((value) => value === null || isAvatarUrl(value), 'must be an https URL or a /media/ path');

function isAvatarUrl(value: string): boolean {
  if (/^\/media\/[A-Za-z0-9._~%-][A-Za-z0-9._~%/-]*$/.test(value)) return !value.includes('..');
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}

export const loginSchema = z.object({
  username: z.string().trim().toLowerCase().min(1, 'must not be empty').max(64),
  password: z.string().min(1, 'must not be empty').max(PASSWORD_MAX),
});

export const setupSchema = z.object({
  token: z.string().min(1).max(200),
  username: usernameSchema,
  name: displayNameSchema,
  password: passwordSchema,
});

export const createUserSchema = z.object({
  username: usernameSchema,
  name: displayNameSchema,
  role: z.enum(ROLES),
  password: passwordSchema,
  roleLine: roleLineSchema.optional(),
  avatarUrl: avatarUrlSchema.optional(),
});

export const updateUserSchema = z
  .object({
    name: displayNameSchema,
    role: z.enum(ROLES),
    disabled: z.boolean(),
    password: passwordSchema,
    roleLine: roleLineSchema,
    avatarUrl: avatarUrlSchema,
  })
  .partial()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'must change at least one of name, role, disabled, password, roleLine, avatarUrl',
  });

/** What each person may change of their own account ("Your profile"); unknown fields (role …) are refused. */
export const updateProfileSchema = z
  .strictObject({
    name: displayNameSchema,
    roleLine: roleLineSchema,
    avatarUrl: avatarUrlSchema,
  })
  .partial()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'must change at least one of name, roleLine, avatarUrl',
  });

export const createTokenSchema = z.object({
  name: displayNameSchema,
  role: z.enum(TOKEN_ROLES),
});

export const createDraftSchema = z.object({
  kind: z.enum(['draft', 'submitted']),
  fields: draftFieldsSchema,
});

export const updateDraftSchema = z
  .object({
    kind: z.enum(['draft', 'submitted']),
    fields: draftFieldsSchema,
  })
  .partial()
  .refine((patch) => patch.kind !== undefined || patch.fields !== undefined, {
    message: 'must change kind or fields',
  });

export const returnDraftSchema = z.object({ note: z.string().trim().max(1000).default('') });

export const previewSchema = z.object({ body: z.string().max(50_000) });

export const presenceJoinSchema = z.object({ slug: slugSchema });
export const presenceEditingSchema = z.object({
  slug: slugSchema,
  editing: z.string().regex(ID_PATTERN).nullable(),
});

/**
 * The editors' console on the wire: accounts, roles, drafts and submissions, presence.
 * Server routes, the Socket.IO console namespace and the browser console import these;
 * the zod schemas that check input are in console-schemas.ts, so the browser bundle
 * carries no zod.
 */
import type { z } from 'zod';
import type { draftFieldsSchema } from './console-schemas';
import type { RefusedAck } from './errors';
import type { Entry } from './schemas';

// ---------- roles ----------

/** Every role a person or token can hold, most powerful first. */
export const ROLES = ['admin', 'editor', 'contributor'] as const;
export type Role = (typeof ROLES)[number];
/** Roles that may publish, edit, delete and manage briefings. */
export const EDITOR_ROLES = ['admin', 'editor'] as const satisfies readonly Role[];
/** Roles an API token can be given: tokens are for automation, which publishes. */
export const TOKEN_ROLES = ['admin', 'editor'] as const satisfies readonly Role[];
export type TokenRole = (typeof TOKEN_ROLES)[number];

export function canEdit(role: Role): boolean {
  return (EDITOR_ROLES as readonly Role[]).includes(role);
}

// ---------- accounts ----------

/** Logins are short handles or e-mail addresses, compared in lower case. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@+-]{1,63}$/;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

/** An account as the console shows it: never the password hash. */
export interface PublicUser {
  id: string;
  username: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  /** The line under the name in bylines, e.g. "Kyiv correspondent"; null when none. */
  roleLine: string | null;
  /** The byline's picture: an https URL or a /media/ path of this service; null when none. */
  avatarUrl: string | null;
}

/** An account as the composer's "Byline" select lists it (editors may publish under any active one). */
export interface BylineChoice {
  id: string;
  name: string;
  roleLine: string | null;
}

/** Longest role line, in characters. */
export const ROLE_LINE_MAX = 80;

export interface PublicToken {
  id: string;
  name: string;
  role: TokenRole;
  createdAt: string;
}

export interface SessionInfo {
  user: PublicUser;
  /** Sent back as X-CSRF-Token on every write made with the session cookie. */
  csrfToken: string;
  /**
   * The session's idle lifetime, in seconds: a console without activity for this long
   * signs itself out (the server's own expiry is renewed by the console's background requests).
   */
  idleSeconds: number;
}

// ---------- drafts and submissions ----------

/**
 * A draft is kept for its author and the briefing's editors; a submission is a
 * contributor's entry waiting for an editor; a returned one was sent back with a note.
 * None of them is visible to readers or takes a seq.
 */
export const DRAFT_KINDS = ['draft', 'submitted', 'returned'] as const;
export type DraftKind = (typeof DRAFT_KINDS)[number];

/** What an entry will be: the fields of a new entry, without a publication time. */
export type DraftFields = z.infer<typeof draftFieldsSchema>;

export interface Draft {
  id: string;
  slug: string;
  kind: DraftKind;
  version: number;
  author: { id: string; name: string };
  fields: DraftFields;
  /** The editor's note when a submission was sent back. */
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The 412 answer to a save or an approval of a draft that changed since it was seen: the
 * contract's error shape, plus the version that was seen and the draft as it is now.
 */
export interface DraftConflictBody {
  error: { code: 'stale_version'; message: string };
  seenVersion: number;
  draft: Draft;
}

/** Everything of a briefing that waits, for the console: drafts, submissions, scheduled entries. */
export interface Queue {
  drafts: Draft[];
  scheduled: Entry[];
}

// ---------- corrections and audit ----------

/** One published version of an entry, as readers' correction history shows it. */
export type EntryVersion = Pick<
  Entry,
  'version' | 'publishedAt' | 'updatedAt' | 'title' | 'body' | 'html' | 'media' | 'links' | 'sources' | 'embeds'
>;

export interface AuditRecord {
  id: string;
  at: string;
  actor: { id: string; name: string; role: Role | null; via: 'session' | 'token' | 'none' };
  /** e.g. "POST /api/v1/briefings/:slug/entries" or "login.failed". */
  action: string;
  status: number;
  /** The route parameters and any detail the route added (never secrets). */
  target: Record<string, string>;
}

// ---------- presence (Socket.IO namespace /console) ----------

export const CONSOLE_NAMESPACE = '/console';

export interface PresentEditor {
  userId: string;
  name: string;
  role: Role;
  /** The entry (or draft) this person has open for editing, if any. */
  editing: string | null;
}

export type PresenceAck = { ok: true; present: PresentEditor[] } | RefusedAck;

export interface ConsoleServerEvents {
  /** Who has this briefing open, sent whenever it changes. */
  presence: (update: { slug: string; present: PresentEditor[] }) => void;
  /** Drafts, submissions or scheduled entries of the briefing changed: fetch the queue again. */
  queue: (update: { slug: string }) => void;
}

export interface ConsoleClientEvents {
  join: (request: { slug: string }, ack: (response: PresenceAck) => void) => void;
  leave: (request: { slug: string }) => void;
  editing: (request: { slug: string; editing: string | null }, ack: (response: PresenceAck) => void) => void;
}

/** Readers following each briefing now (live subscriptions over every process, counted within the last 10 s), by slug. */
export interface ReadersNow {
  readers: Record<string, number>;
}

/**
 * The handshake query of the console's own feed connection: editors following a briefing in
 * the console are not counted among its readers.
 */
export const CONSOLE_FEED_QUERY = { client: 'console' } as const;

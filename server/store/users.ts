/**
 * Console accounts in Redis: one hash of records and a username index. Every write is one
 * Lua script, so that writes cannot interleave: a username is claimed and its account
 * written in one step, and a change is a compare-and-set against the record it was made
 * from, which also ends the account's sessions when it changes the password or disables it.
 *
 * The scripts touch `users`, `usernames`, `user-sessions:<id>` and `session:<digest>` together;
 * on a Redis Cluster these would need one hash tag (they are not a briefing's keys).
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis';
import type { PublicUser, Role } from '../../shared/console';
import type { Entry } from '../../shared/schemas';
import { AppError } from '../../shared/errors';
import type { Keys } from './keys';
import { scriptCaller, type ScriptArg } from './scripting';

export interface UserRecord extends PublicUser {
  /** argon2id hash (PHC string); never leaves the server. */
  passwordHash: string;
}

export function publicUser(record: UserRecord): PublicUser {
  return {
    id: record.id,
    username: record.username,
    name: record.name,
    role: record.role,
    disabled: record.disabled,
    createdAt: record.createdAt,
    // Accounts made before bylines have neither.
    roleLine: record.roleLine ?? null,
    avatarUrl: record.avatarUrl ?? null,
  };
}

/**
 * The byline an entry is published under: the account's name, role line and avatar as they
 * are now. The entry keeps it, so a later change of the account never rewrites what
 * readers saw. `id` is the principal id a session of this account has (`user:<id>`).
 */
export function bylineOf(user: PublicUser): Entry['author'] {
  return {
    id: `user:${user.id}`,
    name: user.name,
    ...(user.roleLine ? { role: user.roleLine } : {}),
    ...(user.avatarUrl ? { avatar: user.avatarUrl } : {}),
  };
}

/**
 * Claims a username and writes its account at once. KEYS: usernames, users.
 * ARGV: username, id, record JSON. Returns 1, or 0 when the username is taken.
 */
const CREATE_USER = {
  numberOfKeys: 2,
  lua: `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
`,
};

/**
 * Replaces an account record if it still is `expected`. KEYS: users, user-sessions:<id>.
 * ARGV: id, expected JSON, next JSON, "1" to end its sessions, the session key prefix,
 * "1" to refuse taking away the last active admin. Everything is read before anything is
 * written, since a script that fails halfway keeps what it wrote.
 * Returns 'ok' | 'missing' | 'stale' | 'last_admin'.
 */
const UPDATE_USER = {
  numberOfKeys: 2,
  lua: `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 'missing' end
if current ~= ARGV[2] then return 'stale' end
if ARGV[6] == '1' then
  local before = cjson.decode(current)
  local after = cjson.decode(ARGV[3])
  if before.role == 'admin' and not before.disabled and (after.role ~= 'admin' or after.disabled) then
    local others = 0
    for _, raw in ipairs(redis.call('HVALS', KEYS[1])) do
      local user = cjson.decode(raw)
      if user.id ~= ARGV[1] and user.role == 'admin' and not user.disabled then others = others + 1 end
    end
    if others == 0 then return 'last_admin' end
  end
end
local digests = {}
if ARGV[4] == '1' then digests = redis.call('SMEMBERS', KEYS[2]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == '1' then
  for _, digest in ipairs(digests) do redis.call('DEL', ARGV[5] .. digest) end
  redis.call('DEL', KEYS[2])
end
return 'ok'
`,
};

const COMMANDS = { livebriefCreateUser: CREATE_USER, livebriefUpdateUser: UPDATE_USER };

/** A compare-and-set that keeps losing to other writes gives up after this many tries. */
const MAX_UPDATE_ATTEMPTS = 10;

export interface UpdateOptions {
  /** Refuse (409) a change that leaves no active admin. Default false (the CLI may). */
  keepAnAdmin?: boolean;
}

export class UserStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {
    this.call = scriptCaller<keyof typeof COMMANDS, string | number>(redis, COMMANDS);
  }

  private readonly call: (name: keyof typeof COMMANDS, ...keysThenArgs: ScriptArg[]) => Promise<string | number>;

  async count(): Promise<number> {
    return this.redis.hlen(this.keys.users);
  }

  /** Creates an account; 409 when the username is taken. */
  async create(input: {
    username: string;
    name: string;
    role: Role;
    passwordHash: string;
    roleLine?: string | null | undefined;
    avatarUrl?: string | null | undefined;
  }): Promise<UserRecord> {
    const record: UserRecord = {
      id: randomBytes(8).toString('hex'),
      username: input.username,
      name: input.name,
      role: input.role,
      disabled: false,
      createdAt: new Date().toISOString(),
      roleLine: input.roleLine ?? null,
      avatarUrl: input.avatarUrl ?? null,
      passwordHash: input.passwordHash,
    };
    const created = await this.call(
      'livebriefCreateUser',
      this.keys.usernames,
      this.keys.users,
      record.username,
      record.id,
      JSON.stringify(record),
    );
    if (created !== 1) throw new AppError('conflict', `username: "${record.username}" is taken`);
    return record;
  }

  async findById(id: string): Promise<UserRecord | null> {
    return (await this.readById(id))?.record ?? null;
  }

  /** The record and the JSON it was read from (what a later compare-and-set expects). */
  async readById(id: string): Promise<{ record: UserRecord; raw: string } | null> {
    const raw = await this.redis.hget(this.keys.users, id);
    return raw ? { record: JSON.parse(raw) as UserRecord, raw } : null;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const id = await this.redis.hget(this.keys.usernames, username.toLowerCase());
    return id ? this.findById(id) : null;
  }

  async list(): Promise<UserRecord[]> {
    const all = await this.redis.hvals(this.keys.users);
    return all.map((raw) => JSON.parse(raw) as UserRecord).sort((a, b) => a.username.localeCompare(b.username));
  }

  /**
   * Changes an account by compare-and-set: `change` makes the next record from the current
   * one (and may throw), and runs again on a fresh read if another write came first, so that
   * no change undoes another. A new password or a disable ends every session of the account
   * in the same step. 404 for an unknown account.
   */
  async update(id: string, change: (current: UserRecord) => UserRecord, options: UpdateOptions = {}): Promise<UserRecord> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const read = await this.readById(id);
      if (!read) throw new AppError('not_found', `no user "${id}"`);
      // The id and username are the index's; they never change.
      const next: UserRecord = { ...change(read.record), id: read.record.id, username: read.record.username };
      const endSessions = next.passwordHash !== read.record.passwordHash || (next.disabled && !read.record.disabled);
      const result = await this.call(
        'livebriefUpdateUser',
        this.keys.users,
        this.keys.userSessions(id),
        id,
        read.raw,
        JSON.stringify(next),
        endSessions ? '1' : '0',
        this.keys.session(''),
        options.keepAnAdmin ? '1' : '0',
      );
      if (result === 'ok') return next;
      if (result === 'missing') throw new AppError('not_found', `no user "${id}"`);
      if (result === 'last_admin') {
        throw new AppError('conflict', 'role: this is the last active admin; make someone else an admin first');
      }
    }
    throw new AppError('conflict', `user "${id}" is being changed by others right now; try again`);
  }

  /** Replaces a record (the username, which the index points at, never changes). */
  async save(record: UserRecord): Promise<void> {
    await this.update(record.id, () => record);
  }
}

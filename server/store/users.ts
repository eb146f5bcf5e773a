/** Console accounts in Redis: one hash of records and a username index. */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PublicUser, Role } from '../../shared/console';
import { AppError } from '../../shared/errors';
import type { Keys } from './keys';

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
  };
}

export class UserStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async count(): Promise<number> {
    return this.redis.hlen(this.keys.users);
  }

  /** Creates an account; 409 when the username is taken. */
  async create(input: { username: string; name: string; role: Role; passwordHash: string }): Promise<UserRecord> {
    const record: UserRecord = {
      id: randomBytes(8).toString('hex'),
      username: input.username,
      name: input.name,
      role: input.role,
      disabled: false,
      createdAt: new Date().toISOString(),
      passwordHash: input.passwordHash,
    };
    // HSETNX on the index decides between two people creating the same username at once.
    const claimed = await this.redis.hsetnx(this.keys.usernames, record.username, record.id);
    if (claimed !== 1) throw new AppError('conflict', `username: "${record.username}" is taken`);
    await this.redis.hset(this.keys.users, record.id, JSON.stringify(record));
    return record;
  }

  async findById(id: string): Promise<UserRecord | null> {
    const raw = await this.redis.hget(this.keys.users, id);
    return raw ? (JSON.parse(raw) as UserRecord) : null;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const id = await this.redis.hget(this.keys.usernames, username.toLowerCase());
    return id ? this.findById(id) : null;
  }

  async list(): Promise<UserRecord[]> {
    const all = await this.redis.hvals(this.keys.users);
    return all.map((raw) => JSON.parse(raw) as UserRecord).sort((a, b) => a.username.localeCompare(b.username));
  }

  /** Replaces a record (the username, which the index points at, never changes). */
  async save(record: UserRecord): Promise<void> {
    await this.redis.hset(this.keys.users, record.id, JSON.stringify(record));
  }
}

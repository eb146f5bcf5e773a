/** API token records in Redis: one hash field per token; the secret is kept only as a SHA-256 digest. */
import type { RedisClient } from '../redis';
import type { TokenRole } from '../../shared/console';
import type { Keys } from './keys';

export interface TokenRecord {
  id: string;
  name: string;
  role: TokenRole;
  createdAt: string;
  /** Hex SHA-256 of the secret part of the token. */
  secretHash: string;
}

export class TokenStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async save(record: TokenRecord): Promise<void> {
    await this.redis.hset(this.keys.tokens, record.id, JSON.stringify(record));
  }

  async find(id: string): Promise<TokenRecord | null> {
    const raw = await this.redis.hget(this.keys.tokens, id);
    return raw ? (JSON.parse(raw) as TokenRecord) : null;
  }

  async list(): Promise<TokenRecord[]> {
    const all = await this.redis.hvals(this.keys.tokens);
    return all.map((raw) => JSON.parse(raw) as TokenRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Returns whether a token was removed. */
  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.tokens, id)) === 1;
  }
}

/**
 * Console sessions. The cookie carries a random secret; Redis keeps only its SHA-256 as the
 * key, so a copy of the database holds no usable session. Sessions expire after a period
 * without use and are ended all at once when an account is disabled or its password changes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from './keys';

export interface SessionRecord {
  userId: string;
  /** The CSRF token bound to this session (synchronizer token). */
  csrf: string;
  createdAt: string;
}

function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    /** Idle lifetime of a session, in seconds. */
    private readonly ttlSeconds: number,
  ) {}

  /** Starts a session; returns the secret for the cookie and the record. */
  async create(userId: string): Promise<{ secret: string; record: SessionRecord }> {
    const secret = randomBytes(32).toString('base64url');
    const record: SessionRecord = { userId, csrf: randomBytes(32).toString('base64url'), createdAt: new Date().toISOString() };
    const digest = digestOf(secret);
    await this.redis
      .multi()
      .set(this.keys.session(digest), JSON.stringify(record), 'EX', this.ttlSeconds)
      .sadd(this.keys.userSessions(userId), digest)
      .expire(this.keys.userSessions(userId), this.ttlSeconds)
      .exec();
    return { secret, record };
  }

  /** The session a cookie secret names, its idle time restarted; null when unknown or expired. */
  async resolve(secret: string): Promise<SessionRecord | null> {
    if (!SECRET_PATTERN.test(secret)) return null;
    const raw = await this.redis.getex(this.keys.session(digestOf(secret)), 'EX', this.ttlSeconds);
    if (!raw) return null;
    const record = JSON.parse(raw) as SessionRecord;
    // The account's list of sessions must live as long as its longest-lived session, or
    // destroyAllOf() would miss a session kept alive by use (a stolen one included).
    await this.redis.expire(this.keys.userSessions(record.userId), this.ttlSeconds);
    return record;
  }

  async destroy(secret: string): Promise<void> {
    if (!SECRET_PATTERN.test(secret)) return;
    await this.redis.del(this.keys.session(digestOf(secret)));
  }

  /** Ends every session of an account. */
  async destroyAllOf(userId: string): Promise<void> {
    const digests = await this.redis.smembers(this.keys.userSessions(userId));
    const keys = [...digests.map((digest) => this.keys.session(digest)), this.keys.userSessions(userId)];
    await this.redis.del(...keys);
  }
}

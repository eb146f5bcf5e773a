/**
 * Console sessions. The cookie carries a random secret; Redis keeps only its SHA-256 as the
 * key, so a copy of the database holds no usable session. Sessions expire after a period
 * without use and are ended all at once when an account is disabled or its password changes
 * (users.ts does that in the same script as the change).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis';
import { AppError } from '../../shared/errors';
import type { Keys } from './keys';
import { scriptCaller, type ScriptArg } from './scripting';

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

/**
 * Starts a session only if the account exists, is not disabled and (when given) still has
 * the password hash that was checked, so that a sign-in racing a password change or a
 * disable cannot outlive it. KEYS: session:<digest>, user-sessions:<id>, users.
 * ARGV: record JSON, ttl seconds, user id, the password hash checked or '', the digest.
 * Returns 1, or 0 when the account changed.
 */
const CREATE_SESSION = {
  numberOfKeys: 3,
  lua: `
local raw = redis.call('HGET', KEYS[3], ARGV[3])
if not raw then return 0 end
local user = cjson.decode(raw)
if user.disabled or (ARGV[4] ~= '' and user.passwordHash ~= ARGV[4]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`,
};

/** Ends every session of an account in one step. KEYS: user-sessions:<id>. ARGV: the session key prefix. */
const DESTROY_ALL = {
  numberOfKeys: 1,
  lua: `
for _, digest in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', ARGV[1] .. digest) end
redis.call('DEL', KEYS[1])
return 1
`,
};

const COMMANDS = { livebriefCreateSession: CREATE_SESSION, livebriefDestroySessions: DESTROY_ALL };

export class SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    /** Idle lifetime of a session, in seconds. */
    private readonly ttlSeconds: number,
  ) {
    this.call = scriptCaller<keyof typeof COMMANDS, number>(redis, COMMANDS);
  }

  private readonly call: (name: keyof typeof COMMANDS, ...keysThenArgs: ScriptArg[]) => Promise<number>;

  /**
   * Starts a session; returns the secret for the cookie and the record. After a password
   * check pass the hash it was checked against (`checkedHash`): if the password changed
   * meanwhile, or the account is disabled or gone, no session starts (401).
   */
  async create(userId: string, checkedHash = ''): Promise<{ secret: string; record: SessionRecord }> {
    const secret = randomBytes(32).toString('base64url');
    const record: SessionRecord = { userId, csrf: randomBytes(32).toString('base64url'), createdAt: new Date().toISOString() };
    const digest = digestOf(secret);
    const created = await this.call(
      'livebriefCreateSession',
      this.keys.session(digest),
      this.keys.userSessions(userId),
      this.keys.users,
      JSON.stringify(record),
      this.ttlSeconds,
      userId,
      checkedHash,
      digest,
    );
    if (created !== 1) throw new AppError('unauthorized', 'password: the account changed while signing in; sign in again');
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
    await this.call('livebriefDestroySessions', this.keys.userSessions(userId), this.keys.session(''));
  }
}

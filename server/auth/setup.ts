/**
 * First run: while no account exists, a one-time link lets the first admin create an
 * account in the browser. The token travels in the link's fragment (never sent to a
 * server, so never in an access log or Referer); Redis keeps only its SHA-256, for a day.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis';
import type { Keys } from '../store/keys';
import type { UserStore } from '../store/users';

const SETUP_TTL_SECONDS = 24 * 60 * 60;

export class FirstRun {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly users: UserStore,
  ) {}

  /** A fresh setup link when no account exists yet, else null. */
  async linkIfNoAccounts(origin: string): Promise<string | null> {
    if ((await this.users.count()) > 0) return null;
    const token = randomBytes(24).toString('base64url');
    await this.redis.set(this.keys.setup(this.digest(token)), '1', 'EX', SETUP_TTL_SECONDS);
    return `${origin}/console#setup=${token}`;
  }

  /**
   * Uses up a setup token; true only once per token, only while no account exists, and
   * only for one request at a time: two links used at the same moment (one from the log,
   * one from the CLI) must not both create an admin.
   */
  async consume(token: string): Promise<boolean> {
    const removed = await this.redis.del(this.keys.setup(this.digest(token)));
    if (removed !== 1 || (await this.users.count()) !== 0) return false;
    return (await this.redis.set(this.keys.setupClaim, '1', 'EX', 60, 'NX')) === 'OK';
  }

  private digest(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}

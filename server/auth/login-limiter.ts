/**
 * Failed logins are counted in Redis (rate-limiter-flexible) per account and per client
 * address, so that guessing is slow across every process. Only failures count: a person
 * who types the password right is never held up by others' mistakes on their account
 * beyond the window.
 */
import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { AppError } from '../../shared/errors';
import type { Keys } from '../store/keys';

export interface LoginLimits {
  /** Failed logins allowed per account in `windowSeconds`. Default 5. */
  perAccount?: number;
  /** Failed logins allowed per client address in `windowSeconds`. Default 30. */
  perAddress?: number;
  /** The counting window, in seconds. Default 60. */
  windowSeconds?: number;
}

export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', message);
  }
}

export class LoginLimiter {
  private readonly byAccount: RateLimiterRedis;
  private readonly byAddress: RateLimiterRedis;

  constructor(redis: Redis, keys: Keys, limits: LoginLimits = {}) {
    const duration = limits.windowSeconds ?? 60;
    const common = { storeClient: redis, useRedisPackage: false, duration };
    this.byAccount = new RateLimiterRedis({ ...common, keyPrefix: keys.rateLimit('login-account'), points: limits.perAccount ?? 5 });
    this.byAddress = new RateLimiterRedis({ ...common, keyPrefix: keys.rateLimit('login-address'), points: limits.perAddress ?? 30 });
  }

  /** Throws a 429 when either counter has no attempts left. */
  async check(username: string, address: string): Promise<void> {
    const [account, client] = await Promise.all([this.byAccount.get(username), this.byAddress.get(address)]);
    const blocked = [
      { state: account, limit: this.byAccount.points, what: 'this account' },
      { state: client, limit: this.byAddress.points, what: 'your network address' },
    ].find(({ state, limit }) => state !== null && state.consumedPoints >= limit);
    if (blocked?.state) {
      const seconds = Math.max(1, Math.ceil(blocked.state.msBeforeNext / 1000));
      throw new RateLimitedError(
        `password: too many failed logins for ${blocked.what}; wait ${seconds} seconds and try again`,
        seconds,
      );
    }
  }

  async failed(username: string, address: string): Promise<void> {
    await Promise.all([this.byAccount.penalty(username, 1), this.byAddress.penalty(address, 1)]);
  }

  async succeeded(username: string): Promise<void> {
    await this.byAccount.delete(username);
  }
}

/**
 * Login attempts are counted in Redis (rate-limiter-flexible) per (account, address) pair and
 * per client address, so that guessing is slow across every process. An attempt is taken
 * before the password is checked, so that requests sent all at once cannot all be checked
 * while the counters still read low; a successful login gives its attempt back.
 *
 * Counting per pair rather than per account means an attacker hammering `admin` from one
 * address locks out only that address, never the real admin signing in from another.
 */
import type { RedisClient } from '../redis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../shared/errors';
import type { Keys } from '../store/keys';

export interface LoginLimits {
  /** Login attempts allowed per (account, address) pair in `windowSeconds`. Default 5. */
  perAccountAndAddress?: number;
  /** Login attempts allowed per client address in `windowSeconds`. Default 30. */
  perAddress?: number;
  /** The counting window, in seconds. Default 60. */
  windowSeconds?: number;
}

/** One attempt taken from both counters; the route reports how it went. */
export interface LoginAttempt {
  /** The password was right: the attempt is given back and earlier mistakes on the pair forgiven. */
  succeeded(): Promise<void>;
}

export class LoginLimiter {
  private readonly byPair: RateLimiterRedis;
  private readonly byAddress: RateLimiterRedis;

  constructor(redis: RedisClient, keys: Keys, limits: LoginLimits = {}) {
    const duration = limits.windowSeconds ?? 60;
    const common = { storeClient: redis, useRedisPackage: false, duration };
    this.byPair = new RateLimiterRedis({ ...common, keyPrefix: keys.rateLimit('login-pair'), points: limits.perAccountAndAddress ?? 5 });
    this.byAddress = new RateLimiterRedis({ ...common, keyPrefix: keys.rateLimit('login-address'), points: limits.perAddress ?? 30 });
  }

  /**
   * Takes one attempt for this username from this address, or throws a 429 when either
   * counter is used up. The pair is taken first, so that a flood on one account is refused
   * by its own counter and leaves the address's allowance to other accounts.
   */
  async attempt(username: string, address: string): Promise<LoginAttempt> {
    // An address (req.ip) never contains "|", so the pair key cannot collide.
    const pair = `${address}|${username}`;
    await this.take(this.byPair, pair, 'this account');
    try {
      await this.take(this.byAddress, address, 'your network address');
    } catch (error) {
      // Refused before any check: the pair's attempt was not used.
      await this.byPair.reward(pair, 1);
      throw error;
    }
    return {
      succeeded: async () => {
        await Promise.all([this.byPair.delete(pair), this.byAddress.reward(address, 1)]);
      },
    };
  }

  private async take(limiter: RateLimiterRedis, key: string, what: string): Promise<void> {
    try {
      await limiter.consume(key, 1);
    } catch (rejection) {
      // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, with an Error when Redis fails.
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new AppError('rate_limited', `password: too many failed logins for ${what}; wait ${seconds} seconds and try again`, seconds);
    }
  }
}

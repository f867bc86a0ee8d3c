import type { Redis } from '@passerelle/core';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Per channel account pacing shared by every sender process (the counters
 * live in Redis), so starting more workers never sends faster than a
 * provider allows one number or bot to send.
 */
export class AccountRateLimits {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** 0 when the send may go now, otherwise how long to wait. */
  async waitMs(channel: string, account: string, perSecond: number | undefined): Promise<number> {
    if (!perSecond) return 0;
    const limiter = this.limiterFor(channel, perSecond);
    try {
      await limiter.consume(account, 1);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
      throw rejection;
    }
  }

  private limiterFor(channel: string, perSecond: number): RateLimiterRedis {
    const id = `${channel}:${perSecond}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.prefix}:rate:${channel}`,
        points: perSecond,
        duration: 1,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

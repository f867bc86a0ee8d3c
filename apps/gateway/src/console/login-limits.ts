/**
 * Brute-force brakes on the console login, counted in Redis (shared by every
 * gateway process): failed attempts per (email, IP), 5 per 15 minutes, and
 * per IP, 30 per hour.
 *
 * A point is taken from both counters *before* the password is checked, so
 * that a hundred attempts sent at once cannot all slip in before the first
 * failure is counted (and a refused attempt costs no scrypt work). A success
 * gives the points back and clears the (email, IP) counter; a refusal gives
 * back the point taken from the counter that was not the one to refuse.
 */
import { isIPv6 } from 'node:net';
import type { Redis } from '@passerelle/core';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export const LOGIN_LIMITS = {
  perEmailAndIp: { points: 5, durationSeconds: 15 * 60 },
  perIp: { points: 30, durationSeconds: 60 * 60 },
} as const;

/**
 * How an allowed attempt ended: 'success' clears the (email, IP) counter, 'failure' keeps
 * the points taken, 'error' (database down, corrupt hash) gives them back.
 */
export type AttemptOutcome = 'success' | 'failure' | 'error';

export type LoginAttempt =
  | { allowed: true; release(outcome: AttemptOutcome): Promise<void> }
  | { allowed: false; retryAfterMs: number };

/** The Redis keys behind the two counters (for tests, and for an admin who must unblock someone by hand). */
export function loginLimitKeys(prefix: string, email: string, ip: string): { emailAndIp: string; ip: string } {
  const address = ipKey(ip);
  return {
    emailAndIp: `${prefix}:console:login-fail:email-ip:${emailAndIpKey(email, address)}`,
    ip: `${prefix}:console:login-fail:ip:${address}`,
  };
}

export class LoginLimits {
  private readonly byEmailAndIp: RateLimiterRedis;
  private readonly byIp: RateLimiterRedis;

  constructor(redis: Redis, prefix: string) {
    this.byEmailAndIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:console:login-fail:email-ip`,
      points: LOGIN_LIMITS.perEmailAndIp.points,
      duration: LOGIN_LIMITS.perEmailAndIp.durationSeconds,
    });
    this.byIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:console:login-fail:ip`,
      points: LOGIN_LIMITS.perIp.points,
      duration: LOGIN_LIMITS.perIp.durationSeconds,
    });
  }

  /**
   * Takes a point from each counter. When either is spent, the attempt is
   * refused with how long to wait; otherwise call release() once, when the
   * password has been checked.
   */
  async attempt(email: string, ip: string): Promise<LoginAttempt> {
    const address = ipKey(ip);
    const pairKey = emailAndIpKey(email, address);
    const [pair, perIp] = await Promise.allSettled([this.byEmailAndIp.consume(pairKey), this.byIp.consume(address)]);
    const refusals = [pair, perIp].flatMap((result) =>
      result.status === 'rejected' && result.reason instanceof RateLimiterRes ? [result.reason] : [],
    );
    const failure = [pair, perIp].find(
      (result) => result.status === 'rejected' && !(result.reason instanceof RateLimiterRes),
    );
    if (failure || refusals.length > 0) {
      // Only attempts whose password was checked count: give back what this refused attempt took.
      await Promise.all([
        pair.status === 'fulfilled' ? this.byEmailAndIp.reward(pairKey, 1) : undefined,
        perIp.status === 'fulfilled' ? this.byIp.reward(address, 1) : undefined,
      ]);
      if (failure?.status === 'rejected') throw failure.reason;
      return { allowed: false, retryAfterMs: Math.max(1_000, ...refusals.map((refusal) => refusal.msBeforeNext)) };
    }
    return {
      allowed: true,
      release: async (outcome) => {
        if (outcome === 'failure') return;
        await Promise.all([
          outcome === 'success' ? this.byEmailAndIp.delete(pairKey) : this.byEmailAndIp.reward(pairKey, 1),
          this.byIp.reward(address, 1),
        ]);
      },
    };
  }
}

function emailAndIpKey(email: string, address: string): string {
  return `${email.trim().toLowerCase()}|${address}`;
}

/**
 * The address a limit counts for: IPv4 as is (also when written ::ffff:a.b.c.d),
 * IPv6 by its /64, since one subscriber usually holds a whole /64 and could
 * otherwise change address at every attempt.
 */
export function ipKey(ip: string): string {
  const bare = ip.trim().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(bare)) return bare || 'unknown';
  const [head = '', tail = ''] = bare.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = bare.includes('::') && tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) takes two groups; it lies beyond the /64 anyway.
  const width = (groups: string[]) => groups.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
  const groups = bare.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - width(left) - width(right))).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

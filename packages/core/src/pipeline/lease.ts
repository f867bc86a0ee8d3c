/**
 * A job only one process may do at a time, whichever process it is: Telegram
 * serves getUpdates to one caller (a second long poll ends the first with 409
 * Conflict), a broadcast is dispatched by one worker. The process holding
 * this Redis lease does it; the others wait and take over within one lease
 * period if it dies.
 */
import type { Redis } from '../queues/redis.js';
import { defineScript } from './lua.js';

/** KEYS: lease. ARGV: owner, ttlMs. 1 when the caller holds the lease (taken or renewed). */
const HOLD = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/** KEYS: lease. ARGV: owner. Lets go only of a lease we hold. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface Lease {
  /** Takes the lease or renews it; false while another process holds it. */
  hold(): Promise<boolean>;
  release(): Promise<void>;
}

export function redisLease(redis: Redis, key: string, owner: string, ttlMs: number): Lease {
  const hold = defineScript(redis, 'lease_hold', 1, HOLD);
  const release = defineScript(redis, 'lease_release', 1, RELEASE);
  return {
    hold: async () => (await hold([key], [owner, ttlMs])) === 1,
    release: async () => {
      await release([key], [owner]);
    },
  };
}

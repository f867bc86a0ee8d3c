/**
 * Lua scripts of the ordered queue. Each runs atomically in Redis, which is
 * what makes "accept once", "one owner per conversation" and "release only
 * when nothing is left" hold across any number of processes. Every key a
 * script touches carries the same {conversation} hash tag.
 */

/** KEYS: status, mailbox. ARGV: ttlSeconds, itemJson. Returns 1 if accepted, 0 if seen before. */
export const ACCEPT = `
if redis.call('SET', KEYS[1], 'q', 'NX', 'EX', ARGV[1]) then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  return 1
end
return 0`;

/**
 * KEYS: lock, hold. ARGV: owner, lockMs.
 * Returns 1 when the caller owns the conversation, 0 when someone else does,
 * -1 when the conversation is held back for a retry delay.
 */
export const TRY_LOCK = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** KEYS: lock. ARGV: owner, lockMs. Returns 1 if still owned. */
export const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/**
 * KEYS: lock, mailbox, status, tries. ARGV: owner, headJson, itemId, ttlSeconds.
 * Pops the handled head and marks it done, only if the caller still owns the
 * conversation: a process that stalled past its lock must not pop what the
 * new owner is working on. Returns 1 when done, 0 when the lock was lost.
 */
export const COMPLETE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('LINDEX', KEYS[2], 0) == ARGV[2] then redis.call('LPOP', KEYS[2]) end
redis.call('SET', KEYS[3], 'd', 'EX', ARGV[4])
redis.call('HDEL', KEYS[4], ARGV[3])
return 1`;

/**
 * KEYS: lock, mailbox, hold. ARGV: owner, force ('1' or '0'), holdMs.
 * Without force, refuses (0) while the mailbox still has items, so that an
 * item pushed during the owner's last look is never stranded. With holdMs,
 * keeps everyone off the conversation for that long (retry delay).
 * Returns 1 released, 0 not empty, -1 not the owner.
 */
export const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if ARGV[2] == '0' and redis.call('LLEN', KEYS[2]) > 0 then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[3], '1', 'PX', ARGV[3]) end
redis.call('DEL', KEYS[1])
return 1`;

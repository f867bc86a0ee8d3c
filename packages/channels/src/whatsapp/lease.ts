/**
 * The WhatsApp session is owned by exactly one process at a time: a
 * WhatsApp Web session cannot be open in two browsers, and two Chromiums
 * cannot share one profile directory. Ownership is a lease in Redis that
 * every WhatsApp-enabled gateway contends for:
 *
 *   take:    SET lease owner NX PX ttl          (only when nobody holds it)
 *   renew:   compare-and-pexpire, every ttl/3   (only the owner extends it)
 *   release: compare-and-delete, on close      (only the owner removes it)
 *
 * When the owner dies, nobody renews its lease; it expires and the next
 * contender takes it within one TTL. The session's public state (waiting
 * for a QR, ready...) lives next to the lease, is written only by the lease
 * holder, and expires with it.
 */
import { bullmqQueueName, defineScript, type LuaScript, type Redis } from '@passerelle/core';

export function whatsappKeys(prefix: string) {
  // One hash tag: the lease and the state are touched together by one script on a Redis Cluster.
  const base = `${prefix}:whatsapp:{session}`;
  return {
    lease: `${base}:lease`,
    state: `${base}:state`,
    /** BullMQ queue of sends routed to the lease holder (BullMQ prefix = REDIS_KEY_PREFIX), hash-tagged. */
    sendQueue: bullmqQueueName('whatsapp-send'),
    /** Who decided a routed send's fate first: the owner (sending) or the waiting sender (giving up). */
    claim: (jobId: string) => `${prefix}:whatsapp:claim:${jobId}`,
    /** The last numbered menu sent in a chat, to turn a reply "2" into that option's payload. */
    menu: (account: string, chatId: string) => `${prefix}:whatsapp:menu:${account}:${chatId}`,
    media: (id: string) => `${prefix}:whatsapp:media:${id}`,
  };
}

/** KEYS: lease, state. ARGV: owner, ttlMs. Extends both when the caller still owns the lease. */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1`;

/** KEYS: lease, state. ARGV: owner. Deletes both when the caller still owns the lease. */
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`;

/** KEYS: lease, state. ARGV: owner, stateJson, ttlMs. A process that lost the lease cannot overwrite the state. */
const WRITE_STATE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1`;

export class SessionLease {
  private readonly keys: ReturnType<typeof whatsappKeys>;
  private readonly renewScript: LuaScript;
  private readonly releaseScript: LuaScript;
  private readonly writeStateScript: LuaScript;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly owner: string,
    readonly ttlMs: number,
  ) {
    this.keys = whatsappKeys(prefix);
    this.renewScript = defineScript(redis, 'whatsapp_lease_renew', 2, RENEW);
    this.releaseScript = defineScript(redis, 'whatsapp_lease_release', 2, RELEASE);
    this.writeStateScript = defineScript(redis, 'whatsapp_state_write', 2, WRITE_STATE);
  }

  /** True when this process now holds the lease (it was free). */
  async tryTake(): Promise<boolean> {
    return (await this.redis.set(this.keys.lease, this.owner, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  /** True while this process still holds the lease; false once someone else has it or it expired. */
  async renew(): Promise<boolean> {
    return (await this.renewScript([this.keys.lease, this.keys.state], [this.owner, this.ttlMs])) === 1;
  }

  async release(): Promise<boolean> {
    return (await this.releaseScript([this.keys.lease, this.keys.state], [this.owner])) === 1;
  }

  /** Publishes the session state for the admin page and the senders; only the holder can. */
  async writeState(json: string): Promise<boolean> {
    return (await this.writeStateScript([this.keys.lease, this.keys.state], [this.owner, json, this.ttlMs])) === 1;
  }

  /** Who holds the lease now, if anyone. */
  async holder(): Promise<string | null> {
    return this.redis.get(this.keys.lease);
  }
}

/**
 * Names of our queues and Redis keys, and the Redis Cluster hash tags in them
 * (docs/redis-cluster.md).
 *
 * A Redis Cluster hashes a key to a slot by its first {...} group when there
 * is one. Two kinds of keys must share a slot, because a Lua script or a
 * transaction touches them together:
 *  - every key of one BullMQ queue (BullMQ's scripts take a dozen of them):
 *    the BullMQ queue name is the tag, `passerelle:{inbound}:wait`;
 *  - every key of one conversation (the ordered queue's scripts):
 *    the conversation id is the tag, `passerelle:inbound:{conv-id}:box`.
 * Everything else is spread by Redis over the slots: one queue's keys live on
 * one node, conversations on all of them.
 */

/** Pipeline stages. Also the `stage` of a dead letter and the label of a queue in logs and metrics. */
export const QUEUE = {
  /** InboundEvent jobs, one per accepted provider message. */
  inbound: 'inbound',
  /** OutboundMessage jobs, one per reply, keyed by idempotency key. */
  outbound: 'outbound',
  /** Items that failed their last attempt, kept for a human to inspect or retry. */
  deadLetters: 'dead-letters',
} as const;

export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

const PLAIN_NAME = /^[a-zA-Z0-9_-]+$/;

/**
 * The name a BullMQ Queue or Worker is opened with for one of our queues:
 * the name in braces, so that all of the queue's keys (`<prefix>:{<name>}:...`)
 * hash to one Cluster slot, and different queues to different slots.
 * Every BullMQ queue we open goes through here.
 */
export function bullmqQueueName(name: string): string {
  if (!PLAIN_NAME.test(name)) {
    throw new Error(
      `queue name ${JSON.stringify(name)} may hold only letters, digits, - and _ (it becomes a hash tag)`,
    );
  }
  return `{${name}}`;
}

/**
 * Our own Redis keys of one conversation. The part in braces is a Redis Cluster
 * hash tag: every key of one conversation lands on the same slot, so the Lua
 * scripts that touch several of them stay valid on a cluster. The stage comes
 * before it without braces (a stage in braces would be the first tag and put
 * every conversation of the stage in one slot).
 */
export function conversationKey(prefix: string, stage: string, conversationId: string, suffix: string): string {
  if (stage.includes('{')) throw new Error(`stage ${JSON.stringify(stage)} must not hold a hash tag`);
  return `${prefix}:${stage}:{${conversationId}}:${suffix}`;
}

/**
 * The keys of one conversation in one stage of the ordered queue (ordered-queue.ts): its
 * mailbox, its lock, its retry hold, its tries, and an item's dedup status (the sender
 * adds `<status>:progress` and `<status>:inflight`). One hash tag: the queue's scripts
 * take several of them at once.
 */
export function conversationKeys(prefix: string, stage: string, conversationId: string, itemId = '') {
  const key = (suffix: string) => conversationKey(prefix, stage, conversationId, suffix);
  return {
    mailbox: key('box'),
    lock: key('lock'),
    hold: key('hold'),
    tries: key('tries'),
    status: key(`st:${itemId}`),
  };
}

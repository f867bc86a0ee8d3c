/** BullMQ queue names. Every arrow in DESIGN.md that crosses a process is one of these. */
export const QUEUE = {
  /** InboundEvent jobs, one per accepted provider message. */
  inbound: 'inbound',
  /** OutboundMessage jobs, one per reply, keyed by idempotency key. */
  outbound: 'outbound',
  /** Items that failed their last attempt, kept for a human to inspect or retry. */
  deadLetters: 'dead-letters',
} as const;

export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

/**
 * Our own Redis keys. The part in braces is a Redis Cluster hash tag: every key
 * of one conversation lands on the same slot, so the Lua scripts that touch
 * several of them stay valid on a cluster.
 */
export function conversationKey(prefix: string, stage: string, conversationId: string, suffix: string): string {
  return `${prefix}:${stage}:{${conversationId}}:${suffix}`;
}

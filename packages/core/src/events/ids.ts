import { createHash, randomUUID } from 'node:crypto';
import type { Channel } from './schema.js';

/**
 * Ids are hex digests, not free text, because they end up in Redis keys and
 * BullMQ job ids (which must not contain ':').
 */
function digest(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    // Length-prefix every part so ("ab","c") and ("a","bc") never collide.
    hash.update(`${part.length}:${part}|`);
  }
  return hash.digest('hex').slice(0, 32);
}

/** Same (channel, account, providerMessageId) => same id: this is what makes dedup work. */
export function inboundEventId(channel: Channel, account: string, providerMessageId: string): string {
  return `in_${digest(channel, account, providerMessageId)}`;
}

/** Stable per thread: a customer writing again next week lands in the same conversation. */
export function conversationIdFor(channel: Channel, account: string, thread: string): string {
  return `cv_${digest(channel, account, thread)}`;
}

/** The n-th reply to an inbound event always gets the same id, so a retried dialog step dedups. */
export function replyId(inboundId: string, index: number): string {
  return `out_${digest(inboundId, String(index))}`;
}

export function randomId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}

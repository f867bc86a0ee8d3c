/**
 * What the run left in Redis, key by key (MEMORY USAGE, which counts the
 * key, its value and Redis's own overhead for them), grouped into families
 * by the shape of the key: ids become *. Split into what an idle conversation
 * keeps, what each message leaves for a while (dedup markers, kept
 * DEDUP_TTL_SECONDS) and what the queues keep of past jobs (capped).
 */
import type { Redis } from '@passerelle/core';

export interface KeyFamily {
  family: string;
  kind: 'conversation' | 'message' | 'queue history';
  keys: number;
  bytes: number;
}

export interface RedisMemory {
  families: KeyFamily[];
  conversations: number;
  messages: number;
  /** Bytes of conversation state divided by the conversations: the figure an operator sizes Redis with. */
  bytesPerIdleConversation: number;
  bytesPerMessageMarker: number;
  queueHistoryBytes: number;
}

/** A segment that is an id: long, or mixing letters and digits (conversation ids, job ids, message ids). */
const ID_SEGMENT = /^(?=.*\d)[\w.+@-]{6,}$|^[0-9a-f-]{16,}$/i;

export function familyOf(key: string, prefix: string): string {
  const rest = key.startsWith(`${prefix}:`) ? key.slice(prefix.length + 1) : key;
  return (
    rest
      // A queue's own tag ({inbound}) stays; a conversation's id becomes {*}.
      .replace(/\{([^}]*)\}/g, (group, inside: string) => (/^[a-z-]+$/.test(inside) ? group : '{*}'))
      .split(':')
      .map((segment) => (ID_SEGMENT.test(segment) ? '*' : segment))
      .join(':')
  );
}

function kindOf(family: string): KeyFamily['kind'] {
  if (/:st:|dedup/.test(family)) return 'message';
  // BullMQ's own keys: job hashes, their logs, the ordered sets of completed and failed jobs, events.
  if (/^\{?(inbound|outbound|dead-letters)\}?:(?!\{\*\})/.test(family)) return 'queue history';
  return 'conversation';
}

export async function measureRedisMemory(
  redis: Redis,
  prefix: string,
  counts: { conversations: number; messages: number },
): Promise<RedisMemory> {
  const byFamily = new Map<string, KeyFamily>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const family = familyOf(key, prefix);
      const entry = byFamily.get(family) ?? { family, kind: kindOf(family), keys: 0, bytes: 0 };
      entry.keys += 1;
      entry.bytes += Number(sizes[i]?.[1] ?? 0);
      byFamily.set(family, entry);
    });
  } while (cursor !== '0');
  const families = [...byFamily.values()].sort((a, b) => b.bytes - a.bytes);
  const sum = (kind: KeyFamily['kind']) =>
    families.filter((family) => family.kind === kind).reduce((total, family) => total + family.bytes, 0);
  return {
    families,
    ...counts,
    bytesPerIdleConversation: sum('conversation') / Math.max(1, counts.conversations),
    bytesPerMessageMarker: sum('message') / Math.max(1, counts.messages),
    queueHistoryBytes: sum('queue history'),
  };
}

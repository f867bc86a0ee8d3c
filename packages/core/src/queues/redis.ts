import { Redis } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * One place that opens Redis connections. `maxRetriesPerRequest: null` is
 * what BullMQ requires of the connections its workers block on; we use the
 * same settings everywhere so a connection can be shared with BullMQ.
 */
export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: name,
    // Reconnect forever with a capped delay: Redis restarts must not kill the process.
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  });
}

/** Resolves when Redis answers, rejects after timeoutMs with a message that says what to do. */
export async function waitForRedis(redis: Redis, url: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await Promise.race([
        redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer')), 1_000)),
      ]);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const host = safeRedisAddress(url);
  throw new Error(
    `Redis is not reachable at ${host} (${String((lastError as Error)?.message ?? lastError)}). ` +
      'Start one (apt-get install redis-server, or docker compose up -d redis) or set REDIS_URL.',
  );
}

/** host:port of a Redis URL, without the password. */
export function safeRedisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

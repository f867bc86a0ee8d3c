/**
 * When Redis cannot take a message, the gateway says so at once instead of
 * holding the request: a webhook answers 503 with Retry-After, the web chat
 * socket an 'unavailable' error frame, and nothing is acknowledged that is
 * not on the queue.
 *
 * Why not simply wait: every connection of ours is opened with ioredis's
 * offline queue on and no retry limit (connectRedis), which is what the
 * workers and BullMQ need to ride out a Redis restart. A webhook on such a
 * connection, with Redis away, hangs until Redis is back: Telegram, the Bot
 * Connector and the rest retry on their own schedule meanwhile, and the held
 * connections pile up. So the gateway's edge (webhooks, the web chat socket)
 * uses a connection of its own that fails fast (connectRedis `failFast`):
 * no offline queue, each command bounded by EDGE_COMMAND_TIMEOUT_MS, and
 * accepting a message as a whole bounded by ACCEPT_DEADLINE_MS.
 *
 * A message whose accept timed out may still land afterwards (its commands
 * had reached Redis, which answered late). That is harmless: the provider
 * was told 503 and sends it again, and the ordered queue's dedup on the
 * provider's message id (OrderedQueue.enqueue: the status key, BullMQ's job
 * id, the ACCEPT script's SET NX) takes it once whichever copy gets there first.
 */
import type { Redis } from './redis.js';

/** How long accepting one message (dedup check, BullMQ job, mailbox) may take before the caller is told 503. */
export const ACCEPT_DEADLINE_MS = 1_500;
/** How long one command on a fail-fast connection may wait for Redis's answer. */
export const EDGE_COMMAND_TIMEOUT_MS = 1_000;
/** What a refused caller is told to wait: long enough for a restarting Redis, short for a person typing. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 3;

/** Redis cannot take the message now; the caller should try again after retryAfterSeconds. */
export class RedisUnavailable extends Error {
  readonly retryAfterSeconds = UNAVAILABLE_RETRY_AFTER_SECONDS;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Redis is unavailable (${reason})`, options);
    this.name = 'RedisUnavailable';
  }
}

/**
 * What ioredis and Redis say when the command could not run for now, as opposed to a bug or
 * bad data: the connection is down or not ready (fail-fast connections refuse at once), no
 * answer came in time, or Redis refuses writes for a while (loading its data, out of memory,
 * a failover, a busy script).
 */
const UNAVAILABLE_MESSAGES = [
  "Stream isn't writeable and enableOfflineQueue options is false",
  "Cluster isn't ready and enableOfflineQueue options is false",
  'Command timed out',
  'Connection is closed.',
  'None of startup nodes is available',
  'Cluster is disconnected.',
  'Node is disconnected',
];
const UNAVAILABLE_REPLY_CODES = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|OOM|MISCONF|READONLY|NOREPLICAS)\b/;
const UNAVAILABLE_ERROR_NAMES = new Set(['RedisUnavailable', 'MaxRetriesPerRequestError', 'ClusterAllFailedError']);

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return true;
  return UNAVAILABLE_MESSAGES.includes(error.message) || UNAVAILABLE_REPLY_CODES.test(error.message);
}

/** The error as RedisUnavailable when it is one of those, else unchanged. */
export function asRedisUnavailable(error: unknown): unknown {
  if (error instanceof RedisUnavailable || !isRedisUnavailable(error)) return error;
  return new RedisUnavailable((error as Error).message, { cause: error });
}

/** Whether the connection is up and ready for commands (a cluster: its slots known). */
export function redisReady(redis: Redis): boolean {
  return redis.status === 'ready';
}

/**
 * Waits for `work` at most `deadlineMs`, then throws RedisUnavailable; a failure of the work that
 * says Redis could not run it becomes RedisUnavailable too. Work already sent is not taken back
 * and may still complete: see the module comment for why that is harmless for an enqueue. (On a
 * fail-fast connection a command fails at once while Redis is away: the deadline is for a Redis
 * that is connected but slow or stuck.)
 */
export async function withinDeadline<T>(deadlineMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailable(`no answer within ${deadlineMs} ms`)), deadlineMs);
  });
  // Once the deadline has answered for it, a late failure of the work is nobody's to handle.
  work.catch(() => {});
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    throw asRedisUnavailable(error);
  } finally {
    clearTimeout(timer);
  }
}

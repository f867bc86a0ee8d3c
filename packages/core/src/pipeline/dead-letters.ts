import { Queue } from 'bullmq';
import type { Channel, Purpose } from '../events/schema.js';
import { bullmqQueueName, QUEUE } from '../queues/names.js';
import type { Redis } from '../queues/redis.js';

export interface DeadLetter<T = unknown> {
  stage: string;
  itemId: string;
  conversationId: string;
  item: T;
  error: string;
  attempts: number;
  failedAt: string;
  /**
   * For an outbound message: 'unknown' when the provider may have it (a send that got no answer,
   * kept rather than sent again: at most once), 'failed' when it surely does not. Absent on
   * inbound items and on letters written before it was kept.
   */
  outcome?: 'unknown' | 'failed' | undefined;
}

/**
 * A message sent again because an earlier send of it had an unknown outcome and its purpose is
 * at least once (bot.yaml `delivery.uncertain`): the customer may have it twice. Not a dead
 * letter (nothing is left to do), listed beside them so that a person sees what was resent.
 */
export interface ResentSend {
  messageId: string;
  idempotencyKey: string;
  conversationId: string;
  channel: Channel;
  purpose: Purpose;
  /** Which provider call of the message (1-based) and how many it takes. */
  call: number;
  calls: number;
  /** Why its outcome was unknown, and what the provider said when it was asked. */
  reason: string;
  resentAt: string;
}

/** The newest resends kept, and for how long after the last one. */
const RESENT_KEPT = 1_000;
const RESENT_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Items that failed their last attempt. A BullMQ queue that no worker
 * consumes: it keeps them in Redis, countable and listable, until a human
 * retries or removes them (`gateway dead-letters`).
 */
export class DeadLetters {
  readonly queue: Queue;

  private readonly resentKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.queue = new Queue(bullmqQueueName(QUEUE.deadLetters), { connection: redis, prefix });
    // One list, outside the BullMQ queue's keys (BullMQ owns everything under its hash tag).
    this.resentKey = `${prefix}:resent-after-unknown`;
  }

  async add(letter: DeadLetter): Promise<void> {
    // One entry per item and stage, however often it is dead-lettered.
    await this.queue.add(letter.stage, letter, { jobId: `${letter.stage}-${letter.itemId}`, removeOnComplete: true });
  }

  async count(): Promise<number> {
    return this.queue.getWaitingCount();
  }

  async list(limit = 100): Promise<Array<DeadLetter & { id: string }>> {
    const jobs = await this.queue.getJobs(['waiting'], 0, Math.max(0, limit - 1), true);
    return jobs.map((job) => ({ id: String(job.id), ...(job.data as DeadLetter) }));
  }

  async get(id: string): Promise<(DeadLetter & { id: string }) | undefined> {
    const job = await this.queue.getJob(id);
    return job ? { id, ...(job.data as DeadLetter) } : undefined;
  }

  async remove(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job) return false;
    await job.remove();
    return true;
  }

  /** Notes a resend after an unknown outcome (newest first, the last RESENT_KEPT of them). */
  async recordResent(resent: ResentSend): Promise<void> {
    await this.redis
      .multi()
      .lpush(this.resentKey, JSON.stringify(resent))
      .ltrim(this.resentKey, 0, RESENT_KEPT - 1)
      .expire(this.resentKey, RESENT_TTL_SECONDS)
      .exec();
  }

  async countResent(): Promise<number> {
    return this.redis.llen(this.resentKey);
  }

  /** The newest resends first. */
  async listResent(limit = 100): Promise<ResentSend[]> {
    const items = await this.redis.lrange(this.resentKey, 0, Math.max(0, limit - 1));
    return items.map((item) => JSON.parse(item) as ResentSend);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

import { Queue } from 'bullmq';
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
}

/**
 * Items that failed their last attempt. A BullMQ queue that no worker
 * consumes: it keeps them in Redis, countable and listable, until a human
 * retries or removes them (`gateway dead-letters`).
 */
export class DeadLetters {
  readonly queue: Queue;

  constructor(redis: Redis, prefix: string) {
    this.queue = new Queue(bullmqQueueName(QUEUE.deadLetters), { connection: redis, prefix });
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

  close(): Promise<void> {
    return this.queue.close();
  }
}

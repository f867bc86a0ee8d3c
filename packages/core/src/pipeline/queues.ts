import type { Config } from '../config/env.js';
import type { InboundEvent, OutboundMessage } from '../events/schema.js';
import { QUEUE } from '../queues/names.js';
import type { Redis } from '../queues/redis.js';
import { DeadLetters } from './dead-letters.js';
import type { OrderedWorkerOptions } from './ordered-queue.js';
import { OrderedQueue } from './ordered-queue.js';

/** The three queues of DESIGN.md, opened the same way by every role. */
export interface PipelineQueues {
  inbound: OrderedQueue<InboundEvent>;
  outbound: OrderedQueue<OutboundMessage>;
  deadLetters: DeadLetters;
  close(): Promise<void>;
}

type QueueConfig = Pick<Config, 'redisKeyPrefix'> & { pipeline: Pick<Config['pipeline'], 'dedupTtlSeconds'> };

export function openPipelineQueues(redis: Redis, config: QueueConfig): PipelineQueues {
  const common = { redis, prefix: config.redisKeyPrefix, dedupTtlSeconds: config.pipeline.dedupTtlSeconds };
  const inbound = openInboundQueue(redis, config);
  const outbound = new OrderedQueue<OutboundMessage>({
    ...common,
    name: QUEUE.outbound,
    // The idempotency key, not the message id, is what must never be sent twice.
    identify: (message) => ({ id: message.idempotencyKey, conversationId: message.conversationId }),
  });
  const deadLetters = new DeadLetters(redis, config.redisKeyPrefix);
  return {
    inbound,
    outbound,
    deadLetters,
    async close() {
      await Promise.all([inbound.close(), outbound.close(), deadLetters.close()]);
    },
  };
}

/**
 * The inbound queue alone, on a connection of the caller's choosing: the gateway's edge adds
 * jobs to it through a fail-fast connection (availability.ts). Same queue, same keys.
 */
export function openInboundQueue(redis: Redis, config: QueueConfig): OrderedQueue<InboundEvent> {
  return new OrderedQueue<InboundEvent>({
    redis,
    prefix: config.redisKeyPrefix,
    dedupTtlSeconds: config.pipeline.dedupTtlSeconds,
    name: QUEUE.inbound,
    identify: (event) => ({ id: event.id, conversationId: event.conversationId }),
  });
}

/** Puts a dead letter back on its queue, as if it had just arrived, and removes it from the dead letters. */
export async function retryDeadLetter(queues: PipelineQueues, id: string): Promise<'retried' | 'not found'> {
  const letter = await queues.deadLetters.get(id);
  if (!letter) return 'not found';
  const target =
    letter.stage === QUEUE.inbound ? queues.inbound : letter.stage === QUEUE.outbound ? queues.outbound : undefined;
  if (!target) throw new Error(`dead letter ${id} is from unknown stage ${letter.stage}`);
  await (target as OrderedQueue<unknown>).forget(letter.item);
  await (target as OrderedQueue<unknown>).enqueue(letter.item);
  await queues.deadLetters.remove(id);
  return 'retried';
}

type WorkerSettings = Pick<
  OrderedWorkerOptions<unknown>,
  'concurrency' | 'lockMs' | 'stalledIntervalMs' | 'maxAttempts' | 'backoff'
>;

/** The tuning variables of one stage (dialog or sender), as an OrderedWorker takes them. */
export function stageSettings(pipeline: Config['pipeline'], stage: 'inbound' | 'outbound'): WorkerSettings {
  return {
    concurrency: stage === 'inbound' ? pipeline.workerConcurrency : pipeline.senderConcurrency,
    lockMs: pipeline.conversationLockMs,
    stalledIntervalMs: pipeline.stalledIntervalMs,
    maxAttempts: stage === 'inbound' ? pipeline.inboundMaxAttempts : pipeline.outboundMaxAttempts,
    backoff: { baseMs: pipeline.retryBaseMs, maxMs: pipeline.retryMaxMs },
  };
}

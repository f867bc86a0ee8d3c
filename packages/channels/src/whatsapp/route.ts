/**
 * Sends are made by whichever worker process takes the outbound job, but
 * only the lease holder has a WhatsApp client. So a send is routed to the
 * holder through a BullMQ queue of its own ("{whatsapp-send}", under
 * REDIS_KEY_PREFIX) that only the holder consumes, and the sender waits for
 * the job's result.
 *
 * At most once, whoever gives up first: before the holder sends, it claims
 * the job (SET claim NX); a sender whose wait timed out claims it too, as
 * "abandoned". Exactly one of them wins. If the sender wins, the job will
 * never be sent and the send can safely be retried; if the holder won, the
 * message may be on its way, and the sender reports an ambiguous outcome
 * unless the result still comes in during a short grace period.
 */
import { randomUUID } from 'node:crypto';
import type { Logger, Redis } from '@passerelle/core';
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { ProviderError, type ProviderOutcome, type SendReceipt } from '../types.js';
import { whatsappKeys } from './lease.js';
import type { WhatsappRequest } from './render.js';
import { PHASE_LABELS, readSessionState } from './state.js';

export interface SendJob {
  request: WhatsappRequest;
  /** The account the conversation is with; the holder refuses to send from another number. */
  account: string;
}

export type SendResult =
  | { outcome: 'sent'; providerMessageId?: string | undefined }
  | { outcome: ProviderOutcome; error: string; retryAfterMs?: number | undefined }
  /** The waiting sender gave up on the job before the holder took it: not sent. */
  | { outcome: 'abandoned' };

export interface RouteTimeouts {
  /** How long a sender waits for the holder to take and finish a send. */
  waitMs: number;
  /** Extra wait once the holder is known to have started it. */
  graceMs: number;
}

export const DEFAULT_ROUTE_TIMEOUTS: RouteTimeouts = { waitMs: 30_000, graceMs: 15_000 };
const CLAIM_TTL_MS = 24 * 3600 * 1000;
/** When the session is not ready, try again in a while rather than at the sender's backoff pace. */
const NOT_READY_RETRY_MS = 5_000;

/** The sender side, in any worker process. */
export class SendRouter {
  private queue: Queue | undefined;
  private events: QueueEvents | undefined;
  private readonly keys: ReturnType<typeof whatsappKeys>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly timeouts: RouteTimeouts = DEFAULT_ROUTE_TIMEOUTS,
  ) {
    this.keys = whatsappKeys(prefix);
  }

  async route(job: SendJob): Promise<SendReceipt> {
    const state = await readSessionState(this.redis, this.prefix);
    if (state?.phase !== 'ready') {
      // Nothing was queued: the send is simply tried again later.
      throw new ProviderError(`WhatsApp is not connected: ${PHASE_LABELS[state?.phase ?? 'no-owner']}`, 'retry', {
        retryAfterMs: NOT_READY_RETRY_MS,
      });
    }
    const { queue, events } = this.open();
    const jobId = `wa-${randomUUID()}`;
    const added = await queue.add('send', job, {
      jobId,
      attempts: 1,
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
    let result: SendResult;
    try {
      result = (await added.waitUntilFinished(events, this.timeouts.waitMs)) as SendResult;
    } catch (error) {
      result = await this.settleUnanswered(added, error);
    }
    return receiptOf(result);
  }

  /** No result in time (or the job failed): decide with the claim whether it may have been sent. */
  private async settleUnanswered(job: Job, cause: unknown): Promise<SendResult> {
    const jobId = String(job.id);
    const withdrawn = (await this.redis.set(this.keys.claim(jobId), 'abandoned', 'PX', CLAIM_TTL_MS, 'NX')) === 'OK';
    if (withdrawn) {
      await job.remove().catch(() => {});
      return {
        outcome: 'retry',
        error: 'the WhatsApp session holder did not take the send in time; it was withdrawn unsent',
        retryAfterMs: NOT_READY_RETRY_MS,
      };
    }
    if (this.events && /timed out/.test(String((cause as Error)?.message))) {
      try {
        return (await job.waitUntilFinished(this.events, this.timeouts.graceMs)) as SendResult;
      } catch {
        // Fall through: the holder started the send and never said how it ended.
      }
    }
    return {
      outcome: 'ambiguous',
      error: `the WhatsApp session holder started the send and gave no result (${(cause as Error)?.message ?? cause})`,
    };
  }

  private open(): { queue: Queue; events: QueueEvents } {
    // Opened on the first send: a worker that never sends to WhatsApp holds no extra connection.
    this.queue ??= new Queue(this.keys.sendQueue, { connection: this.redis, prefix: this.prefix });
    this.events ??= new QueueEvents(this.keys.sendQueue, { connection: this.redis, prefix: this.prefix });
    return { queue: this.queue, events: this.events };
  }

  async close(): Promise<void> {
    await Promise.all([this.events?.close(), this.queue?.close()]);
  }
}

function receiptOf(result: SendResult): SendReceipt {
  switch (result.outcome) {
    case 'sent':
      return { providerMessageId: result.providerMessageId };
    case 'abandoned':
      // Only the sender that abandoned a job gets this, and it answered 'retry' itself.
      throw new ProviderError('the send was withdrawn before it was made', 'retry');
    default:
      throw new ProviderError(result.error, result.outcome, { retryAfterMs: result.retryAfterMs });
  }
}

/** The holder side: consumes routed sends while this process holds the lease. */
export function startSendConsumer(options: {
  redis: Redis;
  prefix: string;
  owner: string;
  concurrency: number;
  logger: Logger;
  execute: (job: SendJob) => Promise<SendResult>;
}): { close(): Promise<void> } {
  const { redis, prefix, owner, logger } = options;
  const keys = whatsappKeys(prefix);
  const worker = new Worker(
    keys.sendQueue,
    async (job: Job<SendJob>): Promise<SendResult> => {
      const jobId = String(job.id);
      const claimed = (await redis.set(keys.claim(jobId), owner, 'PX', CLAIM_TTL_MS, 'NX')) === 'OK';
      if (!claimed) {
        if ((await redis.get(keys.claim(jobId))) === 'abandoned') return { outcome: 'abandoned' };
        // Claimed before by a holder that stopped mid-send (the job stalled and came back).
        return { outcome: 'ambiguous', error: 'a previous session holder was sending this when it stopped' };
      }
      try {
        return await options.execute(job.data);
      } catch (error) {
        logger.error({ err: error, channel: 'whatsapp' }, 'WhatsApp send failed unexpectedly');
        return { outcome: 'ambiguous', error: `send failed unexpectedly: ${(error as Error)?.message ?? error}` };
      }
    },
    { connection: redis, prefix, concurrency: options.concurrency },
  );
  worker.on('error', (error) => logger.error({ err: error, channel: 'whatsapp' }, 'WhatsApp send consumer error'));
  return { close: () => worker.close() };
}

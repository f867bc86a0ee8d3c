/**
 * The channel sender: takes OutboundMessage jobs in order per conversation,
 * paces them per channel account, renders them for the channel and calls the
 * provider, records delivery status, and turns provider failures into
 * retries (honouring Retry-After), dead letters or opt-outs.
 *
 * At most once per idempotency key: the ordered queue never hands out a key
 * twice once it is done, and within a message each provider call is marked
 * (its index and start time) before it goes out. A retry that finds a call
 * marked but not finished (the process died mid-call) cannot know by itself
 * whether the provider got it; nor can a call that timed out or lost its
 * connection before the answer. Where the channel can ask the provider
 * (reconcile), the call is counted as done when the provider has it and sent
 * when the provider shows it absent: exactly once. Otherwise, or when the
 * provider's answer does not settle it, it is not sent again: the message is
 * recorded as 'unknown' and kept as a dead letter for a human.
 */
import {
  type Config,
  type Db,
  GiveUp,
  type Logger,
  markDelivery,
  OrderedWorker,
  type OutboundMessage,
  type PipelineObserver,
  type PipelineQueues,
  type Redis,
  RetryLater,
  recordOptOut,
  stageSettings,
} from '@passerelle/core';
import { AccountRateLimits } from './rate-limit.js';
import { type ChannelSender, ProviderError, type Reconciliation } from './types.js';

export interface SenderDeps {
  redis: Redis;
  db: Db;
  queues: PipelineQueues;
  senders: ReadonlyMap<string, ChannelSender>;
  config: Pick<Config, 'redisKeyPrefix' | 'pipeline'>;
  logger: Logger;
  observer: PipelineObserver;
}

export function startChannelSender(deps: SenderDeps): OrderedWorker<OutboundMessage> {
  const { redis, db, queues, config, logger, observer } = deps;
  const limits = new AccountRateLimits(redis, config.redisKeyPrefix);
  const progressKeys = (message: OutboundMessage) => {
    const keys = queues.outbound.keys(message.conversationId, message.idempotencyKey);
    return { progress: `${keys.status}:progress`, inFlight: `${keys.status}:inflight` };
  };

  async function deliver(message: OutboundMessage, attempt: number, stillOwner: () => Promise<boolean>) {
    const sender = deps.senders.get(message.to.channel);
    if (!sender) throw new GiveUp(`channel ${message.to.channel} is not enabled in this process`);
    const requests = sender.render(message);
    const keys = progressKeys(message);
    const ttl = config.pipeline.dedupTtlSeconds;
    const done = Number((await redis.get(keys.progress)) ?? 0);
    let providerMessageId: string | undefined;

    const recordDone = (index: number) =>
      redis
        .multi()
        .set(keys.progress, String(index + 1), 'EX', ttl)
        .del(keys.inFlight)
        .exec();

    for (let index = done; index < requests.length; index++) {
      const marker = sender.idempotent ? undefined : parseInFlight(await redis.get(keys.inFlight));
      if (marker?.index === index) {
        const settlesAt = (marker.startedAt ?? 0) + (sender.reconcileAfterMs ?? DEFAULT_RECONCILE_AFTER_MS);
        if (sender.reconcile && marker.startedAt !== undefined && Date.now() < settlesAt) {
          // The interrupted request may still reach the provider: ask only once it no longer can.
          throw new RetryLater('an interrupted call may still be on its way to the provider', {
            afterMs: settlesAt - Date.now(),
            countsAsAttempt: false,
          });
        }
        const settled = await settleInterrupted(sender, requests[index], message, marker);
        const what = `call ${index + 1} of ${requests.length} got no answer (its sender stopped, or it timed out)`;
        logger.info(
          {
            channel: message.to.channel,
            conversationId: message.conversationId,
            call: index + 1,
            ...outcomeOf(settled),
          },
          'settled a send that got no answer',
        );
        if (settled.outcome === 'sent') {
          providerMessageId = settled.providerMessageId ?? providerMessageId;
          await recordDone(index);
          continue;
        }
        if (settled.outcome === 'unknown') throw new AmbiguousSend(`${what}; ${settled.reason}`);
        // 'not-sent': the old call never reached the provider. Dropping the marker now means
        // a pacing wait below does not make the next try ask the provider again.
        await redis.del(keys.inFlight);
      }
      // A slot within the next moment is booked and waited for here; further off, the message
      // steps aside (its conversation is free meanwhile) and asks again then.
      const slot = await limits.reserve(
        message.to.channel,
        message.to.account,
        sender.ratePerSecond,
        LONGEST_PACE_WAIT_MS,
      );
      if (!slot.reserved) {
        throw new RetryLater('account rate limit', {
          afterMs: Math.max(1, slot.waitMs - LONGEST_PACE_WAIT_MS),
          countsAsAttempt: false,
        });
      }
      if (slot.waitMs > 0) {
        await sleep(slot.waitMs);
        // Stalled past the conversation's lock while waiting, another process may be sending it.
        if (!(await stillOwner())) throw new RetryLater('lost the conversation while waiting for its turn');
      }

      await redis.set(keys.inFlight, formatInFlight({ index, startedAt: Date.now() }), 'EX', ttl);
      if (index === done && attempt === 1) await markDelivery(db, message.id, { status: 'sending', attempts: attempt });
      try {
        const receipt = await sender.send(requests[index], message);
        providerMessageId = receipt.providerMessageId ?? providerMessageId;
      } catch (error) {
        if (!(error instanceof ProviderError) || error.outcome !== 'ambiguous') await redis.del(keys.inFlight);
        throw mapProviderError(error, sender);
      }
      await recordDone(index);
    }
    await markDelivery(db, message.id, { status: 'sent', providerMessageId, attempts: attempt });
    observer.replyFinished(message.to.channel, 'sent', secondsSince(message.causedAt));
  }

  return new OrderedWorker<OutboundMessage>(queues.outbound, {
    ...stageSettings(config.pipeline, 'outbound'),
    deadLetters: queues.deadLetters,
    logger,
    handle: (message, { attempt, stillOwner }) => deliver(message, attempt, stillOwner),
    async onGiveUp(message, error, attempts) {
      if (error instanceof GiveUp && error.options.reason === 'opted-out') {
        // The provider says this person unsubscribed (Twilio 21610, a blocked Telegram bot...): remember it.
        await recordOptOut(db, message.to, 'provider');
        logger.info(
          { channel: message.to.channel, conversationId: message.conversationId },
          'recipient opted out at the provider',
        );
      }
      const unknown = error instanceof AmbiguousSend;
      await markDelivery(db, message.id, { status: unknown ? 'unknown' : 'failed', error: error.message, attempts });
      observer.replyFinished(message.to.channel, unknown ? 'unknown' : 'failed');
    },
  });
}

/** When a channel does not say how long its calls may take: the default call time limit and a margin. */
const DEFAULT_RECONCILE_AFTER_MS = 16_000;

/** How far ahead a send books its slot of the account's rate and waits for it in hand. */
const LONGEST_PACE_WAIT_MS = 1_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The provider may have the message: resending could deliver it twice, so we stop. */
class AmbiguousSend extends GiveUp {}

/** What the in-flight marker holds: which call was going out, and since when (this process's clock). */
interface InFlight {
  index: number;
  /** Absent in markers written before the start time was kept: those cannot be reconciled. */
  startedAt?: number | undefined;
}

function formatInFlight(marker: Required<InFlight>): string {
  return `${marker.index}@${marker.startedAt}`;
}

function parseInFlight(value: string | null): InFlight | undefined {
  const match = value === null ? null : /^(\d+)(?:@(\d+))?$/.exec(value);
  if (!match) return undefined;
  return { index: Number(match[1]), startedAt: match[2] === undefined ? undefined : Number(match[2]) };
}

/**
 * Asks the channel's provider about an interrupted call. Anything short of a
 * clear answer (no reconcile, no start time, a failure to ask) is 'unknown':
 * sending again on a guess could deliver the message twice.
 */
async function settleInterrupted<Request>(
  sender: ChannelSender<Request>,
  request: Request,
  message: OutboundMessage,
  marker: InFlight,
): Promise<Reconciliation> {
  if (!sender.reconcile) return { outcome: 'unknown', reason: 'this channel cannot ask its provider' };
  if (marker.startedAt === undefined) return { outcome: 'unknown', reason: 'the call has no recorded start time' };
  try {
    return await sender.reconcile(request, message, new Date(marker.startedAt));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { outcome: 'unknown', reason: `asking the provider failed (${reason})` };
  }
}

function outcomeOf(settled: Reconciliation): Record<string, string> {
  return settled.outcome === 'unknown'
    ? { outcome: settled.outcome, reason: settled.reason }
    : { outcome: settled.outcome };
}

function mapProviderError(error: unknown, sender: Pick<ChannelSender, 'idempotent' | 'reconcile'>): Error {
  if (!(error instanceof ProviderError)) {
    // A bug or an unexpected throw inside a channel: retry, it may be a passing fault.
    return new RetryLater(error instanceof Error ? error.message : String(error), { cause: error });
  }
  switch (error.outcome) {
    case 'retry':
      return new RetryLater(error.message, { afterMs: error.options.retryAfterMs, cause: error });
    case 'ambiguous':
      // Sending again is harmless where the channel drops a repeat by itself.
      if (sender.idempotent) return new RetryLater(error.message, { cause: error });
      // Where the provider can be asked, the in-flight marker stays and the next try asks it
      // (once the call can no longer arrive) whether it has the message: sent once, either way.
      if (sender.reconcile) return new RetryLater(error.message, { cause: error });
      return new AmbiguousSend(error.message, { cause: error });
    case 'opted-out':
      return new GiveUp(error.message, { cause: error, reason: 'opted-out' });
    case 'reject':
      return new GiveUp(error.message, { cause: error, reason: 'rejected' });
  }
}

function secondsSince(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.now() - Date.parse(iso);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

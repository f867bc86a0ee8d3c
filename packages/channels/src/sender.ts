/**
 * The channel sender: takes OutboundMessage jobs in order per conversation,
 * paces them per channel account, renders them for the channel and calls the
 * provider, records delivery status, and turns provider failures into
 * retries (honouring Retry-After), dead letters or opt-outs.
 *
 * Once per idempotency key whenever it can be known: the ordered queue never
 * hands out a key twice once it is done, and within a message each provider
 * call is marked (its index and start time) before it goes out and recorded
 * as done once answered, so no retry sends a finished call again. A retry
 * that finds a call marked but not finished (the process died mid-call)
 * cannot know by itself whether the provider got it; nor can a call that
 * timed out or lost its connection after the request went out (one whose
 * request never left the process, refused connection or failed DNS, is
 * plainly not sent: retried, no marker). Such an uncertain call is settled
 * in this order:
 *  1. where the channel can ask the provider (reconcile: Twilio), it asks,
 *     once the call can no longer arrive: done when the provider has it,
 *     sent when the provider shows it absent. Exactly once.
 *  2. otherwise, or when the answer does not settle it, the message's purpose
 *     decides (bot.yaml `delivery.uncertain`, see UncertainSend):
 *     at most once: not sent again, recorded 'unknown', kept as a dead letter
 *     for a person (campaigns, by default); at least once: sent again once
 *     the old call can no longer arrive, recorded as resent (delivery row,
 *     log line, `gateway dead-letters`), in the conversation's order and at
 *     the account's pace (replies and operators' messages, by default).
 */
import {
  type Config,
  type Db,
  DEFAULT_UNCERTAIN_SEND,
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
  type UncertainSend,
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
  /**
   * What an uncertain send of this message does once the provider could not settle it: the bot
   * folder's `delivery.uncertain` for the message's purpose. Asked when it happens, so a reloaded
   * bot folder applies to messages already queued. Default: DEFAULT_UNCERTAIN_SEND by purpose.
   */
  uncertainSend?: (message: OutboundMessage) => UncertainSend;
}

export function startChannelSender(deps: SenderDeps): OrderedWorker<OutboundMessage> {
  const { redis, db, queues, config, logger, observer } = deps;
  const limits = new AccountRateLimits(redis, config.redisKeyPrefix);
  const progressKeys = (message: OutboundMessage) => {
    const keys = queues.outbound.keys(message.conversationId, message.idempotencyKey);
    return { progress: `${keys.status}:progress`, inFlight: `${keys.status}:inflight` };
  };
  const uncertainSend = (message: OutboundMessage): UncertainSend =>
    deps.uncertainSend?.(message) ?? DEFAULT_UNCERTAIN_SEND[message.purpose];

  /** At least once: the call is sent again. Counted on the delivery row, logged, and listed by `gateway dead-letters`. */
  async function noteResend(message: OutboundMessage, call: number, calls: number, reason: string, attempt: number) {
    logger.warn(
      {
        channel: message.to.channel,
        conversationId: message.conversationId,
        messageId: message.id,
        purpose: message.purpose,
        call,
        calls,
        reason,
      },
      'sending again a call whose outcome is unknown (at least once): the customer may get it twice',
    );
    await markDelivery(db, message.id, { status: 'sending', attempts: attempt, resent: true });
    await queues.deadLetters.recordResent({
      messageId: message.id,
      idempotencyKey: message.idempotencyKey,
      conversationId: message.conversationId,
      channel: message.to.channel,
      purpose: message.purpose,
      call,
      calls,
      reason,
      resentAt: new Date().toISOString(),
    });
  }

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
        const policy = uncertainSend(message);
        const settlesAt = (marker.startedAt ?? 0) + (sender.reconcileAfterMs ?? DEFAULT_RECONCILE_AFTER_MS);
        // The interrupted request may still reach the provider (its process may only have stalled
        // past the conversation's lock, and still be in the call): ask the provider, or send again,
        // only once it no longer can. Otherwise "not sent" could be said of a message about to
        // arrive, and a resend would race the original. At most once without a provider to ask
        // decides at once: nothing is sent either way.
        const decidesLater = sender.reconcile !== undefined || policy === 'at_least_once';
        if (decidesLater && marker.startedAt !== undefined && Date.now() < settlesAt) {
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
        if (settled.outcome === 'unknown') {
          if (policy === 'at_most_once') throw new AmbiguousSend(`${what}; ${settled.reason}`);
          await noteResend(message, index + 1, requests.length, `${what}; ${settled.reason}`, attempt);
        }
        // Not sent ('not-sent'), or sent again (at least once). Dropping the marker now means a
        // pacing wait below does not make the next try ask the provider, or count a resend, again.
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

      // The database write first: the marked window (a crash inside it makes the call uncertain)
      // holds the provider call and nothing else we could wait on.
      if (index === done && attempt === 1) await markDelivery(db, message.id, { status: 'sending', attempts: attempt });
      await redis.set(keys.inFlight, formatInFlight({ index, startedAt: Date.now() }), 'EX', ttl);
      try {
        const receipt = await sender.send(requests[index], message);
        providerMessageId = receipt.providerMessageId ?? providerMessageId;
      } catch (error) {
        // Only a call that may have reached the provider keeps its marker; anything else was not sent.
        if (!isAmbiguous(error)) await redis.del(keys.inFlight);
        throw mapProviderError(error, sender, uncertainSend(message));
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
      // At most once, or the last try of an at-least-once message also got no answer: the provider may have it.
      const unknown = error instanceof AmbiguousSend || (error instanceof RetryLater && isAmbiguous(error.cause));
      const outcome = unknown ? 'unknown' : 'failed';
      await markDelivery(db, message.id, { status: outcome, error: error.message, attempts });
      observer.replyFinished(message.to.channel, outcome);
      return { outcome };
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

/** The provider may have the message and its purpose is at most once: resending could deliver it twice, so we stop. */
class AmbiguousSend extends GiveUp {}

/** A provider call that may have reached the provider: its request left, and no answer came back. */
function isAmbiguous(error: unknown): boolean {
  return error instanceof ProviderError && error.outcome === 'ambiguous';
}

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

function mapProviderError(
  error: unknown,
  sender: Pick<ChannelSender, 'idempotent' | 'reconcile'>,
  policy: UncertainSend,
): Error {
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
      // Where the provider can be asked, or the message is at least once, the in-flight marker
      // stays and the next try settles it (once the call can no longer arrive): the provider
      // says whether it has it, and what it cannot say the message's purpose decides.
      if (sender.reconcile || policy === 'at_least_once') return new RetryLater(error.message, { cause: error });
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

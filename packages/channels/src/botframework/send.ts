/**
 * Posting our activities to the Bot Connector REST API:
 * POST {serviceUrl}/v3/conversations/{conversationId}/activities.
 *
 * A direct call through callProvider() rather than botbuilder's
 * ConnectorClient: the same classification as every other channel (429 with
 * Retry-After and 5xx retried by our sender, not by a second retry loop
 * inside the client; a timeout is "ambiguous", never silently resent), and a
 * fake Bot Connector in tests is plain HTTP. The token comes from
 * botframework-connector's own credentials (token.ts).
 *
 * The serviceUrl and conversation come from the reference the gateway stored
 * when the conversation last wrote (conversation-store.ts).
 */
import type { OutboundMessage, Redis } from '@passerelle/core';
import { callProvider } from '../http.js';
import { type ChannelSender, ProviderError } from '../types.js';
import type { BotFrameworkRequest, CardAction, OutgoingActivity } from './activity.js';
import { type ConversationReference, loadReference, rememberChoices } from './conversation-store.js';
import { BOT_CHANNEL_PROFILES, type BotFrameworkChannel, renderBotFramework } from './render.js';
import type { TokenSource } from './token.js';

export interface BotFrameworkSenderOptions {
  redis: Redis;
  prefix: string;
  /** Undefined in open mode (no MicrosoftAppId): the Emulator takes unauthenticated replies. */
  tokenSource: TokenSource | undefined;
  timeoutMs?: number;
}

/** The full activity as posted: content plus addressing. */
export type AddressedActivity = OutgoingActivity & {
  channelId: string;
  from: { id: string; name?: string };
  recipient: { id: string };
  conversation: { id: string; tenantId?: string };
};

export function createBotFrameworkSender(
  channel: BotFrameworkChannel,
  options: BotFrameworkSenderOptions,
): ChannelSender<BotFrameworkRequest> {
  const { redis, prefix, tokenSource } = options;
  return {
    channel,
    capabilities: BOT_CHANNEL_PROFILES[channel].capabilities,
    // A steady pace per bot; Teams' tighter per-conversation limits come back as 429 with Retry-After.
    ratePerSecond: 30,
    // A call cut off (crash, timeout) can no longer arrive after its own time limit: only then is
    // an at-least-once reply sent again (the Bot Connector cannot be asked whether it has it).
    reconcileAfterMs: (options.timeoutMs ?? 15_000) + 1_000,
    render: renderBotFramework,
    async send(request, message) {
      const reference = await readReference(redis, prefix, message);
      const activity = addressed(fitConversation(request.activity, reference), reference, message);
      if (request.choices?.length) {
        // Before posting: the person may press a button the moment it shows.
        await rememberChoices(redis, prefix, message.conversationId, message.id, request.choices).catch((error) => {
          throw new ProviderError('could not store the offered choices in Redis', 'retry', { cause: error });
        });
      }
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      if (tokenSource) headers.authorization = `Bearer ${await tokenSource.getToken()}`;
      const url = `${reference.serviceUrl.replace(/\/+$/, '')}/v3/conversations/${encodeURIComponent(reference.conversationId)}/activities`;
      try {
        const response = await callProvider({
          url,
          headers,
          body: JSON.stringify(activity),
          timeoutMs: options.timeoutMs ?? 15_000,
          what: `Bot Connector (${channel})`,
        });
        return { providerMessageId: idOf(response.text) };
      } catch (error) {
        throw explain(error);
      }
    },
  };
}

async function readReference(redis: Redis, prefix: string, message: OutboundMessage): Promise<ConversationReference> {
  let reference: ConversationReference | undefined;
  try {
    reference = await loadReference(redis, prefix, message.conversationId);
  } catch (error) {
    throw new ProviderError('could not read the conversation reference from Redis', 'retry', { cause: error });
  }
  if (!reference) {
    // Bot Framework can only answer a conversation whose serviceUrl we saw; we keep it 30 days.
    throw new ProviderError(
      `no Bot Framework conversation reference for ${message.conversationId}: the person has not written ` +
        'to the bot in the last 30 days, and Bot Framework needs that to send',
      'reject',
    );
  }
  return reference;
}

/**
 * Teams shows suggested actions in personal chats only. In a group chat or a
 * channel they would vanish, so the same actions go as a card's buttons.
 */
export function fitConversation(activity: OutgoingActivity, reference: ConversationReference): OutgoingActivity {
  const personal = !reference.conversationType || reference.conversationType === 'personal';
  if (reference.channelId !== 'msteams' || personal || !activity.suggestedActions) return activity;
  const { suggestedActions, text, textFormat: _format, ...rest } = activity;
  const buttons: CardAction[] = suggestedActions.actions;
  return {
    ...rest,
    attachments: [
      ...(activity.attachments ?? []),
      { contentType: 'application/vnd.microsoft.card.hero', content: { ...(text ? { text } : {}), buttons } },
    ],
  };
}

function addressed(
  activity: OutgoingActivity,
  reference: ConversationReference,
  message: OutboundMessage,
): AddressedActivity {
  return {
    ...activity,
    channelId: reference.channelId,
    from: reference.bot,
    recipient: { id: message.to.userId },
    conversation: { id: reference.conversationId, ...(reference.tenantId ? { tenantId: reference.tenantId } : {}) },
  };
}

function idOf(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' && id ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Says what a refusal means for a Bot Framework bot; the outcome stays callProvider's (retry / reject). */
function explain(error: unknown): unknown {
  if (!(error instanceof ProviderError)) return error;
  const meaning: Record<number, string> = {
    401: 'the Bot Connector refused our token; check MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType and MicrosoftAppTenantId',
    403: 'the bot may not post here any more (removed from the conversation, blocked, or disabled by an admin)',
    404: 'the conversation is gone at the Bot Connector (the bot was removed or the chat deleted)',
  };
  const status = error.options.status;
  const why = status === undefined ? undefined : meaning[status];
  if (!why) return error;
  return new ProviderError(`${why} (${error.message})`, 'reject', { status, cause: error });
}

/**
 * Whether one person of a broadcast gets the campaign's message now, and if
 * not, why. The same rules serve the dispatcher and the dry run, so what a
 * marketer previews is what happens.
 */
import {
  type Broadcast,
  type ChannelCapabilities,
  conversationIdFor,
  EVENT_FORMAT_VERSION,
  type InboundEvent,
  inboundEventId,
  type PendingRecipient,
} from '@passerelle/core';
import type { Campaign } from './campaign-file.js';
import { checkQuietHours, quietHoursFor } from './quiet-hours.js';

/** Why someone was not sent the message, as counted in the progress and the report. */
export const SKIP_REASONS = {
  opted_out: 'opted out (STOP, the provider, an operator or the list)',
  no_opt_in: 'never agreed to receive campaign messages',
  quiet_hours: 'quiet hours where they live (night, Sunday or public holiday)',
  outside_24h_window: 'last wrote more than 24 h ago, and the channel allows no message then',
  never_wrote: 'never wrote to us on this channel, which cannot start a conversation',
  campaign_ended: 'the campaign ended before their turn',
  campaign_removed: 'the campaign is no longer in the bot folder',
  cancelled: 'the broadcast was cancelled before their turn',
  // decided by the dialog worker, in the conversation's own turn
  campaign_not_started: 'the campaign had not started',
  channel_not_in_campaign: 'the campaign does not run on this channel',
  with_an_operator: 'talking with an operator at that moment',
  in_a_conversation: 'in the middle of another conversation with the bot',
  nothing_to_say: "the campaign's flow said nothing",
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

export type RecipientDecision =
  | { send: true; conversationId: string; tagged: boolean }
  | { send: false; reason: SkipReason; detail?: string };

export interface DecisionContext {
  campaign: Campaign;
  broadcast: Pick<Broadcast, 'channel' | 'account'>;
  now: Date;
  /** What the channel allows: its reply window, writing first, tags out of the window. */
  capabilities: Pick<ChannelCapabilities, 'replyWindowHours' | 'writesFirst' | 'windowTags'>;
}

export function decideRecipient(recipient: PendingRecipient, context: DecisionContext): RecipientDecision {
  const { campaign, broadcast, now } = context;
  if (recipient.optedOutAt) return { send: false, reason: 'opted_out' };
  if (!recipient.optedInAt) return { send: false, reason: 'no_opt_in' };
  const { capabilities } = context;
  const conversationId =
    recipient.conversationId ??
    (capabilities.writesFirst ? conversationIdFor(broadcast.channel, broadcast.account, recipient.userId) : undefined);
  if (!conversationId) return { send: false, reason: 'never_wrote' };

  const timeZone = recipient.timeZone ?? campaign.timeZone;
  const quiet = checkQuietHours(quietHoursFor(campaign.broadcast.quiet_hours, broadcast.channel), now, timeZone);
  if (!quiet.allowed) return { send: false, reason: 'quiet_hours', detail: `${quiet.reason} in ${timeZone}` };

  let tagged = false;
  if (capabilities.replyWindowHours !== undefined) {
    const last = recipient.lastInboundAt?.getTime();
    const inside = last !== undefined && now.getTime() - last < capabilities.replyWindowHours * 3_600_000;
    if (!inside) {
      // Out of the window only with a tag the channel knows and the campaign sets.
      if (!capabilities.windowTags || !campaign.broadcast.messenger_tag) {
        return { send: false, reason: last === undefined ? 'never_wrote' : 'outside_24h_window' };
      }
      tagged = true;
    }
  }
  return { send: true, conversationId, tagged };
}

/**
 * The event that brings the campaign into one person's conversation. It goes
 * through the inbound queue like a message, so it waits its turn behind what
 * the person just wrote (a STOP included), and its id, derived from the
 * broadcast and the person, makes a second dispatch a duplicate.
 */
export function broadcastEvent(
  broadcast: Pick<Broadcast, 'id' | 'campaignId' | 'channel' | 'account'>,
  recipient: Pick<PendingRecipient, 'userId'>,
  decision: { conversationId: string; tagged: boolean },
  now: Date,
): InboundEvent {
  const providerMessageId = `broadcast:${broadcast.id}:${recipient.userId}`;
  return {
    version: EVENT_FORMAT_VERSION,
    id: inboundEventId(broadcast.channel, broadcast.account, providerMessageId),
    channel: broadcast.channel,
    account: broadcast.account,
    providerMessageId,
    conversationId: decision.conversationId,
    sender: { id: recipient.userId },
    receivedAt: now.toISOString(),
    kind: 'system',
    content: {
      postback: {
        payload: `campaign:${broadcast.campaignId}:broadcast:${broadcast.id}${decision.tagged ? ':tagged' : ''}`,
        title: 'broadcast',
      },
    },
  };
}

import type { Channel, Config, Redis } from '@passerelle/core';
import type { ChannelSender } from './types.js';
import { createWebchatSender } from './webchat/send.js';

export interface ChannelStatus {
  channel: Channel;
  enabled: boolean;
  /** Why it is on or off, for the start-up log. Names variables, never their values. */
  reason: string;
}

/** Which channels this configuration turns on, and why the others are off. */
export function channelStatuses(config: Config): ChannelStatus[] {
  const env = config.env;
  const notBuilt = (channel: Channel, configured: boolean, variables: string): ChannelStatus => ({
    channel,
    enabled: false,
    reason: configured ? 'credentials are set, but this build has no adapter for it yet' : `off: ${variables} not set`,
  });
  return [
    { channel: 'webchat', enabled: true, reason: 'on: widget at /webchat/widget.js, socket at /webchat/socket' },
    notBuilt('sms', Boolean(env.TWILIO_ACCOUNT_SID), 'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM'),
    notBuilt('telegram', Boolean(env.TELEGRAM_BOT_TOKEN), 'TELEGRAM_BOT_TOKEN'),
    notBuilt('teams', Boolean(env.MicrosoftAppId), 'MicrosoftAppId, MicrosoftAppPassword'),
    notBuilt('messenger', Boolean(env.MicrosoftAppId), 'MicrosoftAppId, MicrosoftAppPassword'),
    notBuilt('whatsapp', env.WHATSAPP_ENABLED, 'WHATSAPP_ENABLED'),
  ];
}

/** The outbound half of every enabled channel, for the channel sender. */
export function createChannelSenders(config: Config, redis: Redis): Map<Channel, ChannelSender> {
  const senders = new Map<Channel, ChannelSender>();
  senders.set('webchat', createWebchatSender(redis, config.redisKeyPrefix) as ChannelSender);
  return senders;
}

/**
 * Every channel's capabilities by channel name, for code outside the
 * channels that must respect them (the console choosing where a ticket's
 * answer can still go). Each value is declared in its channel's folder.
 */
import type { Channel, ChannelCapabilities } from '@passerelle/core';
import { BOT_CHANNEL_PROFILES } from './botframework/render.js';
import { telegramCapabilities } from './telegram/render.js';
import { twilioCapabilities } from './twilio/render.js';
import { webchatCapabilities } from './webchat/render.js';
import { whatsappCapabilities } from './whatsapp/render.js';

export const CHANNEL_CAPABILITIES: Record<Channel, ChannelCapabilities> = {
  sms: twilioCapabilities,
  telegram: telegramCapabilities,
  teams: BOT_CHANNEL_PROFILES.teams.capabilities,
  messenger: BOT_CHANNEL_PROFILES.messenger.capabilities,
  whatsapp: whatsappCapabilities,
  webchat: webchatCapabilities,
};

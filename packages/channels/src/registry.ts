import type { Channel, Config } from '@passerelle/core';
import type { Router } from 'express';
import { botframeworkModule } from './botframework/module.js';
import type { ChannelContext, ChannelModule, ChannelService } from './module.js';
import { telegramModule } from './telegram/module.js';
import { twilioModule } from './twilio/module.js';
import type { ChannelSender } from './types.js';
import { webchatModule } from './webchat/module.js';
import { whatsappModule } from './whatsapp/module.js';

/** Every channel module this build has. A channel folder becomes live by being listed here. */
export const CHANNEL_MODULES: readonly ChannelModule[] = [
  webchatModule,
  twilioModule,
  telegramModule,
  botframeworkModule,
  whatsappModule,
];

export interface ChannelStatus {
  channel: Channel;
  enabled: boolean;
  /** Why it is on or off, for the start-up log. Names variables, never their values. */
  reason: string;
}

const ALL_CHANNELS: readonly Channel[] = ['webchat', 'sms', 'telegram', 'teams', 'messenger', 'whatsapp'];

/** Which channels this configuration turns on, and why the others are off. */
export function channelStatuses(config: Config, modules: readonly ChannelModule[] = CHANNEL_MODULES): ChannelStatus[] {
  return ALL_CHANNELS.map((channel) => {
    const module = modules.find((candidate) => candidate.channels.includes(channel));
    if (!module) return { channel, enabled: false, reason: 'off: this build has no adapter for it' };
    return { channel, ...module.status(config) };
  });
}

function enabledModules(config: Config, modules: readonly ChannelModule[]): ChannelModule[] {
  return modules.filter((module) => module.status(config).enabled);
}

/** Mounts the webhook routes of every enabled channel. */
export function mountChannelWebhooks(router: Router, context: ChannelContext, modules = CHANNEL_MODULES): void {
  for (const module of enabledModules(context.config, modules)) module.mountWebhooks?.(router, context);
}

/** The outbound half of every enabled channel, for the channel sender. */
export function createChannelSenders(
  context: Omit<ChannelContext, 'accept' | 'refused'>,
  modules = CHANNEL_MODULES,
): Map<Channel, ChannelSender> {
  const senders = new Map<Channel, ChannelSender>();
  for (const module of enabledModules(context.config, modules)) {
    for (const sender of module.createSenders?.(context) ?? []) senders.set(sender.channel, sender);
  }
  return senders;
}

/** Starts the long-running services of enabled channels (polling, client sessions). */
export async function startChannelServices(
  context: ChannelContext,
  modules = CHANNEL_MODULES,
): Promise<ChannelService[]> {
  const services: ChannelService[] = [];
  try {
    for (const module of enabledModules(context.config, modules)) {
      const service = await module.startService?.(context);
      if (service) services.push(service);
    }
    return services;
  } catch (error) {
    await Promise.all(services.map((service) => service.close()));
    throw error;
  }
}

/**
 * What a channel folder exports to the rest of the gateway: whether it is on,
 * its webhook routes (gateway role), its sender (worker role) and any
 * long-running service it needs (Telegram polling, the WhatsApp client).
 * The gateway wires modules through the registry and knows nothing else
 * about a channel.
 */
import type { Channel, Config, EnqueueResult, InboundEvent, Logger, Redis } from '@passerelle/core';
import type { Router } from 'express';
import type { ChannelSender } from './types.js';

export interface ChannelContext {
  config: Config;
  redis: Redis;
  logger: Logger;
  /**
   * Puts a parsed, verified event on the inbound queue (dedup included). A
   * webhook answers 2xx only after every event of its request was accepted.
   */
  accept(event: InboundEvent): Promise<EnqueueResult>;
  /** Counts a refused request (bad signature, malformed body) for the metrics. */
  refused(channel: Channel, reason: string): void;
}

export interface ChannelService {
  close(): Promise<void>;
}

export interface ChannelModule {
  /** One module may serve several channels (Bot Framework: teams and messenger). */
  readonly channels: readonly Channel[];
  /** Whether this configuration turns the module on, and why (names variables, never values). */
  status(config: Config): { enabled: boolean; reason: string };
  /** Mounts webhook routes (paths are absolute, e.g. /webhooks/twilio). Gateway role. */
  mountWebhooks?(router: Router, context: ChannelContext): void;
  /** Senders for the channel sender. Worker role. */
  createSenders?(context: Omit<ChannelContext, 'accept' | 'refused'>): ChannelSender[];
  /** Long-running work (polling, a client session), started in the gateway role. */
  startService?(context: ChannelContext): Promise<ChannelService>;
}

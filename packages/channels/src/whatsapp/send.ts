/**
 * The WhatsApp sender, in worker processes. It renders like any channel,
 * but its "provider call" is a job routed to the process that holds the
 * WhatsApp session (route.ts), which makes the client.sendMessage call.
 */
import type { Config, OutboundMessage, Redis } from '@passerelle/core';
import { type ChannelSender, ProviderError, type SendReceipt } from '../types.js';
import { renderWhatsapp, type WhatsappRequest, whatsappCapabilities } from './render.js';
import { DEFAULT_ROUTE_TIMEOUTS, type RouteTimeouts, SendRouter } from './route.js';

/**
 * WhatsApp publishes no limits for linked devices and bans numbers that look like spam; one
 * message a second per number is about what a fast human types.
 */
export const WHATSAPP_SENDS_PER_SECOND = 1;

const CHAT_ID = /^\d{6,20}@(c\.us|lid)$/;

export interface WhatsappSender extends ChannelSender<WhatsappRequest> {
  /** Closes the routing queue's connections. */
  close(): Promise<void>;
}

export function createWhatsappSender(
  context: { redis: Redis; config: Pick<Config, 'redisKeyPrefix'> },
  timeouts: RouteTimeouts = DEFAULT_ROUTE_TIMEOUTS,
): WhatsappSender {
  const router = new SendRouter(context.redis, context.config.redisKeyPrefix, timeouts);
  return {
    channel: 'whatsapp',
    capabilities: whatsappCapabilities,
    // WhatsApp delivers a message sent twice twice.
    idempotent: false,
    ratePerSecond: WHATSAPP_SENDS_PER_SECOND,
    render: renderWhatsapp,
    async send(request: WhatsappRequest, message: OutboundMessage): Promise<SendReceipt> {
      if (!CHAT_ID.test(request.chatId)) {
        throw new ProviderError(
          'not a WhatsApp chat of a person (expected 33612345678@c.us or +33612345678)',
          'reject',
        );
      }
      return router.route({ request, account: message.to.account });
    },
    close: () => router.close(),
  };
}

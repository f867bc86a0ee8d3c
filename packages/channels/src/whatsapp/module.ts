/**
 * WhatsApp through whatsapp-web.js: a linked-device session in Chromium,
 * owned by one gateway process at a time. No webhook: the gateway role runs
 * the session service and serves the admin QR page and inbound media; the
 * worker role's sender routes sends to the session holder.
 */
import type { ChannelModule } from '../module.js';
import { ADMIN_PATH, mountAdminPage } from './admin.js';
import { missingChromium } from './client.js';
import { mountMediaRoute } from './media.js';
import { createWhatsappSender } from './send.js';
import { startWhatsappService, type WhatsappServiceOptions } from './session.js';

export type WhatsappModuleOptions = WhatsappServiceOptions;

/** Options reach the session service; createClient is where a test puts a fake client. */
export function createWhatsappModule(options: WhatsappModuleOptions = {}): ChannelModule {
  return {
    channels: ['whatsapp'],
    status(config) {
      if (!config.env.WHATSAPP_ENABLED)
        return { enabled: false, reason: 'off: set WHATSAPP_ENABLED=true to turn it on' };
      const qr = config.adminToken
        ? `QR code at ${ADMIN_PATH} and in the terminal`
        : 'QR code in the terminal only (set ADMIN_TOKEN for the page)';
      const missing = options.createClient ? undefined : missingChromium(config.env.CHROMIUM_PATH);
      if (missing) return { enabled: true, reason: `on, but ${missing}` };
      return {
        enabled: true,
        reason: `on: WhatsApp Web session in WHATSAPP_SESSION_DIR, Chromium at CHROMIUM_PATH; ${qr}`,
      };
    },
    mountWebhooks(router, context) {
      const prefix = context.config.redisKeyPrefix;
      mountAdminPage(router, { redis: context.redis, prefix, adminToken: context.config.adminToken });
      mountMediaRoute(router, context.redis, prefix);
    },
    createSenders: (context) => [createWhatsappSender(context)],
    startService: async (context) => startWhatsappService(context, options),
  };
}

export const whatsappModule: ChannelModule = createWhatsappModule();

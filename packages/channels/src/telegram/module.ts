/**
 * The Telegram channel: a bot reached through the Bot API (telegraf's
 * client), updates by webhook (default) or long polling (TELEGRAM_MODE=polling).
 * See docs/channels/telegram.md for the set-up.
 */
import type { ChannelModule } from '../module.js';
import { type BotApi, createBotApi } from './api.js';
import { mediaRoute, mediaUrlSigner } from './media.js';
import { startTelegramPolling } from './polling.js';
import { registerTelegramWebhook } from './registration.js';
import { createTelegramSender } from './send.js';
import { TELEGRAM_MEDIA_PATH, TELEGRAM_WEBHOOK_PATH, type TelegramSettings, telegramSettings } from './settings.js';
import { mountTelegramWebhook } from './webhook.js';

/** One client per token, shared by the routes, the sender and the poller of a process. */
const clients = new Map<string, BotApi>();
function apiFor(settings: TelegramSettings): BotApi {
  const id = `${settings.apiRoot} ${settings.token}`;
  let api = clients.get(id);
  if (!api) {
    api = createBotApi(settings);
    clients.set(id, api);
  }
  return api;
}

function settingsOrThrow(config: Parameters<ChannelModule['status']>[0]): TelegramSettings {
  const result = telegramSettings(config);
  if (!result.ok) throw new Error(`telegram: ${result.reason}`);
  return result.settings;
}

export const telegramModule: ChannelModule = {
  channels: ['telegram'],

  status(config) {
    const result = telegramSettings(config);
    if (!result.ok) return { enabled: false, reason: result.reason };
    const { botId, mode, webhookSecret } = result.settings;
    if (mode === 'webhook' && !webhookSecret) {
      return { enabled: false, reason: 'off: set TELEGRAM_WEBHOOK_SECRET, or TELEGRAM_MODE=polling' };
    }
    return {
      enabled: true,
      reason:
        mode === 'webhook'
          ? `on: bot ${botId}, webhook at ${TELEGRAM_WEBHOOK_PATH}`
          : `on: bot ${botId}, long polling (TELEGRAM_MODE=polling)`,
    };
  },

  mountWebhooks(router, context) {
    const settings = settingsOrThrow(context.config);
    const api = apiFor(settings);
    // Media links in events point here, whatever the mode.
    router.get(`${TELEGRAM_MEDIA_PATH}/:fileId`, mediaRoute(settings, api, context.logger));
    if (settings.mode === 'webhook' && settings.webhookSecret) {
      const deps = { settings, redis: context.redis, logger: context.logger, mediaUrl: mediaUrlSigner(settings) };
      mountTelegramWebhook(router, context, deps, settings.webhookSecret);
    }
  },

  createSenders({ config, redis }) {
    const settings = settingsOrThrow(config);
    return [createTelegramSender(settings, apiFor(settings), redis)];
  },

  async startService(context) {
    const settings = settingsOrThrow(context.config);
    const api = apiFor(settings);
    if (settings.mode === 'webhook') return registerTelegramWebhook(settings, api, context.logger);
    const deps = { settings, redis: context.redis, logger: context.logger, mediaUrl: mediaUrlSigner(settings) };
    return startTelegramPolling(context, deps, api);
  },
};

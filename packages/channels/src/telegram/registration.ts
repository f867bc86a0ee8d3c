/**
 * Webhook mode: tell Telegram where to send updates, at start.
 *
 * setWebhook is idempotent (same URL, same secret: nothing changes, pending
 * updates are kept), so every gateway process may call it. It is only
 * called when PUBLIC_URL is https (Telegram refuses anything else) and the
 * secret is one Telegram accepts; otherwise the log says what to do by hand.
 * A failure never stops the gateway: it is logged, and Telegram keeps
 * delivering to the URL set before.
 */
import type { Logger } from '@passerelle/core';
import type { ChannelService } from '../module.js';
import { type BotApi, callBotApi } from './api.js';
import { TELEGRAM_WEBHOOK_PATH, type TelegramSettings } from './settings.js';
import { ALLOWED_UPDATES } from './update.js';
import { SECRET_TOKEN_SHAPE } from './verify.js';

export function registerTelegramWebhook(settings: TelegramSettings, api: BotApi, logger: Logger): ChannelService {
  const url = `${settings.publicUrl}${TELEGRAM_WEBHOOK_PATH}`;
  const manually =
    `set it yourself: call setWebhook with url=${url} and secret_token=<TELEGRAM_WEBHOOK_SECRET> ` +
    '(see docs/channels/telegram.md)';
  const secret = settings.webhookSecret ?? '';
  if (!SECRET_TOKEN_SHAPE.test(secret)) {
    logger.error(
      { botId: settings.botId },
      'telegram: TELEGRAM_WEBHOOK_SECRET must be 1-256 of A-Z a-z 0-9 _ -, or Telegram refuses it; webhook not set',
    );
    return { close: async () => {} };
  }
  if (!url.startsWith('https://')) {
    logger.info(
      { botId: settings.botId, url },
      `telegram: PUBLIC_URL is not https, so the webhook is not set; ${manually}`,
    );
    return { close: async () => {} };
  }
  // In the background: a slow Telegram must not hold up the start.
  const setting = callBotApi(
    api,
    'setWebhook',
    { url, secret_token: secret, allowed_updates: ALLOWED_UPDATES },
    { timeoutMs: 15_000 },
  ).then(
    () => logger.info({ botId: settings.botId, url }, 'telegram webhook set'),
    (error: Error) =>
      logger.warn({ botId: settings.botId, url, reason: error.message }, `telegram: setWebhook failed; ${manually}`),
  );
  return { close: () => setting };
}

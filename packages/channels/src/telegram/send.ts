/**
 * The Telegram sender: one Bot API call per rendered request, errors mapped
 * to the sender's outcomes in api.ts (429 retry after parameters.retry_after,
 * 5xx retry, "blocked by the user" opted-out, other 4xx reject, timeout
 * ambiguous).
 */
import type { OutboundMessage, Redis } from '@passerelle/core';
import { type ChannelSender, ProviderError } from '../types.js';
import { type BotApi, callBotApi } from './api.js';
import { storeReferences } from './callback-data.js';
import { renderTelegram, type TelegramRequest, telegramCapabilities } from './render.js';
import type { TelegramSettings } from './settings.js';

/**
 * Telegram allows about 30 messages a second per bot overall (and about one
 * a second per chat, which the per-conversation ordering keeps us near);
 * 25 leaves room for the answerCallbackQuery and getFile calls. A bot with
 * paid broadcasts (or a local Bot API server, or a test) sets its own with
 * TELEGRAM_SENDS_PER_SECOND.
 */
export const TELEGRAM_RATE_PER_SECOND = 25;

export function createTelegramSender(
  settings: TelegramSettings,
  api: BotApi,
  redis: Redis,
  options: { timeoutMs?: number } = {},
): ChannelSender<TelegramRequest> {
  return {
    channel: 'telegram',
    capabilities: telegramCapabilities,
    // Telegram has no idempotency key: a repeated sendMessage is a second message.
    idempotent: false,
    ratePerSecond: settings.sendsPerSecond ?? TELEGRAM_RATE_PER_SECOND,
    // A call cut off (crash, timeout) can no longer reach Telegram after its own time limit: only
    // then is an at-least-once reply sent again (Telegram cannot be asked whether it has it).
    reconcileAfterMs: (options.timeoutMs ?? 15_000) + 1_000,
    render: renderTelegram,
    async send(request: TelegramRequest, message: OutboundMessage) {
      if (message.to.account !== settings.botId) {
        throw new ProviderError(
          `this gateway runs Telegram bot ${settings.botId}, not ${message.to.account}`,
          'reject',
        );
      }
      if (request.references) {
        try {
          await storeReferences(redis, settings.redisKeyPrefix, settings.botId, request.references);
        } catch (error) {
          throw new ProviderError('could not store long button payloads in Redis', 'retry', { cause: error });
        }
      }
      const sent = await callBotApi<{ message_id?: number; chat?: { id?: number } }>(
        api,
        request.method,
        request.payload,
        { timeoutMs: options.timeoutMs ?? 15_000 },
      );
      const chatId = sent?.chat?.id ?? request.payload.chat_id;
      return { providerMessageId: sent?.message_id !== undefined ? `${chatId}/${sent.message_id}` : undefined };
    },
  };
}

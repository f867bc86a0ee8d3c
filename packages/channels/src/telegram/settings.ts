/**
 * What the Telegram channel reads from the configuration, in one place: the
 * bot token (a secret: it is in every Bot API URL), the bot's id (the part of
 * the token before ':', public, our `account`), the API root, the mode.
 */
import type { Config } from '@passerelle/core';

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram';
export const TELEGRAM_MEDIA_PATH = '/media/telegram';

export interface TelegramSettings {
  /** Secret. Never logged, never stored in an event. */
  token: string;
  /** The bot's numeric id: the account every event and reply of this bot carries. */
  botId: string;
  apiRoot: string;
  mode: 'webhook' | 'polling';
  /** Required in webhook mode (the configuration check enforces it). */
  webhookSecret: string | undefined;
  publicUrl: string;
  redisKeyPrefix: string;
  /** TELEGRAM_SENDS_PER_SECOND: the bot's own pace; undefined: TELEGRAM_RATE_PER_SECOND. */
  sendsPerSecond?: number | undefined;
}

/** A Bot API token is "<bot id>:<secret>", e.g. 123456789:AAE...; BotFather hands it out. */
const TOKEN_SHAPE = /^(\d+):[A-Za-z0-9_-]+$/;

export function botIdFromToken(token: string): string | undefined {
  return TOKEN_SHAPE.exec(token)?.[1];
}

export type SettingsResult = { ok: true; settings: TelegramSettings } | { ok: false; reason: string };

export function telegramSettings(config: Config): SettingsResult {
  const token = config.env.TELEGRAM_BOT_TOKEN;
  if (!token) return { ok: false, reason: 'off: set TELEGRAM_BOT_TOKEN to turn it on' };
  const botId = botIdFromToken(token);
  if (!botId) {
    return { ok: false, reason: 'off: TELEGRAM_BOT_TOKEN is not shaped like a bot token (<bot id>:<secret>)' };
  }
  return {
    ok: true,
    settings: {
      token,
      botId,
      apiRoot: config.env.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
      mode: config.env.TELEGRAM_MODE,
      webhookSecret: config.env.TELEGRAM_WEBHOOK_SECRET,
      publicUrl: config.publicUrl,
      redisKeyPrefix: config.redisKeyPrefix,
      sendsPerSecond: config.env.TELEGRAM_SENDS_PER_SECOND,
    },
  };
}

/** Replaces the token wherever it appears, for anything that may end up in a log or a dead letter. */
export function redactToken(text: string, token: string): string {
  return token ? text.split(token).join('[token]') : text;
}

/**
 * The inbound path shared by the webhook and the poller: check the Update,
 * parse it, resolve long button payloads, and accept every event. Throws
 * when accept throws (Redis down...): the caller must then not acknowledge
 * the update, so Telegram delivers it again.
 */
import type { EnqueueResult, InboundEvent, Logger, Redis } from '@passerelle/core';
import { isReference, resolveReference } from './callback-data.js';
import type { MediaUrlFor } from './media.js';
import { parseUpdate } from './parse.js';
import type { TelegramSettings } from './settings.js';
import { checkUpdate } from './update.js';

export interface InboundDeps {
  settings: TelegramSettings;
  redis: Redis;
  logger: Logger;
  mediaUrl: MediaUrlFor;
  accept(event: InboundEvent): Promise<EnqueueResult>;
}

export type UpdateOutcome =
  | { ok: true; results: EnqueueResult[]; callbackQueryId?: string | undefined }
  | { ok: false; reason: string };

export async function acceptUpdate(body: unknown, deps: InboundDeps): Promise<UpdateOutcome> {
  const checked = checkUpdate(body);
  if (!checked.ok) return checked;
  const { update } = checked;
  const parsed = parseUpdate(update, { botId: deps.settings.botId, mediaUrl: deps.mediaUrl, receivedAt: new Date() });
  if (parsed.ignored)
    deps.logger.info({ updateId: update.update_id, reason: parsed.ignored }, 'telegram update ignored');
  const results: EnqueueResult[] = [];
  for (const event of parsed.events) {
    results.push(await deps.accept(await withResolvedPayload(event, deps)));
  }
  return { ok: true, results, callbackQueryId: parsed.callbackQueryId };
}

/** A pressed button whose payload was too long for callback_data carries a reference: look it up. */
async function withResolvedPayload(event: InboundEvent, deps: InboundDeps): Promise<InboundEvent> {
  const postback = event.content.postback;
  if (!postback || !isReference(postback.payload)) return event;
  const { redis, settings, logger } = deps;
  const payload = await resolveReference(redis, settings.redisKeyPrefix, settings.botId, postback.payload);
  if (payload === undefined) {
    // Expired or never stored: the bot still gets the button's title to go by.
    logger.warn({ eventId: event.id }, 'telegram button reference not found; passing it on unresolved');
    return event;
  }
  return { ...event, content: { ...event.content, postback: { ...postback, payload } } };
}

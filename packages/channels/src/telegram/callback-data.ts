/**
 * Button payloads and Telegram's callback_data, which holds at most 64 bytes.
 *
 * A payload that fits travels as is. A longer one (or one that could be
 * mistaken for a reference) travels as a reference, "tg-ref:" + a digest of
 * the payload: render() stays pure because the reference is derived from the
 * payload itself; send() stores reference -> payload in Redis before the
 * message goes out; the webhook / poller resolves it when the button is
 * pressed. Inline keyboards stay in the chat history, so the mapping is kept
 * for REFERENCE_TTL_SECONDS; a press after that arrives with the reference as
 * payload and the button's title, which the bot can still match on.
 */
import { createHash } from 'node:crypto';
import type { Redis } from '@passerelle/core';

export const CALLBACK_DATA_MAX_BYTES = 64;
const REFERENCE_PREFIX = 'tg-ref:';
export const REFERENCE_TTL_SECONDS = 180 * 24 * 3600;

export interface CallbackData {
  /** What goes into callback_data. */
  data: string;
  /** Set when data is a reference: the payload it stands for. */
  stored?: string;
}

export function callbackDataFor(payload: string): CallbackData {
  if (Buffer.byteLength(payload, 'utf8') <= CALLBACK_DATA_MAX_BYTES && !payload.startsWith(REFERENCE_PREFIX)) {
    return { data: payload };
  }
  const digest = createHash('sha256').update(payload).digest('base64url').slice(0, 32);
  return { data: `${REFERENCE_PREFIX}${digest}`, stored: payload };
}

export function isReference(data: string): boolean {
  return data.startsWith(REFERENCE_PREFIX);
}

function referenceKey(prefix: string, botId: string, reference: string): string {
  return `${prefix}:telegram:${botId}:callback:${reference}`;
}

/** Saves reference -> payload for every long payload of one request (before it is sent). */
export async function storeReferences(
  redis: Redis,
  prefix: string,
  botId: string,
  references: Record<string, string>,
): Promise<void> {
  const entries = Object.entries(references);
  if (entries.length === 0) return;
  // One SET each, not a MULTI: the references hash to different Redis Cluster slots, and nothing
  // needs them written together (each stands alone; a failed send stores them again).
  await Promise.all(
    entries.map(([reference, payload]) =>
      redis.set(referenceKey(prefix, botId, reference), payload, 'EX', REFERENCE_TTL_SECONDS),
    ),
  );
}

/** The payload a reference stands for; undefined when it expired or was never stored. */
export async function resolveReference(
  redis: Redis,
  prefix: string,
  botId: string,
  reference: string,
): Promise<string | undefined> {
  return (await redis.get(referenceKey(prefix, botId, reference))) ?? undefined;
}

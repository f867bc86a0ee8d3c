/**
 * What the sender needs to answer a Bot Framework conversation and the
 * OutboundMessage does not carry: the conversation reference (which Bot
 * Connector serves it, its id there, who the bot is). The gateway stores it
 * when an activity arrives; the worker reads it to send, from any process,
 * through Redis.
 *
 * Also the choices last offered in a conversation: buttons come back as text
 * (imBack), and this is how a press becomes a postback with its payload.
 *
 * Keys carry the conversation id as a hash tag, so one conversation's keys
 * live on one Redis Cluster slot.
 */
import type { Redis } from '@passerelle/core';
import { z } from 'zod';
import type { Choice } from './activity.js';

/** A customer who comes back within a month is answered without writing first again. */
const REFERENCE_TTL_SECONDS = 30 * 24 * 3600;
/** An old card's buttons stop mapping to payloads after a week; their text still arrives as text. */
const CHOICES_TTL_SECONDS = 7 * 24 * 3600;

export const ConversationReferenceSchema = z.object({
  /** The Bot Framework channel id: msteams, facebook, emulator. */
  channelId: z.string(),
  serviceUrl: z.string(),
  /** The conversation's id at the Bot Connector (not ours). */
  conversationId: z.string(),
  /** Teams: personal, groupChat or channel. */
  conversationType: z.string().optional(),
  tenantId: z.string().optional(),
  bot: z.object({ id: z.string(), name: z.string().optional() }),
});
export type ConversationReference = z.infer<typeof ConversationReferenceSchema>;

function keys(prefix: string, conversationId: string) {
  const base = `${prefix}:botframework:{${conversationId}}`;
  return { reference: `${base}:ref`, choices: `${base}:choices` };
}

export async function saveReference(
  redis: Redis,
  prefix: string,
  conversationId: string,
  reference: ConversationReference,
): Promise<void> {
  await redis.set(keys(prefix, conversationId).reference, JSON.stringify(reference), 'EX', REFERENCE_TTL_SECONDS);
}

export async function loadReference(
  redis: Redis,
  prefix: string,
  conversationId: string,
): Promise<ConversationReference | undefined> {
  const raw = await redis.get(keys(prefix, conversationId).reference);
  if (!raw) return undefined;
  const parsed = ConversationReferenceSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : undefined;
}

/** Case, repeated spaces and surrounding blanks do not matter when matching a typed reply. */
export function normaliseReply(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase();
}

/**
 * Remembers the choices of one outbound message. A new message's choices
 * replace the previous message's (so a number typed back means the latest
 * list); the several activities of one message add up.
 */
export async function rememberChoices(
  redis: Redis,
  prefix: string,
  conversationId: string,
  messageId: string,
  choices: Choice[],
): Promise<void> {
  const key = keys(prefix, conversationId).choices;
  const fields: string[] = [];
  for (const choice of choices) {
    const value = JSON.stringify({ payload: choice.payload, title: choice.title });
    for (const reply of choice.replies) fields.push(`r:${normaliseReply(reply)}`, value);
  }
  const owner = await redis.hget(key, 'message');
  const multi = redis.multi();
  if (owner !== messageId) multi.del(key);
  await multi
    .hset(key, 'message', messageId, ...fields)
    .expire(key, CHOICES_TTL_SECONDS)
    .exec();
}

/** The choice a text stands for, if it is one of the replies last offered in this conversation. */
export async function findChoice(
  redis: Redis,
  prefix: string,
  conversationId: string,
  text: string,
): Promise<{ payload: string; title: string } | undefined> {
  const raw = await redis.hget(keys(prefix, conversationId).choices, `r:${normaliseReply(text)}`);
  return raw ? (JSON.parse(raw) as { payload: string; title: string }) : undefined;
}

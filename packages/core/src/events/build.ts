import { conversationIdFor, inboundEventId, replyId } from './ids.js';
import {
  type Channel,
  EVENT_FORMAT_VERSION,
  type InboundEvent,
  type OutboundMessage,
  type OutboundPart,
} from './schema.js';

export interface InboundFacts {
  channel: Channel;
  account: string;
  providerMessageId: string;
  /** The provider's thread (chat, conversation, phone number): it decides the conversation. */
  thread: string;
  sender: InboundEvent['sender'];
  receivedAt: Date;
  kind: InboundEvent['kind'];
  content: InboundEvent['content'];
}

/**
 * Every channel's parse ends here: the ids are derived in one place, so a
 * redelivery always gets the same event id and a thread the same conversation.
 */
export function inboundEvent(facts: InboundFacts): InboundEvent {
  return {
    version: EVENT_FORMAT_VERSION,
    id: inboundEventId(facts.channel, facts.account, facts.providerMessageId),
    channel: facts.channel,
    account: facts.account,
    providerMessageId: facts.providerMessageId,
    conversationId: conversationIdFor(facts.channel, facts.account, facts.thread),
    sender: storable(facts.sender),
    receivedAt: facts.receivedAt.toISOString(),
    kind: facts.kind,
    content: storable(facts.content),
  };
}

/** A lone UTF-16 surrogate: half of an emoji's pair, cut off. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * What a customer wrote, with U+FFFD in place of what no database can keep: PostgreSQL
 * refuses NUL and lone surrogates in text and JSON ("unsupported Unicode escape sequence"),
 * so a message holding one was accepted, then failed every attempt and was never answered.
 * Any provider may deliver them (JSON escapes them as \u0000 and \ud800).
 */
function storable<T>(value: T): T {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, storable(inner)])) as T;
  }
  return value;
}

/** The index-th reply to an event, back on the channel and to the person it came from. */
export function replyToEvent(event: InboundEvent, parts: OutboundPart[], index = 0, now = new Date()): OutboundMessage {
  const id = replyId(event.id, index);
  return {
    version: EVENT_FORMAT_VERSION,
    id,
    idempotencyKey: id,
    conversationId: event.conversationId,
    to: { channel: event.channel, account: event.account, userId: event.sender.id },
    replyTo: event.id,
    parts,
    purpose: 'reply',
    createdAt: now.toISOString(),
    causedAt: event.receivedAt,
  };
}

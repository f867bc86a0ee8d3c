/**
 * Web chat's "provider" is Redis: the sender appends the frame to the
 * visitor's history (so a browser that was away gets it on reconnect) and
 * publishes it to whichever gateway process holds the visitor's socket.
 * This is what lets a worker in one process answer a socket held by another.
 */
import type { OutboundMessage, Redis } from '@passerelle/core';
import { type ChannelSender, ProviderError } from '../types.js';
import type { ServerMessageFrame, WebchatPart } from './protocol.js';
import { renderWebchat, webchatCapabilities } from './render.js';

/** Enough history to rebuild the window after a page reload. */
const HISTORY_LENGTH = 200;
const HISTORY_TTL_SECONDS = 7 * 24 * 3600;

export function webchatKeys(prefix: string, visitorId: string) {
  const base = `${prefix}:webchat:{${visitorId}}`;
  return { history: `${base}:history`, seq: `${base}:seq`, live: `${base}:live` };
}

/**
 * Appends a frame to the visitor's history and publishes it live, in one
 * MULTI so that a frame is either in both or in neither.
 */
export async function appendToHistory(
  redis: Redis,
  prefix: string,
  visitorId: string,
  frame: Omit<ServerMessageFrame, 'seq' | 'type' | 'at'>,
): Promise<ServerMessageFrame> {
  const keys = webchatKeys(prefix, visitorId);
  const seq = await redis.incr(keys.seq);
  const full: ServerMessageFrame = { type: 'message', seq, ...frame, at: new Date().toISOString() };
  const json = JSON.stringify(full);
  await redis
    .multi()
    .rpush(keys.history, json)
    .ltrim(keys.history, -HISTORY_LENGTH, -1)
    .expire(keys.history, HISTORY_TTL_SECONDS)
    .expire(keys.seq, HISTORY_TTL_SECONDS)
    .publish(keys.live, json)
    .exec();
  return full;
}

export function createWebchatSender(redis: Redis, prefix: string): ChannelSender<WebchatPart[]> {
  return {
    channel: 'webchat',
    capabilities: webchatCapabilities,
    render: renderWebchat,
    async send(parts: WebchatPart[], message: OutboundMessage) {
      try {
        const frame = await appendToHistory(redis, prefix, message.to.userId, { id: message.id, from: 'bot', parts });
        return { providerMessageId: `${message.to.userId}/${frame.seq}` };
      } catch (error) {
        throw new ProviderError('could not store the web chat frame in Redis', 'retry', { cause: error });
      }
    },
  };
}

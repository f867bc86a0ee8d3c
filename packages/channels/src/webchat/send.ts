/**
 * Web chat's "provider" is Redis: the sender appends the frame to the
 * visitor's history (so a browser that was away gets it on reconnect) and
 * publishes it to whichever gateway process holds the visitor's socket.
 * This is what lets a worker in one process answer a socket held by another.
 */
import { defineScript, type OutboundMessage, type Redis } from '@passerelle/core';
import { type ChannelSender, ProviderError } from '../types.js';
import type { ServerMessageFrame, WebchatPart } from './protocol.js';
import { renderWebchat, webchatCapabilities } from './render.js';

/** Enough history to rebuild the window after a page reload. */
const HISTORY_LENGTH = 200;
const HISTORY_TTL_SECONDS = 7 * 24 * 3600;

export function webchatKeys(prefix: string, visitorId: string) {
  const base = `${prefix}:webchat:{${visitorId}}`;
  return { history: `${base}:history`, seq: `${base}:seq`, live: `${base}:live`, appended: `${base}:appended` };
}

/**
 * KEYS: seq, history, live, appended. ARGV: frameId, frameJsonWithoutSeq, historyLength, ttl.
 * Appends a frame once per frame id (a resend after a crash finds it already
 * there and returns its seq), numbers it, keeps the history short, and
 * publishes it live, all in one atomic step.
 */
const APPEND = `
local known = redis.call('HGET', KEYS[4], ARGV[1])
if known then return tonumber(known) end
local seq = redis.call('INCR', KEYS[1])
-- Splice the seq into the JSON text rather than decode and re-encode it:
-- cjson would turn an empty array into an object.
local json = '{"seq":' .. seq .. ',' .. string.sub(ARGV[2], 2)
redis.call('RPUSH', KEYS[2], json)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('HSET', KEYS[4], ARGV[1], seq)
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
redis.call('PUBLISH', KEYS[3], json)
return seq`;

/** Appends a frame to the visitor's history and publishes it to the live channel; once per frame id. */
export async function appendToHistory(
  redis: Redis,
  prefix: string,
  visitorId: string,
  frame: Omit<ServerMessageFrame, 'seq' | 'type' | 'at'>,
): Promise<number> {
  const keys = webchatKeys(prefix, visitorId);
  const append = defineScript(redis, 'webchat_append', 4, APPEND);
  const body = { type: 'message', ...frame, at: new Date().toISOString() };
  return append(
    [keys.seq, keys.history, keys.live, keys.appended],
    [frame.id, JSON.stringify(body), HISTORY_LENGTH, HISTORY_TTL_SECONDS],
  );
}

export function createWebchatSender(redis: Redis, prefix: string): ChannelSender<WebchatPart[]> {
  return {
    channel: 'webchat',
    capabilities: webchatCapabilities,
    idempotent: true,
    render: renderWebchat,
    async send(parts: WebchatPart[], message: OutboundMessage) {
      try {
        const seq = await appendToHistory(redis, prefix, message.to.userId, { id: message.id, from: 'bot', parts });
        return { providerMessageId: `${message.to.userId}/${seq}` };
      } catch (error) {
        throw new ProviderError('could not store the web chat frame in Redis', 'retry', { cause: error });
      }
    },
  };
}

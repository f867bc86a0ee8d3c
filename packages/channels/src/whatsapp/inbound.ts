/**
 * One 'message' event of the client, from the wire to the inbound queue:
 * filter, look up the last menu, download and keep the media, parse, and
 * accept. whatsapp-web.js never delivers a message twice, so a refused
 * accept (Redis briefly away) is retried a few times before it is given up
 * and logged.
 */
import {
  type EnqueueResult,
  type InboundEvent,
  InboundEventSchema,
  type Logger,
  type Media,
  type Redis,
} from '@passerelle/core';
import type { WhatsappMessage } from './client.js';
import { whatsappKeys } from './lease.js';
import { type MediaLimits, MediaTooLarge, storeInboundMedia } from './media.js';
import { ignoredReason, looksLikeChoice, type MenuOption, parseWhatsappMessage } from './parse.js';

export interface InboundDeps {
  redis: Redis;
  prefix: string;
  publicUrl: string;
  mediaLimits: MediaLimits;
  logger: Logger;
  accept(event: InboundEvent): Promise<EnqueueResult>;
  acceptRetry: { attempts: number; baseMs: number };
}

export type InboundOutcome = EnqueueResult | 'ignored' | 'failed';

const MEDIA_NAMES: Record<string, string> = {
  image: 'an image',
  video: 'a video',
  audio: 'an audio file',
  ptt: 'a voice message',
  document: 'a document',
  sticker: 'a sticker',
};

export async function handleInboundMessage(
  message: WhatsappMessage,
  account: string,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  const log = { channel: 'whatsapp', messageId: message.id._serialized, type: message.type };
  const reason = ignoredReason(message);
  if (reason) {
    deps.logger.debug({ ...log, reason }, 'WhatsApp message ignored');
    return 'ignored';
  }
  const receivedAt = new Date();
  const [menu, attachments, contactName] = await Promise.all([
    lastMenu(message, account, deps),
    mediaOf(message, deps),
    nameFromContact(message),
  ]);
  let event: InboundEvent;
  try {
    event = InboundEventSchema.parse(
      parseWhatsappMessage(message, { account, receivedAt, menu, contactName, ...attachments }),
    );
  } catch (error) {
    deps.logger.error({ ...log, err: error }, 'WhatsApp message could not be turned into an event; dropped');
    return 'failed';
  }
  return acceptWithRetry(event, deps, log);
}

async function acceptWithRetry(
  event: InboundEvent,
  deps: InboundDeps,
  log: Record<string, unknown>,
): Promise<InboundOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.accept(event);
    } catch (error) {
      if (attempt >= deps.acceptRetry.attempts) {
        deps.logger.error(
          { ...log, err: error, attempts: attempt, conversationId: event.conversationId },
          'WhatsApp message could not be queued and WhatsApp will not deliver it again: lost',
        );
        return 'failed';
      }
      deps.logger.warn({ ...log, err: error, attempt }, 'WhatsApp message not queued yet, retrying');
      await new Promise((resolve) => setTimeout(resolve, deps.acceptRetry.baseMs * 2 ** (attempt - 1)));
    }
  }
}

/** The menu we last sent in this chat, read only when the message could be a choice ("2"). */
async function lastMenu(
  message: WhatsappMessage,
  account: string,
  deps: InboundDeps,
): Promise<MenuOption[] | undefined> {
  if (message.type !== 'chat' || !looksLikeChoice(message.body)) return undefined;
  try {
    const json = await deps.redis.get(whatsappKeys(deps.prefix).menu(account, message.from));
    return json ? (JSON.parse(json) as MenuOption[]) : undefined;
  } catch (error) {
    deps.logger.warn({ err: error, channel: 'whatsapp' }, 'could not read the last menu; the reply reads as text');
    return undefined;
  }
}

/** Downloads and keeps the file; what cannot be kept is said in words instead. */
async function mediaOf(message: WhatsappMessage, deps: InboundDeps): Promise<{ media?: Media[]; mediaNote?: string }> {
  const what = MEDIA_NAMES[message.type];
  if (!what) return {};
  if (!message.hasMedia) return { mediaNote: `[${what} whose file is no longer available on WhatsApp]` };
  try {
    const downloaded = await message.downloadMedia();
    if (!downloaded) return { mediaNote: `[${what} that could not be downloaded from WhatsApp]` };
    const media = await storeInboundMedia(deps.redis, deps.prefix, deps.publicUrl, downloaded, deps.mediaLimits);
    return { media: [media] };
  } catch (error) {
    if (error instanceof MediaTooLarge) return { mediaNote: `[${what} not kept: ${error.message}]` };
    deps.logger.warn({ err: error, channel: 'whatsapp', type: message.type }, 'WhatsApp media could not be kept');
    return { mediaNote: `[${what} that could not be downloaded from WhatsApp]` };
  }
}

/** The push name normally comes with the message; when it does not, the contact may know one. */
async function nameFromContact(message: WhatsappMessage): Promise<string | undefined> {
  if (message._data?.notifyName) return undefined;
  try {
    const contact = await message.getContact();
    return contact.pushname || contact.name || undefined;
  } catch {
    return undefined;
  }
}

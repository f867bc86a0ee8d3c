/**
 * The holder's half of a send: one rendered request -> client.sendMessage,
 * and whatever happens mapped to an outcome the pipeline's sender knows
 * (retry, reject, ambiguous). Also remembers the numbered menu a message
 * carried, so that the customer's "2" can be read back as a choice.
 */
import type { Logger, Redis } from '@passerelle/core';
import { ProviderError } from '../types.js';
import { loadWhatsappStructures, type WhatsappClient } from './client.js';
import { whatsappKeys } from './lease.js';
import { fetchOutboundMedia, type MediaLimits } from './media.js';
import type { SendJob, SendResult } from './route.js';

/** A menu is answered within minutes; a day is plenty, and a stale "2" then reads as text. */
export const MENU_TTL_SECONDS = 24 * 3600;

export interface ExecuteDeps {
  client: WhatsappClient;
  /** The logged-in number. */
  account: string;
  redis: Redis;
  prefix: string;
  mediaLimits: MediaLimits;
  logger: Logger;
}

/** Errors whatsapp-web.js throws before anything is sent, for a chat id WhatsApp does not know. */
const UNKNOWN_RECIPIENT = /invalid wid|wid error|no lid for user|not a valid whatsapp/i;

export async function executeSend(job: SendJob, deps: ExecuteDeps): Promise<SendResult> {
  const { request } = job;
  if (job.account !== deps.account) {
    return {
      outcome: 'reject',
      error: 'the conversation is with another WhatsApp number than the one now linked to this gateway',
    };
  }
  let content: unknown = request.type === 'text' ? request.text : undefined;
  // Marking the chat read is not worth a failed send: whatsapp-web.js does it inside the same call.
  const options: Record<string, unknown> = { sendSeen: false };
  if (request.type === 'media') {
    try {
      const file = await fetchOutboundMedia(request.url, request.mimeType, deps.mediaLimits);
      const { MessageMedia } = await loadWhatsappStructures();
      content = new MessageMedia(file.mimeType, file.data, request.fileName ?? file.fileName, file.size);
    } catch (error) {
      if (error instanceof ProviderError) return failure(error);
      throw error;
    }
    if (request.caption) options.caption = request.caption;
  }

  let sent: Awaited<ReturnType<WhatsappClient['sendMessage']>>;
  // Remembered before the send, not after: the customer may answer "2" the moment the menu arrives.
  if (request.menu && request.menu.length > 0) {
    await deps.redis
      .set(
        whatsappKeys(deps.prefix).menu(deps.account, request.chatId),
        JSON.stringify(request.menu),
        'EX',
        MENU_TTL_SECONDS,
      )
      .catch((error: unknown) =>
        deps.logger.warn(
          { err: error, channel: 'whatsapp' },
          'could not remember the menu; a numbered reply will read as text',
        ),
      );
  }
  try {
    sent = await deps.client.sendMessage(request.chatId, content, options);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    if (UNKNOWN_RECIPIENT.test(message)) {
      return { outcome: 'reject', error: `WhatsApp does not know this chat: ${message}` };
    }
    // The call went into the page; WhatsApp may or may not have the message.
    return { outcome: 'ambiguous', error: `WhatsApp send failed mid-way: ${message}` };
  }
  if (!sent) {
    // whatsapp-web.js resolves empty when it cannot find or open the chat: nothing was sent.
    return { outcome: 'reject', error: 'WhatsApp found no chat for this recipient (is the number on WhatsApp?)' };
  }
  return { outcome: 'sent', providerMessageId: sent.id._serialized };
}

function failure(error: ProviderError): SendResult {
  return { outcome: error.outcome, error: error.message, retryAfterMs: error.options.retryAfterMs };
}

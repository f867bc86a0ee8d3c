/**
 * OutboundMessage -> Bot API calls, from the channel's capabilities. Pure.
 *
 * - Plain text, no parse_mode: nothing the bot writes can be misread as
 *   markup, and nothing needs escaping.
 * - Text over 4096 characters becomes several messages, cut at paragraph /
 *   line / sentence / word boundaries (split-text.ts); a keyboard goes on the last.
 * - Buttons, quick replies and list items become an inline keyboard, one
 *   button per row (titles stay readable on a phone); pressing one comes
 *   back as a postback. A list item's description, which a button cannot
 *   show, is written in the text above the keyboard.
 * - A payload over callback_data's 64 bytes travels as a reference stored in
 *   Redis by send() (callback-data.ts), listed in `references`.
 * - Media go by URL (Telegram fetches them): sendPhoto / sendAnimation /
 *   sendVideo / sendAudio / sendVoice / sendDocument by MIME type. A caption
 *   over 1024 characters follows as text instead of being cut.
 * - A card is a photo with the title and subtitle as caption and its buttons
 *   as keyboard, or a text message when it has no image.
 */
import type { Button, ChannelCapabilities, OutboundMessage, OutboundPart } from '@passerelle/core';
import { callbackDataFor } from './callback-data.js';
import { splitText } from './split-text.js';

export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;

export const telegramCapabilities: ChannelCapabilities = {
  maxTextLength: TEXT_LIMIT,
  buttons: { supported: true, max: 100 },
  quickReplies: true,
  cards: true,
  media: ['image', 'video', 'audio', 'document'],
  markdown: 'none',
  // A user who started the bot can be written to by their id (= their private chat's id).
  writesFirst: true,
};

export interface InlineKeyboard {
  inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
}

/** Which payload field carries the file URL, per method. */
export const MEDIA_FIELDS = {
  sendPhoto: 'photo',
  sendAnimation: 'animation',
  sendVideo: 'video',
  sendAudio: 'audio',
  sendVoice: 'voice',
  sendDocument: 'document',
} as const;
export type MediaMethod = keyof typeof MEDIA_FIELDS;

interface Common {
  chat_id: string;
  reply_markup?: InlineKeyboard;
}

export type TelegramRequest = (
  | { method: 'sendMessage'; payload: Common & { text: string } }
  | {
      method: MediaMethod;
      payload: Common & { caption?: string } & Partial<Record<(typeof MEDIA_FIELDS)[MediaMethod], string>>;
    }
) & {
  /** callback_data references -> the long payloads they stand for; stored before the call. */
  references?: Record<string, string>;
};

export function renderTelegram(message: OutboundMessage): TelegramRequest[] {
  const chatId = message.to.userId;
  return message.parts.flatMap((part) => renderPart(part, chatId));
}

function renderPart(part: OutboundPart, chatId: string): TelegramRequest[] {
  switch (part.type) {
    case 'text':
      return textMessages(chatId, part.text);
    case 'buttons':
      return textMessages(chatId, part.text, part.buttons);
    case 'quickReplies':
      return textMessages(chatId, part.text, part.replies);
    case 'list': {
      const described = part.items.filter((item) => item.description);
      const text =
        described.length > 0
          ? `${part.text}\n\n${described.map((item) => `${item.title}: ${item.description}`).join('\n')}`
          : part.text;
      return textMessages(chatId, text, part.items);
    }
    case 'media':
      return mediaMessages(chatId, part.media.url, part.media.mimeType, part.media.caption);
    case 'card': {
      const text = part.subtitle ? `${part.title}\n${part.subtitle}` : part.title;
      if (!part.imageUrl) return textMessages(chatId, text, part.buttons);
      return mediaMessages(chatId, part.imageUrl, 'image/jpeg', text, part.buttons);
    }
  }
}

function textMessages(chatId: string, text: string, buttons?: readonly Button[]): TelegramRequest[] {
  const pieces = splitText(text, TEXT_LIMIT);
  return pieces.map((piece, index) => {
    const last = index === pieces.length - 1;
    return withKeyboard(
      { method: 'sendMessage', payload: { chat_id: chatId, text: piece } },
      last ? buttons : undefined,
    );
  });
}

function mediaMessages(
  chatId: string,
  url: string,
  mimeType: string,
  caption: string | undefined,
  buttons?: readonly Button[],
): TelegramRequest[] {
  const method = mediaMethod(mimeType);
  const payload = { chat_id: chatId, [MEDIA_FIELDS[method]]: url };
  if (!caption) return [withKeyboard({ method, payload }, buttons)];
  if (caption.length <= CAPTION_LIMIT) return [withKeyboard({ method, payload: { ...payload, caption } }, buttons)];
  // Too long for a caption: the file first, then the words (and buttons) as messages.
  return [{ method, payload }, ...textMessages(chatId, caption, buttons)];
}

function mediaMethod(mimeType: string): MediaMethod {
  const type = mimeType.toLowerCase().split(';')[0]?.trim() ?? '';
  if (type === 'image/gif') return 'sendAnimation';
  if (type.startsWith('image/')) return 'sendPhoto';
  if (type.startsWith('video/')) return 'sendVideo';
  // sendAudio plays MP3 and M4A; OGG/Opus is Telegram's voice format.
  if (type === 'audio/mpeg' || type === 'audio/mp3' || type === 'audio/mp4' || type === 'audio/x-m4a')
    return 'sendAudio';
  if (type === 'audio/ogg' || type === 'audio/opus') return 'sendVoice';
  return 'sendDocument';
}

function withKeyboard(request: TelegramRequest, buttons: readonly Button[] | undefined): TelegramRequest {
  if (!buttons || buttons.length === 0) return request;
  const references: Record<string, string> = {};
  const inline_keyboard = buttons.map((button) => {
    const { data, stored } = callbackDataFor(button.payload);
    if (stored !== undefined) references[data] = stored;
    return [{ text: button.title, callback_data: data }];
  });
  const rendered = {
    ...request,
    payload: { ...request.payload, reply_markup: { inline_keyboard } },
  } as TelegramRequest;
  return Object.keys(references).length > 0 ? { ...rendered, references } : rendered;
}

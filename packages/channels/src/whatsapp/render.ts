/**
 * OutboundMessage -> the client.sendMessage calls it takes. WhatsApp Web's
 * buttons and lists were switched off by WhatsApp (whatsapp-web.js marks
 * Buttons and List deprecated), so every choice becomes a numbered menu;
 * the menu travels with the request so that a reply "2" can be read back as
 * the second option's payload (see parse.ts). Pure: no I/O.
 */
import type { ChannelCapabilities, OutboundMessage, OutboundPart } from '@passerelle/core';
import type { MenuOption } from './parse.js';

export type WhatsappRequest =
  | { type: 'text'; chatId: string; text: string; menu?: MenuOption[] }
  | {
      type: 'media';
      chatId: string;
      url: string;
      /** Absent for a card image: the server's Content-Type decides. */
      mimeType?: string;
      caption?: string;
      fileName?: string;
      menu?: MenuOption[];
    };

export const MAX_TEXT_LENGTH = 4096;
/** WhatsApp cuts longer captions; a longer one goes out as text after the media. */
export const MAX_CAPTION_LENGTH = 1024;

export const whatsappCapabilities: ChannelCapabilities = {
  maxTextLength: MAX_TEXT_LENGTH,
  buttons: { supported: false, max: 0 },
  quickReplies: false,
  cards: false,
  media: ['image', 'video', 'audio', 'document'],
  markdown: 'whatsapp',
  // Meta's customer-service window: a business writes first only within 24 h of the customer's last message.
  replyWindowHours: 24,
  // To a number, within the window (whatsapp-web.js has no message templates, so no way out of it).
  writesFirst: true,
};

/** The chat id for a recipient: the sender id we handed out (…@c.us, …@lid), or a +E.164 number. */
export function chatIdFor(userId: string): string {
  const phone = /^\+?(\d{6,15})$/.exec(userId.replace(/[\s.-]/g, ''));
  return phone ? `${phone[1]}@c.us` : userId;
}

export function renderWhatsapp(message: OutboundMessage): WhatsappRequest[] {
  const chatId = chatIdFor(message.to.userId);
  return message.parts.flatMap((part) => renderPart(chatId, part));
}

function renderPart(chatId: string, part: OutboundPart): WhatsappRequest[] {
  switch (part.type) {
    case 'text':
      return texts(chatId, part.text);
    case 'buttons':
      return withMenu(texts(chatId, menuText(part.text, part.buttons)), part.buttons);
    case 'quickReplies':
      return withMenu(texts(chatId, menuText(part.text, part.replies)), part.replies);
    case 'list': {
      const options = part.items.map((item) => ({
        title: item.description ? `${item.title} — ${item.description}` : item.title,
        payload: item.payload,
      }));
      return withMenu(texts(chatId, menuText(part.text, options)), options);
    }
    case 'media':
      return media(
        chatId,
        { url: part.media.url, mimeType: part.media.mimeType, fileName: part.media.fileName },
        part.media.caption,
      );
    case 'card': {
      const buttons = part.buttons ?? [];
      const heading = [`*${part.title}*`, part.subtitle].filter(Boolean).join('\n');
      const body = buttons.length > 0 ? menuText(heading, buttons) : heading;
      const requests = part.imageUrl ? media(chatId, { url: part.imageUrl }, body) : texts(chatId, body);
      return buttons.length > 0 ? withMenu(requests, buttons) : requests;
    }
  }
}

function texts(chatId: string, text: string): WhatsappRequest[] {
  return splitText(text, MAX_TEXT_LENGTH).map((chunk) => ({ type: 'text', chatId, text: chunk }));
}

function media(
  chatId: string,
  file: { url: string; mimeType?: string | undefined; fileName?: string | undefined },
  caption: string | undefined,
): WhatsappRequest[] {
  const request: WhatsappRequest = {
    type: 'media',
    chatId,
    url: file.url,
    ...(file.mimeType ? { mimeType: file.mimeType } : {}),
    ...(file.fileName ? { fileName: file.fileName } : {}),
  };
  if (!caption) return [request];
  if (caption.length <= MAX_CAPTION_LENGTH) return [{ ...request, caption }];
  return [request, ...texts(chatId, caption)];
}

/** The menu goes with the last request of the part: the one the customer reads before answering. */
function withMenu(requests: WhatsappRequest[], options: ReadonlyArray<MenuOption>): WhatsappRequest[] {
  const menu = options.map(({ title, payload }) => ({ title, payload }));
  return requests.map((request, index) => (index === requests.length - 1 ? { ...request, menu } : request));
}

/** "Text\n\n1. First\n2. Second": readable on every phone, answered by typing the number. */
export function menuText(text: string, options: ReadonlyArray<{ title: string }>): string {
  return `${text}\n\n${options.map((option, index) => `${index + 1}. ${option.title}`).join('\n')}`;
}

/** Cuts at a paragraph, line or word boundary when one is near; never inside a surrogate pair. */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    // The latest paragraph break in the second half of the window, else a line break, else a space.
    let cut = ['\n\n', '\n', ' '].map((separator) => window.lastIndexOf(separator)).find((at) => at >= max / 2) ?? -1;
    if (cut < 0) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

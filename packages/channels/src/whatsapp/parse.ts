/**
 * A whatsapp-web.js 'message' event -> one InboundEvent, or the reason it
 * is not a customer's message. Pure: the media were downloaded and stored
 * and the last menu looked up before this runs (see inbound.ts).
 */
import { type InboundContent, type InboundEvent, inboundEvent, type Media } from '@passerelle/core';
import type { WhatsappMessage } from './client.js';

/** One option of a numbered menu we sent: "2" in reply means this payload. */
export interface MenuOption {
  title: string;
  payload: string;
}

export interface ParseExtras {
  /** The logged-in number, +33700000000: our account on this channel. */
  account: string;
  receivedAt: Date;
  /** The message's media, stored where the gateway serves them. */
  media?: Media[] | undefined;
  /** Said instead of media that could not be kept, so that nothing disappears silently. */
  mediaNote?: string | undefined;
  /** The last numbered menu sent in this chat. */
  menu?: readonly MenuOption[] | undefined;
  /** A name from the contact, when the message carries no push name. */
  contactName?: string | undefined;
}

/** Message types that carry something a customer said. Others (revoked, call_log, e2e_notification...) are ignored. */
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);
const TEXT_TYPES = new Set(['chat', 'buttons_response', 'list_response', 'template_button_reply']);
const HANDLED_TYPES = new Set([...MEDIA_TYPES, ...TEXT_TYPES, 'location', 'vcard', 'multi_vcard']);

/** Why a message is not handled, or undefined when it is a customer's message to answer. */
export function ignoredReason(message: WhatsappMessage): string | undefined {
  // What WhatsApp Web's store hands over is not typed for us: a model without the fields every
  // message has is skipped with a reason, not left to fail further on with a TypeError.
  if (typeof message.from !== 'string' || typeof message.type !== 'string')
    return 'a malformed message (no sender or type)';
  if (typeof message.body !== 'string') return 'a malformed message (its body is not text)';
  if (message.fromMe || message.id.fromMe) return 'sent by this account';
  if (message.isStatus || message.from === 'status@broadcast') return 'a status update';
  if (message.broadcast || message.from.endsWith('@broadcast')) return 'a broadcast list message';
  // A customer service bot answers people one to one; in a group it would answer everybody's chatter.
  if (message.from.endsWith('@g.us')) return 'a group message (groups are not handled)';
  if (message.from.endsWith('@newsletter')) return 'a channel (newsletter) post';
  if (!/@(c\.us|lid)$/.test(message.from)) return `an unknown kind of chat (${message.from.split('@')[1] ?? '?'})`;
  if (!HANDLED_TYPES.has(message.type)) return `a ${message.type} message, not something a customer said`;
  if (TEXT_TYPES.has(message.type) && message.body.trim() === '') return 'an empty message';
  return undefined;
}

/** +33612345678 for 33612345678@c.us; undefined for a @lid chat, whose id is not a number. */
export function phoneOf(chatId: string): string | undefined {
  const match = /^(\d{6,15})@c\.us$/.exec(chatId);
  return match ? `+${match[1]}` : undefined;
}

export function parseWhatsappMessage(message: WhatsappMessage, extras: ParseExtras): InboundEvent {
  const chatId = message.from;
  const name = message._data?.notifyName?.trim() || extras.contactName?.trim();
  const phone = phoneOf(chatId);
  const content = contentOf(message, extras);
  const choice = menuChoice(content.text, extras.menu);
  if (choice) content.postback = choice;
  return inboundEvent({
    channel: 'whatsapp',
    account: extras.account,
    providerMessageId: message.id._serialized,
    // One chat with one person is one thread, for as long as we use this number.
    thread: chatId,
    sender: { id: chatId, ...(name ? { name } : {}), ...(phone ? { phone } : {}) },
    receivedAt: extras.receivedAt,
    kind: choice ? 'postback' : 'message',
    content,
  });
}

function contentOf(message: WhatsappMessage, extras: ParseExtras): InboundContent {
  const content: InboundContent = {};
  if (TEXT_TYPES.has(message.type)) {
    content.text = message.body.trim();
  } else if (MEDIA_TYPES.has(message.type)) {
    // With media, body is the caption.
    const text = [message.body.trim(), extras.mediaNote].filter(Boolean).join('\n');
    if (text) content.text = text;
    if (extras.media && extras.media.length > 0) content.media = extras.media;
  } else if (message.type === 'location') {
    // body is the map thumbnail (base64 JPEG) here, not words: only the place is kept.
    const location = locationOf(message);
    if (location) content.location = location;
    else content.text = '[a location that could not be read]';
  } else if (message.type === 'vcard' || message.type === 'multi_vcard') {
    const cards = message.vCards ?? [];
    const contact = cards[0] ? contactOf(cards[0]) : undefined;
    if (contact) content.contact = contact;
    if (!contact || cards.length > 1) {
      content.text = `[${cards.length} contact card${cards.length === 1 ? '' : 's'}: ${cards
        .map((card) => contactOf(card)?.name ?? 'unreadable')
        .join(', ')}]`;
    }
  }
  return content;
}

function locationOf(message: WhatsappMessage): InboundContent['location'] {
  const latitude = Number(message.location?.latitude);
  const longitude = Number(message.location?.longitude);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  const { name, address } = message.location ?? {};
  return { latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) };
}

/** The first FN, TEL and EMAIL of a vCard (WhatsApp sends version 3.0). */
export function contactOf(vcard: string): InboundContent['contact'] {
  const unfolded = vcard.replace(/\r?\n[ \t]/g, '');
  const field = (name: string) =>
    new RegExp(`^(?:item\\d+\\.)?${name}(?:;[^:\\n]*)?:(.*)$`, 'im').exec(unfolded)?.[1]?.trim();
  const name = field('FN') || field('N')?.replace(/;+/g, ' ').trim();
  if (!name) return undefined;
  const phone = field('TEL');
  const email = field('EMAIL');
  return { name, ...(phone ? { phone } : {}), ...(email ? { email } : {}) };
}

const CHOICE = /^\s*(\d{1,2})\s*[.)]?\s*$/;

/** Whether a text could be a menu choice, before looking up the menu. */
export function looksLikeChoice(text: string): boolean {
  return CHOICE.test(text);
}

/** "2" (or "2." / "2)") after a numbered menu is a press of its second option. */
export function menuChoice(
  text: string | undefined,
  menu: readonly MenuOption[] | undefined,
): { payload: string; title: string } | undefined {
  if (!text || !menu || menu.length === 0) return undefined;
  const match = CHOICE.exec(text);
  if (!match) return undefined;
  const option = menu[Number(match[1]) - 1];
  return option ? { payload: option.payload, title: option.title } : undefined;
}

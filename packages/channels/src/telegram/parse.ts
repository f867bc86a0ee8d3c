/**
 * A checked Bot API Update -> InboundEvents (none or one). Pure: the caller
 * gives the receive time and how to turn a file_id into a media URL.
 *
 * Choices:
 * - Only private chats: a reply is addressed to `to.userId` alone, so an
 *   answer to a group message would land in the user's private chat (or
 *   fail). Group updates are acknowledged and ignored, with a log line.
 * - Edited messages are acknowledged and ignored: the original was answered.
 * - A button press is a postback whose payload is the button's callback_data
 *   and whose title is the button's text, read from the message's keyboard.
 * - Blocking / unblocking the bot (my_chat_member) is a leave / join event.
 * - "/start" is what Telegram sends when someone presses Start: a wish to see
 *   what the bot does, not the carriers' START (a yes to marketing), so it is
 *   the postback `menu`. From a link https://t.me/<bot>?start=<ref> it comes
 *   as "/start <ref>", and the reference rides along as a referral.
 */
import { type InboundEvent, inboundEvent, type Media } from '@passerelle/core';
import type { MediaUrlFor } from './media.js';
import type { TelegramCallbackQuery, TelegramMessage, TelegramUpdate, TelegramUser } from './update.js';

export interface ParseDeps {
  botId: string;
  mediaUrl: MediaUrlFor;
  receivedAt: Date;
}

export interface ParsedUpdate {
  events: InboundEvent[];
  /** A button press to acknowledge with answerCallbackQuery, whatever became of it. */
  callbackQueryId?: string;
  /** Why nothing came of this update, for the log (never customer content). */
  ignored?: string;
}

export function parseUpdate(update: TelegramUpdate, deps: ParseDeps): ParsedUpdate {
  if (update.message) return parseMessage(update.message, deps);
  if (update.callback_query) return parseCallbackQuery(update.callback_query, deps);
  if (update.my_chat_member) {
    const change = update.my_chat_member;
    if (change.chat.type !== 'private') return ignored(`the bot's membership of a ${change.chat.type} chat changed`);
    const kind = change.new_chat_member.status === 'kicked' ? 'leave' : 'join';
    return {
      events: [event(deps, `member/${update.update_id}`, change.chat.id, change.from, kind, {})],
    };
  }
  if (update.edited_message) return ignored('edited message (the original was answered)');
  const kinds = Object.keys(update).filter((key) => key !== 'update_id');
  return ignored(`update kind not handled: ${kinds.join(', ') || 'none'}`);
}

function parseMessage(message: TelegramMessage, deps: ParseDeps): ParsedUpdate {
  if (message.chat.type !== 'private') return ignored(`message in a ${message.chat.type} chat`);
  if (!message.from) return ignored('message without a sender');
  const content: InboundEvent['content'] = {};
  const text = (message.text ?? message.caption)?.trim();
  if (text) content.text = text;
  const media = mediaOf(message, deps.mediaUrl);
  if (media.length > 0) content.media = media;
  if (message.venue) {
    content.location = { ...message.venue.location, name: message.venue.title, address: message.venue.address };
  } else if (message.location) {
    content.location = { latitude: message.location.latitude, longitude: message.location.longitude };
  }
  let ownPhone: string | undefined;
  if (message.contact) {
    const { first_name, last_name, phone_number, user_id } = message.contact;
    content.contact = { name: fullName(first_name, last_name), phone: phone_number };
    // A user sharing their own contact ("Share my phone number" button) tells us their phone.
    if (user_id === message.from.id) ownPhone = phone_number;
  }
  if (Object.keys(content).length === 0) {
    const kinds = Object.keys(message).filter((key) => !['message_id', 'date', 'chat', 'from'].includes(key));
    return ignored(`message content not handled: ${kinds.join(', ') || 'empty'}`);
  }
  const providerMessageId = `${message.chat.id}/${message.message_id}`;
  const start = startCommand(message.text);
  if (start) {
    return { events: [event(deps, providerMessageId, message.chat.id, message.from, 'postback', start)] };
  }
  return {
    events: [event(deps, providerMessageId, message.chat.id, message.from, 'message', content, ownPhone)],
  };
}

/** "/start", "/start@some_bot", each optionally followed by the deep link's parameter. */
const START_COMMAND = /^\/start(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/;
/**
 * Telegram's rule for a start parameter (https://core.telegram.org/bots/features#deep-linking):
 * up to 64 characters among A-Z, a-z, 0-9, _ and -. Anything else was typed, not clicked.
 */
const START_PARAMETER = /^[A-Za-z0-9_-]{1,64}$/;

/** The Start button or a start link, as the postback `menu` (with the link's reference); else undefined. */
function startCommand(text: string | undefined): InboundEvent['content'] | undefined {
  const match = START_COMMAND.exec(text?.trim() ?? '');
  if (!match) return undefined;
  const parameter = match[1]?.trim() ?? '';
  return {
    postback: { payload: 'menu', title: '/start' },
    ...(START_PARAMETER.test(parameter) ? { referral: { ref: parameter, source: 'telegram' } } : {}),
  };
}

function parseCallbackQuery(query: TelegramCallbackQuery, deps: ParseDeps): ParsedUpdate {
  const callbackQueryId = query.id;
  const chat = query.message?.chat;
  if (chat && chat.type !== 'private') return { ...ignored(`button pressed in a ${chat.type} chat`), callbackQueryId };
  if (!query.data) return { ...ignored('button press without callback data (a game?)'), callbackQueryId };
  const title = query.message?.reply_markup?.inline_keyboard
    .flat()
    .find((button) => button.callback_data === query.data)?.text;
  const postback = { payload: query.data, ...(title ? { title } : {}) };
  // Messages sent in inline mode have no chat: the presser's private chat is the thread.
  const chatId = chat?.id ?? query.from.id;
  return {
    events: [event(deps, `callback/${query.id}`, chatId, query.from, 'postback', { postback })],
    callbackQueryId,
  };
}

/** The largest photo size, or the file of whichever media the message carries. */
function mediaOf(message: TelegramMessage, mediaUrl: MediaUrlFor): Media[] {
  const file = (fileId: string, mimeType: string, fileName?: string): Media => ({
    url: mediaUrl(fileId, mimeType),
    mimeType,
    ...(fileName ? { fileName } : {}),
  });
  if (message.photo) {
    const largest = message.photo.reduce((best, size) =>
      size.width * size.height > best.width * best.height ? size : best,
    );
    // Telegram re-encodes every photo as JPEG.
    return [file(largest.file_id, 'image/jpeg')];
  }
  const { document, video, animation, video_note, audio, voice, sticker } = message;
  if (document) return [file(document.file_id, document.mime_type ?? 'application/octet-stream', document.file_name)];
  if (video) return [file(video.file_id, video.mime_type ?? 'video/mp4', video.file_name)];
  if (animation) return [file(animation.file_id, animation.mime_type ?? 'video/mp4', animation.file_name)];
  if (video_note) return [file(video_note.file_id, 'video/mp4')];
  if (audio) return [file(audio.file_id, audio.mime_type ?? 'audio/mpeg', audio.file_name)];
  if (voice) return [file(voice.file_id, voice.mime_type ?? 'audio/ogg')];
  if (sticker) {
    const type = sticker.is_video ? 'video/webm' : sticker.is_animated ? 'application/x-tgsticker' : 'image/webp';
    return [file(sticker.file_id, type)];
  }
  return [];
}

function event(
  deps: ParseDeps,
  providerMessageId: string,
  chatId: number,
  from: TelegramUser,
  kind: InboundEvent['kind'],
  content: InboundEvent['content'],
  phone?: string,
): InboundEvent {
  const account = deps.botId;
  return inboundEvent({
    channel: 'telegram',
    account,
    providerMessageId,
    thread: String(chatId),
    sender: {
      id: String(from.id),
      name: fullName(from.first_name, from.last_name),
      ...(phone ? { phone } : {}),
      ...(from.language_code ? { locale: from.language_code } : {}),
    },
    receivedAt: deps.receivedAt,
    kind,
    content,
  });
}

function fullName(first: string, last: string | undefined): string {
  return last ? `${first} ${last}` : first;
}

function ignored(reason: string): ParsedUpdate {
  return { events: [], ignored: reason };
}

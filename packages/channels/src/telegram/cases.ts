/**
 * Telegram cases: Updates as the Bot API POSTs them to our webhook (shapes
 * from https://core.telegram.org/bots/api#update), with the secret header,
 * and the events or refusals they must give; outbound messages and the exact
 * Bot API calls render() must produce.
 */
import { conversationIdFor, EVENT_FORMAT_VERSION, type OutboundMessage } from '@passerelle/core';
import type { ChannelCases, WebhookRequest } from '../cases.js';
import { mediaUrlSigner } from './media.js';
import type { TelegramRequest } from './render.js';

/** The configuration the cases assume (tests build their Config from these). */
export const TELEGRAM_CASES_ENV = {
  TELEGRAM_BOT_TOKEN: '123456789:AAHcases-token_0123456789abcdefghij',
  TELEGRAM_WEBHOOK_SECRET: 'cases-secret_0123456789-abcdef',
  PUBLIC_URL: 'https://bot.example.test',
} as const;

const BOT_ID = '123456789';
/** The signed gateway URL a Telegram file_id becomes (media.ts). */
const mediaUrl = mediaUrlSigner({
  token: TELEGRAM_CASES_ENV.TELEGRAM_BOT_TOKEN,
  publicUrl: TELEGRAM_CASES_ENV.PUBLIC_URL,
});
const CUSTOMER = 987654321;
const zoe = {
  id: CUSTOMER,
  is_bot: false,
  first_name: 'Zoé',
  last_name: 'Martin',
  username: 'zoe_m',
  language_code: 'fr',
};
const privateChat = { id: CUSTOMER, first_name: 'Zoé', last_name: 'Martin', username: 'zoe_m', type: 'private' };
const bot = { id: 123456789, is_bot: true, first_name: 'Maison Lumière', username: 'maison_lumiere_bot' };
const date = 1_763_892_000;

/** A POST as Telegram makes it; a header given as undefined is left out. */
const webhook = (update: unknown, headers: Record<string, string | undefined> = {}): WebhookRequest => {
  const all: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'x-telegram-bot-api-secret-token': TELEGRAM_CASES_ENV.TELEGRAM_WEBHOOK_SECRET,
    ...headers,
  };
  return {
    path: '/webhooks/telegram',
    headers: Object.fromEntries(
      Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    body: typeof update === 'string' ? update : JSON.stringify(update),
  };
};

const message = (updateId: number, fields: Record<string, unknown>) => ({
  update_id: updateId,
  message: { message_id: updateId - 10_000, from: zoe, chat: privateChat, date, ...fields },
});

const zoeConversation = conversationIdFor('telegram', BOT_ID, String(CUSTOMER));

const reply = (parts: OutboundMessage['parts']): OutboundMessage => ({
  version: EVENT_FORMAT_VERSION,
  id: 'out_case',
  idempotencyKey: 'out_case',
  conversationId: zoeConversation,
  to: { channel: 'telegram', account: BOT_ID, userId: String(CUSTOMER) },
  parts,
  purpose: 'reply',
  createdAt: '2026-11-23T10:00:00.000Z',
});

const chat_id = String(CUSTOMER);
const longParagraph = (word: string, count: number) => Array.from({ length: count }, () => word).join(' ');
const firstParagraph = `${longParagraph('lumière', 400)}.`; // 3200 characters
const secondParagraph = `${longParagraph('opaline', 300)}.`; // 2400 characters
const longPayload = `order:${'x'.repeat(70)}`;

export const telegramCases: ChannelCases<WebhookRequest, TelegramRequest> = {
  channel: 'telegram',
  inbound: [
    {
      name: 'private text message in French',
      request: webhook(message(10_042, { text: 'Bonjour, où en est ma commande ?' })),
      expect: {
        events: [
          {
            version: EVENT_FORMAT_VERSION,
            channel: 'telegram',
            account: BOT_ID,
            providerMessageId: `${CUSTOMER}/42`,
            conversationId: zoeConversation,
            sender: { id: String(CUSTOMER), name: 'Zoé Martin', locale: 'fr' },
            kind: 'message',
            content: { text: 'Bonjour, où en est ma commande ?' },
          },
        ],
      },
    },
    {
      name: 'the Start button: /start is the postback menu (not the START that subscribes to offers)',
      request: webhook(message(10_043, { text: '/start', entities: [{ offset: 0, length: 6, type: 'bot_command' }] })),
      expect: {
        events: [
          {
            kind: 'postback',
            providerMessageId: `${CUSTOMER}/43`,
            conversationId: zoeConversation,
            // No text: "/start" is not something to answer, nor the START that subscribes.
            content: { postback: { payload: 'menu', title: '/start' }, text: undefined, referral: undefined },
          },
        ],
      },
    },
    {
      name: 'a start link t.me/<bot>?start=ventes-privees: the menu postback with the referral',
      request: webhook(
        message(10_070, {
          text: '/start ventes-privees',
          entities: [{ offset: 0, length: 6, type: 'bot_command' }],
        }),
      ),
      expect: {
        events: [
          {
            kind: 'postback',
            providerMessageId: `${CUSTOMER}/70`,
            sender: { id: String(CUSTOMER), name: 'Zoé Martin', locale: 'fr' },
            content: {
              postback: { payload: 'menu', title: '/start' },
              referral: { ref: 'ventes-privees', source: 'telegram' },
            },
          },
        ],
      },
    },
    {
      name: 'a start link addressed to the bot by name (/start@bot ref), the longest parameter Telegram allows',
      request: webhook(
        message(10_071, {
          text: `/start@maison_lumiere_bot ${'Soldes_2026-'.repeat(5)}ABCD`,
          entities: [{ offset: 0, length: 25, type: 'bot_command' }],
        }),
      ),
      expect: {
        events: [
          {
            kind: 'postback',
            content: {
              postback: { payload: 'menu', title: '/start' },
              referral: { ref: `${'Soldes_2026-'.repeat(5)}ABCD`, source: 'telegram' },
            },
          },
        ],
      },
    },
    {
      name: 'a /start parameter Telegram would not carry (typed by hand) is no referral: just the menu',
      request: webhook(
        message(10_072, { text: '/start ventes privées !', entities: [{ offset: 0, length: 6, type: 'bot_command' }] }),
      ),
      expect: {
        events: [
          { kind: 'postback', content: { postback: { payload: 'menu', title: '/start' }, referral: undefined } },
        ],
      },
    },
    {
      name: 'a /start parameter over 64 characters is no referral',
      request: webhook(message(10_073, { text: `/start ${'a'.repeat(65)}` })),
      expect: {
        events: [
          { kind: 'postback', content: { postback: { payload: 'menu', title: '/start' }, referral: undefined } },
        ],
      },
    },
    {
      name: 'a word that only begins like /start stays a message',
      request: webhook(message(10_074, { text: '/starting soon?' })),
      expect: { events: [{ kind: 'message', content: { text: '/starting soon?' } }] },
    },
    {
      name: 'photo with caption: the largest size, as a signed gateway URL (no token)',
      request: webhook(
        message(10_044, {
          photo: [
            { file_id: 'AgACAgQAAxkBAAMGsmall', file_unique_id: 'AQADs', file_size: 1_200, width: 90, height: 67 },
            { file_id: 'AgACAgQAAxkBAAMGlarge', file_unique_id: 'AQADl', file_size: 98_000, width: 1280, height: 960 },
            { file_id: 'AgACAgQAAxkBAAMGmedium', file_unique_id: 'AQADm', file_size: 14_000, width: 320, height: 240 },
          ],
          caption: 'La lampe est arrivée cassée',
        }),
      ),
      expect: {
        events: [
          {
            kind: 'message',
            content: {
              text: 'La lampe est arrivée cassée',
              media: [
                {
                  url: mediaUrl('AgACAgQAAxkBAAMGlarge', 'image/jpeg'),
                  mimeType: 'image/jpeg',
                },
              ],
            },
          },
        ],
      },
    },
    {
      name: 'document keeps its MIME type and file name',
      request: webhook(
        message(10_045, {
          document: {
            file_name: 'facture-1042.pdf',
            mime_type: 'application/pdf',
            file_id: 'BQACAgQAAxkBAAMHdoc',
            file_unique_id: 'AgADdoc',
            file_size: 52_311,
          },
        }),
      ),
      expect: {
        events: [
          {
            content: {
              media: [
                {
                  url: mediaUrl('BQACAgQAAxkBAAMHdoc', 'application/pdf'),
                  mimeType: 'application/pdf',
                  fileName: 'facture-1042.pdf',
                },
              ],
            },
          },
        ],
      },
    },
    {
      name: 'voice note',
      request: webhook(
        message(10_046, {
          voice: { duration: 3, mime_type: 'audio/ogg', file_id: 'AwACAgQAAxkBvoice', file_unique_id: 'AgADv' },
        }),
      ),
      expect: { events: [{ content: { media: [{ mimeType: 'audio/ogg' }] } }] },
    },
    {
      name: 'shared location',
      request: webhook(message(10_047, { location: { latitude: 45.764043, longitude: 4.835659 } })),
      expect: { events: [{ content: { location: { latitude: 45.764043, longitude: 4.835659 } } }] },
    },
    {
      name: 'venue: a location with a name and an address',
      request: webhook(
        message(10_048, {
          location: { latitude: 45.7578, longitude: 4.832 },
          venue: {
            location: { latitude: 45.7578, longitude: 4.832 },
            title: 'Showroom Maison Lumière',
            address: '12 rue des Lampes, Lyon',
          },
        }),
      ),
      expect: {
        events: [
          {
            content: {
              location: {
                latitude: 45.7578,
                longitude: 4.832,
                name: 'Showroom Maison Lumière',
                address: '12 rue des Lampes, Lyon',
              },
            },
          },
        ],
      },
    },
    {
      name: 'the user shares their own phone number: a contact card, and the sender phone',
      request: webhook(
        message(10_049, {
          contact: { phone_number: '+33612345678', first_name: 'Zoé', last_name: 'Martin', user_id: CUSTOMER },
        }),
      ),
      expect: {
        events: [
          {
            sender: { id: String(CUSTOMER), phone: '+33612345678' },
            content: { contact: { name: 'Zoé Martin', phone: '+33612345678' } },
          },
        ],
      },
    },
    {
      name: 'a pressed inline button becomes a postback with its title',
      request: webhook({
        update_id: 10_050,
        callback_query: {
          id: '4242424242424242001',
          from: zoe,
          message: {
            message_id: 43,
            from: bot,
            chat: privateChat,
            date,
            text: 'Bonjour ! Que puis-je faire pour vous ?',
            reply_markup: {
              inline_keyboard: [
                [{ text: 'Horaires', callback_data: 'faq:hours' }],
                [{ text: 'Livraison', callback_data: 'faq:delivery' }],
              ],
            },
          },
          chat_instance: '-6780385626386612389',
          data: 'faq:hours',
        },
      }),
      expect: {
        events: [
          {
            kind: 'postback',
            providerMessageId: 'callback/4242424242424242001',
            conversationId: zoeConversation,
            sender: { id: String(CUSTOMER), locale: 'fr' },
            content: { postback: { payload: 'faq:hours', title: 'Horaires' } },
          },
        ],
      },
    },
    {
      name: 'the user blocks the bot: a leave event',
      request: webhook({
        update_id: 10_051,
        my_chat_member: {
          chat: privateChat,
          from: zoe,
          date,
          old_chat_member: { user: bot, status: 'member' },
          new_chat_member: { user: bot, status: 'kicked', until_date: 0 },
        },
      }),
      expect: { events: [{ kind: 'leave', sender: { id: String(CUSTOMER) }, content: {} }] },
    },
    {
      name: 'an edited message is acknowledged and ignored (the original was answered)',
      request: webhook({
        update_id: 10_052,
        edited_message: { message_id: 42, from: zoe, chat: privateChat, date, edit_date: date + 60, text: 'Bonsoir' },
      }),
      expect: { events: [] },
    },
    {
      name: 'a message in a group is acknowledged and ignored (replies go to private chats only)',
      request: webhook({
        update_id: 10_053,
        message: {
          message_id: 7,
          from: zoe,
          chat: { id: -1001234567890, title: 'Fans de lampes', type: 'supergroup' },
          date,
          text: '/start@maison_lumiere_bot',
        },
      }),
      expect: { events: [] },
    },
    {
      name: 'a poll (content we do not handle) is acknowledged and ignored',
      request: webhook(
        message(10_054, {
          poll: {
            id: '5',
            question: 'Laquelle ?',
            options: [{ text: 'A', voter_count: 0 }],
            total_voter_count: 0,
            is_closed: false,
            is_anonymous: true,
            type: 'regular',
            allows_multiple_answers: false,
          },
        }),
      ),
      expect: { events: [] },
    },
    {
      name: 'missing secret header',
      request: webhook(message(10_060, { text: 'hi' }), { 'x-telegram-bot-api-secret-token': undefined }),
      expect: { refused: { status: 401, reason: /missing X-Telegram-Bot-Api-Secret-Token/ } },
    },
    {
      name: 'wrong secret header',
      request: webhook(message(10_061, { text: 'hi' }), { 'x-telegram-bot-api-secret-token': 'guess_0123456789' }),
      expect: { refused: { status: 403, reason: /wrong X-Telegram-Bot-Api-Secret-Token/ } },
    },
    {
      name: 'wrong content type',
      request: webhook(message(10_062, { text: 'hi' }), { 'content-type': 'application/x-www-form-urlencoded' }),
      expect: { refused: { status: 415, reason: /content type must be application\/json/ } },
    },
    {
      name: 'malformed JSON',
      request: webhook('{"update_id": 10063, "message": {'),
      expect: { refused: { status: 400, reason: /body is not valid JSON/ } },
    },
    {
      name: 'JSON that is not an Update',
      request: webhook({ hello: 'world' }),
      expect: { refused: { status: 400, reason: /not a Telegram Update: update_id/ } },
    },
    {
      name: 'an Update with a malformed message',
      request: webhook({ update_id: 10_064, message: { message_id: 1, date, chat: { id: 'abc', type: 'private' } } }),
      expect: { refused: { status: 400, reason: /not a Telegram Update: message\.chat\.id/ } },
    },
    {
      name: 'oversized body',
      request: webhook(message(10_065, { text: 'a'.repeat(1_100_000) })),
      expect: { refused: { status: 413, reason: /body larger than 1mb/ } },
    },
  ],
  outbound: [
    {
      name: 'text, plain (no parse_mode)',
      message: reply([{ type: 'text', text: 'Bonjour ! *Pas* de markdown <b>ici</b>.' }]),
      expect: {
        requests: [{ method: 'sendMessage', payload: { chat_id, text: 'Bonjour ! *Pas* de markdown <b>ici</b>.' } }],
      },
    },
    {
      name: 'quick replies become an inline keyboard, one button per row',
      message: reply([
        {
          type: 'quickReplies',
          text: 'Que puis-je faire pour vous ?',
          replies: [
            { title: 'Horaires', payload: 'faq:hours' },
            { title: 'Livraison', payload: 'faq:delivery' },
          ],
        },
      ]),
      expect: {
        requests: [
          {
            method: 'sendMessage',
            payload: {
              chat_id,
              text: 'Que puis-je faire pour vous ?',
              reply_markup: {
                inline_keyboard: [
                  [{ text: 'Horaires', callback_data: 'faq:hours' }],
                  [{ text: 'Livraison', callback_data: 'faq:delivery' }],
                ],
              },
            },
          },
        ],
      },
    },
    {
      name: 'text over 4096 characters is split at the paragraph break, keyboard on the last piece',
      message: reply([
        {
          type: 'buttons',
          text: `${firstParagraph}\n\n${secondParagraph}`,
          buttons: [{ title: 'Merci', payload: 'thanks' }],
        },
      ]),
      expect: {
        requests: [
          { method: 'sendMessage', payload: { chat_id, text: firstParagraph } },
          {
            method: 'sendMessage',
            payload: {
              chat_id,
              text: secondParagraph,
              reply_markup: { inline_keyboard: [[{ text: 'Merci', callback_data: 'thanks' }]] },
            },
          },
        ],
      },
    },
    {
      name: 'a payload over 64 bytes travels as a reference, stored before the call',
      message: reply([
        { type: 'buttons', text: 'Votre commande', buttons: [{ title: 'Suivre', payload: longPayload }] },
      ]),
      expect: {
        requests: [
          {
            method: 'sendMessage',
            payload: {
              chat_id,
              text: 'Votre commande',
              reply_markup: {
                inline_keyboard: [[{ text: 'Suivre', callback_data: 'tg-ref:6nSLPb9GXeXGieZJ0vPA57_qQb28Ohy9' }]],
              },
            },
            references: { 'tg-ref:6nSLPb9GXeXGieZJ0vPA57_qQb28Ohy9': longPayload },
          },
        ],
      },
    },
    {
      name: 'a list: item descriptions in the text, items as buttons',
      message: reply([
        {
          type: 'list',
          text: 'Créneaux disponibles',
          items: [
            { title: 'Mardi 10 h', description: 'Showroom de Lyon', payload: 'slot:1' },
            { title: 'Mercredi 15 h', payload: 'slot:2' },
          ],
        },
      ]),
      expect: {
        requests: [
          {
            method: 'sendMessage',
            payload: {
              chat_id,
              text: 'Créneaux disponibles\n\nMardi 10 h: Showroom de Lyon',
              reply_markup: {
                inline_keyboard: [
                  [{ text: 'Mardi 10 h', callback_data: 'slot:1' }],
                  [{ text: 'Mercredi 15 h', callback_data: 'slot:2' }],
                ],
              },
            },
          },
        ],
      },
    },
    {
      name: 'media by URL: photo with caption, PDF as document, OGG as voice',
      message: reply([
        {
          type: 'media',
          media: { url: 'https://cdn.example.com/lamp.jpg', mimeType: 'image/jpeg', caption: 'Opaline' },
        },
        { type: 'media', media: { url: 'https://cdn.example.com/notice.pdf', mimeType: 'application/pdf' } },
        { type: 'media', media: { url: 'https://cdn.example.com/hello.ogg', mimeType: 'audio/ogg' } },
      ]),
      expect: {
        requests: [
          { method: 'sendPhoto', payload: { chat_id, photo: 'https://cdn.example.com/lamp.jpg', caption: 'Opaline' } },
          { method: 'sendDocument', payload: { chat_id, document: 'https://cdn.example.com/notice.pdf' } },
          { method: 'sendVoice', payload: { chat_id, voice: 'https://cdn.example.com/hello.ogg' } },
        ],
      },
    },
    {
      name: 'a caption over 1024 characters follows the photo as text instead of being cut',
      message: reply([
        {
          type: 'media',
          media: { url: 'https://cdn.example.com/lamp.jpg', mimeType: 'image/jpeg', caption: 'é'.repeat(1025) },
        },
      ]),
      expect: {
        requests: [
          { method: 'sendPhoto', payload: { chat_id, photo: 'https://cdn.example.com/lamp.jpg' } },
          { method: 'sendMessage', payload: { chat_id, text: 'é'.repeat(1025) } },
        ],
      },
    },
    {
      name: 'cards: a photo with caption and keyboard; without an image, a text with keyboard',
      message: reply([
        {
          type: 'card',
          title: 'Lampe Opaline',
          subtitle: '89 €',
          imageUrl: 'https://cdn.example.com/opaline.jpg',
          buttons: [{ title: 'Commander', payload: 'buy:opaline' }],
        },
        { type: 'card', title: 'Suspension Cuivre', buttons: [{ title: 'Voir', payload: 'see:cuivre' }] },
      ]),
      expect: {
        requests: [
          {
            method: 'sendPhoto',
            payload: {
              chat_id,
              photo: 'https://cdn.example.com/opaline.jpg',
              caption: 'Lampe Opaline\n89 €',
              reply_markup: { inline_keyboard: [[{ text: 'Commander', callback_data: 'buy:opaline' }]] },
            },
          },
          {
            method: 'sendMessage',
            payload: {
              chat_id,
              text: 'Suspension Cuivre',
              reply_markup: { inline_keyboard: [[{ text: 'Voir', callback_data: 'see:cuivre' }]] },
            },
          },
        ],
      },
    },
  ],
};

/**
 * Telegram end to end: the real gateway process (all roles, PGlite, real
 * Redis) with its Bot API pointed at a fake Telegram on 127.0.0.1. Updates
 * go in by webhook (and, in the second part, by long polling); the demo
 * bot's answers must come out at the fake Bot API, rendered for Telegram.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ANYTHING_ELSE,
  ANYTHING_ELSE_CHOICES,
  ASK_ORDER_NUMBER,
  DEMO_MENU,
  FAQ,
  GOODBYE,
  greeting,
  NOT_UNDERSTOOD,
  SHIPPED_ORDER,
  SHIPPED_ORDER_ANSWER,
  TRACK_MY_ORDER,
} from './support/demo-bot.js';
import { type BotApiCall, type FakeBotApi, startFakeBotApi } from './support/fakes/telegram.js';
import { type IsolatedGateway, startIsolatedGateway } from './support/gateway-process.js';
import { waitFor } from './support/services.js';

const TOKEN = '246813579:AAE2e-token_for-the-gateway-test';
const TOKEN_SECRET_PART = TOKEN.split(':')[1] ?? TOKEN;
const SECRET = 'e2e-webhook-secret_0123456789';
const BOT_ID = 246813579;

let updateIds = 700_000_000;
let messageIds = 1;

const person = (chatId: number, languageCode: string) => ({
  id: chatId,
  is_bot: false,
  first_name: 'Camille',
  last_name: 'Durand',
  language_code: languageCode,
});

/** A private text message as Telegram sends it. */
function textUpdate(chatId: number, text: string, languageCode = 'fr') {
  return {
    update_id: updateIds++,
    message: {
      message_id: messageIds++,
      from: person(chatId, languageCode),
      chat: { id: chatId, first_name: 'Camille', last_name: 'Durand', type: 'private' },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  };
}

/** A press on one of the keyboard buttons of a message we sent. */
function buttonPress(chatId: number, sent: BotApiCall, title: string) {
  const keyboard = (
    sent.payload.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
  ).inline_keyboard;
  const button = keyboard.flat().find((candidate) => candidate.text === title);
  assert.ok(button, `no "${title}" button in ${JSON.stringify(keyboard)}`);
  return {
    update_id: updateIds++,
    callback_query: {
      id: String(8_000_000_000_000 + updateIds),
      from: person(chatId, 'fr'),
      message: {
        message_id: messageIds++,
        from: { id: BOT_ID, is_bot: true, first_name: 'Maison Lumière', username: 'maison_lumiere_bot' },
        chat: { id: chatId, first_name: 'Camille', type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: sent.payload.text,
        reply_markup: sent.payload.reply_markup,
      },
      chat_instance: '-1234567890123456789',
      data: button.callback_data,
    },
  };
}

const messagesTo = (fake: FakeBotApi, chatId: number) =>
  fake.callsTo('sendMessage').filter((call) => String(call.payload.chat_id) === String(chatId));

/** Waits for the index-th sendMessage to a chat. */
async function messageTo(fake: FakeBotApi, chatId: number, index = 0): Promise<BotApiCall> {
  const found = await waitFor(`message ${index + 1} to chat ${chatId}`, () => messagesTo(fake, chatId)[index]);
  assert.ok(found);
  return found;
}

describe('telegram through a running gateway (webhook mode)', () => {
  let gateway: IsolatedGateway;
  let fake: FakeBotApi;

  before(async () => {
    fake = await startFakeBotApi(TOKEN);
    gateway = await startIsolatedGateway('e2e-telegram', {
      env: {
        PUBLIC_URL: 'https://bot.example.test',
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: fake.url,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
    });
  });

  after(async () => {
    await gateway?.dispose();
    await fake?.close();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET, ...headers },
      body,
    });

  it('says at start that Telegram is on, and sets its webhook at PUBLIC_URL with the secret', async () => {
    const line = gateway.logs.find((entry) => entry.channel === 'telegram');
    assert.equal(line?.enabled, true);
    // (The logger masks long digit runs, the bot id among them, as possible phone numbers.)
    assert.match(String(line?.msg), /on: bot \S+, webhook at \/webhooks\/telegram/);
    await waitFor('setWebhook', () => fake.callsTo('setWebhook').length === 1);
    assert.deepEqual(fake.callsTo('setWebhook')[0]?.payload, {
      url: 'https://bot.example.test/webhooks/telegram',
      secret_token: SECRET,
      allowed_updates: ['message', 'callback_query', 'my_chat_member'],
    });
  });

  it('answers "bonjour" with the French greeting, by first name, and the menu as an inline keyboard', async () => {
    const chat = 111_000_001;
    const response = await post(JSON.stringify(textUpdate(chat, 'bonjour')));
    assert.equal(response.status, 200);
    const reply = await messageTo(fake, chat);
    assert.equal(reply.payload.text, greeting('fr', 'Camille'));
    assert.equal(reply.payload.parse_mode, undefined, 'plain text: nothing to escape');
    // One button a row, and the button's callback_data is the menu option's payload itself.
    assert.deepEqual(reply.payload.reply_markup, {
      inline_keyboard: DEMO_MENU.fr.map(({ title, payload }) => [{ text: title, callback_data: payload }]),
    });
  });

  it('follows an order from a press on "Suivre ma commande", and stops each button spinning', async () => {
    const chat = 111_000_002;
    await post(JSON.stringify(textUpdate(chat, 'salut')));
    const menu = await messageTo(fake, chat);
    const press = buttonPress(chat, menu, TRACK_MY_ORDER.fr.title);
    assert.equal(press.callback_query.data, 'flow:order-status');
    const response = await post(JSON.stringify(press));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      method: 'answerCallbackQuery',
      callback_query_id: press.callback_query.id,
    });
    const question = await messageTo(fake, chat, 1);
    assert.equal(question.payload.text, ASK_ORDER_NUMBER.fr);

    assert.equal((await post(JSON.stringify(textUpdate(chat, SHIPPED_ORDER)))).status, 200);
    const status = await messageTo(fake, chat, 2);
    assert.equal(status.payload.text, SHIPPED_ORDER_ANSWER.fr);
    const next = await messageTo(fake, chat, 3);
    assert.equal(next.payload.text, ANYTHING_ELSE.fr);
    const keyboard = (next.payload.reply_markup as { inline_keyboard: Array<Array<{ text: string }>> }).inline_keyboard;
    assert.deepEqual(
      keyboard.flat().map((button) => button.text),
      ANYTHING_ELSE_CHOICES.fr,
    );

    // A button of the flow's own question, pressed: the flow ends.
    const thanks = buttonPress(chat, next, 'Non, merci');
    const pressed = await post(JSON.stringify(thanks));
    assert.equal(pressed.status, 200);
    assert.deepEqual(await pressed.json(), {
      method: 'answerCallbackQuery',
      callback_query_id: thanks.callback_query.id,
    });
    const goodbye = await messageTo(fake, chat, 4);
    assert.equal(goodbye.payload.text, GOODBYE.fr);
    assert.equal(messagesTo(fake, chat).length, 5);
  });

  it('says it did not understand, in English for an English speaker', async () => {
    const chat = 111_000_003;
    await post(JSON.stringify(textUpdate(chat, 'purple elephants', 'en')));
    const reply = await messageTo(fake, chat);
    assert.equal(reply.payload.text, NOT_UNDERSTOOD.en);
  });

  it('answers an update Telegram delivers twice only once', async () => {
    const chat = 111_000_004;
    const body = JSON.stringify(textUpdate(chat, FAQ.hours.fr.question));
    assert.equal((await post(body)).status, 200);
    assert.equal((await post(body)).status, 200);
    // The conversation is handled in order: once the next message is answered, the first was handled for good.
    await post(JSON.stringify(textUpdate(chat, FAQ.returns.fr.question)));
    await waitFor('the answer to the next message', () =>
      messagesTo(fake, chat).some((call) => FAQ.returns.fr.answer.test(String(call.payload.text))),
    );
    const texts = messagesTo(fake, chat).map((call) => String(call.payload.text));
    assert.equal(texts.length, 2, `messages: ${JSON.stringify(texts)}`);
    assert.match(texts[0] ?? '', FAQ.hours.fr.answer, 'the opening hours, once');
    assert.match(texts[1] ?? '', FAQ.returns.fr.answer);
  });

  it('refuses bad input with a clear 4xx, queues none of it, and stays healthy', async () => {
    const chat = 111_000_005;
    const valid = () => JSON.stringify(textUpdate(chat, 'ceci ne doit pas passer'));
    const refusals: Array<[string, Promise<Response>, number, RegExp]> = [
      [
        'missing secret',
        fetch(`${gateway.url}/webhooks/telegram`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: valid(),
        }),
        401,
        /missing X-Telegram-Bot-Api-Secret-Token/,
      ],
      ['wrong secret', post(valid(), { 'x-telegram-bot-api-secret-token': 'not-the-secret' }), 403, /wrong/],
      ['wrong content type', post(valid(), { 'content-type': 'text/plain' }), 415, /application\/json/],
      ['malformed JSON', post('{"update_id": 1, "message": '), 400, /not valid JSON/],
      ['not an Update', post('[1, 2, 3]'), 400, /not a Telegram Update/],
      ['oversized body', post(JSON.stringify(textUpdate(chat, 'x'.repeat(2_000_000)))), 413, /larger than/],
    ];
    for (const [what, pending, status, reason] of refusals) {
      const response = await pending;
      assert.equal(response.status, status, what);
      assert.match(((await response.json()) as { error: string }).error, reason, what);
    }
    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
    // Then a good message in the same chat: it alone is answered.
    await post(JSON.stringify(textUpdate(chat, 'retour')));
    await waitFor('the answer to the good message', () => messagesTo(fake, chat).length > 0);
    assert.deepEqual(
      messagesTo(fake, chat).map((call) => FAQ.returns.fr.answer.test(String(call.payload.text))),
      [true],
    );
  });

  it('never writes the bot token in its logs', () => {
    assert.doesNotMatch(gateway.output(), new RegExp(TOKEN_SECRET_PART));
  });
});

describe('telegram through a running gateway (polling mode)', () => {
  let gateway: IsolatedGateway;
  let fake: FakeBotApi;

  before(async () => {
    fake = await startFakeBotApi(TOKEN);
    gateway = await startIsolatedGateway('e2e-telegram-poll', {
      env: {
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: fake.url,
        TELEGRAM_MODE: 'polling',
      },
    });
  });

  after(async () => {
    await gateway?.dispose();
    await fake?.close();
  });

  it('takes updates from getUpdates, answers them, and confirms them', async () => {
    const chat = 222_000_001;
    const { update_id: _, ...update } = textUpdate(chat, 'horaires');
    const [updateId] = fake.queueUpdates(update);
    const reply = await messageTo(fake, chat);
    assert.match(String(reply.payload.text), FAQ.hours.fr.answer);
    await waitFor('the update confirmed', () => fake.pendingUpdates().length === 0);
    assert.ok(fake.callsTo('getUpdates').some((call) => Number(call.payload.offset) === (updateId ?? 0) + 1));
    assert.equal(fake.callsTo('setWebhook').length, 0, 'polling mode leaves the webhook alone');
  });

  it('has no webhook route in polling mode', async () => {
    const response = await fetch(`${gateway.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(textUpdate(222_000_002, 'hi')),
    });
    assert.equal(response.status, 404);
  });

  it('stops cleanly on SIGTERM while a long poll is open', async () => {
    assert.equal(await gateway.stop('SIGTERM'), 0);
    assert.ok(gateway.logs.some((line) => line.msg === 'telegram polling stopped'));
    assert.doesNotMatch(gateway.output(), new RegExp(TOKEN_SECRET_PART));
  });
});

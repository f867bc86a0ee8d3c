/**
 * Telegram: the cases file through the shared webhook harness (real HTTP, real
 * Redis), the sender and the poller against a fake Bot API over real HTTP,
 * the media route, and the text splitter.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ChannelContext, ProviderError, startChannelSender } from '@passerelle/channels';
import {
  type Config,
  createLogger,
  type Db,
  EVENT_FORMAT_VERSION,
  getDelivery,
  type InboundEvent,
  InboundEventSchema,
  loadConfig,
  migrate,
  type OutboundMessage,
  openDb,
  openPipelineQueues,
  recordInbound,
  recordOutbound,
  resolveContact,
  silentObserver,
} from '@passerelle/core';
import { startFakeProvider } from '../../../test/support/fake-provider.js';
import { type FakeBotApi, startFakeBotApi, tooManyRequests } from '../../../test/support/fakes/telegram.js';
import { testPipelineSettings } from '../../../test/support/pipeline-settings.js';
import { deletePrefix, openRedis, uniquePrefix, waitFor } from '../../../test/support/services.js';
import { createBotApi } from '../src/telegram/api.js';
import { TELEGRAM_CASES_ENV, telegramCases } from '../src/telegram/cases.js';
import { telegramModule } from '../src/telegram/module.js';
import { parseUpdate } from '../src/telegram/parse.js';
import { startTelegramPolling } from '../src/telegram/polling.js';
import { registerTelegramWebhook } from '../src/telegram/registration.js';
import { renderTelegram, type TelegramRequest } from '../src/telegram/render.js';
import { createTelegramSender } from '../src/telegram/send.js';
import { type TelegramSettings, telegramSettings } from '../src/telegram/settings.js';
import { splitText } from '../src/telegram/split-text.js';
import { checkUpdate } from '../src/telegram/update.js';
import {
  inboundWebhookCases,
  outboundRenderCases,
  startWebhookHarness,
  type WebhookHarness,
} from './support/webhook-harness.js';

const logger = createLogger({ level: 'silent' });
const admin = openRedis('telegram-admin');
const prefix = uniquePrefix('telegram');
const redis = openRedis('telegram');
const TOKEN = TELEGRAM_CASES_ENV.TELEGRAM_BOT_TOKEN;
const BOT_ID = '123456789';
const CUSTOMER = '987654321';

let fake: FakeBotApi;
let config: Config;
let settings: TelegramSettings;
let harness: WebhookHarness;

function configFor(env: Record<string, string>): Config {
  return loadConfig({ ...TELEGRAM_CASES_ENV, REDIS_KEY_PREFIX: prefix, TELEGRAM_API_ROOT: fake.url, ...env });
}

function settingsFor(env: Record<string, string> = {}): TelegramSettings {
  const result = telegramSettings(configFor(env));
  assert.ok(result.ok);
  return result.settings;
}

before(async () => {
  fake = await startFakeBotApi(TOKEN);
  config = configFor({});
  settings = settingsFor();
  harness = await startWebhookHarness(telegramModule, config, redis);
});

after(async () => {
  await harness?.close();
  await fake?.close();
  await deletePrefix(admin, prefix);
  await Promise.all([redis.quit(), admin.quit()]);
});

const outbound = (parts: OutboundMessage['parts'], userId = CUSTOMER): OutboundMessage => ({
  version: EVENT_FORMAT_VERSION,
  id: 'out_tg',
  idempotencyKey: 'out_tg',
  conversationId: 'cv_tg',
  to: { channel: 'telegram', account: BOT_ID, userId },
  parts,
  purpose: 'reply',
  createdAt: new Date().toISOString(),
});

const update = (updateId: number, fields: Record<string, unknown>) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    from: { id: Number(CUSTOMER), is_bot: false, first_name: 'Zoé', language_code: 'fr' },
    chat: { id: Number(CUSTOMER), first_name: 'Zoé', type: 'private' },
    date: 1_763_892_000,
    ...fields,
  },
});

const callbackUpdate = (updateId: number, id: string, data: string, title = 'Suivre') => ({
  update_id: updateId,
  callback_query: {
    id,
    from: { id: Number(CUSTOMER), is_bot: false, first_name: 'Zoé', language_code: 'fr' },
    message: {
      message_id: 90,
      from: { id: Number(BOT_ID), is_bot: true, first_name: 'Maison Lumière' },
      chat: { id: Number(CUSTOMER), first_name: 'Zoé', type: 'private' },
      date: 1_763_892_000,
      text: 'Votre commande',
      reply_markup: { inline_keyboard: [[{ text: title, callback_data: data }]] },
    },
    chat_instance: '-6780385626386612389',
    data,
  },
});

const postWebhook = (body: unknown) =>
  harness.send({
    path: '/webhooks/telegram',
    headers: {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': TELEGRAM_CASES_ENV.TELEGRAM_WEBHOOK_SECRET,
    },
    body: JSON.stringify(body),
  });

describe('telegram cases', () => {
  inboundWebhookCases(telegramCases, () => harness);
  outboundRenderCases(telegramCases, renderTelegram);
});

describe('telegram webhook', () => {
  it('acknowledges a button press in the webhook answer (answerCallbackQuery), after accepting it', async () => {
    const before = harness.events.length;
    const response = await postWebhook(callbackUpdate(20_001, '777000001', 'faq:returns', 'Retours'));
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body), { method: 'answerCallbackQuery', callback_query_id: '777000001' });
    assert.equal(harness.events.length, before + 1);
    assert.deepEqual(harness.events.at(-1)?.content.postback, { payload: 'faq:returns', title: 'Retours' });
  });

  it('accepts a redelivered update once, and answers 200 both times', async () => {
    const before = harness.events.length;
    const body = update(20_002, { text: 'deux fois' });
    assert.equal((await postWebhook(body)).status, 200);
    assert.equal((await postWebhook(body)).status, 200);
    assert.equal(harness.events.length, before + 1);
  });

  it('gives back a payload longer than callback_data allows, through the reference send() stored', async () => {
    const longPayload = `track-order:${'1042-'.repeat(20)}`;
    const sender = createTelegramSender(settings, createBotApi(settings), redis);
    const message = outbound([
      { type: 'buttons', text: 'Votre commande', buttons: [{ title: 'Suivre', payload: longPayload }] },
    ]);
    const [request] = sender.render(message);
    assert.ok(request);
    await sender.send(request, message);
    const sent = fake.callsTo('sendMessage').at(-1)?.payload as {
      reply_markup: { inline_keyboard: Array<Array<{ callback_data: string }>> };
    };
    const data = sent.reply_markup.inline_keyboard[0]?.[0]?.callback_data ?? '';
    assert.ok(Buffer.byteLength(data) <= 64, `callback_data is ${Buffer.byteLength(data)} bytes`);

    const response = await postWebhook(callbackUpdate(20_003, '777000002', data));
    assert.equal(response.status, 200);
    assert.deepEqual(harness.events.at(-1)?.content.postback, { payload: longPayload, title: 'Suivre' });
  });

  it('passes an expired reference on unresolved, with the button title for the bot to go by', async () => {
    await postWebhook(callbackUpdate(20_004, '777000003', 'tg-ref:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Suivre'));
    assert.deepEqual(harness.events.at(-1)?.content.postback, {
      payload: 'tg-ref:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      title: 'Suivre',
    });
  });

  it('is not mounted in polling mode (nobody could authenticate to it)', async () => {
    const polling = await startWebhookHarness(telegramModule, configFor({ TELEGRAM_MODE: 'polling' }), redis);
    try {
      const response = await polling.send({
        path: '/webhooks/telegram',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(update(20_005, { text: 'hi' })),
      });
      assert.equal(response.status, 404);
    } finally {
      await polling.close();
    }
  });

  it('says whether it is on, and why, without the token', () => {
    assert.equal(telegramModule.status(config).enabled, true);
    assert.match(telegramModule.status(config).reason, /bot 123456789, webhook at \/webhooks\/telegram/);
    assert.match(telegramModule.status(configFor({ TELEGRAM_MODE: 'polling' })).reason, /long polling/);
    const off = telegramModule.status(loadConfig({ REDIS_KEY_PREFIX: prefix }));
    assert.deepEqual(off, { enabled: false, reason: 'off: set TELEGRAM_BOT_TOKEN to turn it on' });
    const malformed = telegramModule.status(configFor({ TELEGRAM_BOT_TOKEN: 'not-a-token' }));
    assert.equal(malformed.enabled, false);
    for (const status of [telegramModule.status(config), malformed])
      assert.doesNotMatch(status.reason, /AAH|not-a-token/);
  });
});

describe('telegram start links', () => {
  /** Through the same check the webhook and the poller apply, then the parser. */
  const parsed = (text: string) => {
    const checked = checkUpdate(update(30_000, { text }));
    assert.ok(checked.ok, 'a well-formed Update');
    const deps = { botId: BOT_ID, mediaUrl: () => 'https://bot.example.test/media', receivedAt: new Date() };
    return parseUpdate(checked.update, deps).events;
  };

  it("takes a parameter within Telegram's rules as the link's reference (1-64 of A-Z a-z 0-9 _ -)", () => {
    for (const ref of ['a', 'VIP', 'ventes-privees', 'Noel_2026', '0123456789', 'x'.repeat(64)]) {
      const [event] = parsed(`/start ${ref}`);
      assert.equal(event?.kind, 'postback', `/start ${ref}`);
      assert.deepEqual(event?.content, {
        postback: { payload: 'menu', title: '/start' },
        referral: { ref, source: 'telegram' },
      });
    }
  });

  it('shows the menu without a referral for a parameter outside those rules', () => {
    for (const parameter of ['x'.repeat(65), 'ventes=privees', 'a/b', 'été', 'deux mots', '%20', '']) {
      const [event] = parsed(`/start ${parameter}`);
      assert.deepEqual(event?.content, { postback: { payload: 'menu', title: '/start' } }, `/start ${parameter}`);
    }
  });

  it('reads /start@botname like /start, and leaves other commands and words as text', () => {
    assert.deepEqual(parsed('/start@maison_lumiere_bot VIP')[0]?.content.referral, { ref: 'VIP', source: 'telegram' });
    assert.equal(parsed('/start@maison_lumiere_bot')[0]?.content.postback?.payload, 'menu');
    for (const text of ['/help', '/startgroup VIP', 'start VIP', 'STOP']) {
      const [event] = parsed(text);
      assert.equal(event?.kind, 'message', text);
      assert.deepEqual(event?.content, { text }, text);
    }
  });

  it('accepts a redelivered start link once', async () => {
    const before = harness.events.length;
    const body = update(20_010, { text: '/start ventes-privees' });
    assert.equal((await postWebhook(body)).status, 200);
    assert.equal((await postWebhook(body)).status, 200);
    assert.equal(harness.events.length, before + 1);
    assert.deepEqual(harness.events.at(-1)?.content.referral, { ref: 'ventes-privees', source: 'telegram' });
  });
});

describe('telegram media route', () => {
  async function photoEvent(fileId: string): Promise<InboundEvent> {
    const response = await postWebhook(
      update(Math.floor(Math.random() * 1e9), {
        photo: [{ file_id: fileId, file_unique_id: 'AQADx', file_size: 12, width: 10, height: 10 }],
      }),
    );
    assert.equal(response.status, 200);
    const event = harness.events.at(-1);
    assert.ok(event);
    return event;
  }
  const local = (url: string) => url.replace(TELEGRAM_CASES_ENV.PUBLIC_URL, harness.url);

  it('streams the file from Telegram through the signed gateway URL; the event never holds the token', async () => {
    fake.addFile('AgACAgQAAxkBphoto1', 'photos/file_1.jpg', 'fake jpeg bytes', 'image/jpeg');
    const event = await photoEvent('AgACAgQAAxkBphoto1');
    const url = event.content.media?.[0]?.url ?? '';
    assert.doesNotMatch(JSON.stringify(event), new RegExp(TOKEN.split(':')[1] ?? TOKEN));
    const response = await fetch(local(url));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/jpeg');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await response.text(), 'fake jpeg bytes');
    assert.deepEqual(fake.downloads.slice(-1), ['photos/file_1.jpg']);
  });

  it('refuses a URL whose signature does not match its file or type', async () => {
    fake.addFile('AgACAgQAAxkBphoto2', 'photos/file_2.jpg', 'other', 'image/jpeg');
    const event = await photoEvent('AgACAgQAAxkBphoto2');
    const url = new URL(local(event.content.media?.[0]?.url ?? ''));
    const otherFile = new URL(url);
    otherFile.pathname = otherFile.pathname.replace('photo2', 'photo1');
    const otherType = new URL(url);
    otherType.searchParams.set('type', 'text/html');
    const unsigned = new URL(url);
    unsigned.searchParams.delete('sig');
    for (const forged of [otherFile, otherType, unsigned]) {
      const response = await fetch(forged);
      assert.equal(response.status, 403, forged.toString());
      assert.deepEqual(await response.json(), { error: 'missing or wrong media signature' });
    }
  });

  it('answers 404 when Telegram does not know the file', async () => {
    const event = await photoEvent('AgACAgQAAxkBunknown');
    const response = await fetch(local(event.content.media?.[0]?.url ?? ''));
    assert.equal(response.status, 404);
    assert.match(((await response.json()) as { error: string }).error, /no such file/);
  });
});

describe('telegram sender against the fake Bot API', () => {
  const sender = () => createTelegramSender(settings, createBotApi(settings), redis, { timeoutMs: 500 });
  const sendText = async (text = 'Bonjour', userId = CUSTOMER) => {
    const s = sender();
    const message = outbound([{ type: 'text', text }], userId);
    const [request] = s.render(message);
    assert.ok(request);
    return s.send(request, message);
  };
  const failure = async (promise: Promise<unknown>): Promise<ProviderError> => {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
      assert.doesNotMatch(error.message, /AAHcases-token/, 'the token must never be in an error message');
      return error;
    }
    assert.fail('expected the send to fail');
  };

  it('sends through the API root and returns chat/message id', async () => {
    const receipt = await sendText('Bonjour Zoé');
    const call = fake.callsTo('sendMessage').at(-1);
    assert.deepEqual(call?.payload, { chat_id: CUSTOMER, text: 'Bonjour Zoé' });
    assert.match(receipt.providerMessageId ?? '', new RegExp(`^${CUSTOMER}/\\d+$`));
  });

  it('429: retry after parameters.retry_after', async () => {
    fake.failNext('sendMessage', tooManyRequests(3));
    const error = await failure(sendText());
    assert.equal(error.outcome, 'retry');
    assert.equal(error.options.retryAfterMs, 3_000);
    assert.match(error.message, /429: Too Many Requests: retry after 3/);
  });

  it('5xx: retry', async () => {
    fake.failNext('sendMessage', { status: 502, body: '<html>Bad Gateway</html>' });
    const error = await failure(sendText());
    assert.equal(error.outcome, 'retry');
    assert.equal(error.options.status, 502);
  });

  it('400: rejected for good', async () => {
    const error = await failure(sendText('Bonjour', '0'));
    assert.equal(error.outcome, 'reject');
    assert.match(error.message, /400: Bad Request: chat not found/);
  });

  it('403 "bot was blocked by the user": opted out; another 403: rejected', async () => {
    fake.failNext(
      'sendMessage',
      { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } },
      {
        status: 403,
        body: { ok: false, error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" },
      },
    );
    assert.equal((await failure(sendText())).outcome, 'opted-out');
    assert.equal((await failure(sendText())).outcome, 'reject');
  });

  it('no answer before the timeout: ambiguous (Telegram may have sent it)', async () => {
    fake.failNext('sendMessage', 'hang');
    const error = await failure(sendText());
    assert.equal(error.outcome, 'ambiguous');
  });

  it('an answer that is not Bot API JSON: ambiguous, and the token is not in the message', async () => {
    fake.failNext('sendMessage', { status: 404, body: '<html>Not Found</html>' });
    const error = await failure(sendText());
    assert.equal(error.outcome, 'ambiguous');
  });

  it('connection refused: retry (nothing was sent)', async () => {
    const closed = await startFakeProvider();
    const url = closed.url;
    await closed.close();
    const offline = { ...settings, apiRoot: url };
    const s = createTelegramSender(offline, createBotApi(offline), redis, { timeoutMs: 500 });
    const message = outbound([{ type: 'text', text: 'hi' }]);
    const error = await failure(s.send(s.render(message)[0] as TelegramRequest, message));
    assert.equal(error.outcome, 'retry');
    assert.match(error.message, /ECONNREFUSED/);
  });

  it('a time limit reached while the TLS handshake never finished: retry (nothing was sent)', async () => {
    // A server that takes the connection and never answers the handshake: the request never leaves.
    const mute = createServer((socket) => socket.resume());
    mute.listen(0, '127.0.0.1');
    await once(mute, 'listening');
    try {
      const stalled = { ...settings, apiRoot: `https://127.0.0.1:${(mute.address() as AddressInfo).port}` };
      const s = createTelegramSender(stalled, createBotApi(stalled), redis, { timeoutMs: 300 });
      const message = outbound([{ type: 'text', text: 'hi' }]);
      const error = await failure(s.send(s.render(message)[0] as TelegramRequest, message));
      assert.equal(error.outcome, 'retry');
      assert.match(error.message, /time limit reached while connecting\); nothing was sent/);
    } finally {
      mute.close();
    }
  });

  it('through the channel sender, waits as long as a 429 says and delivers once', async () => {
    const db: Db = await openDb({ inMemory: true });
    await migrate(db);
    const senderPrefix = uniquePrefix('telegram-sender');
    const senderRedis = openRedis('telegram-sender');
    const pipeline = testPipelineSettings({ workerConcurrency: 2, senderConcurrency: 2 });
    const queues = openPipelineQueues(senderRedis, { redisKeyPrefix: senderPrefix, pipeline });
    const worker = startChannelSender({
      redis: senderRedis,
      db,
      queues,
      senders: new Map([['telegram', sender()]]),
      config: { redisKeyPrefix: senderPrefix, pipeline },
      logger,
      observer: silentObserver,
    });
    try {
      const contact = await resolveContact(db, { channel: 'telegram', account: BOT_ID, userId: CUSTOMER });
      await recordInbound(
        db,
        {
          version: EVENT_FORMAT_VERSION,
          id: 'in_tg_sender',
          channel: 'telegram',
          account: BOT_ID,
          providerMessageId: `${CUSTOMER}/1`,
          conversationId: 'cv_tg_sender',
          sender: { id: CUSTOMER },
          receivedAt: new Date().toISOString(),
          kind: 'message',
          content: { text: 'hi' },
        },
        contact.id,
      );
      const message: OutboundMessage = {
        ...outbound([{ type: 'text', text: 'après la pause' }]),
        id: 'out_tg_sender',
        idempotencyKey: 'out_tg_sender',
        conversationId: 'cv_tg_sender',
      };
      await recordOutbound(db, [message]);
      fake.failNext('sendMessage', tooManyRequests(1));
      const before = fake.callsTo('sendMessage').length;
      await queues.outbound.enqueue(message);
      await waitFor('the message to be sent', async () => (await getDelivery(db, message.id))?.status === 'sent');
      const calls = fake.callsTo('sendMessage').slice(before);
      assert.equal(calls.length, 2, 'the 429, then the send');
      const waited = (calls[1]?.at ?? 0) - (calls[0]?.at ?? 0);
      assert.ok(waited >= 1_000, `second try came ${waited} ms after the 429, before its retry_after of 1 s`);
      assert.match((await getDelivery(db, message.id))?.providerMessageId ?? '', new RegExp(`^${CUSTOMER}/`));
    } finally {
      await worker.close();
      await queues.close();
      await deletePrefix(admin, senderPrefix);
      await senderRedis.quit();
      await db.close();
    }
  });
});

describe('telegram polling', () => {
  interface Poller {
    accepted: InboundEvent[];
    close(): Promise<void>;
  }

  function startPoller(
    pollingFake: FakeBotApi,
    options: { failFirstAccept?: boolean; pollTimeoutSeconds?: number } = {},
  ): Poller {
    const pollingSettings = { ...settingsFor({ TELEGRAM_MODE: 'polling' }), apiRoot: pollingFake.url };
    const accepted: InboundEvent[] = [];
    const seen = new Set<string>();
    let failures = options.failFirstAccept ? 1 : 0;
    const context: ChannelContext = {
      config,
      redis,
      logger,
      async accept(event) {
        InboundEventSchema.parse(event);
        if (failures > 0) {
          failures -= 1;
          throw new Error('Redis is having a moment');
        }
        if (seen.has(event.id)) return 'duplicate';
        seen.add(event.id);
        accepted.push(event);
        return 'accepted';
      },
      refused: () => {},
    };
    const service = startTelegramPolling(
      context,
      { settings: pollingSettings, redis, logger, mediaUrl: (id, type) => `https://bot.example.test/m/${id}?${type}` },
      createBotApi(pollingSettings),
      { pollTimeoutSeconds: options.pollTimeoutSeconds ?? 1, leaseMs: 1_500, retryBaseMs: 50, retryMaxMs: 200 },
    );
    return { accepted, close: () => service.close() };
  }

  const offsets = (api: FakeBotApi) => api.callsTo('getUpdates').map((call) => Number(call.payload.offset));
  /** An update as getUpdates returns it; the fake numbers it. */
  const unnumbered = (numbered: { update_id: number } & Record<string, unknown>): Record<string, unknown> => {
    const { update_id: _, ...rest } = numbered;
    return rest;
  };

  it('accepts updates in order and confirms them only after accepting them; a failed accept loses nothing', async () => {
    const pollingFake = await startFakeBotApi(TOKEN);
    const [, second] = pollingFake.queueUpdates(
      unnumbered(update(30_001, { text: 'premier' })),
      unnumbered(update(30_002, { text: 'second' })),
    );
    const poller = startPoller(pollingFake, { failFirstAccept: true });
    try {
      await waitFor('both updates accepted', () => poller.accepted.length === 2);
      assert.deepEqual(
        poller.accepted.map((event) => event.content.text),
        ['premier', 'second'],
      );
      await waitFor('both confirmed at Telegram', () => pollingFake.pendingUpdates().length === 0);
      // 0: the first unconfirmed update; 0 again: the accept failed, so ask again from the same
      // update; then past the second, which confirms both.
      assert.deepEqual(offsets(pollingFake).slice(0, 3), [0, 0, (second ?? 0) + 1]);
    } finally {
      await poller.close();
      await pollingFake.close();
    }
  });

  it('answers a button press after accepting it, and stops on close() without waiting for the long poll', {
    timeout: 20_000,
  }, async () => {
    const pollingFake = await startFakeBotApi(TOKEN);
    // Telegram would hold this getUpdates open for 60 s: close() must abort it, not wait.
    const poller = startPoller(pollingFake, { pollTimeoutSeconds: 60 });
    try {
      pollingFake.queueUpdates(unnumbered(callbackUpdate(30_003, '888000001', 'faq:hours', 'Horaires')));
      await waitFor('the press answered', () => pollingFake.callsTo('answerCallbackQuery').length === 1);
      assert.equal(poller.accepted.length, 1);
      assert.deepEqual(poller.accepted[0]?.content.postback, { payload: 'faq:hours', title: 'Horaires' });
      assert.deepEqual(pollingFake.callsTo('answerCallbackQuery')[0]?.payload, { callback_query_id: '888000001' });
      await waitFor('the next long poll to be open', () => pollingFake.callsTo('getUpdates').length >= 2);
    } finally {
      await poller.close();
    }
    assert.equal(await admin.exists(`${prefix}:telegram:${BOT_ID}:poller`), 0, 'the polling lease is released');
    await pollingFake.close();
  });

  it('lets one process poll at a time, and another take over when it stops', async () => {
    const pollingFake = await startFakeBotApi(TOKEN);
    const first = startPoller(pollingFake);
    await waitFor('the first poller to poll', () => pollingFake.callsTo('getUpdates').length > 0);
    const second = startPoller(pollingFake);
    try {
      pollingFake.queueUpdates(unnumbered(update(30_004, { text: 'pour le premier' })));
      await waitFor('the first poller to accept it', () => first.accepted.length === 1);
      assert.equal(second.accepted.length, 0);
      await first.close();
      pollingFake.queueUpdates(unnumbered(update(30_005, { text: 'pour le second' })));
      await waitFor('the second poller to take over', () => second.accepted.length === 1);
      assert.equal(second.accepted[0]?.content.text, 'pour le second');
    } finally {
      await first.close();
      await second.close();
      await pollingFake.close();
    }
  });
});

describe('telegram webhook registration', () => {
  it('sets the webhook with the secret when PUBLIC_URL is https', async () => {
    const before = fake.callsTo('setWebhook').length;
    const service = registerTelegramWebhook(settings, createBotApi(settings), logger);
    await service.close();
    const calls = fake.callsTo('setWebhook').slice(before);
    assert.deepEqual(
      calls.map((call) => call.payload),
      [
        {
          url: 'https://bot.example.test/webhooks/telegram',
          secret_token: TELEGRAM_CASES_ENV.TELEGRAM_WEBHOOK_SECRET,
          allowed_updates: ['message', 'callback_query', 'my_chat_member'],
        },
      ],
    );
  });

  it('leaves it alone when PUBLIC_URL is not https, or the secret is one Telegram would refuse', async () => {
    const before = fake.callsTo('setWebhook').length;
    const envs: Array<Record<string, string>> = [
      { PUBLIC_URL: 'http://localhost:3000' },
      { TELEGRAM_WEBHOOK_SECRET: 'has spaces and é' },
    ];
    for (const env of envs) {
      const other = settingsFor(env);
      await registerTelegramWebhook(other, createBotApi(other), logger).close();
    }
    assert.equal(fake.callsTo('setWebhook').length, before);
  });
});

describe('splitting long text', () => {
  const words = (count: number) => Array.from({ length: count }, (_, i) => `mot${i}`).join(' ');

  it('keeps a text within the limit whole', () => {
    assert.deepEqual(splitText('Bonjour !', 4096), ['Bonjour !']);
  });

  it('cuts at a space, never inside a word, and loses no word', () => {
    const text = words(2_000);
    const pieces = splitText(text, 4096);
    assert.ok(pieces.length > 1);
    for (const piece of pieces) {
      assert.ok(piece.length <= 4096);
      assert.match(piece, /^mot\d+( mot\d+)*$/);
    }
    assert.equal(pieces.join(' '), text);
  });

  it('prefers the end of a sentence to a bare space', () => {
    const first = `${'a'.repeat(60)}. ${'b'.repeat(20)}`;
    const pieces = splitText(`${first} ${'c'.repeat(10)}`, 90);
    assert.deepEqual(pieces, [`${'a'.repeat(60)}.`, `${'b'.repeat(20)} ${'c'.repeat(10)}`]);
  });

  it('cuts a word longer than the limit, but never inside an emoji', () => {
    const pieces = splitText(`${'x'.repeat(9)}😀${'y'.repeat(5)}`, 10);
    assert.deepEqual(pieces, ['x'.repeat(9), `😀${'y'.repeat(5)}`]);
  });
});

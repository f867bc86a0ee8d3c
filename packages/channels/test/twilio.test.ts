/**
 * The Twilio SMS channel: its cases file through the shared webhook harness
 * (real express, real HTTP, real Redis), numbered menus from the sender to
 * the webhook, text splitting, and the sender against a fake Twilio that
 * answers as Twilio does (its error codes, its 429), alone and inside the
 * channel sender.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ChannelSender, ProviderError, startChannelSender } from '@passerelle/channels';
import {
  type Config,
  conversationIdFor,
  createLogger,
  type Db,
  EVENT_FORMAT_VERSION,
  getDelivery,
  isOptedOut,
  loadConfig,
  migrate,
  type OutboundMessage,
  type OutboundPart,
  openDb,
  openPipelineQueues,
  recordInbound,
  recordOutbound,
  resolveContact,
  silentObserver,
} from '@passerelle/core';
import { type FakeTwilio, startFakeTwilio, twilioError } from '../../../test/support/fakes/twilio.js';
import { testPipelineSettings } from '../../../test/support/pipeline-settings.js';
import { deletePrefix, openRedis, REDIS_URL, uniquePrefix, waitFor } from '../../../test/support/services.js';
import {
  inboundSmsForm,
  signedTwilioRequest,
  TWILIO_TEST,
  twilioCases,
  twilioSid,
  twilioTestEnv,
} from '../src/twilio/cases.js';
import { MENU_TTL_SECONDS, menuKey } from '../src/twilio/menu.js';
import { twilioModule } from '../src/twilio/module.js';
import type { TwilioSendRequest } from '../src/twilio/render.js';
import { SMS_MAX_LENGTH, splitSmsText } from '../src/twilio/split.js';
import {
  inboundWebhookCases,
  outboundRenderCases,
  startWebhookHarness,
  type WebhookHarness,
} from './support/webhook-harness.js';

const logger = createLogger({ level: 'silent' });
const prefix = uniquePrefix('twilio');
const redis = openRedis('twilio');
let fake: FakeTwilio;
let config: Config;
let harness: WebhookHarness;
let sender: ChannelSender<TwilioSendRequest>;

function configWith(env: Record<string, string> = {}): Config {
  return loadConfig({ ...twilioTestEnv(fake.url), REDIS_URL, REDIS_KEY_PREFIX: prefix, ...env });
}

function senderFor(cfg: Config, client = redis): ChannelSender<TwilioSendRequest> {
  const [created] = twilioModule.createSenders?.({ config: cfg, redis: client, logger }) ?? [];
  assert.ok(created, 'the module must create an SMS sender when the channel is on');
  return created as ChannelSender<TwilioSendRequest>;
}

before(async () => {
  fake = await startFakeTwilio(TWILIO_TEST);
  config = configWith();
  harness = await startWebhookHarness(twilioModule, config, redis);
  sender = senderFor(config);
});

after(async () => {
  await harness?.close();
  await fake?.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

let counter = 0;
/** A reply to a customer of its own, as the dialog worker makes one. */
function replyTo(userId: string, parts: OutboundPart[]): OutboundMessage {
  counter += 1;
  return {
    version: EVENT_FORMAT_VERSION,
    id: `out_twilio_${counter}`,
    idempotencyKey: `out_twilio_${counter}`,
    conversationId: conversationIdFor('sms', TWILIO_TEST.from, userId),
    to: { channel: 'sms', account: TWILIO_TEST.from, userId },
    parts,
    purpose: 'reply',
    createdAt: new Date().toISOString(),
  };
}

async function sendAll(message: OutboundMessage, through = sender) {
  const receipts = [];
  for (const request of through.render(message)) receipts.push(await through.send(request, message));
  return receipts;
}

async function sendFailure(message: OutboundMessage, through = sender): Promise<ProviderError> {
  const [request] = through.render(message);
  assert.ok(request);
  const error = await through.send(request, message).then(
    () => assert.fail('the send should have failed'),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
  return error;
}

const MENU: OutboundPart = {
  type: 'quickReplies',
  text: "Bonjour ! Je suis l'assistant de Maison Lumière. Que puis-je faire pour vous ?",
  replies: [
    { title: 'Horaires', payload: 'faq:hours' },
    { title: 'Livraison', payload: 'faq:delivery' },
    { title: 'Retours', payload: 'faq:returns' },
  ],
};

let sids = 1000;
async function customerSays(from: string, body: string) {
  sids += 1;
  const before = harness.events.length;
  const response = await harness.send(
    signedTwilioRequest('/webhooks/twilio', inboundSmsForm({ sid: twilioSid('SM', sids), body, from })),
  );
  assert.equal(response.status, 200, response.body);
  const events = harness.events.slice(before);
  assert.equal(events.length, 1);
  return { response, event: events[0] as NonNullable<(typeof events)[0]> };
}

describe('Twilio cases', () => {
  inboundWebhookCases(twilioCases, () => harness);
  outboundRenderCases(twilioCases, (message) => sender.render(message));

  it('answers an accepted message with an empty TwiML response', async () => {
    const { response } = await customerSays('+33639987000', 'merci');
    assert.equal(response.body, '<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('refuses a body that is not UTF-8', async () => {
    const response = await fetch(`${harness.url}/webhooks/twilio`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      body: Buffer.from([0x42, 0x6f, 0x64, 0x79, 0x3d, 0xc3, 0x28]),
    });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: 'body is not valid UTF-8' });
  });
});

describe('numbered menus', () => {
  it('turns a number answered to the menu the sender sent into that choice', async () => {
    const customer = '+33639987001';
    await sendAll(replyTo(customer, [MENU]));
    const sent = fake.messages.at(-1);
    assert.equal(sent?.To, customer);
    assert.match(sent?.Body ?? '', /\n\n1\. Horaires\n2\. Livraison\n3\. Retours\n\nRépondez avec le numéro/);

    for (const [answer, payload, title] of [
      ['2', 'faq:delivery', 'Livraison'],
      [' 2 ', 'faq:delivery', 'Livraison'],
      ['3.', 'faq:returns', 'Retours'],
      ['1)', 'faq:hours', 'Horaires'],
    ] as const) {
      const { event } = await customerSays(customer, answer);
      assert.equal(event.kind, 'postback', `"${answer}"`);
      assert.deepEqual(event.content.postback, { payload, title });
      assert.equal(event.content.text, answer.trim(), 'the text the customer wrote is kept');
    }
    const ttl = await redis.ttl(menuKey(prefix, conversationIdFor('sms', TWILIO_TEST.from, customer)));
    assert.ok(ttl > 0 && ttl <= MENU_TTL_SECONDS, `the menu expires (ttl ${ttl})`);
  });

  it('leaves a number outside the menu, or a sentence with a number, as a message', async () => {
    const customer = '+33639987002';
    await sendAll(replyTo(customer, [MENU]));
    for (const text of ['4', '0', 'Je prends le 2', '2 lampes']) {
      const { event } = await customerSays(customer, text);
      assert.equal(event.kind, 'message', `"${text}"`);
      assert.equal(event.content.postback, undefined);
    }
  });

  it('picks from the newest menu, and only from this conversation', async () => {
    const customer = '+33639987003';
    await sendAll(replyTo(customer, [MENU]));
    await sendAll(
      replyTo(customer, [
        {
          type: 'list',
          text: 'Quel créneau ?',
          items: [
            { title: 'Mardi 10 h', payload: 'slot:1' },
            { title: 'Mercredi 15 h', payload: 'slot:2' },
          ],
        },
      ]),
    );
    const { event } = await customerSays(customer, '2');
    assert.deepEqual(event.content.postback, { payload: 'slot:2', title: 'Mercredi 15 h' });
    const other = await customerSays('+33639987004', '2');
    assert.equal(other.event.kind, 'message', "another customer's menu is not this one's");
  });

  it('fails the send, with nothing sent, when the menu cannot be remembered', async () => {
    const broken = openRedis('twilio-broken');
    await broken.quit();
    const attempts = fake.attempts.length;
    const error = await sendFailure(replyTo('+33639987005', [MENU]), senderFor(config, broken));
    assert.equal(error.outcome, 'retry');
    assert.equal(fake.attempts.length, attempts, 'no SMS may go out with a menu we could not remember');
  });
});

describe('splitting long text', () => {
  it('cuts between words when there is no sentence, and loses nothing', () => {
    const words = Array.from({ length: 400 }, (_, i) => `mot${i}`).join(' ');
    const chunks = splitSmsText(words);
    assert.ok(chunks.length >= 2, `split into ${chunks.length}`);
    for (const chunk of chunks) {
      assert.ok(chunk.length <= SMS_MAX_LENGTH, `a chunk of ${chunk.length} characters`);
      assert.doesNotMatch(chunk, /^\s|\s$/);
    }
    assert.equal(chunks.join(' '), words, 'every word is sent, none is cut in two');
  });

  it('cuts a text without spaces at the limit, never inside an emoji', () => {
    const text = `${'a'.repeat(SMS_MAX_LENGTH - 1)}😀${'b'.repeat(10)}`;
    const chunks = splitSmsText(text);
    assert.deepEqual(chunks, ['a'.repeat(SMS_MAX_LENGTH - 1), `😀${'b'.repeat(10)}`]);
  });

  it('keeps a short text as one message', () => {
    assert.deepEqual(splitSmsText('  Bonjour !  '), ['Bonjour !']);
  });
});

describe('campaign opt-out mention', () => {
  const STOP_FR = 'STOP pour ne plus recevoir nos offres';
  const campaignTo = (text: string): OutboundMessage => ({
    ...replyTo(TWILIO_TEST.customer, [{ type: 'text', text }]),
    purpose: 'campaign',
    campaignId: 'ventes-privees',
    optOutNotice: STOP_FR,
  });

  it('ends the last SMS whatever the length, loses no text, and keeps every SMS within 1600 characters', () => {
    const sentence = 'Une offre rien que pour vous. ';
    const texts = [
      ...[1500, 1562, 1563, 1580, 1600, 1601, 3150, 3199, 3200, 4790].map((length) =>
        sentence
          .repeat(Math.ceil(length / sentence.length))
          .slice(0, length)
          .trim(),
      ),
      'x'.repeat(1590), // no boundary at all: cut at the limit
      `${'a'.repeat(1570)}\n\n${'b'.repeat(20)}`,
    ];
    for (const text of texts) {
      const requests = sender.render(campaignTo(text));
      const bodies = requests.map((request) => request.params.Body ?? '');
      const where = `a text of ${text.length} characters`;
      for (const body of bodies) assert.ok(body.length <= SMS_MAX_LENGTH, `${where}: an SMS of ${body.length}`);
      assert.ok(bodies.at(-1)?.endsWith(`\n${STOP_FR}`), `${where}: the last SMS ends with the mention`);
      assert.equal(bodies.join('').split(STOP_FR).length, 2, `${where}: the mention is sent once`);
      const words = (value: string) => value.replace(/\s+/g, '');
      assert.equal(words(bodies.join('')), words(text + STOP_FR), `${where}: nothing lost, in order`);
    }
  });

  it('reaches Twilio in the Body of the message it belongs to', async () => {
    const message = campaignTo('Ventes privées : -30 % sur les lampes Opaline.');
    const before = fake.messages.length;
    await sendAll(message);
    const sent = fake.messages.slice(before).map((send) => send.Body);
    assert.deepEqual(sent, [`Ventes privées : -30 % sur les lampes Opaline.\n${STOP_FR}`]);
  });
});

describe('Twilio sender', () => {
  it('posts the form to Messages.json with basic auth and returns the message sid', async () => {
    const message = replyTo('+33639987010', [{ type: 'text', text: 'Votre commande est partie.' }]);
    const [receipt] = await sendAll(message);
    const request = fake.requests.at(-1);
    assert.equal(request?.path, `/2010-04-01/Accounts/${TWILIO_TEST.accountSid}/Messages.json`);
    assert.match(String(request?.headers['content-type']), /^application\/x-www-form-urlencoded/);
    const sent = fake.messages.at(-1);
    assert.deepEqual(
      { To: sent?.To, From: sent?.From, Body: sent?.Body, StatusCallback: sent?.StatusCallback },
      {
        To: '+33639987010',
        From: TWILIO_TEST.from,
        Body: 'Votre commande est partie.',
        StatusCallback: `${TWILIO_TEST.publicUrl}/webhooks/twilio/status`,
      },
    );
    assert.match(receipt?.providerMessageId ?? '', /^SM[0-9a-f]{32}$/);
    assert.equal(receipt?.providerMessageId, sent?.sid);
    assert.equal(sender.ratePerSecond, 1, 'one number: 1 SMS per second');
  });

  it('sends through a Messaging Service when TWILIO_FROM is one', async () => {
    const service = senderFor(configWith({ TWILIO_FROM: TWILIO_TEST.messagingServiceSid }));
    await sendAll(replyTo('+33639987011', [{ type: 'text', text: 'Bonjour' }]), service);
    const sent = fake.messages.at(-1);
    assert.equal(sent?.MessagingServiceSid, TWILIO_TEST.messagingServiceSid);
    assert.equal(sent?.From, undefined);
    assert.equal(service.ratePerSecond, 10);
  });

  it('sends MMS pictures as MediaUrl', async () => {
    await sendAll(
      replyTo(TWILIO_TEST.usCustomer, [
        { type: 'media', media: { url: 'https://cdn.example.com/a.jpg', mimeType: 'image/jpeg' } },
        { type: 'media', media: { url: 'https://cdn.example.com/b.jpg', mimeType: 'image/jpeg' } },
      ]),
    );
    const sent = fake.messages.at(-1);
    assert.deepEqual(sent?.MediaUrl, ['https://cdn.example.com/a.jpg', 'https://cdn.example.com/b.jpg']);
    assert.equal(sent?.Body, undefined);
  });

  it("reports a 429 as retry after Twilio's Retry-After", async () => {
    fake.script(twilioError(429, 20429, 'Too Many Requests', { 'retry-after': '3' }));
    const error = await sendFailure(replyTo('+33639987012', [{ type: 'text', text: 'hi' }]));
    assert.equal(error.outcome, 'retry');
    assert.equal(error.options.retryAfterMs, 3_000);
  });

  it('reports a 5xx as retry', async () => {
    fake.script(twilioError(503, 20503, 'Service Unavailable'));
    const error = await sendFailure(replyTo('+33639987013', [{ type: 'text', text: 'hi' }]));
    assert.equal(error.outcome, 'retry');
    assert.equal(error.options.status, 503);
  });

  it('reports a full outbound queue (21611) as retry', async () => {
    fake.script(twilioError(400, 21611, "This 'From' number has exceeded the maximum number of queued messages"));
    const error = await sendFailure(replyTo('+33639987014', [{ type: 'text', text: 'hi' }]));
    assert.equal(error.outcome, 'retry');
  });

  it('reports an unsubscribed recipient (21610) as opted out', async () => {
    fake.optOut('+33639987015');
    const error = await sendFailure(replyTo('+33639987015', [{ type: 'text', text: 'Promo !' }]));
    assert.equal(error.outcome, 'opted-out');
    assert.match(error.message, /code 21610: Attempt to send to unsubscribed recipient/);
  });

  it('rejects an invalid number (21211) for good', async () => {
    const error = await sendFailure(replyTo('0612', [{ type: 'text', text: 'hi' }]));
    assert.equal(error.outcome, 'reject');
    assert.match(error.message, /code 21211/);
  });

  it('rejects when Twilio refuses the credentials (20003)', async () => {
    const wrong = senderFor(configWith({ TWILIO_AUTH_TOKEN: '0badc0de0badc0de0badc0de0badc0de' }));
    const error = await sendFailure(replyTo('+33639987016', [{ type: 'text', text: 'hi' }]), wrong);
    assert.equal(error.outcome, 'reject');
    assert.equal(error.options.status, 401);
    assert.match(error.message, /code 20003/);
    assert.doesNotMatch(error.message, /0badc0de/, 'no credential in the error');
  });
});

describe('Twilio reconcile (a send cut off by a crash)', () => {
  /** What the crashed process was sending, and when the call started. */
  function interrupted(customer: string, text: string, through = sender) {
    const message = replyTo(customer, [{ type: 'text', text }]);
    const [request] = through.render(message);
    assert.ok(request && through.reconcile, 'the Twilio sender can reconcile');
    const reconcile = through.reconcile.bind(through);
    return { message, request, ask: (since: Date) => reconcile(request, message, since) };
  }

  it('finds a message Twilio accepted, still queued, and gives its sid', async () => {
    const call = interrupted('+33639987030', 'Votre code : 4812');
    const since = new Date();
    const [receipt] = await sendAll(call.message);
    assert.equal(fake.messages.at(-1)?.sentAt, undefined, 'still queued: date_sent is null');
    const lists = fake.requests.length;
    assert.deepEqual(await call.ask(since), { outcome: 'sent', providerMessageId: receipt?.providerMessageId });
    const list = fake.requests.slice(lists).find((request) => request.method === 'GET');
    assert.ok(list, 'the Message list was read');
    const query = new URLSearchParams(list.path.split('?')[1]);
    assert.deepEqual(
      { To: query.get('To'), From: query.get('From'), PageSize: query.get('PageSize') },
      { To: '+33639987030', From: TWILIO_TEST.from, PageSize: '1000' },
    );
  });

  it('finds a message sent through a Messaging Service by the service, not the number', async () => {
    const service = senderFor(configWith({ TWILIO_FROM: TWILIO_TEST.messagingServiceSid }));
    const call = interrupted('+33639987031', 'Bonjour', service);
    const since = new Date();
    const [receipt] = await sendAll(call.message, service);
    assert.deepEqual(await call.ask(since), { outcome: 'sent', providerMessageId: receipt?.providerMessageId });
    const numberCall = interrupted('+33639987031', 'Bonjour');
    assert.deepEqual(await numberCall.ask(since), { outcome: 'not-sent' }, 'sent by the service, not by the number');
  });

  it('says not sent when Twilio lists nothing like it since the call started', async () => {
    const customer = '+33639987032';
    const earlier = interrupted(customer, 'Rappel : rendez-vous demain');
    await sendAll(earlier.message);
    await sendAll(interrupted(customer, 'Autre chose').message);
    // The same text went out before: an earlier message is not this call.
    const since = new Date(Date.now() + 60_000);
    assert.deepEqual(await earlier.ask(since), { outcome: 'not-sent' });
    assert.deepEqual(await interrupted('+33639987033', 'Jamais envoyé').ask(new Date()), { outcome: 'not-sent' });
  });

  it('says unknown when Twilio has a message with nearly the same text (rewritten quotes)', async () => {
    const customer = '+33639987034';
    const since = new Date();
    await sendAll(interrupted(customer, "C'est parti - a demain...").message);
    const call = interrupted(customer, 'C’est parti – à demain…');
    const answer = await call.ask(since);
    assert.equal(answer.outcome, 'unknown');
  });

  it('follows next_page_uri through a long history', async () => {
    const customer = '+33639987035';
    const call = interrupted(customer, 'La première page ne suffit pas');
    const since = new Date();
    const [receipt] = await sendAll(call.message);
    // A thousand later messages to the same customer push ours onto the second page.
    const later = Date.now() + 1;
    for (let n = 0; n < 1_000; n++) {
      fake.messages.push({
        To: customer,
        From: TWILIO_TEST.from,
        Body: `suite ${n}`,
        MediaUrl: [],
        sid: `SMlater${n}`,
        at: later,
      });
    }
    const lists = fake.requests.length;
    assert.deepEqual(await call.ask(since), { outcome: 'sent', providerMessageId: receipt?.providerMessageId });
    const reads = fake.requests.slice(lists).filter((request) => request.method === 'GET');
    assert.equal(reads.length, 2, 'two pages of 1000');
    assert.match(reads[1]?.path ?? '', /PageToken=PA/);
  });

  it('says unknown when the list cannot be read, never not-sent', async () => {
    const call = interrupted('+33639987036', 'Bonjour');
    fake.scriptList(twilioError(500, 20500, 'Internal Server Error'));
    const failed = await call.ask(new Date());
    assert.equal(failed.outcome, 'unknown');
    assert.match(failed.outcome === 'unknown' ? failed.reason : '', /answered 500/);
    fake.scriptList({ status: 200, body: 'not json' });
    assert.equal((await call.ask(new Date())).outcome, 'unknown');
    const wrong = senderFor(configWith({ TWILIO_AUTH_TOKEN: '0badc0de0badc0de0badc0de0badc0de' }));
    const refused = interrupted('+33639987036', 'Bonjour', wrong);
    assert.equal((await refused.ask(new Date())).outcome, 'unknown', 'refused credentials settle nothing');
  });
});

describe('Twilio sender inside the channel sender', () => {
  let db: Db;
  const pipelinePrefix = uniquePrefix('twilio-pipeline');
  const pipelineRedis = openRedis('twilio-pipeline');
  let queues: ReturnType<typeof openPipelineQueues>;
  let channelSender: ReturnType<typeof startChannelSender>;
  let twilioSender: ChannelSender<TwilioSendRequest>;
  const pipeline = testPipelineSettings();

  before(async () => {
    db = await openDb({ inMemory: true });
    await migrate(db);
    queues = openPipelineQueues(pipelineRedis, { redisKeyPrefix: pipelinePrefix, pipeline });
    twilioSender = senderFor(configWith({ REDIS_KEY_PREFIX: pipelinePrefix }), pipelineRedis);
    channelSender = startChannelSender({
      redis: pipelineRedis,
      db,
      queues,
      senders: new Map([['sms', twilioSender as ChannelSender]]),
      config: { redisKeyPrefix: pipelinePrefix, pipeline },
      logger,
      observer: silentObserver,
    });
  });

  after(async () => {
    await channelSender?.close();
    await queues?.close();
    await db?.close();
    await deletePrefix(pipelineRedis, pipelinePrefix);
    await pipelineRedis.quit();
  });

  /**
   * A reply as the dialog worker makes one: the customer known, the message recorded, then
   * queued. With `crash`, the job comes back after its sender was killed in the middle of the
   * Twilio call: the in-flight marker it wrote is there, and Twilio got the SMS or not.
   */
  async function queueReply(
    userId: string,
    parts: OutboundPart[],
    crash?: { twilioGotIt: boolean },
    purpose: OutboundMessage['purpose'] = 'reply',
  ): Promise<OutboundMessage> {
    const message: OutboundMessage = { ...replyTo(userId, parts), purpose };
    const contact = await resolveContact(db, { channel: 'sms', account: TWILIO_TEST.from, userId, phone: userId });
    await recordInbound(
      db,
      {
        version: EVENT_FORMAT_VERSION,
        id: `in_${message.id}`,
        channel: 'sms',
        account: TWILIO_TEST.from,
        providerMessageId: `SM_${message.id}`,
        conversationId: message.conversationId,
        sender: { id: userId, phone: userId },
        receivedAt: new Date().toISOString(),
        kind: 'message',
        content: { text: 'bonjour' },
      },
      contact.id,
    );
    await recordOutbound(db, [message]);
    if (crash) {
      // The crash was long enough ago for the interrupted call to be settled at Twilio.
      const startedAt = Date.now() - 20_000;
      if (crash.twilioGotIt) await sendAll(message, twilioSender);
      const keys = queues.outbound.keys(message.conversationId, message.idempotencyKey);
      await pipelineRedis.set(`${keys.status}:inflight`, `0@${startedAt}`, 'EX', 60);
    }
    assert.equal(await queues.outbound.enqueue(message), 'accepted');
    return message;
  }

  const smsTo = (customer: string) => fake.messages.filter((sent) => sent.To === customer);

  it("waits as long as Twilio's 429 Retry-After says, then sends once", async () => {
    const customer = '+33639987020';
    fake.script(twilioError(429, 20429, 'Too Many Requests', { 'retry-after': '1' }));
    const message = await queueReply(customer, [{ type: 'text', text: 'Votre colis arrive demain.' }]);
    await waitFor('the message to be sent', async () => (await getDelivery(db, message.id))?.status === 'sent');
    const tries = fake.attempts.filter((attempt) => attempt.To === customer);
    assert.equal(tries.length, 2);
    const waited = (tries[1]?.at ?? 0) - (tries[0]?.at ?? 0);
    assert.ok(waited >= 1_000, `the second try came ${waited} ms after the 429, before its Retry-After of 1 s`);
    assert.equal((await getDelivery(db, message.id))?.providerMessageId, fake.messages.at(-1)?.sid);
  });

  it('records a recipient Twilio says unsubscribed as opted out, and does not retry', async () => {
    const customer = '+33639987021';
    fake.optOut(customer);
    const message = await queueReply(customer, [{ type: 'text', text: 'Les soldes commencent !' }]);
    await waitFor('the opt-out', () => isOptedOut(db, { channel: 'sms', account: TWILIO_TEST.from, userId: customer }));
    await waitFor('the delivery to fail', async () => (await getDelivery(db, message.id))?.status === 'failed');
    assert.equal(fake.attempts.filter((attempt) => attempt.To === customer).length, 1);
  });

  it('does not send again an SMS Twilio got before its sender was killed, and keeps its sid', async () => {
    const customer = '+33639987040';
    const message = await queueReply(customer, [{ type: 'text', text: 'Votre commande est prête.' }], {
      twilioGotIt: true,
    });
    await waitFor('the delivery to be sent', async () => (await getDelivery(db, message.id))?.status === 'sent');
    assert.equal(smsTo(customer).length, 1, 'one SMS, the one from before the crash');
    assert.equal(fake.attempts.filter((attempt) => attempt.To === customer).length, 1);
    assert.equal((await getDelivery(db, message.id))?.providerMessageId, smsTo(customer)[0]?.sid);
  });

  it('sends once an SMS Twilio never got before its sender was killed', async () => {
    const customer = '+33639987041';
    const message = await queueReply(customer, [{ type: 'text', text: 'Votre colis est en route.' }], {
      twilioGotIt: false,
    });
    await waitFor('the delivery to be sent', async () => (await getDelivery(db, message.id))?.status === 'sent');
    assert.equal(smsTo(customer).length, 1);
    assert.equal((await getDelivery(db, message.id))?.providerMessageId, smsTo(customer)[0]?.sid);
  });

  it('keeps a campaign message (at most once) as unknown when the message list fails', async () => {
    const customer = '+33639987042';
    const letters = await queues.deadLetters.count();
    fake.scriptList(twilioError(500, 20500, 'Internal Server Error'));
    const message = await queueReply(customer, [{ type: 'text', text: 'Bonjour' }], { twilioGotIt: false }, 'campaign');
    await waitFor('the dead letter', async () => (await queues.deadLetters.count()) === letters + 1);
    assert.equal((await getDelivery(db, message.id))?.status, 'unknown');
    assert.equal(fake.attempts.filter((attempt) => attempt.To === customer).length, 0, 'nothing sent on a guess');
  });

  it('sends a reply (at least once) again when the message list fails, and records it as resent', async () => {
    const customer = '+33639987043';
    const letters = await queues.deadLetters.count();
    fake.scriptList(twilioError(500, 20500, 'Internal Server Error'));
    const message = await queueReply(customer, [{ type: 'text', text: 'Bonjour' }], { twilioGotIt: false });
    await waitFor('the delivery to be sent', async () => (await getDelivery(db, message.id))?.status === 'sent');
    assert.equal(smsTo(customer).length, 1, 'Twilio was asked first, then it was sent again');
    assert.equal((await getDelivery(db, message.id))?.resent, 1);
    const resent = (await queues.deadLetters.listResent()).find((item) => item.messageId === message.id);
    assert.match(resent?.reason ?? '', /500/);
    assert.equal(await queues.deadLetters.count(), letters);
  });
});

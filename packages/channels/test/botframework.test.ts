/**
 * Teams and Messenger (Bot Framework): the cases file through the shared
 * webhook harness with authentication ON (botbuilder checks real JWTs signed
 * by a fake Bot Framework login service on 127.0.0.1), open mode for the
 * Emulator, and the sender against a fake Bot Connector: replies addressed
 * from the stored conversation reference, button presses coming back as
 * postbacks, and the Bot Connector's errors.
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
  type InboundEvent,
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
import {
  CONNECTOR_ERRORS,
  type FakeBotConnector,
  type FakeBotFrameworkLogin,
  startFakeBotConnector,
  startFakeBotFrameworkLogin,
} from '../../../test/support/fakes/botframework.js';
import { deletePrefix, openRedis, uniquePrefix, waitFor } from '../../../test/support/services.js';
import type { BotFrameworkRequest } from '../src/botframework/activity.js';
import { type BotFrameworkWebhookRequest, botframeworkCases, CASE_APP_ID } from '../src/botframework/cases.js';
import { loadReference, saveReference } from '../src/botframework/conversation-store.js';
import { createBotframeworkModule } from '../src/botframework/module.js';
import { renderBotFramework } from '../src/botframework/render.js';
import { createBotFrameworkSender } from '../src/botframework/send.js';
import { splitText } from '../src/botframework/text.js';
import { connectorTokenSource } from '../src/botframework/token.js';
import { ActivityAuthenticator, PUBLIC_CLOUD_ENDPOINTS } from '../src/botframework/verify.js';
import {
  inboundWebhookCases,
  outboundRenderCases,
  startWebhookHarness,
  type WebhookHarness,
} from './support/webhook-harness.js';

const redis = openRedis('botframework');
const prefixes: string[] = [];
const closers: Array<() => Promise<unknown>> = [];

function configFor(name: string, env: Record<string, string> = {}): Config {
  const prefix = uniquePrefix(name);
  prefixes.push(prefix);
  return loadConfig({ REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'silent', ...env });
}

after(async () => {
  for (const close of closers.reverse()) await close();
  for (const prefix of prefixes) await deletePrefix(redis, prefix);
  await redis.quit();
});

/** Adds the Authorization header each case's token scenario calls for, minted now by the fake login service. */
function withTokens(login: FakeBotFrameworkLogin, request: BotFrameworkWebhookRequest): BotFrameworkWebhookRequest {
  const scenario = request.token ?? 'bot-connector';
  if (scenario === 'none') return request;
  let serviceUrl = 'https://smba.trafficmanager.net/emea/';
  try {
    serviceUrl = (JSON.parse(request.body) as { serviceUrl?: string }).serviceUrl ?? serviceUrl;
  } catch {
    // Not JSON on purpose: any valid token will do, the body is refused first.
  }
  const token = login.channelToken({
    appId: scenario === 'other-app' ? '0f1e2d3c-4b5a-4697-8877-665544332211' : CASE_APP_ID,
    serviceUrl: scenario === 'other-service-url' ? 'https://smba.trafficmanager.net/amer/' : serviceUrl,
    key: scenario === 'forged' ? 'rogue' : scenario === 'not-endorsed' ? 'teams-only' : 'main',
    expiresIn: scenario === 'expired' ? -3600 : 3600,
  });
  return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
}

/** An activity from the Bot Framework Emulator (open mode) whose replies go to the fake connector. */
function emulatorActivity(connector: FakeBotConnector, id: string, fields: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id,
    timestamp: new Date().toISOString(),
    channelId: 'emulator',
    serviceUrl: connector.url,
    from: { id: 'emulator-user-1', name: 'User', role: 'user' },
    conversation: { id: `conv-${id}` },
    recipient: { id: 'bot-emulator', name: 'Bot', role: 'bot' },
    locale: 'fr-FR',
    text: 'bonjour',
    ...fields,
  };
}

const post = (harness: WebhookHarness, body: unknown, headers: Record<string, string> = {}) =>
  harness.send({
    path: '/api/messages',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

function replyTo(
  event: InboundEvent,
  parts: OutboundMessage['parts'],
  id = `out_${event.id.slice(3)}`,
): OutboundMessage {
  return {
    version: EVENT_FORMAT_VERSION,
    id,
    idempotencyKey: id,
    conversationId: event.conversationId,
    to: { channel: event.channel, account: event.account, userId: event.sender.id },
    replyTo: event.id,
    parts,
    purpose: 'reply',
    createdAt: new Date().toISOString(),
  };
}

async function sendAll(sender: ChannelSender<BotFrameworkRequest>, message: OutboundMessage) {
  const receipts = [];
  for (const request of sender.render(message)) receipts.push(await sender.send(request, message));
  return receipts;
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the send to fail');
}

describe('Bot Framework cases, authentication on (JWTs checked by botbuilder)', () => {
  let login: FakeBotFrameworkLogin;
  let harness: WebhookHarness;
  let config: Config;
  before(async () => {
    login = await startFakeBotFrameworkLogin();
    config = configFor('bf-cases', { MicrosoftAppId: CASE_APP_ID, MicrosoftAppPassword: 'not-used-here' });
    const module = createBotframeworkModule({
      endpoints: { channelOpenIdMetadataUrl: login.metadataUrl, emulatorOpenIdMetadataUrl: login.metadataUrl },
    });
    harness = await startWebhookHarness(module, config, redis);
    closers.push(
      () => harness.close(),
      () => login.close(),
    );
  });

  // Tokens are minted as each case is sent: they must be fresh, and the login service starts in before().
  inboundWebhookCases(botframeworkCases, () => ({
    ...harness,
    send: (request) => harness.send(withTokens(login, request as BotFrameworkWebhookRequest)),
  }));
  outboundRenderCases(botframeworkCases, renderBotFramework);

  it('fetched the signing keys from the configured OpenID metadata, not from the internet', () => {
    const paths = login.requests.map((request) => request.path);
    assert.ok(paths.includes('/v1/.well-known/openidconfiguration'), `login requests: ${paths.join(', ')}`);
    assert.ok(paths.includes('/v1/.well-known/keys'));
  });

  it('stores the conversation reference the sender needs, keyed by our conversation id', async () => {
    const event = harness.events.find((candidate) => candidate.channel === 'teams' && candidate.kind === 'message');
    assert.ok(event, 'the Teams case was accepted');
    const reference = await loadReference(redis, config.redisKeyPrefix, event.conversationId);
    assert.deepEqual(reference, {
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      conversationId: 'a:1rF2m0pKzJ5m3yT4Gf1QH6kq7sE9vXo8bLwYcNdA2uV0iR5tZ3gM7nP4hS6jK',
      conversationType: 'personal',
      tenantId: 'b7f3c2a1-0d4e-4f5a-9b8c-1e2d3f4a5b6c',
      bot: { id: `28:${CASE_APP_ID}`, name: 'Maison Lumière' },
    });
  });

  it('a redelivered activity gives the same event id (deduplicated by the gateway)', async () => {
    const request = withTokens(login, botframeworkCases.inbound[0]?.request as BotFrameworkWebhookRequest);
    const before = harness.events.length;
    const first = await harness.send(request);
    assert.equal(first.status, 200);
    assert.equal(harness.events.length, before, 'already accepted by the cases run: a duplicate, not a new event');
  });
});

describe('Bot Framework open mode (MicrosoftAppId unset, for the Emulator)', () => {
  let harness: WebhookHarness;
  let connector: FakeBotConnector;
  before(async () => {
    connector = await startFakeBotConnector();
    harness = await startWebhookHarness(createBotframeworkModule(), configFor('bf-open'), redis);
    closers.push(
      () => harness.close(),
      () => connector.close(),
    );
  });

  it('accepts an Emulator activity without a token, as Teams', async () => {
    const response = await post(harness, emulatorActivity(connector, 'open-0001'));
    assert.equal(response.status, 200, response.body);
    const event = harness.events.at(-1);
    assert.equal(event?.channel, 'teams');
    assert.equal(event?.account, 'bot-emulator');
    assert.equal(event?.conversationId, conversationIdFor('teams', 'bot-emulator', 'conv-open-0001'));
    assert.deepEqual(event?.sender, { id: 'emulator-user-1', name: 'User', locale: 'fr-FR' });
    assert.deepEqual(event?.content, { text: 'bonjour' });
  });

  it('refuses a serviceUrl that is not this machine: an open gateway must not post elsewhere', async () => {
    for (const serviceUrl of [
      'https://smba.trafficmanager.net/emea/',
      'http://10.0.0.7:8080/',
      `${connector.url}/admin?x=`,
    ]) {
      const before = harness.events.length;
      const response = await post(harness, emulatorActivity(connector, 'open-0002', { serviceUrl }));
      assert.equal(response.status, 403, serviceUrl);
      assert.match(response.body, /MicrosoftAppId is not set/);
      assert.equal(harness.events.length, before);
    }
  });

  it('answers a typing activity 200 and queues nothing', async () => {
    const before = harness.events.length;
    const response = await post(harness, emulatorActivity(connector, 'open-0003', { type: 'typing', text: undefined }));
    assert.equal(response.status, 200);
    assert.equal(harness.events.length, before);
  });
});

describe('Bot Framework sender against a fake Bot Connector', () => {
  let harness: WebhookHarness;
  let connector: FakeBotConnector;
  let config: Config;
  let sender: ChannelSender<BotFrameworkRequest>;
  let counter = 0;
  before(async () => {
    connector = await startFakeBotConnector();
    config = configFor('bf-send');
    harness = await startWebhookHarness(createBotframeworkModule(), config, redis);
    sender = createBotFrameworkSender('teams', {
      redis,
      prefix: config.redisKeyPrefix,
      tokenSource: undefined,
      timeoutMs: 500,
    });
    closers.push(
      () => harness.close(),
      () => connector.close(),
    );
  });

  /** A real inbound activity through the webhook: stores the reference, gives the event to answer. */
  async function conversation(fields: Record<string, unknown> = {}): Promise<InboundEvent> {
    counter += 1;
    const response = await post(harness, emulatorActivity(connector, `send-${counter}`, fields));
    assert.equal(response.status, 200, response.body);
    const event = harness.events.at(-1);
    assert.ok(event);
    return event;
  }

  it('posts the reply to the conversation, addressed from the stored reference', async () => {
    const event = await conversation();
    const before = connector.activities.length;
    const receipts = await sendAll(sender, replyTo(event, [{ type: 'text', text: 'Bonjour !' }]));
    const [posted] = connector.activities.slice(before);
    assert.ok(posted);
    assert.equal(posted.conversationId, `conv-send-${counter}`);
    assert.equal(posted.authorization, undefined, 'open mode sends no token');
    assert.deepEqual(posted.activity, {
      type: 'message',
      text: 'Bonjour !',
      textFormat: 'markdown',
      channelId: 'emulator',
      from: { id: 'bot-emulator', name: 'Bot' },
      recipient: { id: 'emulator-user-1' },
      conversation: { id: `conv-send-${counter}` },
    });
    assert.match(receipts[0]?.providerMessageId ?? '', /^1795425\d{6}$/, 'the Bot Connector activity id');
  });

  it("posts a tagged Messenger message with Facebook's messaging_type and tag in channelData", async () => {
    const messenger = createBotFrameworkSender('messenger', {
      redis,
      prefix: config.redisKeyPrefix,
      tokenSource: undefined,
      timeoutMs: 500,
    });
    const event = await conversation({ channelId: 'facebook' });
    assert.equal(event.channel, 'messenger');
    const message: OutboundMessage = {
      ...replyTo(event, [{ type: 'text', text: 'Votre commande ML-10234 est prête.' }]),
      purpose: 'campaign',
      messageTag: 'ACCOUNT_UPDATE',
    };
    const before = connector.activities.length;
    await sendAll(messenger, message);
    const [posted] = connector.activities.slice(before);
    assert.ok(posted, 'one activity posted');
    assert.equal(posted.activity.channelId, 'facebook');
    assert.deepEqual(posted.activity.channelData, { messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' });
    assert.equal(posted.activity.text, 'Votre commande ML-10234 est prête.');
  });

  it('turns a pressed button (its title sent back) into a postback with the payload', async () => {
    const event = await conversation();
    const greeting = replyTo(event, [
      {
        type: 'quickReplies',
        text: 'Bonjour ! Que puis-je faire pour vous ?',
        replies: [
          { title: 'Horaires', payload: 'faq:hours' },
          { title: 'Livraison', payload: 'faq:delivery' },
        ],
      },
    ]);
    await sendAll(sender, greeting);
    const posted = connector.activities.at(-1);
    assert.deepEqual(posted?.activity.suggestedActions, {
      to: ['emulator-user-1'],
      actions: [
        { type: 'imBack', title: 'Horaires', value: 'Horaires' },
        { type: 'imBack', title: 'Livraison', value: 'Livraison' },
      ],
    });
    // The Emulator (like Teams and Messenger) posts the imBack value as the user's message.
    const press = await post(harness, {
      ...emulatorActivity(connector, `press-${counter}`, { text: ' livraison ' }),
      conversation: { id: `conv-send-${counter}` },
    });
    assert.equal(press.status, 200);
    const pressed = harness.events.at(-1);
    assert.equal(pressed?.kind, 'postback');
    assert.deepEqual(pressed?.content, { postback: { payload: 'faq:delivery', title: 'Livraison' } });

    const typed = await post(harness, {
      ...emulatorActivity(connector, `typed-${counter}`, { text: 'Livraison express ?' }),
      conversation: { id: `conv-send-${counter}` },
    });
    assert.equal(typed.status, 200);
    assert.deepEqual(harness.events.at(-1)?.content, { text: 'Livraison express ?' }, 'other text stays text');
  });

  it('in a Teams group chat, suggested actions (personal chats only) become a card', async () => {
    const event = await conversation();
    await saveReference(redis, config.redisKeyPrefix, event.conversationId, {
      channelId: 'msteams',
      serviceUrl: connector.url,
      conversationId: '19:meeting_group@thread.v2',
      conversationType: 'groupChat',
      tenantId: 'tenant-1',
      bot: { id: '28:bot' },
    });
    await sendAll(
      sender,
      replyTo(event, [
        { type: 'quickReplies', text: 'Choisissez', replies: [{ title: 'Horaires', payload: 'faq:hours' }] },
      ]),
    );
    const posted = connector.activities.at(-1);
    assert.equal(posted?.conversationId, '19:meeting_group@thread.v2');
    assert.deepEqual(posted?.activity, {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.hero',
          content: { text: 'Choisissez', buttons: [{ type: 'imBack', title: 'Horaires', value: 'Horaires' }] },
        },
      ],
      channelId: 'msteams',
      from: { id: '28:bot' },
      recipient: { id: 'emulator-user-1' },
      conversation: { id: '19:meeting_group@thread.v2', tenantId: 'tenant-1' },
    });
  });

  it('carries the bearer token when the bot has an app id', async () => {
    const guarded = await startFakeBotConnector({ requireToken: 'token-from-entra-id' });
    closers.push(() => guarded.close());
    const event = await conversation({ serviceUrl: guarded.url });
    const withToken = createBotFrameworkSender('teams', {
      redis,
      prefix: config.redisKeyPrefix,
      tokenSource: { getToken: async () => 'token-from-entra-id' },
    });
    await sendAll(withToken, replyTo(event, [{ type: 'text', text: 'Bonjour' }]));
    assert.equal(guarded.activities.at(-1)?.authorization, 'Bearer token-from-entra-id');

    const error = await providerError(
      sendAll(sender, replyTo(event, [{ type: 'text', text: 'no token' }], 'out_notoken')),
    );
    assert.equal(error.outcome, 'reject');
    assert.equal(error.options.status, 401);
    assert.match(error.message, /refused our token; check MicrosoftAppId/);
  });

  it('retries a 429 with the Retry-After it gives', async () => {
    const event = await conversation();
    connector.answerNext(CONNECTOR_ERRORS.throttled(3));
    const error = await providerError(sendAll(sender, replyTo(event, [{ type: 'text', text: 'x' }])));
    assert.equal(error.outcome, 'retry');
    assert.equal(error.options.retryAfterMs, 3_000);
  });

  it('retries 5xx', async () => {
    const event = await conversation();
    for (const answer of [CONNECTOR_ERRORS.serviceError(), CONNECTOR_ERRORS.badGateway()]) {
      connector.answerNext(answer);
      const error = await providerError(sendAll(sender, replyTo(event, [{ type: 'text', text: 'x' }])));
      assert.equal(error.outcome, 'retry');
    }
  });

  it('rejects when the bot was removed from the conversation (403) or it is gone (404)', async () => {
    const event = await conversation();
    connector.answerNext(CONNECTOR_ERRORS.notInRoster());
    const removed = await providerError(sendAll(sender, replyTo(event, [{ type: 'text', text: 'x' }])));
    assert.equal(removed.outcome, 'reject');
    assert.match(removed.message, /may not post here any more.*BotNotInConversationRoster/);

    connector.answerNext(CONNECTOR_ERRORS.conversationNotFound());
    const gone = await providerError(sendAll(sender, replyTo(event, [{ type: 'text', text: 'x' }])));
    assert.equal(gone.outcome, 'reject');
    assert.match(gone.message, /conversation is gone.*ConversationNotFound/);

    connector.answerNext(CONNECTOR_ERRORS.badArgument());
    const bad = await providerError(sendAll(sender, replyTo(event, [{ type: 'text', text: 'x' }])));
    assert.equal(bad.outcome, 'reject');
    assert.match(bad.message, /400.*BadArgument/);
  });

  it('reports a timeout as ambiguous: the Bot Connector may have posted it', async () => {
    const event = await conversation();
    connector.answerNext('hang');
    const error = await providerError(sendAll(sender, replyTo(event, [{ type: 'text', text: 'x' }])));
    assert.equal(error.outcome, 'ambiguous');
  });

  it('rejects a message for a conversation it never saw (no serviceUrl to answer to)', async () => {
    const event = await conversation();
    const stranger = { ...replyTo(event, [{ type: 'text', text: 'x' }]), conversationId: 'cv_never_seen' };
    const error = await providerError(sendAll(sender, stranger));
    assert.equal(error.outcome, 'reject');
    assert.match(error.message, /no Bot Framework conversation reference/);
  });

  it('through the channel sender: waits out a 429 Retry-After, then delivers once', async () => {
    const event = await conversation();
    const db: Db = await openDb({ inMemory: true });
    await migrate(db);
    const queues = openPipelineQueues(redis, {
      redisKeyPrefix: config.redisKeyPrefix,
      pipeline: { dedupTtlSeconds: 600 },
    });
    const worker = startChannelSender({
      redis,
      db,
      queues,
      senders: new Map([['teams', sender as ChannelSender]]),
      config: { ...config, pipeline: { ...config.pipeline, retryBaseMs: 100, retryMaxMs: 400 } },
      logger: createLogger({ level: 'silent' }),
      observer: silentObserver,
    });
    closers.push(
      () => db.close(),
      () => queues.close(),
      () => worker.close(),
    );
    const contact = await resolveContact(db, {
      channel: event.channel,
      account: event.account,
      userId: event.sender.id,
    });
    await recordInbound(db, event, contact.id);
    const message = replyTo(event, [{ type: 'text', text: 'Après la pause' }], 'out_pipeline_1');
    await recordOutbound(db, [message]);
    const before = connector.provider.requests.length;
    connector.answerNext(CONNECTOR_ERRORS.throttled(1));
    assert.equal(await queues.outbound.enqueue(message), 'accepted');
    await waitFor('the reply to be sent', async () => (await getDelivery(db, message.id))?.status === 'sent');
    const tries = connector.provider.requests.slice(before);
    assert.equal(tries.length, 2);
    const waited = (tries[1]?.at ?? 0) - (tries[0]?.at ?? 0);
    assert.ok(waited >= 1_000, `second try came ${waited} ms after the 429, before its Retry-After of 1 s`);
    assert.equal(connector.activities.filter((posted) => posted.activity.text === 'Après la pause').length, 1);
  });
});

describe('Bot Framework configuration', () => {
  it('builds the token check and the reply credentials for every MicrosoftAppType', () => {
    const appTypes: Array<Record<string, string>> = [
      { MicrosoftAppType: 'MultiTenant' },
      { MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'b7f3c2a1-0d4e-4f5a-9b8c-1e2d3f4a5b6c' },
      // The gateway's configuration asks for a password next to an app id; a managed identity has none.
      { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 'b7f3c2a1-0d4e-4f5a-9b8c-1e2d3f4a5b6c' },
    ];
    for (const appType of appTypes) {
      const { env } = configFor('bf-config', {
        MicrosoftAppId: CASE_APP_ID,
        MicrosoftAppPassword: 'secret',
        ...appType,
      });
      const authenticator = new ActivityAuthenticator(env, PUBLIC_CLOUD_ENDPOINTS);
      assert.equal(authenticator.open, false, appType.MicrosoftAppType);
      assert.ok(connectorTokenSource(env), appType.MicrosoftAppType);
    }
    const open = configFor('bf-config').env;
    assert.equal(new ActivityAuthenticator(open, PUBLIC_CLOUD_ENDPOINTS).open, true);
    assert.equal(connectorTokenSource(open), undefined, 'no token without an app id');
  });
});

describe('splitText', () => {
  it('never cuts an emoji in half and loses nothing', () => {
    const text = `${'a'.repeat(9)}😀${'b'.repeat(5)}`;
    const pieces = splitText(text, 10);
    assert.deepEqual(pieces, ['a'.repeat(9), `😀${'b'.repeat(5)}`]);
    assert.equal(pieces.join(''), text);
  });
});

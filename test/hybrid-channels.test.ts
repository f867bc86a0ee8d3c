/**
 * Hybrid mode on every channel, end to end: one real gateway process (all
 * roles, PostgreSQL, real Redis) with every channel on at once, each pointed
 * at its fake provider (Twilio, the Telegram Bot API, two Bot Connectors for
 * Teams and Messenger in open mode, WhatsApp Web through the fake
 * whatsapp-web.js client) plus the web chat socket. One operator is online
 * (their console's live stream open) the whole time.
 *
 * For each channel, the same path: the customer asks for a person and gets
 * their place in line on that channel; the conversation is the operator's,
 * shown with that channel; the customer writes again and the bot keeps quiet
 * (the operator's reply is the next thing the provider receives); the reply
 * reaches the provider addressed to that customer; the operator closes and
 * the customer is thanked on that channel. What the provider received over
 * the whole path is then exactly those three messages, in that order: the
 * conversation's messages are handled and sent in order, so an answer of the
 * bot to the customer's second message would have come before the thanks.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  inboundSmsForm,
  signedTwilioRequest,
  TWILIO_TEST,
  twilioSid,
  twilioTestEnv,
} from '../packages/channels/src/twilio/cases.js';
import { addOperator, ConsoleClient, type HandoffView } from './support/console-client.js';
import { type FakeBotConnector, startFakeBotConnector } from './support/fakes/botframework.js';
import { type FakeBotApi, startFakeBotApi } from './support/fakes/telegram.js';
import { type FakeTwilio, startFakeTwilio } from './support/fakes/twilio.js';
import { FakeWhatsappWeb, fakeWhatsappNodeOptions } from './support/fakes/whatsapp.js';
import { type GatewayProcess, startGateway } from './support/gateway-process.js';
import {
  createTempDatabase,
  deletePrefix,
  openRedis,
  postgresSkipReason,
  uniquePrefix,
  waitFor,
} from './support/services.js';
import { WebchatVisitor } from './support/webchat-client.js';

const skip = await postgresSkipReason();

/** A team open all day every day, so the test does not depend on when it runs. */
const ALWAYS_OPEN_TEAM = `teams:
  support:
    name: { fr: Service client, en: Customer service }
    time_zone: Europe/Paris
    hours:
      - { days: [mon, tue, wed, thu, fri, sat, sun], from: '00:00', to: '24:00' }
    offline_after: 30m
    average_handling: 4m
`;

const OPERATOR = { email: 'camille@maison-lumiere.example', name: 'Camille', password: 'lumiere-operator-2026' };
const ASK_FOR_A_PERSON = 'je voudrais parler à un conseiller';
const WRITES_AGAIN = 'Ma suspension en laiton clignote depuis hier soir.';
const QUEUED = [/conseiller Maison Lumière/, /Vous êtes 1er dans la file d'attente, environ \d+ min/];
const THANKS = /^Merci pour cet échange avec notre équipe/;

const TELEGRAM_TOKEN = '246813579:AAE2e-token_for-the-hybrid-test';
const TELEGRAM_SECRET = 'hybrid-webhook-secret_0123456789';
const ADMIN_TOKEN = 'hybrid-channels-admin-token-123';
const WHATSAPP_NUMBER = '33700000000';
const PAGE = { id: '108371234567890', name: 'Maison Lumière' };
const TEAMS_BOT = { id: '28:bot-maison-lumiere', name: 'Maison Lumière' };

/** Something a provider received from the gateway for a customer: where it went, and its text. */
interface Sent {
  to: string;
  text: string;
}

interface ChannelRow {
  name: string;
  channel: 'sms' | 'telegram' | 'teams' | 'messenger' | 'whatsapp' | 'webchat';
  /** Where the customer wrote from, as `Sent.to` says it: replies must go there. */
  address(): string;
  /** Sends a text as the customer, on the channel's own wire; fails unless the gateway accepts it. */
  say(text: string): Promise<void>;
  /** Everything the channel's provider has received from the gateway, in order. */
  sent(): Sent[];
}

describe('hybrid mode on every channel, end to end', { skip }, () => {
  let gateway: GatewayProcess;
  let database: { url: string; drop(): Promise<void> };
  let prefix: string;
  let workDir: string;
  let twilio: FakeTwilio;
  let telegram: FakeBotApi;
  let teams: FakeBotConnector;
  let messenger: FakeBotConnector;
  let whatsapp: FakeWhatsappWeb;
  let operator: ConsoleClient;
  let visitor: WebchatVisitor | undefined;
  let sequence = 0;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'passerelle-hybrid-channels-'));
    const botDir = join(workDir, 'bot');
    await cp(new URL('../bots/demo', import.meta.url).pathname, botDir, { recursive: true });
    await writeFile(join(botDir, 'teams.yaml'), ALWAYS_OPEN_TEAM);
    database = await createTempDatabase();
    prefix = uniquePrefix('hybrid-channels');
    [twilio, telegram, teams, messenger, whatsapp] = await Promise.all([
      startFakeTwilio(TWILIO_TEST),
      startFakeBotApi(TELEGRAM_TOKEN),
      startFakeBotConnector(),
      startFakeBotConnector(),
      FakeWhatsappWeb.start(),
    ]);
    const env = {
      DATABASE_URL: database.url,
      REDIS_KEY_PREFIX: prefix,
      BOT_DIR: botDir,
      DATA_DIR: join(workDir, 'data'),
      // SMS; its PUBLIC_URL (the one the test webhooks are signed for) is also where Telegram's webhook is set.
      ...twilioTestEnv(twilio.url),
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      // Teams and Messenger in open mode: loopback serviceUrls, no tokens.
      MicrosoftAppId: '',
      MicrosoftAppPassword: '',
      // WhatsApp: the production adapter over the fake whatsapp-web.js.
      NODE_OPTIONS: fakeWhatsappNodeOptions(),
      FAKE_WHATSAPP_WEB_URL: whatsapp.url,
      WHATSAPP_ENABLED: 'true',
      WHATSAPP_SESSION_DIR: join(workDir, 'whatsapp-session'),
      CHROMIUM_PATH: process.execPath,
      ADMIN_TOKEN,
    };
    gateway = await startGateway({ env });
    // The operator, as a manager adds one (the gateway migrated the database at start): room for 10 conversations.
    await addOperator(env, { ...OPERATOR, max: 10 });

    for (const channel of ['sms', 'telegram', 'teams', 'messenger', 'whatsapp', 'webchat']) {
      assert.ok(
        gateway.logs.some((line) => line.channel === channel && line.enabled === true),
        `the ${channel} channel is on in the one gateway`,
      );
    }
    // WhatsApp: link the session the gateway's client opened, and wait until it is ready.
    const session = await waitFor('the gateway to start its WhatsApp client', () => whatsapp.current());
    assert.ok(session, 'the gateway started a WhatsApp client');
    session.link(WHATSAPP_NUMBER);
    await waitFor('WhatsApp ready', async () => {
      const response = await fetch(`${gateway.url}/admin/whatsapp`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'application/json' },
      });
      return ((await response.json()) as { phase?: string }).phase === 'ready';
    });

    operator = await ConsoleClient.login(gateway.url, OPERATOR.email, OPERATOR.password);
    await operator.openEvents();
  });

  after(async () => {
    operator?.closeEvents();
    visitor?.close();
    await gateway?.stop('SIGKILL');
    await Promise.all([twilio?.close(), telegram?.close(), teams?.close(), messenger?.close(), whatsapp?.close()]);
    const redis = openRedis('hybrid-channels-cleanup');
    if (prefix) await deletePrefix(redis, prefix);
    await redis.quit();
    await database?.drop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const smsCustomer = '+33639987001';
  const telegramChat = 333_000_001;
  const teamsUser = '29:user-hybrid-teams';
  const teamsConversation = 'a:hybrid-teams';
  const psid = '6754183290000001';
  const whatsappChat = '33612340001@c.us';

  const rows: ChannelRow[] = [
    {
      name: 'SMS (Twilio)',
      channel: 'sms',
      address: () => `${TWILIO_TEST.from} -> ${smsCustomer}`,
      async say(text) {
        sequence += 1;
        const request = signedTwilioRequest(
          '/webhooks/twilio',
          inboundSmsForm({ sid: twilioSid('SM', 80_000 + sequence), from: smsCustomer, body: text }),
        );
        const response = await fetch(`${gateway.url}${request.path}`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        assert.equal(response.status, 200, `Twilio webhook refused: ${await response.text()}`);
      },
      sent: () =>
        twilio.attempts.map((send) => ({
          to: `${send.From ?? send.MessagingServiceSid} -> ${send.To}`,
          text: send.Body ?? '',
        })),
    },
    {
      name: 'Telegram',
      channel: 'telegram',
      address: () => `chat ${telegramChat}`,
      async say(text) {
        sequence += 1;
        const update = {
          update_id: 710_000_000 + sequence,
          message: {
            message_id: sequence,
            from: { id: telegramChat, is_bot: false, first_name: 'Camille', language_code: 'fr' },
            chat: { id: telegramChat, first_name: 'Camille', type: 'private' },
            date: Math.floor(Date.now() / 1000),
            text,
          },
        };
        const response = await fetch(`${gateway.url}/webhooks/telegram`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
          body: JSON.stringify(update),
        });
        assert.equal(response.status, 200, `Telegram webhook refused: ${await response.text()}`);
      },
      // Every send* call (a message, a photo...): the bot's setWebhook and getMe are not messages.
      sent: () =>
        telegram.calls
          .filter((call) => call.method.startsWith('send'))
          .map((call) => ({
            to: `chat ${String(call.payload.chat_id)}`,
            text: String(call.payload.text ?? call.payload.caption ?? `[${call.method}]`),
          })),
    },
    {
      name: 'Teams (Bot Framework)',
      channel: 'teams',
      address: () => `msteams ${teamsConversation} -> ${teamsUser}`,
      async say(text) {
        sequence += 1;
        await postActivity({
          text,
          textFormat: 'plain',
          type: 'message',
          timestamp: new Date().toISOString(),
          id: `17954299${String(sequence).padStart(5, '0')}`,
          channelId: 'msteams',
          serviceUrl: teams.url,
          from: { id: teamsUser, name: 'Camille Martin', aadObjectId: '6be0a2c1-5b7d-4b0e-9d5a-4a4f3c1e2d10' },
          conversation: { conversationType: 'personal', tenantId: 'tenant-hybrid', id: teamsConversation },
          recipient: TEAMS_BOT,
          entities: [{ locale: 'fr-FR', country: 'FR', platform: 'Web', timezone: 'Europe/Paris', type: 'clientInfo' }],
          channelData: { tenant: { id: 'tenant-hybrid' } },
          locale: 'fr-FR',
        });
      },
      sent: () => botFrameworkSent(teams),
    },
    {
      name: 'Messenger (Bot Framework)',
      channel: 'messenger',
      address: () => `facebook ${psid}-${PAGE.id} -> ${psid}`,
      async say(text) {
        sequence += 1;
        const mid = `m_hybrid${sequence}`;
        await postActivity({
          type: 'message',
          id: mid,
          timestamp: new Date().toISOString(),
          serviceUrl: messenger.url,
          channelId: 'facebook',
          from: { id: psid, name: 'Zoé Durand' },
          conversation: { isGroup: false, id: `${psid}-${PAGE.id}` },
          recipient: PAGE,
          text,
          channelData: { sender: { id: psid }, recipient: { id: PAGE.id }, message: { mid, text } },
        });
      },
      sent: () => botFrameworkSent(messenger),
    },
    {
      name: 'WhatsApp',
      channel: 'whatsapp',
      address: () => whatsappChat,
      async say(text) {
        sequence += 1;
        const session = whatsapp.current();
        assert.ok(session, 'the gateway has a WhatsApp session open');
        const id = `3EB0HYB${String(sequence).padStart(13, '0')}`;
        session.deliver({
          id: { fromMe: false, remote: whatsappChat, id, _serialized: `false_${whatsappChat}_${id}` },
          type: 'chat',
          body: text,
          t: Math.floor(Date.now() / 1000),
          from: whatsappChat,
          to: `${WHATSAPP_NUMBER}@c.us`,
          ack: 1,
          isNewMsg: true,
          notifyName: 'Zoé Martin',
          mentionedJidList: [],
          links: [],
        });
      },
      sent: () =>
        whatsapp.sent.map((send) => ({
          to: send.chatId,
          text: send.content.kind === 'text' ? send.content.text : `[${send.content.kind}]`,
        })),
    },
    {
      name: 'web chat',
      channel: 'webchat',
      // The widget's socket is the address: what reaches this visitor's socket was sent to them.
      address: () => `visitor ${visitor?.visitorId ?? '(not connected)'}`,
      async say(text) {
        sequence += 1;
        visitor ??= await WebchatVisitor.connect(gateway.url, { locale: 'fr' });
        visitor.say(`hybrid-webchat-${sequence}`, text);
      },
      sent: () =>
        (visitor?.botMessages() ?? []).map((frame) => ({
          to: `visitor ${visitor?.visitorId}`,
          text: (frame.parts as Array<{ text?: string }>).map((part) => part.text ?? '').join('\n'),
        })),
    },
  ];

  async function postActivity(activity: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${gateway.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(activity),
    });
    assert.equal(response.status, 200, `Bot Framework activity refused: ${await response.text()}`);
  }

  function botFrameworkSent(connector: FakeBotConnector): Sent[] {
    return connector.activities.map((posted) => ({
      to: `${String(posted.activity.channelId)} ${posted.conversationId} -> ${String(
        (posted.activity.recipient as { id?: string } | undefined)?.id,
      )}`,
      text: posted.activity.text ?? '',
    }));
  }

  /** Waits until the provider has received more than `count` things, and returns the one at `count`. */
  async function received(row: ChannelRow, count: number, what: string): Promise<Sent> {
    await waitFor(`${row.name}: ${what}`, () => row.sent().length > count).catch((error: Error) => {
      throw new Error(
        `${error.message}\nreceived so far: ${JSON.stringify(row.sent())}\n` +
          `gateway output (end):\n${gateway.output().slice(-3000)}`,
      );
    });
    return row.sent()[count] as Sent;
  }

  /** Ends whatever a failed row left with the operator, so that the next row starts with none. */
  async function closeLeftovers(): Promise<void> {
    for (const left of await operator.mine()) await operator.close(left.id);
  }

  for (const row of rows) {
    it(`${row.name}: queued, given to the operator, bot quiet, reply delivered, closed with thanks`, async (t) => {
      t.after(closeLeftovers);
      const start = row.sent().length;

      // 1. The customer asks for a person: they are told their place in line, on their channel.
      await row.say(ASK_FOR_A_PERSON);
      const queued = await received(row, start, 'the queue message');
      assert.equal(queued.to, row.address(), `${row.name}: the queue message went to the customer`);
      for (const pattern of QUEUED) {
        assert.match(queued.text, pattern, `${row.name}: the queue message says ${pattern}`);
      }

      // 2. The operator (online, room for 10) has it, shown with its channel.
      const mine = await waitFor(`${row.name}: the conversation given to the operator`, async () => {
        const list = await operator.mine();
        return list.length > 0 ? list : undefined;
      });
      assert.ok(mine, `${row.name}: the operator was given no conversation`);
      assert.equal(mine.length, 1, `${row.name}: exactly this conversation is the operator's: ${JSON.stringify(mine)}`);
      const handoff = mine[0] as HandoffView;
      assert.equal(handoff.status, 'assigned', `${row.name}: the handoff is assigned`);
      assert.equal(handoff.channel, row.channel, `${row.name}: /console/api/mine shows the conversation's channel`);
      const { conversationId } = handoff;
      const detail = await operator.conversation(conversationId);
      assert.equal(detail.status, 200, `${row.name}: the conversation opens in the console`);
      assert.equal(detail.body.channel, row.channel, `${row.name}: the conversation's channel in its detail`);
      const transcript = detail.body.transcript as Array<{ direction: string; body: { text?: string } }>;
      assert.ok(
        transcript.some((line) => line.direction === 'in' && line.body.text === ASK_FOR_A_PERSON),
        `${row.name}: the operator sees the customer's request in the transcript: ${JSON.stringify(transcript)}`,
      );
      await operator.waitForEvent(
        `${row.name}: the "assigned" live event`,
        (event) =>
          event.type === 'assigned' &&
          event.conversationId === conversationId &&
          event.operatorId === handoff.operatorId,
      );

      // 3. The customer writes again: the operator sees it live; the bot says nothing.
      const beforeAgain = row.sent().length;
      assert.equal(beforeAgain, start + 1, `${row.name}: nothing but the queue message was sent so far`);
      await row.say(WRITES_AGAIN);
      await operator.waitForEvent(
        `${row.name}: the customer's second message, live in the console`,
        (event) =>
          event.type === 'message' &&
          event.direction === 'in' &&
          event.conversationId === conversationId &&
          event.text === WRITES_AGAIN,
      );
      assert.deepEqual(
        row.sent().slice(beforeAgain),
        [],
        `${row.name}: the bot answered the customer while the operator has the conversation`,
      );

      // 4. The operator replies: it is the next thing the provider receives, addressed to the customer.
      const replyText = `Bonjour, je suis Camille du service client (${row.name}). Je regarde cela tout de suite.`;
      const reply = await operator.reply(conversationId, `reply-${row.channel}-0001`, replyText);
      assert.equal(reply.status, 202, `${row.name}: the reply is accepted: ${JSON.stringify(reply.body)}`);
      const next = await received(row, beforeAgain, "the operator's reply");
      assert.deepEqual(
        next,
        { to: row.address(), text: replyText },
        `${row.name}: the next thing sent is the operator's reply, to the customer`,
      );

      // 5. The operator closes: the customer is thanked on their channel, and the conversation is no longer theirs.
      const closed = await operator.close(handoff.id);
      assert.equal(closed.status, 200, `${row.name}: the close is accepted: ${JSON.stringify(closed.body)}`);
      const thanks = await received(row, beforeAgain + 1, 'the closing message');
      assert.equal(thanks.to, row.address(), `${row.name}: the closing message went to the customer`);
      assert.match(thanks.text, THANKS, `${row.name}: the closing message thanks the customer`);
      assert.ok(
        !(await operator.mine()).some((view) => view.id === handoff.id),
        `${row.name}: the closed conversation is no longer in /console/api/mine`,
      );

      // 6. Over the whole path, exactly these three messages, in this order (see the file's comment).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const all = row.sent().slice(start);
      assert.equal(all.length, 3, `${row.name}: exactly three messages were sent: ${JSON.stringify(all)}`);
      assert.ok(
        all.every((sent) => sent.to === row.address()),
        `${row.name}: everything went to the customer: ${JSON.stringify(all)}`,
      );
      assert.deepEqual(
        [all[0]?.text, all[1]?.text],
        [queued.text, replyText],
        `${row.name}: the queue message, the reply, then the thanks`,
      );
    });
  }
});

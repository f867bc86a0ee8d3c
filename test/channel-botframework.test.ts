/**
 * Teams and Messenger end to end: the real gateway (all roles, PGlite), a
 * fake Bot Connector on 127.0.0.1 as the activities' serviceUrl, and the demo
 * bot answering. Open mode (MicrosoftAppId unset, as with the Bot Framework
 * Emulator) carries the conversation; a second gateway with MicrosoftAppId
 * set shows that unauthenticated activities are refused.
 *
 * A gateway process cannot be pointed at a fake OpenID metadata endpoint (no
 * configuration variable for it), so valid tokens are checked in
 * packages/channels/test/botframework.test.ts, against botbuilder itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ANYTHING_ELSE,
  ANYTHING_ELSE_CHOICES,
  ASK_ORDER_NUMBER,
  FAQ,
  GOODBYE,
  greeting,
  menuTitles,
  NOT_UNDERSTOOD,
  SHIPPED_ORDER,
  SHIPPED_ORDER_ANSWER,
  TRACK_MY_ORDER,
} from './support/demo-bot.js';
import {
  type FakeBotConnector,
  type PostedActivity,
  startFakeBotConnector,
  startFakeBotFrameworkLogin,
} from './support/fakes/botframework.js';
import { type GatewayProcess, type IsolatedGateway, startIsolatedGateway } from './support/gateway-process.js';
import { waitFor } from './support/services.js';

const APP_ID = '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const TEAMS_BOT = { id: '28:bot-maison-lumiere', name: 'Maison Lumière' };
const PAGE = { id: '108371234567890', name: 'Maison Lumière' };

function start(name: string, env: Record<string, string>): Promise<IsolatedGateway> {
  return startIsolatedGateway(name, { env: { MicrosoftAppId: '', MicrosoftAppPassword: '', ...env } });
}

async function stop(started: IsolatedGateway | undefined): Promise<void> {
  await started?.dispose();
}

let sequence = 0;

/** A Teams message in a personal chat, as Teams sends it, with its replies going to the fake connector. */
function teamsMessage(connector: FakeBotConnector, conversation: string, text: string, locale = 'fr-FR') {
  sequence += 1;
  return {
    text,
    textFormat: 'plain',
    type: 'message',
    timestamp: new Date().toISOString(),
    id: `17954253${String(sequence).padStart(5, '0')}`,
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: {
      id: `29:user-${conversation}`,
      name: 'Camille Martin',
      aadObjectId: '6be0a2c1-5b7d-4b0e-9d5a-4a4f3c1e2d10',
    },
    conversation: { conversationType: 'personal', tenantId: 'tenant-e2e', id: `a:${conversation}` },
    recipient: TEAMS_BOT,
    entities: [{ locale, country: 'FR', platform: 'Web', timezone: 'Europe/Paris', type: 'clientInfo' }],
    channelData: { tenant: { id: 'tenant-e2e' } },
    locale,
  };
}

/** A Messenger message relayed by Azure Bot Service's Facebook channel. */
function messengerMessage(connector: FakeBotConnector, psid: string, text: string) {
  sequence += 1;
  const mid = `m_e2e${sequence}`;
  return {
    type: 'message',
    id: mid,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'facebook',
    from: { id: psid, name: 'Zoé Durand' },
    conversation: { isGroup: false, id: `${psid}-${PAGE.id}` },
    recipient: PAGE,
    text,
    channelData: { sender: { id: psid }, recipient: { id: PAGE.id }, message: { mid, text } },
  };
}

async function post(gateway: GatewayProcess, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.text() };
}

const repliesIn = (connector: FakeBotConnector, conversationId: string) =>
  connector.activities.filter((posted) => posted.conversationId === conversationId);

/** Suggested actions as the demo bot's options are offered: imBack, the value being the title shown. */
const imBacks = (to: string, titles: readonly string[]) => ({
  to: [to],
  actions: titles.map((title) => ({ type: 'imBack', title, value: title })),
});

async function nextReply(connector: FakeBotConnector, conversationId: string, count: number): Promise<PostedActivity> {
  const reply = await waitFor(
    `reply ${count} in ${conversationId}`,
    () => repliesIn(connector, conversationId)[count - 1],
  );
  assert.ok(reply);
  return reply;
}

describe('Teams and Messenger, open mode (MicrosoftAppId unset): the demo bot answers through the Bot Connector', () => {
  let started: IsolatedGateway;
  let connector: FakeBotConnector;
  before(async () => {
    connector = await startFakeBotConnector();
    started = await start('bf-open', {});
  });
  after(async () => {
    await stop(started);
    await connector?.close();
  });

  it('says loudly at start that it runs open, and that both channels are on', () => {
    const { logs } = started;
    const warning = logs.find(
      (line) => typeof line.msg === 'string' && line.msg.includes('Bot Framework in OPEN mode'),
    );
    assert.ok(warning, 'the open-mode warning');
    assert.equal(warning.level, 'warn', 'logged as a warning');
    for (const channel of ['teams', 'messenger']) {
      const status = logs.find((line) => line.channel === channel && line.enabled === true);
      assert.match(String(status?.msg), /on, OPEN \(MicrosoftAppId unset\)/);
    }
  });

  it('Teams: "bonjour" gets the French greeting, by first name, with the menu as suggested actions', async () => {
    const activity = teamsMessage(connector, 'greet', 'bonjour');
    const response = await post(started, activity);
    assert.equal(response.status, 200, response.body);
    const reply = await nextReply(connector, 'a:greet', 1);
    assert.equal(reply.authorization, undefined, 'open mode sends no token');
    assert.equal(reply.activity.text, greeting('fr', 'Camille'));
    assert.equal(reply.activity.textFormat, 'markdown');
    assert.deepEqual(reply.activity.suggestedActions, imBacks('29:user-greet', menuTitles('fr')));
    assert.deepEqual(reply.activity.from, TEAMS_BOT);
    assert.deepEqual(reply.activity.recipient, { id: '29:user-greet' });
    assert.deepEqual(reply.activity.conversation, { id: 'a:greet', tenantId: 'tenant-e2e' });
    assert.equal(reply.activity.channelId, 'msteams');
  });

  it('Teams: pressing "Suivre ma commande" (sent back as text) follows an order to its status, then "Non, merci"', async () => {
    const press = await post(started, teamsMessage(connector, 'greet', TRACK_MY_ORDER.fr.title));
    assert.equal(press.status, 200, press.body);
    const question = await nextReply(connector, 'a:greet', 2);
    assert.equal(question.activity.text, ASK_ORDER_NUMBER.fr);
    assert.equal(question.activity.suggestedActions, undefined, 'a question to type the answer to');

    const order = await post(started, teamsMessage(connector, 'greet', SHIPPED_ORDER));
    assert.equal(order.status, 200, order.body);
    const status = await nextReply(connector, 'a:greet', 3);
    assert.equal(status.activity.text, SHIPPED_ORDER_ANSWER.fr);
    const next = await nextReply(connector, 'a:greet', 4);
    assert.equal(next.activity.text, ANYTHING_ELSE.fr);
    assert.deepEqual(next.activity.suggestedActions, imBacks('29:user-greet', ANYTHING_ELSE_CHOICES.fr));

    const thanks = await post(started, teamsMessage(connector, 'greet', 'Non, merci'));
    assert.equal(thanks.status, 200, thanks.body);
    const goodbye = await nextReply(connector, 'a:greet', 5);
    assert.equal(goodbye.activity.text, GOODBYE.fr);
    assert.equal(repliesIn(connector, 'a:greet').length, 5);
  });

  it('Teams: text the bot does not understand gets its fallback, in the locale Teams gives', async () => {
    const french = await post(started, teamsMessage(connector, 'unknown-fr', 'ma lampe clignote', 'fr-FR'));
    assert.equal(french.status, 200, french.body);
    const english = await post(started, teamsMessage(connector, 'unknown-en', 'purple elephants', 'en-US'));
    assert.equal(english.status, 200, english.body);
    assert.equal((await nextReply(connector, 'a:unknown-fr', 1)).activity.text, NOT_UNDERSTOOD.fr);
    assert.equal((await nextReply(connector, 'a:unknown-en', 1)).activity.text, NOT_UNDERSTOOD.en);
  });

  it('Messenger: "hello" gets the English menu as quick replies, in plain text, and "Track my order" works', async () => {
    const psid = '6754183291234567';
    const conversation = `${psid}-${PAGE.id}`;
    const response = await post(started, messengerMessage(connector, psid, 'hello'));
    assert.equal(response.status, 200, response.body);
    const reply = await nextReply(connector, conversation, 1);
    assert.equal(reply.activity.text, greeting('en', 'Zoé'));
    assert.equal(reply.activity.textFormat, 'plain');
    assert.deepEqual(reply.activity.suggestedActions, imBacks(psid, menuTitles('en')));
    assert.equal(reply.activity.channelId, 'facebook');

    // A quick reply comes back through Azure Bot Service as a message with its title.
    assert.equal((await post(started, messengerMessage(connector, psid, TRACK_MY_ORDER.en.title))).status, 200);
    assert.equal((await nextReply(connector, conversation, 2)).activity.text, ASK_ORDER_NUMBER.en);
    assert.equal((await post(started, messengerMessage(connector, psid, SHIPPED_ORDER))).status, 200);
    const status = await nextReply(connector, conversation, 3);
    assert.equal(status.activity.text, SHIPPED_ORDER_ANSWER.en);
    assert.equal(status.activity.textFormat, 'plain');
    const next = await nextReply(connector, conversation, 4);
    assert.equal(next.activity.text, ANYTHING_ELSE.en);
    assert.deepEqual(next.activity.suggestedActions, imBacks(psid, ANYTHING_ELSE_CHOICES.en));
  });

  it('answers an activity delivered twice once', async () => {
    const activity = teamsMessage(connector, 'twice', FAQ.hours.fr.question);
    assert.equal((await post(started, activity)).status, 200);
    assert.equal((await post(started, activity)).status, 200);
    await nextReply(connector, 'a:twice', 1);
    // One conversation is answered in order: once the next message's reply is in, a second
    // answer to the duplicate would have come before it.
    assert.equal((await post(started, teamsMessage(connector, 'twice', FAQ.returns.fr.question))).status, 200);
    const second = await nextReply(connector, 'a:twice', 2);
    assert.match(String(second.activity.text), FAQ.returns.fr.answer);
    assert.equal(repliesIn(connector, 'a:twice').length, 2);
    assert.match(String(repliesIn(connector, 'a:twice')[0]?.activity.text), FAQ.hours.fr.answer);
  });

  it('refuses bad input with a clear 4xx and stays healthy', async () => {
    const gateway = started;
    const before = connector.activities.length;
    const malformed = await post(gateway, '{"type":"message",');
    assert.equal(malformed.status, 400);
    assert.deepEqual(JSON.parse(malformed.body), { error: 'body is not valid JSON' });

    const form = await fetch(`${gateway.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'type=message&text=hi',
    });
    assert.equal(form.status, 415);
    assert.match(await form.text(), /Content-Type must be application\/json/);

    const huge = await post(gateway, teamsMessage(connector, 'huge', 'x'.repeat(300_000)));
    assert.equal(huge.status, 413);

    const notAnActivity = await post(gateway, { type: 'message', text: 'hi' });
    assert.equal(notAnActivity.status, 400);
    assert.match(notAnActivity.body, /not a Bot Framework activity/);

    const elsewhere = await post(gateway, {
      ...teamsMessage(connector, 'ssrf', 'hi'),
      serviceUrl: 'https://example.com/',
    });
    assert.equal(elsewhere.status, 403);
    assert.match(elsewhere.body, /MicrosoftAppId is not set/);

    const health = await fetch(`${gateway.url}/healthz`);
    assert.equal(health.status, 200);
    // A barrier: this conversation's reply is in, and none of the refused requests got one.
    assert.equal((await post(gateway, teamsMessage(connector, 'after-bad', 'horaires'))).status, 200);
    assert.match(String((await nextReply(connector, 'a:after-bad', 1)).activity.text), FAQ.hours.fr.answer);
    assert.deepEqual(
      connector.activities.slice(before).map((posted) => posted.conversationId),
      ['a:after-bad'],
    );
  });
});

describe('Teams and Messenger with MicrosoftAppId set: unauthenticated activities are refused', () => {
  let started: IsolatedGateway;
  let connector: FakeBotConnector;
  before(async () => {
    connector = await startFakeBotConnector();
    started = await start('bf-auth', { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'app-password-for-tests' });
  });
  after(async () => {
    await stop(started);
    await connector?.close();
  });

  it('says tokens are checked, and does not print the password', () => {
    const status = started.logs.find((line) => line.channel === 'teams');
    assert.match(String(status?.msg), /tokens checked for MicrosoftAppId \(MultiTenant\)/);
    assert.ok(!started.logs.some((line) => String(line.msg).includes('OPEN mode')));
    assert.doesNotMatch(started.output(), /app-password-for-tests/);
  });

  it('answers 401 without a token, with a garbage token, or with a token from an unknown issuer', async () => {
    const gateway = started;
    const login = await startFakeBotFrameworkLogin();
    try {
      const activity = teamsMessage(connector, 'auth', 'bonjour');
      const missing = await post(gateway, activity);
      assert.equal(missing.status, 401);
      assert.match(missing.body, /missing Authorization header/);

      const garbage = await post(gateway, activity, { authorization: 'Bearer not-a-jwt' });
      assert.equal(garbage.status, 401);
      assert.match(garbage.body, /unauthorized/);

      // Well formed and signed, but not by anyone botbuilder trusts.
      const token = login.channelToken({
        appId: APP_ID,
        serviceUrl: connector.url,
        issuer: 'https://evil.example.com',
      });
      const foreign = await post(gateway, activity, { authorization: `Bearer ${token}` });
      assert.equal(foreign.status, 401);
    } finally {
      await login.close();
    }

    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /passerelle_inbound_events_total\{channel="teams",result="refused"\} 3/);
    assert.doesNotMatch(metrics, /passerelle_inbound_events_total\{channel="teams",result="accepted"\}/);
    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
    assert.equal(connector.activities.length, 0);
  });
});

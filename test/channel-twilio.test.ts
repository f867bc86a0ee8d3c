/**
 * SMS end to end: the real gateway (all roles, PGlite, real Redis) with the
 * Twilio channel pointed at a fake Twilio. Signed webhooks go in as Twilio
 * sends them; the demo bot's replies must come out at the fake Messages API,
 * rendered for SMS (numbered menus answered with a number), once each. The
 * demo bot never says anything longer than one SMS, so splitting a long reply
 * is shown with the echo bot of the pipeline tests, in a gateway of its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebhookRequest } from '@passerelle/channels';
import {
  inboundSmsForm,
  signedTwilioRequest,
  statusCallbackForm,
  TWILIO_TEST,
  twilioSid,
  twilioTestEnv,
} from '../packages/channels/src/twilio/cases.js';
import { ECHO_BOT_DIR } from './support/cluster.js';
import {
  ANYTHING_ELSE,
  ANYTHING_ELSE_CHOICES,
  ASK_ORDER_NUMBER,
  FAQ,
  GOODBYE,
  greeting,
  menuTitles,
  SHIPPED_ORDER,
  SHIPPED_ORDER_ANSWER,
} from './support/demo-bot.js';
import { type FakeTwilio, startFakeTwilio, type TwilioSend } from './support/fakes/twilio.js';
import { type IsolatedGateway, startIsolatedGateway } from './support/gateway-process.js';
import { waitFor } from './support/services.js';

/** A numbered SMS menu as the Twilio channel renders one: the text, the options, how to answer. */
const numberedMenu = (text: string, titles: readonly string[]): string =>
  `${text}\n\n${titles.map((title, index) => `${index + 1}. ${title}`).join('\n')}\n\n` +
  'Répondez avec le numéro de votre choix.';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

describe('SMS through Twilio, end to end', () => {
  let gateway: IsolatedGateway;
  let fake: FakeTwilio;

  before(async () => {
    fake = await startFakeTwilio(TWILIO_TEST);
    gateway = await startIsolatedGateway('sms-e2e', { env: twilioTestEnv(fake.url) });
  });

  after(async () => {
    await gateway?.dispose();
    await fake?.close();
  });

  async function post(request: WebhookRequest): Promise<Response> {
    return fetch(`${gateway.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
  }

  let sids = 5000;
  function sms(from: string, body: string, sid = twilioSid('SM', ++sids)): WebhookRequest {
    return signedTwilioRequest('/webhooks/twilio', inboundSmsForm({ sid, from, body }));
  }

  const repliesTo = (customer: string): TwilioSend[] => fake.messages.filter((message) => message.To === customer);

  async function waitForReplies(customer: string, count: number, what: string): Promise<TwilioSend[]> {
    await waitFor(what, () => repliesTo(customer).length >= count);
    return repliesTo(customer);
  }

  async function inboundCount(result: 'accepted' | 'duplicate' | 'refused'): Promise<number> {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const line = new RegExp(`passerelle_inbound_events_total\\{channel="sms",result="${result}"\\} (\\d+)`).exec(
      metrics,
    );
    return line ? Number(line[1]) : 0;
  }

  it('logs that the SMS channel is on', () => {
    const line = gateway.logs.find((entry) => entry.channel === 'sms');
    assert.equal(line?.enabled, true);
    assert.match(String(line?.msg), /sms: on: sending from a number/);
    assert.doesNotMatch(gateway.output(), new RegExp(TWILIO_TEST.authToken), 'the auth token never reaches a log');
  });

  it('greets with a numbered menu; "1" follows an order, and "3" answers the order flow\'s own menu', async () => {
    const customer = '+33639986001';
    const response = await post(sms(customer, 'bonjour'));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/xml/);
    assert.equal(await response.text(), EMPTY_TWIML);

    const [hello] = await waitForReplies(customer, 1, 'the greeting at Twilio');
    assert.equal(hello?.From, TWILIO_TEST.from);
    assert.equal(hello?.StatusCallback, `${TWILIO_TEST.publicUrl}/webhooks/twilio/status`);
    assert.equal(hello?.Body, numberedMenu(greeting('fr'), menuTitles('fr')));

    // "1" is the menu's first option, "Suivre ma commande". SMS tells no language: the bot keeps
    // to the one the conversation used, the greeting's French.
    assert.equal((await post(sms(customer, '1'))).status, 200);
    const [, question] = await waitForReplies(customer, 2, 'the order number question');
    assert.equal(question?.Body, ASK_ORDER_NUMBER.fr);

    assert.equal((await post(sms(customer, SHIPPED_ORDER))).status, 200);
    const [, , status, next] = await waitForReplies(customer, 4, 'the order status and the next question');
    assert.equal(status?.Body, SHIPPED_ORDER_ANSWER.fr);
    assert.equal(next?.Body, numberedMenu(ANYTHING_ELSE.fr, ANYTHING_ELSE_CHOICES.fr));

    // The numbers now stand for the last menu sent: "3" is "Non, merci", not the greeting's "Livraison".
    assert.equal((await post(sms(customer, '3'))).status, 200);
    const replies = await waitForReplies(customer, 5, 'the goodbye');
    assert.equal(replies[4]?.Body, GOODBYE.fr);
    assert.equal(replies.length, 5, 'one SMS per answer of the bot');
  });

  it('answers a message Twilio delivers twice once', async () => {
    const customer = '+33639986002';
    const twice = sms(customer, FAQ.hours.fr.question);
    assert.equal((await post(twice)).status, 200);
    const duplicatesBefore = await inboundCount('duplicate');
    const again = await post(twice);
    assert.equal(again.status, 200, 'a redelivery is acknowledged like the first');
    assert.equal(await again.text(), EMPTY_TWIML);
    assert.equal(await inboundCount('duplicate'), duplicatesBefore + 1);
    // A later message of the same conversation is handled after the first two: once it is answered, so were they.
    assert.equal((await post(sms(customer, FAQ.returns.fr.question))).status, 200);
    await waitFor('the returns answer', () =>
      repliesTo(customer).some((reply) => FAQ.returns.fr.answer.test(reply.Body ?? '')),
    );
    const replies = repliesTo(customer).map((reply) => reply.Body ?? '');
    assert.equal(replies.length, 2, `replies: ${JSON.stringify(replies)}`);
    assert.match(replies[0] ?? '', FAQ.hours.fr.answer, 'the opening hours, sent once');
    assert.match(replies[1] ?? '', FAQ.returns.fr.answer);
  });

  it('accepts delivery receipts, each status of a message once', async () => {
    const first = fake.messages[0];
    assert.ok(first?.sid && first.To, 'an earlier test sent a message');
    const sid = first.sid;
    const to = first.To;
    const acceptedBefore = await inboundCount('accepted');
    const duplicatesBefore = await inboundCount('duplicate');
    const delivered = signedTwilioRequest(
      '/webhooks/twilio/status',
      statusCallbackForm({ sid, to, status: 'delivered' }),
    );
    for (const request of [
      signedTwilioRequest('/webhooks/twilio/status', statusCallbackForm({ sid, to, status: 'sent' })),
      delivered,
      delivered,
    ]) {
      const response = await post(request);
      assert.equal(response.status, 204);
    }
    assert.equal(await inboundCount('accepted'), acceptedBefore + 2);
    assert.equal(await inboundCount('duplicate'), duplicatesBefore + 1);
  });

  it('refuses bad webhooks with a clear 4xx, sends nothing for them, and stays healthy', async () => {
    const customer = '+33639986004';
    const refusedBefore = await inboundCount('refused');
    const {
      MessageSid: _m,
      SmsSid: _s,
      SmsMessageSid: _sm,
      ...withoutSid
    } = inboundSmsForm({
      sid: twilioSid('SM', 9_001),
      from: customer,
      body: 'intrus sans identifiant',
    });
    const unsigned = sms(customer, 'intrus sans signature');
    const { 'x-twilio-signature': _dropped, ...unsignedHeaders } = unsigned.headers ?? {};
    const bad: Array<[string, WebhookRequest, number, RegExp]> = [
      ['malformed', signedTwilioRequest('/webhooks/twilio', withoutSid), 400, /MessageSid is missing/],
      [
        'wrong content type',
        { path: '/webhooks/twilio', headers: { 'content-type': 'application/json' }, body: '{"Body":"intrus"}' },
        415,
        /application\/x-www-form-urlencoded/,
      ],
      ['oversized', sms(customer, `intrus ${'x'.repeat(70_000)}`), 413, /larger than/],
      ['missing signature', { ...unsigned, headers: unsignedHeaders }, 403, /missing X-Twilio-Signature/],
      [
        'wrong signature',
        signedTwilioRequest(
          '/webhooks/twilio',
          inboundSmsForm({ sid: twilioSid('SM', 9_002), from: customer, body: 'intrus' }),
          {
            authToken: '0badc0de0badc0de0badc0de0badc0de',
          },
        ),
        403,
        /X-Twilio-Signature does not match/,
      ],
    ];
    for (const [what, request, status, reason] of bad) {
      const response = await post(request);
      assert.equal(response.status, status, what);
      const body = (await response.json()) as { error?: string };
      assert.match(body.error ?? '', reason, what);
    }
    assert.equal(await inboundCount('refused'), refusedBefore + bad.length);
    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);

    // The same customer, properly signed, is answered; nothing was ever sent for the refused requests.
    assert.equal((await post(sms(customer, 'bonjour'))).status, 200);
    await waitFor('the greeting', () => repliesTo(customer).length === 1);
    assert.equal(repliesTo(customer)[0]?.Body, numberedMenu(greeting('fr'), menuTitles('fr')));
    assert.ok(fake.messages.every((message) => !/intrus/.test(message.Body ?? '')));
  });
});

describe('SMS through Twilio: a reply longer than one SMS (echo bot)', () => {
  let gateway: IsolatedGateway;
  let fake: FakeTwilio;

  before(async () => {
    fake = await startFakeTwilio(TWILIO_TEST);
    gateway = await startIsolatedGateway('sms-e2e-split', {
      env: { ...twilioTestEnv(fake.url), BOT_DIR: ECHO_BOT_DIR },
    });
  });

  after(async () => {
    await gateway?.dispose();
    await fake?.close();
  });

  it('splits a reply longer than an SMS into several messages, in order, between sentences', async () => {
    const customer = '+33639986003';
    const text = `${'Je cherche une suspension en laiton pour mon salon. '.repeat(30)}Merci de me proposer un joli modele.`;
    const reply = `You said: "${text}".`;
    assert.ok(text.length <= 1_600 && reply.length > 1_600, 'one SMS in, more than one SMS out');
    const request = signedTwilioRequest(
      '/webhooks/twilio',
      inboundSmsForm({ sid: twilioSid('SM', 7_001), from: customer, body: text }),
    );
    const response = await fetch(`${gateway.url}${request.path}`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    assert.equal(response.status, 200);
    await waitFor(
      'both parts of the echo',
      () => fake.messages.filter((message) => message.To === customer).length >= 2,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\nTwilio calls: ${JSON.stringify(fake.attempts).slice(0, 4000)}\n` +
          `gateway output (end):\n${gateway.output().slice(-4000)}`,
      );
    });
    const replies = fake.messages.filter((message) => message.To === customer);
    assert.equal(replies.length, 2);
    for (const part of replies) {
      assert.ok((part.Body ?? '').length <= 1_600, 'each part fits in one Twilio message');
      assert.equal(part.From, TWILIO_TEST.from);
    }
    assert.equal(replies.map((part) => part.Body).join(' '), reply);
    assert.match(replies[0]?.Body ?? '', /^You said: "Je cherche .* salon\.$/, 'the cut falls after a full sentence');
    assert.equal(replies[1]?.Body, 'Merci de me proposer un joli modele.".');
  });
});

/**
 * SMS end to end: the real gateway (all roles, PGlite, real Redis) with the
 * Twilio channel pointed at a fake Twilio. Signed webhooks go in as Twilio
 * sends them; the demo bot's replies must come out at the fake Messages API,
 * rendered for SMS (numbered menus, split long text), once each.
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
import { type FakeTwilio, startFakeTwilio, type TwilioSend } from './support/fakes/twilio.js';
import { type IsolatedGateway, startIsolatedGateway } from './support/gateway-process.js';
import { waitFor } from './support/services.js';

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

  it('greets with a numbered menu, and "2" answers with the second choice', async () => {
    const customer = '+33639986001';
    const response = await post(sms(customer, 'bonjour'));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/xml/);
    assert.equal(await response.text(), EMPTY_TWIML);

    const [greeting] = await waitForReplies(customer, 1, 'the greeting at Twilio');
    assert.equal(greeting?.From, TWILIO_TEST.from);
    assert.equal(greeting?.StatusCallback, `${TWILIO_TEST.publicUrl}/webhooks/twilio/status`);
    assert.equal(
      greeting?.Body,
      "Bonjour ! Je suis l'assistant de Maison Lumière. Que puis-je faire pour vous ?\n\n" +
        '1. Horaires\n2. Livraison\n3. Retours\n\nRépondez avec le numéro de votre choix.',
    );

    assert.equal((await post(sms(customer, '2'))).status, 200);
    const [, answer] = await waitForReplies(customer, 2, 'the delivery answer');
    // SMS tells no language: the bot answers in the one the conversation used, the greeting's French.
    assert.match(answer?.Body ?? '', /Les commandes partent sous 48 h/);
  });

  it('answers a message Twilio delivers twice once', async () => {
    const customer = '+33639986002';
    const twice = sms(customer, 'horaires');
    assert.equal((await post(twice)).status, 200);
    const duplicatesBefore = await inboundCount('duplicate');
    const again = await post(twice);
    assert.equal(again.status, 200, 'a redelivery is acknowledged like the first');
    assert.equal(await again.text(), EMPTY_TWIML);
    assert.equal(await inboundCount('duplicate'), duplicatesBefore + 1);
    // A later message of the same conversation is handled after the first two: once it is answered, so were they.
    assert.equal((await post(sms(customer, 'retours'))).status, 200);
    await waitFor('the returns answer', () =>
      repliesTo(customer).some((reply) => /30 (jours|days)/.test(reply.Body ?? '')),
    );
    const hours = repliesTo(customer).filter((reply) => /lundi au samedi|Monday to Saturday/.test(reply.Body ?? ''));
    assert.equal(hours.length, 1, 'the opening hours were sent once');
    assert.equal(repliesTo(customer).length, 2);
  });

  it('splits a reply longer than an SMS into several messages, in order', async () => {
    const customer = '+33639986003';
    const text = 'Je cherche une suspension en laiton pour mon salon. '.repeat(29).trim();
    assert.ok(text.length > 1_400 && text.length <= 1_600);
    assert.equal((await post(sms(customer, text))).status, 200);
    const replies = await waitForReplies(customer, 2, 'both parts of the echo');
    assert.equal(replies.length, 2);
    for (const reply of replies) {
      assert.ok((reply.Body ?? '').length <= 1_600, 'each part fits in one Twilio message');
      assert.equal(reply.From, TWILIO_TEST.from);
    }
    const whole = replies.map((reply) => reply.Body).join(' ');
    assert.equal(
      whole,
      `You said: "${text}". I can answer about opening hours, delivery and returns; say hello to see the menu.`,
    );
    assert.match(replies[0]?.Body ?? '', /salon\."\.$/, 'the cut falls after a full sentence');
    assert.match(replies[1]?.Body ?? '', /^I can answer about/);
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
    assert.ok(fake.messages.every((message) => !/intrus/.test(message.Body ?? '')));
  });
});

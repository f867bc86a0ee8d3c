/**
 * A provider answering 429, 500 and not at all for a while, under load: SMS
 * customers write to a gateway and two workers (echo bot) through signed
 * Twilio webhooks, and the fake Twilio answers a run of sends with 429 (with
 * Retry-After), 500, and no answer at all, some of those after taking the
 * message (it is in Twilio's list and will reach the phone) and some before.
 *
 * Afterwards every reply is at Twilio exactly once, in order: 429 and 500
 * are retried; a call that got no answer before the sender's time limit is
 * looked up in Twilio's message list once it can no longer arrive, counted as
 * sent when Twilio has it and sent once more when Twilio does not. Nothing is
 * dead-lettered (OUTBOUND_MAX_ATTEMPTS is raised to 10 so that one message
 * drawing several failures in a row is not given up on; the run of failures
 * is 18 answers).
 *
 * Telegram, by contrast, cannot be asked whether it has a message: there,
 * with replies set to at most once (bot.yaml `delivery.uncertain.reply:
 * at_most_once`; the default is at least once, see
 * test/faults-crash-mid-send.test.ts), a call that got no answer is not sent
 * again (it may have reached the phone) but kept as a dead letter, delivery
 * 'unknown', for a person to decide. The conversation goes on with its next
 * replies.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import {
  inboundSmsForm,
  signedTwilioRequest,
  TWILIO_TEST,
  twilioSid,
  twilioTestEnv,
} from '../packages/channels/src/twilio/cases.js';
import { type Cluster, echoed, startCluster } from './support/cluster.js';
import { type EchoBotCopy, echoBotWith } from './support/echo-bot.js';
import { botApiError, type FakeBotApi, startFakeBotApi } from './support/fakes/telegram.js';
import { type FakeTwilio, type ScriptedSend, startFakeTwilio, twilioError } from './support/fakes/twilio.js';
import { clusterProcesses, loggedProblems } from './support/fault-report.js';
import { postgresSkipReason, waitFor } from './support/services.js';

const skip = await postgresSkipReason();

const CUSTOMERS = 20;
const MESSAGES = 10;
const customer = (c: number) => `+3363999${String(c).padStart(4, '0')}`;
const text = (c: number, m: number) => `tw c${c} m${String(m).padStart(2, '0')}`;

const CHATS = 10;
const CHAT_MESSAGES = 8;
const TELEGRAM_TOKEN = '246813579:AAFaults-token_for-provider-test';
const TELEGRAM_SECRET = 'faults-webhook-secret_0123456789';
const ADMIN = 'faults-provider-admin-token-123';
const tgText = (c: number, m: number) => `tg c${c} m${String(m).padStart(2, '0')}`;

/** A private text message as Telegram sends it. */
function textUpdate(updateId: number, chatId: number, text: string) {
  const from = { id: chatId, is_bot: false, first_name: 'Camille', language_code: 'fr' };
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      from,
      chat: { id: chatId, first_name: 'Camille', type: 'private' },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  };
}

function started(cluster: Cluster | undefined): Cluster {
  assert.ok(cluster, 'the cluster is running');
  return cluster;
}

const TOO_MANY = twilioError(429, 20429, 'Too Many Requests', { 'retry-after': '1' });
const SERVER_ERROR = twilioError(500, 20500, 'Internal Server Error');
/** The run of bad answers, mixed as a provider in trouble mixes them. */
const TROUBLE: ScriptedSend[] = [
  TOO_MANY,
  SERVER_ERROR,
  'hang',
  TOO_MANY,
  'accept-then-hang',
  SERVER_ERROR,
  TOO_MANY,
  'hang',
  SERVER_ERROR,
  'accept-then-hang',
  TOO_MANY,
  SERVER_ERROR,
  'hang',
  TOO_MANY,
  'accept-then-hang',
  SERVER_ERROR,
  TOO_MANY,
  SERVER_ERROR,
];

describe('a provider answering 429, 500 and timeouts for a while', { skip }, () => {
  let fake: FakeTwilio | undefined;
  let telegram: FakeBotApi | undefined;
  let cluster: Cluster | undefined;
  let atMostOnce: EchoBotCopy | undefined;

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  after(async () => {
    await fake?.close();
    await telegram?.close();
    await atMostOnce?.remove();
  });

  it('delivers every SMS reply exactly once and dead-letters nothing', async () => {
    fake = await startFakeTwilio(TWILIO_TEST);
    const twilio = fake;
    cluster = await startCluster('provider-faults', 2, {
      ...twilioTestEnv(twilio.url),
      // The number's own pace (1/s by default) would make the load minutes long.
      TWILIO_SENDS_PER_SECOND: '500',
      OUTBOUND_MAX_ATTEMPTS: '10',
      RETRY_BASE_MS: '200',
      RETRY_MAX_MS: '2000',
      CONVERSATION_LOCK_MS: '2000',
      STALLED_INTERVAL_MS: '1000',
    });
    const { gateway } = cluster;

    let sid = 0;
    const refused: string[] = [];
    // Each customer writes in order (the next message after the webhook's 200), all customers at once.
    const writing = Promise.all(
      Array.from({ length: CUSTOMERS }, async (_, c) => {
        for (let m = 1; m <= MESSAGES; m++) {
          const request = signedTwilioRequest(
            '/webhooks/twilio',
            inboundSmsForm({ sid: twilioSid('SM', 800_000 + ++sid), from: customer(c), body: text(c, m) }),
          );
          const response = await fetch(`${gateway.url}${request.path}`, {
            method: 'POST',
            headers: request.headers,
            body: request.body,
          });
          if (response.status !== 200) refused.push(`${text(c, m)}: ${response.status}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }),
    );

    await waitFor('the first replies', () => twilio.messages.length >= 30, 60_000);
    const troubleStartsAt = twilio.attempts.length;
    twilio.script(...TROUBLE);
    await writing;
    assert.deepEqual(refused, [], 'every webhook was accepted');

    const total = CUSTOMERS * MESSAGES;
    await waitFor('every reply at Twilio', () => twilio.messages.length >= total, 150_000, 200).catch(
      (error: Error) => {
        throw new Error(
          `${error.message}: ${twilio.messages.length} of ${total}\nlogged:\n${loggedProblems(clusterProcesses(cluster as Cluster))}`,
        );
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // room for a late duplicate

    for (let c = 0; c < CUSTOMERS; c++) {
      const replies = twilio.messages.filter((message) => message.To === customer(c)).map((m) => echoed(m.Body ?? ''));
      const expected = Array.from({ length: MESSAGES }, (_, i) => text(c, i + 1));
      assert.deepEqual(replies, expected, `customer ${c}: each reply at Twilio once, in order`);
    }
    assert.equal(twilio.messages.length, total, 'not one SMS more than the replies');

    // The run of trouble was all used up, and each kind did what it should.
    const troubled = twilio.attempts.slice(troubleStartsAt, troubleStartsAt + TROUBLE.length);
    assert.equal(troubled.length, TROUBLE.length, 'every bad answer was given');
    /** Posts of the same text after the index-th post of the run. */
    const postsAfter = (index: number) =>
      twilio.attempts.slice(troubleStartsAt + index + 1).filter((attempt) => attempt.Body === troubled[index]?.Body)
        .length;
    TROUBLE.forEach((answer, index) => {
      const body = troubled[index]?.Body;
      if (answer === 'accept-then-hang') {
        assert.equal(postsAfter(index), 0, `"${body}" reached Twilio before the timeout: never posted again`);
      } else {
        const why = answer === 'hang' ? 'never reached Twilio' : `was refused (${answer.status})`;
        assert.ok(postsAfter(index) >= 1, `"${body}" ${why}: posted again`);
      }
    });
    const settled = cluster.workers.flatMap((worker) =>
      worker.logs.filter((line) => line.msg === 'settled a send that got no answer').map((line) => line.outcome),
    );
    assert.deepEqual(
      settled.sort(),
      ['not-sent', 'not-sent', 'not-sent', 'sent', 'sent', 'sent'],
      'each unanswered call was looked up in the message list once',
    );
    assert.equal(await cluster.deadLetterCount(), 0, 'nothing should have been given up on');
  });
  it('on Telegram, which cannot be asked, keeps a call that got no answer as a dead letter and never sends it twice (replies at most once)', async () => {
    telegram = await startFakeBotApi(TELEGRAM_TOKEN);
    const api = telegram;
    atMostOnce = await echoBotWith({ reply: 'at_most_once' });
    cluster = await startCluster('provider-faults-telegram', 2, {
      BOT_DIR: atMostOnce.dir,
      PUBLIC_URL: 'https://bot.example.test',
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: api.url,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      ADMIN_TOKEN: ADMIN,
      OUTBOUND_MAX_ATTEMPTS: '10',
      RETRY_BASE_MS: '200',
      RETRY_MAX_MS: '2000',
      CONVERSATION_LOCK_MS: '2000',
      STALLED_INTERVAL_MS: '1000',
    });
    const { gateway } = cluster;
    const sends = () => api.callsTo('sendMessage');
    const chatOf = (c: number) => 333_000_000 + c;
    const refused: string[] = [];
    let update = 500_000_000;
    const writing = Promise.all(
      Array.from({ length: CHATS }, async (_, c) => {
        for (let m = 1; m <= CHAT_MESSAGES; m++) {
          const response = await fetch(`${gateway.url}/webhooks/telegram`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
            body: JSON.stringify(textUpdate(++update, chatOf(c), tgText(c, m))),
          });
          if (response.status !== 200) refused.push(`${tgText(c, m)}: ${response.status}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }),
    );

    await waitFor('the first replies', () => sends().length >= 20, 60_000);
    const troubleStartsAt = sends().length;
    const trouble = [
      botApiError(429, 'Too Many Requests: retry after 1', { retry_after: 1 }),
      botApiError(500, 'Internal Server Error'),
      'hang' as const,
      botApiError(502, 'Bad Gateway'),
      botApiError(429, 'Too Many Requests: retry after 1', { retry_after: 1 }),
      'hang' as const,
    ];
    api.failNext('sendMessage', ...trouble);
    await writing;
    assert.deepEqual(refused, [], 'every update was accepted');

    const troubled = () => sends().slice(troubleStartsAt, troubleStartsAt + trouble.length);
    const unanswered = () =>
      trouble.flatMap((answer, index) => (answer === 'hang' ? [String(troubled()[index]?.payload.text)] : []));
    const everyText = () => new Set(sends().map((call) => String(call.payload.text)));
    const total = CHATS * CHAT_MESSAGES;
    await waitFor(
      'every reply tried, and the unanswered ones given up on',
      async () => everyText().size >= total && (await started(cluster).deadLetterCount()) >= 2,
      120_000,
      200,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}: ${everyText().size} of ${total} texts\nlogged:\n${loggedProblems(clusterProcesses(started(cluster)))}`,
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // room for a late duplicate

    const lost = unanswered();
    assert.equal(lost.length, 2);
    for (const text of lost) {
      assert.equal(
        sends().filter((call) => call.payload.text === text).length,
        1,
        `"${text}" got no answer: never sent again`,
      );
    }
    // Every other reply went through once, in its chat's order (a failed call is not a delivery).
    const failed = new Set(troubled());
    for (let c = 0; c < CHATS; c++) {
      const delivered = sends()
        .filter((call) => !failed.has(call) && String(call.payload.chat_id) === String(chatOf(c)))
        .map((call) => echoed(String(call.payload.text)));
      const expected = Array.from({ length: CHAT_MESSAGES }, (_, i) => tgText(c, i + 1)).filter(
        (text) => !lost.includes(`You said: "${text}".`),
      );
      assert.deepEqual(delivered, expected, `chat ${c}: each reply once, in order`);
    }
    const letters = (await (
      await fetch(`${gateway.url}/admin/dead-letters`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as { count: number; items: Array<{ stage: string; error: string }> };
    assert.equal(letters.count, 2, 'exactly the two unanswered calls are dead letters');
    for (const letter of letters.items) {
      assert.equal(letter.stage, 'outbound');
      assert.match(letter.error, /no answer before the timeout/, 'kept because Telegram may have it');
    }
  });
});

/**
 * The channel sender against a real Redis, an in-memory PGlite and a fake
 * provider over real HTTP: retries on 429/5xx honouring Retry-After, dead
 * letters after the last try, once per idempotency key, a send whose outcome
 * is unknown settled by the provider where it can be asked and otherwise by
 * the message's purpose (at most once: dead letter 'unknown'; at least once:
 * sent again, recorded as resent), pacing per channel account.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { type ChannelSender, callProvider, ProviderError, startChannelSender } from '@passerelle/channels';
import {
  createLogger,
  type Db,
  DEFAULT_UNCERTAIN_SEND,
  EVENT_FORMAT_VERSION,
  getDelivery,
  isOptedOut,
  migrate,
  type OutboundMessage,
  openDb,
  openPipelineQueues,
  recordInbound,
  recordOutbound,
  resolveContact,
  retryDeadLetter,
  silentObserver,
  type UncertainSend,
} from '@passerelle/core';
import { type FakeAnswer, type FakeProvider, startFakeProvider } from '../../../test/support/fake-provider.js';
import { testPipelineSettings } from '../../../test/support/pipeline-settings.js';
import { deletePrefix, openRedis, uniquePrefix, waitFor } from '../../../test/support/services.js';

const logger = createLogger({ level: 'silent' });
const admin = openRedis('sender-admin');
let db: Db;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
after(async () => {
  await admin.quit();
  await db?.close();
});

/**
 * A minimal HTTP channel: one POST per part, the provider's id in the answer.
 * It uses callProvider, the same call-and-classify code the real channels use.
 */
interface SenderOptions {
  ratePerSecond?: number;
  timeoutMs?: number;
  /** What the channel answers when asked about a call cut off by a crash. */
  reconcile?: ChannelSender<{ text: string }>['reconcile'];
  /** How long after such a call started it may be asked about, or sent again (default here: at once). */
  reconcileAfterMs?: number;
  /** Where the calls go (default: the fake provider), read at each call. */
  url?: () => string;
}

function httpSender(provider: FakeProvider, options: SenderOptions = {}): ChannelSender<{ text: string }> {
  return {
    ...(options.reconcile ? { reconcile: options.reconcile } : {}),
    reconcileAfterMs: options.reconcileAfterMs ?? 0,
    channel: 'sms',
    capabilities: {
      maxTextLength: 1600,
      buttons: { supported: false, max: 0 },
      quickReplies: false,
      cards: false,
      media: [],
      markdown: 'none',
    },
    ratePerSecond: options.ratePerSecond,
    render: (message) => message.parts.map((part) => ({ text: part.type === 'text' ? part.text : part.type })),
    async send(request, message) {
      const response = await callProvider({
        url: `${options.url?.() ?? provider.url}/messages`,
        body: JSON.stringify({ to: message.to.userId, text: request.text }),
        headers: { 'content-type': 'application/json' },
        timeoutMs: options.timeoutMs ?? 2_000,
        what: 'fake provider',
      });
      return { providerMessageId: (JSON.parse(response.text) as { id?: string }).id };
    },
  };
}

/** Like httpSender, with the opt-out mapping a real channel does (here: code 21610 in a 400, as Twilio). */
function optOutAwareSender(provider: FakeProvider): ChannelSender<{ text: string }> {
  const plain = httpSender(provider);
  return {
    ...plain,
    async send(request, message) {
      try {
        return await plain.send(request, message);
      } catch (error) {
        if (error instanceof ProviderError && error.options.status === 400 && /21610/.test(error.message)) {
          throw new ProviderError('recipient unsubscribed', 'opted-out', { status: 400 });
        }
        throw error;
      }
    },
  };
}

let counter = 0;
async function setup(
  name: string,
  script: (index: number) => FakeAnswer,
  senderOptions: SenderOptions & {
    optOutAware?: boolean;
    /** What an uncertain send does, as a bot folder's delivery.uncertain says (default: by purpose). */
    uncertain?: UncertainSend;
  } = {},
) {
  db ??= await openDb({ inMemory: true }).then(async (opened) => {
    await migrate(opened);
    return opened;
  });
  const prefix = uniquePrefix(name);
  const redis = openRedis(name);
  const config = {
    redisKeyPrefix: prefix,
    pipeline: testPipelineSettings(),
  };
  const provider = await startFakeProvider((_request, index) => script(index));
  const queues = openPipelineQueues(redis, config);
  const sender = startChannelSender({
    redis,
    db,
    queues,
    senders: new Map([
      [
        'sms',
        (senderOptions.optOutAware
          ? optOutAwareSender(provider)
          : httpSender(provider, senderOptions)) as ChannelSender,
      ],
    ]),
    config,
    logger,
    observer: silentObserver,
    ...(senderOptions.uncertain ? { uncertainSend: () => senderOptions.uncertain as UncertainSend } : {}),
  });
  cleanups.push(async () => {
    await sender.close();
    await queues.close();
    await provider.close();
    await deletePrefix(admin, prefix);
    await redis.quit();
  });

  /**
   * A reply as the dialog worker makes one: recorded in the database, then queued. With
   * `inFlight`, the marker a sender killed in the middle of a provider call leaves behind is
   * there first, as when the job comes back after the crash.
   */
  async function send(
    texts: string[],
    conversation = `${name}-conv`,
    crash?: { inFlight: string },
  ): Promise<OutboundMessage> {
    counter += 1;
    const n = counter;
    const userId = `+3361234${String(n).padStart(4, '0')}`;
    const contact = await resolveContact(db, { channel: 'sms', account: '+33700000000', userId });
    await recordInbound(
      db,
      {
        version: EVENT_FORMAT_VERSION,
        id: `in_${name}_${n}`,
        channel: 'sms',
        account: '+33700000000',
        providerMessageId: `SM${n}`,
        conversationId: conversation,
        sender: { id: userId },
        receivedAt: new Date().toISOString(),
        kind: 'message',
        content: { text: 'hi' },
      },
      contact.id,
    );
    const message: OutboundMessage = {
      version: EVENT_FORMAT_VERSION,
      id: `out_${name}_${n}`,
      idempotencyKey: `out_${name}_${n}`,
      conversationId: conversation,
      to: { channel: 'sms', account: '+33700000000', userId },
      parts: texts.map((text) => ({ type: 'text' as const, text })),
      purpose: 'reply',
      createdAt: new Date().toISOString(),
    };
    await recordOutbound(db, [message]);
    if (crash) {
      const keys = queues.outbound.keys(message.conversationId, message.idempotencyKey);
      await admin.set(`${keys.status}:inflight`, crash.inFlight, 'EX', 60);
    }
    assert.equal(await queues.outbound.enqueue(message), 'accepted');
    return message;
  }
  const statusOf = async (message: OutboundMessage) => (await getDelivery(db, message.id))?.status;
  return { provider, queues, send, statusOf };
}

const ok = (index: number): FakeAnswer => ({ status: 201, body: { id: `SM-${index}` } });

describe('channel sender', () => {
  it('waits as long as a 429 Retry-After says, then sends', async () => {
    const { provider, send, statusOf } = await setup('retry-after', (i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too Many Requests' } } : ok(i),
    );
    const message = await send(['Bonjour']);
    await waitFor('the message to be sent', async () => (await statusOf(message)) === 'sent');
    assert.equal(provider.requests.length, 2);
    const waited = (provider.requests[1]?.at ?? 0) - (provider.requests[0]?.at ?? 0);
    assert.ok(waited >= 1_000, `second try came ${waited} ms after the 429, before its Retry-After of 1 s`);
  });

  it('retries 5xx with backoff and records the provider id of the success', async () => {
    const { provider, send, queues } = await setup('server-errors', (i) => (i < 2 ? { status: 500 + i * 3 } : ok(i)));
    const message = await send(['Hello']);
    await waitFor('sent', async () => (await getDelivery(db, message.id))?.status === 'sent');
    const delivery = await getDelivery(db, message.id);
    assert.equal(provider.requests.length, 3);
    assert.equal(delivery?.providerMessageId, 'SM-2');
    assert.equal(delivery?.attempts, 3);
    assert.equal(await queues.deadLetters.count(), 0);
  });

  it('keeps the message as a dead letter after the last try, and marks it failed', async () => {
    const { provider, send, queues, statusOf } = await setup('always-500', () => ({ status: 503, body: 'down' }));
    const message = await send(['Hello']);
    await waitFor('the dead letter', async () => (await queues.deadLetters.count()) === 1, 20_000);
    assert.equal(provider.requests.length, 3, 'OUTBOUND_MAX_ATTEMPTS is 3');
    assert.equal(await statusOf(message), 'failed');
    const [letter] = await queues.deadLetters.list();
    assert.equal(letter?.stage, 'outbound');
    assert.equal(letter?.itemId, message.idempotencyKey);
    assert.match(letter?.error ?? '', /503/);
  });

  it('gives up at once on a 4xx the provider will never accept', async () => {
    const { provider, send, queues, statusOf } = await setup('bad-request', () => ({
      status: 400,
      body: { code: 21211, message: "The 'To' number is not a valid phone number." },
    }));
    const message = await send(['Hello']);
    await waitFor('the dead letter', async () => (await queues.deadLetters.count()) === 1);
    assert.equal(provider.requests.length, 1);
    assert.equal(await statusOf(message), 'failed');
  });

  it('marks the recipient opted out when the provider says they unsubscribed', async () => {
    const { provider, send, queues, statusOf } = await setup(
      'opted-out',
      () => ({ status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient' } }),
      { optOutAware: true },
    );
    const message = await send(['Promo']);
    await waitFor('the dead letter', async () => (await queues.deadLetters.count()) === 1);
    assert.equal(provider.requests.length, 1, 'an opted-out recipient is not retried');
    assert.equal(await statusOf(message), 'failed');
    assert.equal(await isOptedOut(db, message.to), true);
  });

  it('sends a dead letter again when a person retries it', async () => {
    let accept = false;
    const { provider, send, queues, statusOf } = await setup('retry-dead-letter', (i) =>
      accept ? ok(i) : { status: 400, body: { message: 'number blocked' } },
    );
    const message = await send(['Hello again']);
    await waitFor('the dead letter', async () => (await queues.deadLetters.count()) === 1);
    const [letter] = await queues.deadLetters.list();
    assert.ok(letter);
    accept = true; // the number was unblocked at the provider
    assert.equal(await retryDeadLetter(queues, letter.id), 'retried');
    await waitFor('sent', async () => (await statusOf(message)) === 'sent');
    assert.equal(await queues.deadLetters.count(), 0);
    assert.equal(provider.requests.length, 2);
    assert.equal(await retryDeadLetter(queues, letter.id), 'not found');
  });

  it('at most once: never sends twice when the provider took the request but did not answer', async () => {
    const { provider, send, queues, statusOf } = await setup('timeout', () => 'hang', {
      timeoutMs: 300,
      uncertain: 'at_most_once',
    });
    const message = await send(['Hello']);
    await waitFor('the dead letter', async () => (await queues.deadLetters.count()) === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(provider.requests.length, 1, 'an ambiguous send must not be retried');
    assert.equal(await statusOf(message), 'unknown');
    const [letter] = await queues.deadLetters.list();
    assert.equal(letter?.outcome, 'unknown', 'the dead letter says the provider may have it');
    assert.equal(await queues.deadLetters.countResent(), 0);
  });

  it('at least once: a call that got no answer is sent again once it can no longer arrive, and recorded as resent', async () => {
    const { provider, send, queues, statusOf } = await setup('timeout-resend', (i) => (i === 0 ? 'hang' : ok(i)), {
      timeoutMs: 300,
      reconcileAfterMs: 800,
      uncertain: 'at_least_once',
    });
    const message = await send(['Hello']);
    await waitFor('sent', async () => (await statusOf(message)) === 'sent');
    assert.equal(provider.requests.length, 2, 'sent again once');
    const gap = (provider.requests[1]?.at ?? 0) - (provider.requests[0]?.at ?? 0);
    assert.ok(gap >= 800, `sent again ${gap} ms after the first call started, before it could no longer arrive`);
    const delivery = await getDelivery(db, message.id);
    assert.equal(delivery?.resent, 1, 'the delivery row counts the resend');
    assert.equal(delivery?.providerMessageId, 'SM-1');
    const [resent, ...more] = await queues.deadLetters.listResent();
    assert.deepEqual(more, []);
    assert.equal(resent?.messageId, message.id);
    assert.equal(resent?.purpose, 'reply');
    assert.deepEqual([resent?.call, resent?.calls], [1, 1]);
    assert.match(resent?.reason ?? '', /call 1 of 1 got no answer.*cannot ask its provider/);
    assert.equal(await queues.deadLetters.count(), 0);
  });

  it('replies and operator messages are at least once by default, campaigns at most once', () => {
    assert.deepEqual(DEFAULT_UNCERTAIN_SEND, {
      reply: 'at_least_once',
      operator: 'at_least_once',
      campaign: 'at_most_once',
      notification: 'at_least_once',
    });
  });

  it('a provider refusing the connection is retried as not sent: no marker, no dead letter, no resend', async () => {
    // A port nothing listens on: the request never leaves the process.
    const closed = await startFakeProvider();
    const refusing = closed.url;
    await closed.close();
    let calls = 0;
    const { provider, send, queues, statusOf } = await setup('refused', ok, {
      // At most once: a refused call taken for an unknown outcome would keep its in-flight marker,
      // and the next try, finding it, would make the message an 'unknown' dead letter.
      uncertain: 'at_most_once',
      // The first call finds nobody listening; the provider is reachable from the second on.
      url: () => (calls++ === 0 ? refusing : provider.url),
    });
    const message = await send(['Hello']);
    await waitFor('sent', async () => (await statusOf(message)) === 'sent');
    assert.equal(calls, 2, 'tried twice');
    assert.equal(provider.requests.length, 1, 'sent once, when the provider could be reached');
    assert.equal((await getDelivery(db, message.id))?.attempts, 2);
    assert.equal(await queues.deadLetters.count(), 0);
    assert.equal(await queues.deadLetters.countResent(), 0);
    assert.equal((await getDelivery(db, message.id))?.resent, 0);
  });

  it('asks the provider about a call that timed out, once it can no longer arrive: sent once either way', async () => {
    const asked: string[] = [];
    // The first call of each message hangs; the provider kept the first one and lost the second.
    const { provider, send, queues, statusOf } = await setup('timeout-reconcile', (i) => (i < 2 ? 'hang' : ok(i)), {
      timeoutMs: 300,
      reconcileAfterMs: 600,
      async reconcile(request) {
        asked.push(request.text);
        return request.text === 'kept' ? { outcome: 'sent', providerMessageId: 'SM-kept' } : { outcome: 'not-sent' };
      },
    });
    const kept = await send(['kept'], 'timeout-reconcile-a');
    const lost = await send(['lost'], 'timeout-reconcile-b');
    await waitFor('both settled', async () => (await statusOf(kept)) === 'sent' && (await statusOf(lost)) === 'sent');
    assert.deepEqual(asked.sort(), ['kept', 'lost'], 'each timed-out call asked about once');
    const bodies = provider.requests.map((r) => (JSON.parse(r.body) as { text: string }).text).sort();
    assert.deepEqual(bodies, ['kept', 'lost', 'lost'], 'the kept one never again, the lost one once more');
    assert.equal((await getDelivery(db, kept.id))?.providerMessageId, 'SM-kept');
    assert.equal(await queues.deadLetters.count(), 0);
  });

  it('resumes a message of several parts at the part that failed, not from the start', async () => {
    const { provider, send, statusOf } = await setup('multi-part', (i) =>
      i === 1 ? { status: 429, headers: { 'retry-after': '0' } } : ok(i),
    );
    const message = await send(['one', 'two', 'three']);
    await waitFor('sent', async () => (await statusOf(message)) === 'sent');
    assert.deepEqual(
      provider.requests.map((r) => (JSON.parse(r.body) as { text: string }).text),
      ['one', 'two', 'two', 'three'],
    );
  });

  it('at most once: does not resend a part that was under way when a sender process died', async () => {
    const { provider, send, queues, statusOf } = await setup('crash-marker', ok, { uncertain: 'at_most_once' });
    const message = await send(['once']);
    await waitFor('sent', async () => (await statusOf(message)) === 'sent');
    assert.equal(provider.requests.length, 1);
    const keys = queues.outbound.keys(message.conversationId, 'crashed-key');
    // What a sender killed in the middle of the provider call leaves behind: the in-flight marker.
    const crashed: OutboundMessage = { ...message, id: 'out_crashed', idempotencyKey: 'crashed-key' };
    await recordOutbound(db, [crashed]);
    await admin.set(`${keys.status}:inflight`, '0', 'EX', 60);
    await queues.outbound.enqueue(crashed);
    await waitFor('the dead letter', async () => (await queues.deadLetters.count()) === 1);
    assert.equal(provider.requests.length, 1, 'the interrupted part must not be sent again');
    assert.equal(await statusOf(crashed), 'unknown');
    assert.equal((await queues.deadLetters.list())[0]?.outcome, 'unknown');
    assert.equal(await queues.deadLetters.countResent(), 0);
  });

  it('at least once: sends a part cut off by a crash again, once, and never a third time', async () => {
    let failed = false;
    // The part after the resent one fails once (500): its retry must resume there, not resend the first part.
    const { provider, send, queues, statusOf } = await setup(
      'crash-resend',
      (i) => {
        if (i === 1 && !failed) {
          failed = true;
          return { status: 500 };
        }
        return ok(i);
      },
      { uncertain: 'at_least_once' },
    );
    const message = await send(['one', 'two'], undefined, { inFlight: `0@${Date.now() - 1_000}` });
    await waitFor('sent', async () => (await statusOf(message)) === 'sent');
    assert.deepEqual(
      provider.requests.map((r) => (JSON.parse(r.body) as { text: string }).text),
      ['one', 'two', 'two'],
      'the interrupted part sent again once; the retry of the next part does not send it a third time',
    );
    const delivery = await getDelivery(db, message.id);
    assert.equal(delivery?.resent, 1);
    assert.equal(delivery?.attempts, 2);
    const resent = await queues.deadLetters.listResent();
    assert.deepEqual(
      resent.map((item) => [item.messageId, item.call, item.calls]),
      [[message.id, 1, 2]],
    );
    assert.match(resent[0]?.reason ?? '', /call 1 of 2 got no answer.*this channel cannot ask its provider/);
    assert.equal(await queues.deadLetters.count(), 0);
    // The queue knows the key is done: the same message queued again is not sent again.
    assert.equal(await queues.outbound.enqueue(message), 'duplicate');
  });

  it('at least once: does not send again before the interrupted call can no longer arrive', async () => {
    const startedAt = Date.now();
    const { provider, send, statusOf } = await setup('crash-resend-wait', ok, {
      uncertain: 'at_least_once',
      reconcileAfterMs: 1_500,
    });
    const message = await send(['once'], undefined, { inFlight: `0@${startedAt}` });
    await waitFor('sent', async () => (await statusOf(message)) === 'sent');
    assert.equal(provider.requests.length, 1);
    const waited = (provider.requests[0]?.at ?? 0) - startedAt;
    assert.ok(waited >= 1_500, `sent again ${waited} ms after the interrupted call started`);
  });

  it('counts a call cut off by a crash as done when the provider says it has it', async () => {
    const asked: Array<{ text: string; since: number }> = [];
    const startedAt = Date.now() - 2_000;
    const { provider, send, statusOf } = await setup('reconcile-sent', ok, {
      async reconcile(request, _message, since) {
        asked.push({ text: request.text, since: since.getTime() });
        return { outcome: 'sent', providerMessageId: 'SM-before-the-crash' };
      },
    });
    const message = await send(['one', 'two'], undefined, { inFlight: `0@${startedAt}` });
    await waitFor('sent', async () => (await statusOf(message)) === 'sent');
    assert.deepEqual(asked, [{ text: 'one', since: startedAt }], 'asked once, about the interrupted call');
    assert.deepEqual(
      provider.requests.map((r) => (JSON.parse(r.body) as { text: string }).text),
      ['two'],
      'the part the provider has is not sent again; the rest is',
    );
  });

  it('does not ask about an interrupted call before it can no longer reach the provider', async () => {
    const asked: number[] = [];
    const startedAt = Date.now();
    const { provider, send, statusOf } = await setup('reconcile-wait', ok, {
      reconcileAfterMs: 1_500,
      async reconcile() {
        asked.push(Date.now());
        return { outcome: 'not-sent' };
      },
    });
    const message = await send(['once'], undefined, { inFlight: `0@${startedAt}` });
    await waitFor('sent', async () => (await statusOf(message)) === 'sent');
    assert.equal(asked.length, 1, 'asked once');
    assert.ok((asked[0] ?? 0) - startedAt >= 1_500, `asked ${(asked[0] ?? 0) - startedAt} ms after the call started`);
    assert.equal(provider.requests.length, 1, 'then sent once');
  });

  it("keeps the provider's id of a call it says it has", async () => {
    const { provider, send } = await setup('reconcile-sid', ok, {
      reconcile: async () => ({ outcome: 'sent', providerMessageId: 'SM-before-the-crash' }),
    });
    const message = await send(['once'], undefined, { inFlight: `0@${Date.now()}` });
    await waitFor('sent', async () => (await getDelivery(db, message.id))?.status === 'sent');
    assert.equal((await getDelivery(db, message.id))?.providerMessageId, 'SM-before-the-crash');
    assert.equal(provider.requests.length, 0);
  });

  it('sends a call cut off by a crash once when the provider shows it never got it', async () => {
    let asked = 0;
    const { provider, send, statusOf, queues } = await setup('reconcile-not-sent', ok, {
      async reconcile() {
        asked += 1;
        return { outcome: 'not-sent' };
      },
    });
    const message = await send(['once'], undefined, { inFlight: `0@${Date.now()}` });
    await waitFor('sent', async () => (await statusOf(message)) === 'sent');
    assert.equal(asked, 1);
    assert.equal(provider.requests.length, 1);
    assert.equal((await getDelivery(db, message.id))?.providerMessageId, 'SM-0');
    assert.equal(await queues.deadLetters.count(), 0);
  });

  it('at most once: gives up as unknown when asking the provider fails, or the marker has no start time', async () => {
    let asked = 0;
    const { provider, send, queues, statusOf } = await setup('reconcile-fails', ok, {
      uncertain: 'at_most_once',
      async reconcile() {
        asked += 1;
        throw new ProviderError('list answered 500', 'retry', { status: 500 });
      },
    });
    const failing = await send(['once'], 'reconcile-fails-a', { inFlight: `0@${Date.now()}` });
    // A marker left by a sender from before start times were kept.
    const legacy = await send(['once'], 'reconcile-fails-b', { inFlight: '0' });
    await waitFor('two dead letters', async () => (await queues.deadLetters.count()) === 2);
    assert.equal(provider.requests.length, 0, 'nothing is sent on a guess');
    assert.equal(await statusOf(failing), 'unknown');
    assert.equal(await statusOf(legacy), 'unknown');
    assert.equal(asked, 1, 'a marker without a start time is not reconciled');
    const errors = (await queues.deadLetters.list()).map((letter) => letter.error).sort();
    assert.match(errors.join('\n'), /asking the provider failed \(list answered 500\)/);
    assert.match(errors.join('\n'), /no recorded start time/);
  });

  it('at least once: still asks the provider first, and sends again only what it cannot settle', async () => {
    const asked: string[] = [];
    const { provider, send, queues, statusOf } = await setup('reconcile-then-resend', ok, {
      uncertain: 'at_least_once',
      async reconcile(request) {
        asked.push(request.text);
        return request.text === 'kept'
          ? { outcome: 'sent', providerMessageId: 'SM-kept' }
          : { outcome: 'unknown', reason: 'a message to this number at that time, with another text' };
      },
    });
    const kept = await send(['kept'], 'reconcile-then-resend-a', { inFlight: `0@${Date.now()}` });
    const unclear = await send(['unclear'], 'reconcile-then-resend-b', { inFlight: `0@${Date.now()}` });
    await waitFor('both sent', async () => (await statusOf(kept)) === 'sent' && (await statusOf(unclear)) === 'sent');
    assert.deepEqual(asked.sort(), ['kept', 'unclear'], 'each asked about once');
    assert.deepEqual(
      provider.requests.map((r) => (JSON.parse(r.body) as { text: string }).text),
      ['unclear'],
      'what the provider has is not sent again; what it cannot settle is',
    );
    assert.equal((await getDelivery(db, kept.id))?.resent, 0);
    assert.equal((await getDelivery(db, unclear.id))?.resent, 1);
    const [resent] = await queues.deadLetters.listResent();
    assert.match(resent?.reason ?? '', /another text/);
  });

  it('paces sends at the channel account rate limit, shared by every sender', async () => {
    const { provider, send, statusOf } = await setup('rate-limit', ok, { ratePerSecond: 5 });
    // 15 messages for one account, each in its own conversation so they could all go at once.
    const messages = await Promise.all(Array.from({ length: 15 }, (_, i) => send([`m${i}`], `rate-conv-${i}`)));
    await waitFor(
      'all sent',
      async () => (await Promise.all(messages.map(statusOf))).every((s) => s === 'sent'),
      20_000,
    );
    const times = provider.requests.map((r) => r.at).sort((a, b) => a - b);
    assert.equal(times.length, 15);
    // At 5 per second, evenly spaced, 15 sends are 14 intervals of 200 ms apart: 2.8 s (with
    // 1-second windows they could be 5 + 5 + 5 within about 2 s). Times are taken where the fake
    // provider reads each request, in this busy test process: an early request read late shortens
    // a gap, so 300 ms are allowed for that. Unpaced, all 15 arrive within a few tens of ms.
    const span = (times.at(-1) ?? 0) - (times[0] ?? 0);
    assert.ok(span >= 2_500, `15 sends at 5/s took only ${span} ms`);
    for (let i = 5; i < times.length; i++) {
      const gap = (times[i] ?? 0) - (times[i - 5] ?? 0);
      assert.ok(gap >= 700, `sends ${i - 5} and ${i} only ${gap} ms apart: more than 5 within one second`);
    }
    // Evenly spaced, not in bursts: the typical gap between two sends is about 200 ms (bursts of 5
    // would make it a few ms). The median, not each gap: on a busy machine one request read late
    // arrives just before the next, and that pair says nothing about the pacing.
    const gaps = times.slice(1).map((at, i) => at - (times[i] ?? 0));
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 0;
    assert.ok(median >= 150, `sends are typically ${median} ms apart, not spaced 200 ms apart: ${gaps.join(', ')}`);
  });
});

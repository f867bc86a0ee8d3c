/**
 * Web chat: the cases file through a real socket server on a real HTTP server
 * and a real Redis, then the socket's own promises (identity, replay, dedup).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { attachWebchatSocket, renderWebchat, webchatCases } from '@passerelle/channels';
import {
  createLogger,
  EVENT_FORMAT_VERSION,
  type InboundEvent,
  InboundEventSchema,
  type OutboundMessage,
} from '@passerelle/core';
import { assertMatches } from '../../../test/support/match.js';
import { deletePrefix, openRedis, uniquePrefix } from '../../../test/support/services.js';
import { WebchatVisitor } from '../../../test/support/webchat-client.js';
import { createWebchatSender } from '../src/webchat/send.js';

const prefix = uniquePrefix('webchat');
const redis = openRedis('webchat');
const subscriber = openRedis('webchat-sub');
const accepted: InboundEvent[] = [];
const seen = new Set<string>();
const server = createServer();
let baseUrl = '';
let socketServer: ReturnType<typeof attachWebchatSocket>;

before(async () => {
  socketServer = attachWebchatSocket(server, {
    redis,
    subscriber,
    prefix,
    secret: 'a-test-secret-of-enough-length',
    logger: createLogger({ level: 'silent' }),
    // What the gateway does, minus BullMQ: dedup by event id.
    accept: async (event) => {
      if (seen.has(event.id)) return 'duplicate';
      seen.add(event.id);
      accepted.push(event);
      return 'accepted';
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await socketServer.close();
  await new Promise((resolve) => server.close(resolve));
  await deletePrefix(redis, prefix);
  await Promise.all([redis.quit(), subscriber.quit()]);
});

describe('web chat cases', () => {
  for (const testCase of webchatCases.inbound) {
    it(`inbound: ${testCase.name}`, async () => {
      const visitor = await WebchatVisitor.connect(baseUrl, testCase.request.hello);
      const before = accepted.length;
      visitor.sendRaw(testCase.request.frame);
      await visitor.waitFor(() => visitor.frames.some((f) => f.type === 'ack' || f.type === 'error'));
      visitor.close();
      if ('refused' in testCase.expect) {
        const error = visitor.frames.find((f) => f.type === 'error');
        assert.ok(error, 'expected an error frame');
        assert.equal(error.code, testCase.expect.refused.code);
        assert.match(String(error.message), testCase.expect.refused.reason);
        assert.equal(accepted.length, before, 'a refused frame must not be queued');
        return;
      }
      const expected = testCase.expect.events;
      const events = accepted.slice(before);
      assert.equal(events.length, expected.length);
      for (const [index, event] of events.entries()) {
        assert.equal(InboundEventSchema.safeParse(event).success, true, 'event must satisfy the event format');
        assert.equal(event.sender.id, visitor.visitorId);
        assertMatches(event, expected[index]);
      }
    });
  }

  for (const testCase of webchatCases.outbound) {
    it(`outbound: ${testCase.name}`, () => {
      assert.deepEqual(renderWebchat(testCase.message), testCase.expect.requests);
    });
  }
});

describe('web chat socket', () => {
  const reply = (userId: string, id: string, text: string): OutboundMessage => ({
    version: EVENT_FORMAT_VERSION,
    id,
    idempotencyKey: id,
    conversationId: 'cv_x',
    to: { channel: 'webchat', account: 'default', userId },
    parts: [{ type: 'text', text }],
    purpose: 'reply',
    createdAt: new Date().toISOString(),
  });

  it('refuses messages before the hello', async () => {
    const visitor = new WebchatVisitor();
    // Open without the helper's hello.
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/webchat/socket`);
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'message', id: 'early-0001', text: 'hi' }));
    const [data] = await once(socket, 'message');
    socket.close();
    assert.deepEqual(JSON.parse(String(data)), {
      type: 'error',
      code: 'hello-first',
      message: 'send a hello frame first',
      id: 'early-0001',
    });
    assert.equal(visitor.frames.length, 0);
  });

  it('acks a resent message as a duplicate and queues it once', async () => {
    const visitor = await WebchatVisitor.connect(baseUrl);
    const before = accepted.length;
    visitor.say('resend-0001', 'hello');
    visitor.say('resend-0001', 'hello');
    await visitor.waitFor(() => visitor.frames.filter((f) => f.type === 'ack').length === 2);
    const acks = visitor.frames.filter((f) => f.type === 'ack').map((f) => f.duplicate);
    assert.deepEqual(acks, [false, true]);
    assert.equal(accepted.length - before, 1);
    const echoes = visitor.frames.filter((f) => f.type === 'message' && f.from === 'visitor');
    assert.equal(echoes.length, 1, 'the visitor line appears once in the history');
    visitor.close();
  });

  it('delivers a reply sent from any process, and replays what a returning visitor missed', async () => {
    const sender = createWebchatSender(redis, prefix);
    const first = await WebchatVisitor.connect(baseUrl);
    const message = reply(first.visitorId, 'out_live_1', 'live answer');
    for (const parts of sender.render(message)) await sender.send(parts, message);
    await first.waitFor(() => first.botTexts().includes('live answer'));
    first.close();

    // Sent while the visitor is away.
    const missed = reply(first.visitorId, 'out_missed_1', 'answer while away');
    for (const parts of sender.render(missed)) await sender.send(parts, missed);

    const back = await WebchatVisitor.connect(baseUrl, { visitorId: first.visitorId, token: first.token });
    assert.equal(back.visitorId, first.visitorId, 'the signed visitor keeps its identity');
    await back.waitFor(() => back.botTexts().includes('answer while away'));
    assert.deepEqual(back.botTexts(), ['live answer', 'answer while away'], 'full history, in order, once each');
    back.close();
  });

  it('sends a frame once even when the sender retries it', async () => {
    const sender = createWebchatSender(redis, prefix);
    const visitor = await WebchatVisitor.connect(baseUrl);
    const message = reply(visitor.visitorId, 'out_twice_1', 'only once');
    const [parts] = sender.render(message);
    assert.ok(parts);
    const a = await sender.send(parts, message);
    const b = await sender.send(parts, message);
    assert.equal(a.providerMessageId, b.providerMessageId);
    await visitor.waitFor(() => visitor.botTexts().includes('only once'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(visitor.botTexts().filter((t) => t === 'only once').length, 1);
    visitor.close();
  });

  it('gives a new identity to a browser claiming a visitor id without its token', async () => {
    const owner = await WebchatVisitor.connect(baseUrl);
    const intruder = await WebchatVisitor.connect(baseUrl, { visitorId: owner.visitorId, token: 'forged' });
    assert.notEqual(intruder.visitorId, owner.visitorId);
    owner.close();
    intruder.close();
  });

  it('closes a socket that sends an oversized frame (1009) and stays up for the others', async () => {
    const visitor = await WebchatVisitor.connect(baseUrl);
    visitor.sendRaw('x'.repeat(40 * 1024));
    assert.equal(await visitor.closed, 1009);
    const next = await WebchatVisitor.connect(baseUrl);
    next.say('after-big-01', 'still here');
    await next.waitFor(() => next.frames.some((f) => f.type === 'ack'));
    next.close();
  });

  it('answers a binary frame with a refusal', async () => {
    const visitor = await WebchatVisitor.connect(baseUrl);
    visitor.sendBinary(Buffer.from([1, 2, 3]));
    await visitor.waitFor(() => visitor.frames.some((f) => f.type === 'error'));
    assert.equal(visitor.frames.find((f) => f.type === 'error')?.code, 'bad-frame');
    visitor.close();
  });
});

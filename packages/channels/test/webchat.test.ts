/**
 * Web chat: the cases file through a real socket server on a real HTTP server
 * and a real Redis, then the socket's own promises (identity, replay, dedup),
 * then the widget itself in headless Chromium (campaign links).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { attachWebchatSocket, renderWebchat, WEBCHAT_WIDGET_FILE, webchatCases } from '@passerelle/channels';
import {
  createLogger,
  EVENT_FORMAT_VERSION,
  type InboundEvent,
  InboundEventSchema,
  type OutboundMessage,
} from '@passerelle/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { assertMatches } from '../../../test/support/match.js';
import {
  CHROMIUM_PATH,
  chromiumSkipReason,
  deletePrefix,
  openRedis,
  uniquePrefix,
  waitFor,
} from '../../../test/support/services.js';
import { WebchatVisitor } from '../../../test/support/webchat-client.js';
import { createWebchatSender, webchatKeys } from '../src/webchat/send.js';

const prefix = uniquePrefix('webchat');
const redis = openRedis('webchat');
const subscriber = openRedis('webchat-sub');
const accepted: InboundEvent[] = [];
const seen = new Set<string>();
/**
 * Pages for the browser tests: the widget script as the gateway serves it, and a
 * shop page embedding it with the given data-* options and a button of its own.
 */
const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://local');
  if (url.pathname === '/webchat/widget.js') {
    response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
    response.end(readFileSync(WEBCHAT_WIDGET_FILE));
    return;
  }
  if (url.pathname === '/shop.html') {
    const data = [...url.searchParams].map(([name, value]) => ` data-${name}="${value}"`).join('');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Shop</title></head><body>' +
        '<button id="sales" type="button">Ventes privées</button>' +
        `<script src="/webchat/widget.js"${data}></script>` +
        "<script>document.getElementById('sales').addEventListener('click', () =>" +
        " window.PasserelleChat.open({ ref: 'ventes-privees' }));</script></body></html>",
    );
    return;
  }
  response.writeHead(404).end();
});
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

  it('catches up on replies its Redis subscription missed (a Redis restart), in order', async () => {
    const sender = createWebchatSender(redis, prefix);
    const visitor = await WebchatVisitor.connect(baseUrl);
    const live = webchatKeys(prefix, visitor.visitorId).live;
    const sendWhileAway = async (id: string, text: string) => {
      // What a reconnecting subscriber misses: publishes made before it is subscribed again.
      await subscriber.unsubscribe(live);
      const message = reply(visitor.visitorId, id, text);
      for (const parts of sender.render(message)) await sender.send(parts, message);
      await subscriber.subscribe(live);
    };

    await sendWhileAway('out_gap_1', 'missed, then caught up on reconnect');
    subscriber.disconnect(true);
    await visitor.waitFor(() => visitor.botTexts().length === 1);

    await sendWhileAway('out_gap_2', 'missed, then filled in');
    const next = reply(visitor.visitorId, 'out_gap_3', 'the next one shows the gap');
    for (const parts of sender.render(next)) await sender.send(parts, next);
    await visitor.waitFor(() => visitor.botTexts().length === 3);
    assert.deepEqual(
      visitor.botTexts(),
      ['missed, then caught up on reconnect', 'missed, then filled in', 'the next one shows the gap'],
      'every reply once, in order',
    );
    visitor.close();
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

describe('web chat widget: campaign links, in a real browser', { skip: chromiumSkipReason() }, () => {
  let browser: Browser | undefined;
  const sender = createWebchatSender(redis, prefix);

  before(
    async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      });
    },
    { timeout: 60_000 },
  );
  after(async () => {
    await browser?.close();
  });

  async function newPage(): Promise<{ page: Page; errors: string[] }> {
    assert.ok(browser, 'Chromium started');
    const context = await browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    return { page, errors };
  }

  /** The events accepted since `from` that carry a referral. */
  const referralsSince = (from: number) => accepted.slice(from).filter((event) => event.content.referral);

  const visitorBubbles = (page: Page) => page.locator('#passerelle-webchat .msg.visitor').count();

  /** What the dialog would answer: the campaign's first message, to the visitor the referral came from. */
  async function botAnswers(event: InboundEvent, text: string): Promise<void> {
    const message: OutboundMessage = {
      version: EVENT_FORMAT_VERSION,
      id: `out_${event.id.slice(3)}`,
      idempotencyKey: `out_${event.id.slice(3)}`,
      conversationId: event.conversationId,
      to: { channel: 'webchat', account: event.account, userId: event.sender.id },
      replyTo: event.id,
      parts: [{ type: 'text', text }],
      purpose: 'reply',
      createdAt: new Date().toISOString(),
    };
    for (const parts of sender.render(message)) await sender.send(parts, message);
  }

  it('data-ref: opening the chat starts the campaign without the visitor typing, once per tab', async () => {
    const { page, errors } = await newPage();
    const from = accepted.length;
    await page.goto(`${baseUrl}/shop.html?site=vp-shop&open=true&ref=ventes-privees`);
    const event = await waitFor('the referral event', () => referralsSince(from)[0]);
    assert.ok(event, 'a referral was accepted');
    assert.equal(event.kind, 'message', 'a message, not a postback');
    assert.equal(event.account, 'vp-shop');
    assert.deepEqual(event.content, { referral: { ref: 'ventes-privees', source: 'webchat' } });
    assert.equal(event.sender.locale, 'fr-FR');

    await botAnswers(event, 'Les ventes privées Maison Lumière sont ouvertes !');
    await page.locator('#passerelle-webchat .msg.bot', { hasText: 'ventes privées' }).waitFor({ timeout: 10_000 });
    assert.equal(await visitorBubbles(page), 0, 'the visitor wrote nothing: no bubble of theirs');

    // A reload redraws the conversation and does not start the campaign again.
    await page.reload();
    await page.locator('#passerelle-webchat .msg.bot', { hasText: 'ventes privées' }).waitFor({ timeout: 10_000 });
    await page.locator('#passerelle-webchat input[name=text]').fill('bonjour');
    await page.locator('#passerelle-webchat input[name=text]').press('Enter');
    await page.locator('#passerelle-webchat .msg.visitor:not(.pending)').waitFor({ timeout: 10_000 });
    assert.equal(referralsSince(from).length, 1, 'one campaign start for the tab, reload included');
    assert.equal(accepted.at(-1)?.content.text, 'bonjour');
    assert.deepEqual(errors, [], 'no script error in the page');
    await page.context().close();
  });

  it("PasserelleChat.open({ ref }) from the site's button opens the chat and starts the campaign", async () => {
    const { page, errors } = await newPage();
    await page.goto(`${baseUrl}/shop.html?site=vp-button`);
    const panel = page.locator('#passerelle-webchat .panel');
    assert.equal(await panel.isVisible(), false, 'the chat starts closed');
    const from = accepted.length;
    await page.click('#sales');
    await panel.waitFor({ state: 'visible', timeout: 5_000 });
    const event = await waitFor('the referral event', () => referralsSince(from)[0]);
    assert.equal(event?.account, 'vp-button');
    assert.deepEqual(event?.content, { referral: { ref: 'ventes-privees', source: 'webchat' } });

    // Another click is another start: the visitor asked again.
    await page.click('#sales');
    await waitFor('the second referral event', () => referralsSince(from).length === 2);
    const [first, second] = referralsSince(from);
    assert.notEqual(first?.id, second?.id, 'two clicks, two events');
    assert.equal(first?.sender.id, second?.sender.id, 'from the same visitor');
    assert.equal(await visitorBubbles(page), 0, 'no visitor bubble for a click on the site');
    assert.deepEqual(errors, [], 'no script error in the page');
    await page.context().close();
  });

  it('refuses a reference outside the rules in the browser, before anything is sent', async () => {
    const { page } = await newPage();
    const messages: string[] = [];
    page.on('console', (message) => messages.push(message.text()));
    const from = accepted.length;
    await page.goto(`${baseUrl}/shop.html?site=vp-bad&open=true&ref=${encodeURIComponent('ventes privées')}`);
    await page.locator('#passerelle-webchat .panel').waitFor({ state: 'visible', timeout: 5_000 });
    const thrown = await page.evaluate(() => {
      try {
        (window as unknown as { PasserelleChat: { open(o: { ref: string }): void } }).PasserelleChat.open({
          ref: 'a/b',
        });
        return 'nothing thrown';
      } catch (error) {
        return String(error);
      }
    });
    assert.equal(thrown, 'TypeError: PasserelleChat.open: ref must be 1-64 letters, digits, _ or -');
    assert.ok(
      messages.some((text) => text.includes('data-ref must be 1-64 letters')),
      `the page's data-ref mistake is told in the console: ${JSON.stringify(messages)}`,
    );
    // Say something so that anything the widget would have sent has reached the server before it.
    await page.locator('#passerelle-webchat input[name=text]').fill('bonjour');
    await page.locator('#passerelle-webchat input[name=text]').press('Enter');
    await page.locator('#passerelle-webchat .msg.visitor:not(.pending)').waitFor({ timeout: 10_000 });
    assert.equal(referralsSince(from).length, 0, 'no referral sent');
    await page.context().close();
  });
});

/**
 * WhatsApp, at the seam of the whatsapp-web.js Client: the real adapter
 * (lease, session service, parse, render, send routing, admin page, media)
 * against a real Redis, real HTTP and a fake WhatsApp Web
 * (test/support/fakes/whatsapp.ts) whose Client emits the library's own
 * Message objects. Chromium is never launched.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type ChannelContext, jsonErrorHandler, ProviderError } from '@passerelle/channels';
import {
  type Config,
  createLogger,
  EVENT_FORMAT_VERSION,
  type InboundEvent,
  InboundEventSchema,
  loadConfig,
  maskPhonesInText,
  type OutboundMessage,
  type Redis,
} from '@passerelle/core';
import express from 'express';
import wweb from 'whatsapp-web.js';
import { startFakeProvider } from '../../../test/support/fake-provider.js';
import { FakeClient, FakeWhatsappWeb } from '../../../test/support/fakes/whatsapp.js';
import { assertMatches } from '../../../test/support/match.js';
import { deletePrefix, openRedis, REDIS_URL, uniquePrefix, waitFor } from '../../../test/support/services.js';
import { CASE_ACCOUNT, CASE_ACCOUNT_NUMBER, whatsappCases } from '../src/whatsapp/cases.js';
import { CHROMIUM_ARGS, realClientFactory, whatsappClientOptions } from '../src/whatsapp/client.js';
import { SessionLease, whatsappKeys } from '../src/whatsapp/lease.js';
import { createWhatsappModule } from '../src/whatsapp/module.js';
import { qrMatrix } from '../src/whatsapp/qr.js';
import { renderWhatsapp, type WhatsappRequest } from '../src/whatsapp/render.js';
import { createWhatsappSender, type WhatsappSender } from '../src/whatsapp/send.js';
import { startWhatsappService, type WhatsappService, type WhatsappServiceOptions } from '../src/whatsapp/session.js';
import { readSessionState } from '../src/whatsapp/state.js';
import { outboundRenderCases } from './support/webhook-harness.js';

const ADMIN_TOKEN = 'an-admin-token-of-enough-length';
const ZOE = '33612345678@c.us';
const admin = openRedis('whatsapp-admin');
const cleanups: Array<() => Promise<unknown>> = [];
let sessionDir = '';

before(async () => {
  sessionDir = await mkdtemp(join(tmpdir(), 'passerelle-whatsapp-'));
});

after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  await admin.quit();
  await rm(sessionDir, { recursive: true, force: true });
});

/** Log lines, to see what the service decided about a message it did not turn into an event. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

function configFor(prefix: string, publicUrl: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    PUBLIC_URL: publicUrl,
    WHATSAPP_ENABLED: 'true',
    WHATSAPP_SESSION_DIR: sessionDir,
    // Any existing file: the fake client never launches it; the real factory only checks it is there.
    CHROMIUM_PATH: process.execPath,
    ADMIN_TOKEN,
    ...overrides,
  });
}

/** A client factory that builds the fake exactly as the real factory builds the real Client. */
function fakeClients(web: FakeWhatsappWeb) {
  const created: FakeClient[] = [];
  const factory = (config: Config) => {
    const options = whatsappClientOptions(config);
    const client = new FakeClient(
      {
        authStrategy: new wweb.LocalAuth({ dataPath: options.sessionDir }),
        puppeteer: options.puppeteer,
        webVersionCache: options.webVersionCache,
      },
      web.url,
    );
    created.push(client);
    return client;
  };
  return { created, factory };
}

interface World {
  prefix: string;
  config: Config;
  url: string;
  web: FakeWhatsappWeb;
  accepted: InboundEvent[];
  /** How many accept() calls fail before they work again (Redis away). */
  failAccepts: { count: number };
  lines: Array<Record<string, unknown>>;
  printed: string[];
  /** Starts one gateway's session service, with its own Redis connection, contending for the lease. */
  node(options?: Partial<WhatsappServiceOptions>): Promise<Node>;
  sender(timeouts?: { waitMs: number; graceMs: number }): WhatsappSender;
}

interface Node {
  service: WhatsappService;
  redis: Redis;
  clients: FakeClient[];
  /** Lease-taking attempts (SET NX on the lease key) this node made. */
  attempts: { count: number };
}

/** Everything one group of tests needs, under a prefix of its own; closed in after(). */
async function world(name: string, overrides: Record<string, string> = {}): Promise<World> {
  const prefix = uniquePrefix(`whatsapp-${name}`);
  const web = await FakeWhatsappWeb.start();
  const { logger, lines } = capturingLogger();
  const accepted: InboundEvent[] = [];
  const seen = new Set<string>();
  const failAccepts = { count: 0 };
  const printed: string[] = [];

  const app = express();
  const router = express.Router();
  app.use(router);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(jsonErrorHandler(logger));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = configFor(prefix, url, overrides);
  const redis = openRedis(`whatsapp-${name}`);

  const context: ChannelContext = {
    config,
    redis,
    logger,
    // The gateway's accept, minus BullMQ: validate and deduplicate by event id.
    async accept(event) {
      if (failAccepts.count > 0) {
        failAccepts.count -= 1;
        throw new Error('Redis is away');
      }
      InboundEventSchema.parse(event);
      if (seen.has(event.id)) return 'duplicate';
      seen.add(event.id);
      accepted.push(event);
      return 'accepted';
    },
    refused: () => {},
  };
  createWhatsappModule().mountWebhooks?.(router, context);

  const closers: Array<() => Promise<unknown>> = [];
  cleanups.push(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
    await web.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await deletePrefix(admin, prefix);
    await redis.quit();
  });

  return {
    prefix,
    config,
    url,
    web,
    accepted,
    failAccepts,
    lines,
    printed,
    async node(options = {}) {
      const nodeRedis = openRedis(`whatsapp-${name}-node`);
      const attempts = { count: 0 };
      const lease = whatsappKeys(prefix).lease;
      const commands = nodeRedis as unknown as { set: (...args: unknown[]) => Promise<unknown> };
      const set = commands.set.bind(nodeRedis);
      commands.set = (...args: unknown[]) => {
        if (args[0] === lease && args.includes('NX')) attempts.count += 1;
        return set(...args);
      };
      const { created, factory } = fakeClients(web);
      const service = startWhatsappService(
        { ...context, redis: nodeRedis },
        {
          createClient: factory,
          leaseTtlMs: 900,
          reconnect: { baseMs: 50, maxMs: 200 },
          acceptRetry: { attempts: 4, baseMs: 20 },
          printQr: (qr) => printed.push(qr),
          closeGraceMs: 300,
          ...options,
        },
      );
      closers.push(async () => {
        await service.close();
        if (nodeRedis.status === 'ready') await nodeRedis.quit();
      });
      return { service, redis: nodeRedis, clients: created, attempts };
    },
    sender(timeouts = { waitMs: 2_000, graceMs: 500 }) {
      const senderRedis = openRedis(`whatsapp-${name}-sender`);
      const sender = createWhatsappSender({ redis: senderRedis, config }, timeouts);
      closers.push(async () => {
        await sender.close();
        await senderRedis.quit();
      });
      return sender;
    },
  };
}

/** Starts a node, waits for its client, links it as the account the cases expect, and waits until ready. */
async function readyNode(w: World, options: Partial<WhatsappServiceOptions> = {}) {
  const node = await w.node(options);
  const session = await found('the client to connect', () => w.web.current());
  session.link(CASE_ACCOUNT_NUMBER);
  await waitFor('the session to be ready', async () => (await readSessionState(admin, w.prefix))?.phase === 'ready');
  return { node, session };
}

function outbound(parts: OutboundMessage['parts'], to = ZOE, account = CASE_ACCOUNT): OutboundMessage {
  return {
    version: EVENT_FORMAT_VERSION,
    id: 'out_test',
    idempotencyKey: 'out_test',
    conversationId: 'cv_test',
    to: { channel: 'whatsapp', account, userId: to },
    parts,
    purpose: 'reply',
    createdAt: new Date().toISOString(),
  };
}

async function sendAll(sender: WhatsappSender, message: OutboundMessage) {
  const receipts = [];
  for (const request of sender.render(message)) receipts.push(await sender.send(request, message));
  return receipts;
}

/** waitFor, for a check that returns the thing waited for once it exists. */
async function found<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs?: number,
): Promise<T> {
  return (await waitFor(what, check, timeoutMs)) as T;
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the send to fail');
}

describe('whatsapp: the real Client is built for a server, never with a browser download', () => {
  it('uses Chromium at CHROMIUM_PATH, headless, with the server flags, and LocalAuth in WHATSAPP_SESSION_DIR', async () => {
    const config = configFor('unused', 'http://localhost:3000', { CHROMIUM_PATH: process.execPath });
    const options = whatsappClientOptions(config);
    assert.deepEqual(options.puppeteer, { executablePath: process.execPath, headless: true, args: [...CHROMIUM_ARGS] });
    assert.deepEqual(CHROMIUM_ARGS, [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ]);
    // The real whatsapp-web.js Client, constructed but not initialized: nothing is launched.
    const client = (await realClientFactory(config)) as unknown as wweb.Client & {
      options: { puppeteer: Record<string, unknown> };
      authStrategy: { dataPath: string };
    };
    assert.ok(client instanceof wweb.Client);
    assert.equal(client.options.puppeteer.executablePath, process.execPath);
    assert.equal(client.options.puppeteer.headless, true);
    assert.ok(client.authStrategy instanceof wweb.LocalAuth);
    assert.equal(client.authStrategy.dataPath, sessionDir);
  });

  it('says where Chromium is missing instead of letting puppeteer look for its own', async () => {
    const config = configFor('unused', 'http://localhost:3000', { CHROMIUM_PATH: '/nonexistent/chromium' });
    await assert.rejects(
      async () => realClientFactory(config),
      /no Chromium at CHROMIUM_PATH \(\/nonexistent\/chromium\).*sudo apt-get install chromium/,
    );
  });
});

describe('whatsapp: module status', () => {
  it('is on with WHATSAPP_ENABLED=true, off otherwise, naming variables only', () => {
    const module = createWhatsappModule();
    const on = module.status(configFor('unused', 'http://localhost:3000'));
    assert.equal(on.enabled, true);
    assert.match(on.reason, /\/admin\/whatsapp/);
    // Said at start-up, not only when the session first tries to launch it.
    const noBrowser = module.status(
      configFor('unused', 'http://localhost:3000', { CHROMIUM_PATH: '/nonexistent/chromium' }),
    );
    assert.equal(noBrowser.enabled, true);
    assert.match(
      noBrowser.reason,
      /^on, but no Chromium at CHROMIUM_PATH \(\/nonexistent\/chromium\).*apt-get install chromium/,
    );
    const off = module.status(loadConfig({ WHATSAPP_ENABLED: 'false' }));
    assert.deepEqual(off, { enabled: false, reason: 'off: set WHATSAPP_ENABLED=true to turn it on' });
  });
});

describe('whatsapp cases', () => {
  let w: World;
  before(async () => {
    w = await world('cases');
    await readyNode(w);
  });

  for (const testCase of whatsappCases.inbound) {
    it(`inbound: ${testCase.name}`, async () => {
      const before = w.accepted.length;
      const { data, media, contact, lastMenu } = testCase.request;
      const messageId = (data.id as { _serialized: string })._serialized;
      if (lastMenu) {
        await admin.set(whatsappKeys(w.prefix).menu(CASE_ACCOUNT, ZOE), JSON.stringify(lastMenu), 'EX', 60);
      }
      w.web.current()?.deliver(data, { ...(media ? { media } : {}), ...(contact ? { contact } : {}) });
      if ('refused' in testCase.expect) {
        const line = await found('the message to be ignored', () =>
          // Logged masked: the id holds the customer's number (false_336...@c.us_...).
          w.lines.find((l) => l.messageId === maskPhonesInText(messageId) && l.msg === 'WhatsApp message ignored'),
        );
        assert.match(String(line.reason), testCase.expect.refused.reason);
        assert.equal(w.accepted.length, before, 'an ignored message must not be queued');
        return;
      }
      const expected = testCase.expect.events;
      await waitFor('the event', () => w.accepted.length >= before + expected.length);
      const events = w.accepted.slice(before);
      assert.equal(events.length, expected.length);
      for (const [index, event] of events.entries()) assertMatches(event, expected[index]);
      // Media are served back by the gateway, byte for byte.
      for (const item of events.flatMap((event) => event.content.media ?? [])) {
        assert.ok(item.url.startsWith(`${w.url}/whatsapp/media/`), item.url);
        const response = await fetch(item.url);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), item.mimeType);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(Buffer.from(await response.arrayBuffer()).toString('base64'), media?.data);
      }
    });
  }

  outboundRenderCases(whatsappCases, renderWhatsapp);

  it('serves no media for an unknown or malformed id', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAAAA', '..%2F..%2Fetc', 'x'.repeat(200)]) {
      const response = await fetch(`${w.url}/whatsapp/media/${id}`);
      assert.equal(response.status, 404, id);
    }
  });
});

describe('whatsapp: QR code and admin page', () => {
  let w: World;
  before(async () => {
    w = await world('admin');
  });

  it('shows the QR code to an admin, in the terminal and on the page, and the state once linked', async () => {
    await w.node();
    const session = await found('the client to connect', () => w.web.current());
    const qr =
      '2@rK4bXq7T9vWzYp3LmN8cQ1sD5fG0hJ6kA2eR4tU7iO9,Ab3dEf5GhIj7KlMn9OpQr1StUv3WxYz5AbCd7EfGh9Ij=,Xy1Zw3Vu5Ts7Rq9Po1Nm3Lk5Ji7Hg9Fe1Dc3Ba5Zy7Xw=,Qp9Or7Nm5Lk3Ji1Hg9Fe7Dc5Ba3Zy1Xw9Vu7Ts5Rq3=';
    session.showQr(qr);
    await waitFor('the QR state', async () => (await readSessionState(admin, w.prefix))?.phase === 'waiting-for-qr');

    // In the terminal: the block characters qrcode-terminal draws.
    await waitFor('the terminal QR', () => w.printed.length > 0);
    assert.match(w.printed[0] ?? '', /[▀▄█]/);

    // Refused without the token, with a wrong one, and with one that only shares a prefix.
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${ADMIN_TOKEN}x` }] as Array<
      Record<string, string>
    >) {
      const response = await fetch(`${w.url}/admin/whatsapp`, { headers });
      assert.equal(response.status, 401);
      assert.match(await response.text(), /admin token/);
    }
    assert.equal((await fetch(`${w.url}/admin/whatsapp?token=nope`)).status, 401);

    const page = await fetch(`${w.url}/admin/whatsapp`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const html = await page.text();
    assert.match(html, /waiting for the QR code to be scanned/);
    assert.deepEqual(modulesOf(html), qrMatrix(qr), 'the SVG draws exactly the QR code of the latest qr event');

    // A browser passes the token in the query string.
    const viaQuery = await fetch(`${w.url}/admin/whatsapp?token=${ADMIN_TOKEN}`);
    assert.equal(viaQuery.status, 200);
    assert.match(await viaQuery.text(), /<svg/);

    // A new QR replaces the old one.
    session.showQr(`${qr}x`);
    await waitFor('the new QR', async () => (await readSessionState(admin, w.prefix))?.qr === `${qr}x`);

    session.link(CASE_ACCOUNT_NUMBER);
    await waitFor('ready', async () => (await readSessionState(admin, w.prefix))?.phase === 'ready');
    const json = await fetch(`${w.url}/admin/whatsapp`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'application/json' },
    });
    const state = (await json.json()) as Record<string, unknown>;
    assert.equal(state.phase, 'ready');
    assert.equal(state.account, CASE_ACCOUNT);
    assert.equal(state.qr, undefined, 'no QR once linked');
    const ready = await (await fetch(`${w.url}/admin/whatsapp?token=${ADMIN_TOKEN}`)).text();
    assert.doesNotMatch(ready, /<svg/);
    assert.match(ready, /\+33700000000/);
  });

  it('is off, with a reason, when ADMIN_TOKEN is not set', async () => {
    const router = express.Router();
    const noToken = configFor(w.prefix, w.url, { ADMIN_TOKEN: '' });
    createWhatsappModule().mountWebhooks?.(router, {
      config: noToken,
      redis: admin,
      logger: createLogger({ level: 'silent' }),
      accept: async () => 'accepted',
      refused: () => {},
    });
    const app = express().use(router);
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/whatsapp`, {
      headers: { authorization: 'Bearer anything-at-all-here' },
    });
    server.close();
    assert.equal(response.status, 403);
    assert.match(await response.text(), /set ADMIN_TOKEN/);
  });
});

/** Reads the SVG's squares back into a module matrix (the SVG has a 4-module quiet zone). */
function modulesOf(html: string): boolean[][] {
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(html)?.[1]) - 8;
  const matrix = Array.from({ length: size }, () => Array.from({ length: size }, () => false));
  for (const [, x, y] of html.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    const row = matrix[Number(y) - 4];
    if (row) row[Number(x) - 4] = true;
  }
  return matrix;
}

describe('whatsapp: one session holder at a time', () => {
  it('only one of two contending processes starts a client; the other takes over when the holder dies', async () => {
    const w = await world('lease');
    const first = await w.node();
    await waitFor('a holder', () => first.service.holdsLease());
    const second = await w.node();
    // Let the second one try the lease several times while the first holds it.
    await waitFor('three tries by the second process', () => second.attempts.count >= 3);
    assert.equal(second.service.holdsLease(), false);
    assert.equal(second.clients.length, 0, 'the process without the lease must not start a client');
    assert.equal(first.clients.length, 1);
    assert.equal(await admin.get(whatsappKeys(w.prefix).lease), first.service.owner);
    const session = await found('the client', () => w.web.current());
    session.link(CASE_ACCOUNT_NUMBER);
    await waitFor('ready', async () => (await readSessionState(admin, w.prefix))?.owner === first.service.owner);

    // The holder dies: its Redis connection is gone, it can renew nothing and release nothing.
    first.redis.disconnect(false);
    await waitFor('the second process to take over', () => second.service.holdsLease(), 10_000);
    assert.equal(second.clients.length, 1);
    assert.equal(first.clients[0]?.destroyed, true, 'the old holder stopped its client when it could not renew');
    assert.equal(first.service.holdsLease(), false);
    await waitFor('the new client', () => w.web.sessions.length === 2 && w.web.current());
    w.web.current()?.link(CASE_ACCOUNT_NUMBER);
    await waitFor('ready under the new holder', async () => {
      const state = await readSessionState(admin, w.prefix);
      return state?.phase === 'ready' && state.owner === second.service.owner;
    });
  });

  it('releases the lease on close, so another process need not wait for it to expire', async () => {
    const w = await world('release');
    const first = await w.node({ leaseTtlMs: 60_000 });
    await waitFor('a holder', () => first.service.holdsLease());
    const second = await w.node({ leaseTtlMs: 60_000 });
    await first.service.close();
    assert.notEqual(await admin.get(whatsappKeys(w.prefix).lease), first.service.owner);
    // With a 60 s lease, only the release lets the second take over within this test's wait.
    await waitFor('the second to take over', () => second.service.holdsLease(), 25_000);
  });

  it('a lease cannot be renewed, released or written by a process that does not hold it', async () => {
    const prefix = uniquePrefix('whatsapp-lease-unit');
    const holder = new SessionLease(admin, prefix, 'holder', 5_000);
    const other = new SessionLease(admin, prefix, 'other', 5_000);
    assert.equal(await holder.tryTake(), true);
    assert.equal(await other.tryTake(), false);
    assert.equal(await other.renew(), false);
    assert.equal(await other.writeState('{"phase":"ready"}'), false);
    assert.equal(await other.release(), false);
    assert.equal(await holder.holder(), 'holder');
    assert.equal(await holder.renew(), true);
    assert.equal(await holder.release(), true);
    assert.equal(await other.tryTake(), true);
    await deletePrefix(admin, prefix);
  });
});

describe('whatsapp: reconnecting', () => {
  it('starts a new client after a disconnect, and after the browser dies', async () => {
    const w = await world('reconnect');
    const { node, session } = await readyNode(w);
    session.disconnect('CONFLICT');
    await waitFor('the drop to be published', async () => {
      const state = await readSessionState(admin, w.prefix);
      return state?.phase !== 'ready';
    });
    await waitFor('a second client', () => w.web.sessions.length === 2 && w.web.current());
    assert.equal(node.clients[0]?.destroyed, true);
    w.web.current()?.link(CASE_ACCOUNT_NUMBER);
    await waitFor('ready again', async () => (await readSessionState(admin, w.prefix))?.phase === 'ready');

    w.web.current()?.crashBrowser();
    await waitFor('a third client', () => w.web.sessions.length === 3 && w.web.current());
    assert.equal(node.clients.length, 3);
    assert.ok(
      w.lines.some(
        (line) => line.msg === 'WhatsApp session dropped, reconnecting' && /browser/.test(String(line.reason)),
      ),
    );
  });

  it('keeps trying when the client cannot start', async () => {
    const w = await world('init-fails');
    let calls = 0;
    const { factory } = fakeClients(w.web);
    await w.node({
      createClient: (config) => {
        calls += 1;
        if (calls <= 2) throw new Error('Failed to launch the browser process');
        return factory(config);
      },
    });
    await waitFor('the third try to connect', () => w.web.current());
    assert.equal(calls, 3);
    assert.ok(w.lines.some((line) => /Failed to launch/.test(String(line.reason))));
  });
});

describe('whatsapp: messages in', () => {
  it('retries an accept that failed, so a message WhatsApp will not redeliver is not lost', async () => {
    const w = await world('accept-retry');
    const { session } = await readyNode(w);
    w.failAccepts.count = 2;
    session.deliver({
      id: { fromMe: false, remote: ZOE, id: '3EB0RETRY00000000001', _serialized: `false_${ZOE}_3EB0RETRY00000000001` },
      type: 'chat',
      body: 'toujours là ?',
      from: ZOE,
      to: `${CASE_ACCOUNT_NUMBER}@c.us`,
      t: 1_763_892_000,
      notifyName: 'Zoé',
    });
    await waitFor('the event', () => w.accepted.length === 1);
    assert.equal(w.accepted[0]?.content.text, 'toujours là ?');
    assert.equal(w.failAccepts.count, 0);
  });

  it('keeps one chat in order even when an earlier message has media to download', async () => {
    const w = await world('order');
    const { session } = await readyNode(w);
    const base = { type: 'chat', from: ZOE, to: `${CASE_ACCOUNT_NUMBER}@c.us`, t: 1_763_892_000, notifyName: 'Zoé' };
    const id = (n: number) => ({
      fromMe: false,
      remote: ZOE,
      id: `3EB0ORDER${n}`,
      _serialized: `false_${ZOE}_3EB0ORDER${n}`,
    });
    session.deliver(
      { ...base, id: id(1), type: 'image', caption: 'photo', mimetype: 'image/png', directPath: '/v/t62/x.enc' },
      { media: { mimetype: 'image/png', data: Buffer.alloc(200_000, 7).toString('base64') } },
    );
    for (let n = 2; n <= 5; n++) session.deliver({ ...base, id: id(n), body: `message ${n}` });
    await waitFor('five events', () => w.accepted.length === 5);
    assert.deepEqual(
      w.accepted.map((event) => event.content.text),
      ['photo', 'message 2', 'message 3', 'message 4', 'message 5'],
    );
  });

  it('says a file over the size limit was not kept', async () => {
    const w = await world('too-large');
    const { session } = await readyNode(w, { mediaLimits: { maxBytes: 1000 } });
    session.deliver(
      {
        id: { fromMe: false, remote: ZOE, id: '3EB0BIGVIDEO', _serialized: `false_${ZOE}_3EB0BIGVIDEO` },
        type: 'video',
        from: ZOE,
        to: `${CASE_ACCOUNT_NUMBER}@c.us`,
        t: 1_763_892_000,
        mimetype: 'video/mp4',
        directPath: '/v/t62/v.enc',
      },
      { media: { mimetype: 'video/mp4', data: Buffer.alloc(5000).toString('base64') } },
    );
    await waitFor('the event', () => w.accepted.length === 1);
    assert.equal(w.accepted[0]?.content.media, undefined);
    assert.match(w.accepted[0]?.content.text ?? '', /a video not kept: .* over the .* limit/);
  });
});

describe('whatsapp: sends routed to the session holder', () => {
  let w: World;
  let session: Awaited<ReturnType<typeof readyNode>>['session'];
  before(async () => {
    w = await world('send');
    ({ session } = await readyNode(w));
  });

  it('a send from a worker reaches the client through the holder; a menu answered "1" comes back as its payload', async () => {
    const sender = w.sender();
    const message = outbound([
      {
        type: 'quickReplies',
        text: 'Bonjour ! Que puis-je faire pour vous ?',
        replies: [
          { title: 'Horaires', payload: 'faq:hours' },
          { title: 'Livraison', payload: 'faq:delivery' },
        ],
      },
    ]);
    const before = w.web.sent.length;
    const [receipt] = await sendAll(sender, message);
    const sent = w.web.sent.slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.chatId, ZOE);
    assert.deepEqual(sent[0]?.content, {
      kind: 'text',
      text: 'Bonjour ! Que puis-je faire pour vous ?\n\n1. Horaires\n2. Livraison',
    });
    assert.match(receipt?.providerMessageId ?? '', /^true_33612345678@c\.us_3EB0/);

    session.deliver({
      id: { fromMe: false, remote: ZOE, id: '3EB0MENU0001', _serialized: `false_${ZOE}_3EB0MENU0001` },
      type: 'chat',
      body: '1',
      from: ZOE,
      to: `${CASE_ACCOUNT_NUMBER}@c.us`,
      t: 1_763_892_000,
      notifyName: 'Zoé',
    });
    const event = await found('the choice', () => w.accepted.find((e) => e.providerMessageId.endsWith('MENU0001')));
    assert.equal(event.kind, 'postback');
    assert.deepEqual(event.content.postback, { payload: 'faq:hours', title: 'Horaires' });
  });

  it('sends media fetched from its URL as a MessageMedia with its caption', async () => {
    const cdn = await startFakeProvider((request) =>
      request.path === '/lamp.jpg'
        ? { status: 200, headers: { 'content-type': 'image/jpeg' }, body: 'JPEG-BYTES' }
        : { status: 404, body: 'Not Found' },
    );
    cleanups.push(() => cdn.close());
    const sender = w.sender();
    const before = w.web.sent.length;
    await sendAll(
      sender,
      outbound([{ type: 'card', title: 'Lampe Opaline', subtitle: '89 €', imageUrl: `${cdn.url}/lamp.jpg` }]),
    );
    const [sent] = w.web.sent.slice(before);
    assert.deepEqual(sent?.content, {
      kind: 'media',
      mimetype: 'image/jpeg',
      data: Buffer.from('JPEG-BYTES').toString('base64'),
      filename: 'lamp.jpg',
      filesize: 10,
    });
    assert.equal(sent?.options.caption, '*Lampe Opaline*\n89 €');

    const missing = await rejection(
      sendAll(sender, outbound([{ type: 'media', media: { url: `${cdn.url}/gone.jpg`, mimeType: 'image/jpeg' } }])),
    );
    assert.equal(missing.outcome, 'reject');
    assert.match(missing.message, /404/);
    assert.equal(w.web.sent.length, before + 1, 'nothing sent for a missing file');
  });

  it('retries media whose server is busy, honouring its Retry-After', async () => {
    const cdn = await startFakeProvider(() => ({ status: 503, headers: { 'retry-after': '7' }, body: 'busy' }));
    cleanups.push(() => cdn.close());
    const error = await rejection(
      sendAll(w.sender(), outbound([{ type: 'media', media: { url: `${cdn.url}/a.png`, mimeType: 'image/png' } }])),
    );
    assert.equal(error.outcome, 'retry');
    assert.equal(error.options.retryAfterMs, 7_000);
  });

  it('maps what WhatsApp answers: unknown chat and unknown number rejected, an error mid-send ambiguous', async () => {
    const sender = w.sender();
    const answers = [
      'no-chat',
      { error: 'Error: wid error: invalid wid' },
      { error: 'TypeError: Cannot read properties of undefined' },
    ] as const;
    const outcomes = [];
    for (const answer of answers) {
      w.web.answer = () => answer;
      outcomes.push((await rejection(sendAll(sender, outbound([{ type: 'text', text: 'hello' }])))).outcome);
    }
    w.web.answer = () => 'sent';
    assert.deepEqual(outcomes, ['reject', 'reject', 'ambiguous']);
  });

  it('reports ambiguous when the holder started a send and never heard back', async () => {
    w.web.answer = () => 'hang';
    const before = w.web.sent.length;
    const error = await rejection(
      sendAll(w.sender({ waitMs: 300, graceMs: 200 }), outbound([{ type: 'text', text: 'are you there?' }])),
    );
    w.web.answer = () => 'sent';
    assert.equal(error.outcome, 'ambiguous');
    assert.equal(w.web.sent.length, before + 1, 'the send did reach WhatsApp once');
  });

  it('refuses to send from another number than the one the conversation is with, and to a group', async () => {
    const sender = w.sender();
    const other = await rejection(sendAll(sender, outbound([{ type: 'text', text: 'x' }], ZOE, '+33799999999')));
    assert.equal(other.outcome, 'reject');
    assert.match(other.message, /another WhatsApp number/);
    const group = await rejection(sendAll(sender, outbound([{ type: 'text', text: 'x' }], '120363025246125486@g.us')));
    assert.equal(group.outcome, 'reject');
  });
});

describe('whatsapp: sends when nobody can make them', () => {
  it('retries later, queueing nothing, when no process holds a ready session', async () => {
    const w = await world('no-owner');
    const error = await rejection(sendAll(w.sender(), outbound([{ type: 'text', text: 'hello' }])));
    assert.equal(error.outcome, 'retry');
    assert.match(error.message, /no gateway holds the WhatsApp session/);
    assert.deepEqual(await admin.keys(`${w.prefix}:${whatsappKeys(w.prefix).sendQueue}:*`), [], 'no job was queued');
  });

  it('withdraws a send the holder did not take in time, and it is never sent afterwards', async () => {
    const w = await world('frozen-owner');
    // A holder that says it is ready but consumes nothing (frozen), until it comes back below.
    const frozen = new SessionLease(admin, w.prefix, 'frozen-holder', 10_000);
    assert.equal(await frozen.tryTake(), true);
    await frozen.writeState(
      JSON.stringify({ phase: 'ready', owner: 'frozen-holder', since: new Date().toISOString() }),
    );
    const error = await rejection(
      sendAll(w.sender({ waitMs: 300, graceMs: 200 }), outbound([{ type: 'text', text: 'hello' }])),
    );
    assert.equal(error.outcome, 'retry', 'nobody claimed the job: it can safely be sent again');
    assert.match(error.message, /withdrawn unsent/);
    // The holder wakes up, releases, and a real one starts and consumes the queue: the withdrawn send stays unsent.
    await frozen.release();
    await readyNode(w);
    const sender = w.sender();
    await sendAll(sender, outbound([{ type: 'text', text: 'after' }]));
    assert.deepEqual(w.web.texts(), ['after']);
  });
});

describe('whatsapp: rendering', () => {
  it('never cuts inside an emoji when a text has no space to split at', () => {
    const text = '😀'.repeat(3000);
    const requests = renderWhatsapp(outbound([{ type: 'text', text }])) as Array<
      Extract<WhatsappRequest, { type: 'text' }>
    >;
    assert.ok(requests.length >= 2);
    assert.equal(requests.map((request) => request.text).join(''), text);
    for (const request of requests) assert.ok(request.text.length <= 4096);
  });

  it('sends a caption too long for WhatsApp as text after the media', () => {
    const caption = 'c'.repeat(1500);
    const requests = renderWhatsapp(
      outbound([{ type: 'media', media: { url: 'https://cdn.example.com/a.png', mimeType: 'image/png', caption } }]),
    );
    assert.deepEqual(requests, [
      { type: 'media', chatId: ZOE, url: 'https://cdn.example.com/a.png', mimeType: 'image/png' },
      { type: 'text', chatId: ZOE, text: caption },
    ]);
  });
});

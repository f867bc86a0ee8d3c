/**
 * WhatsApp end to end: real gateway processes (the CLI, every role, PGlite,
 * the demo bot) whose 'whatsapp-web.js' module is the fake of
 * test/support/fakes/whatsapp.ts, swapped in by a Node module resolve hook
 * (NODE_OPTIONS): the gateway runs its production code unchanged, and
 * nothing launches Chromium. The test plays WhatsApp: it shows the QR code,
 * links the session, writes as a customer and reads what the bot sends back.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeSession, FakeWhatsappWeb, fakeWhatsappNodeOptions } from './support/fakes/whatsapp.js';
import { type GatewayProcess, startGateway } from './support/gateway-process.js';
import { deletePrefix, openRedis, uniquePrefix, waitFor } from './support/services.js';

const ADMIN_TOKEN = 'whatsapp-e2e-admin-token-123';
const OUR_NUMBER = '33700000000';
const ZOE = '33612345678@c.us';
const prefix = uniquePrefix('e2e-whatsapp');
const dirs: string[] = [];
const gateways: GatewayProcess[] = [];
let web: FakeWhatsappWeb;
let sessionDir = '';
let first: GatewayProcess;
let session: FakeSession;
let counter = 0;

async function startWhatsappGateway(): Promise<GatewayProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'passerelle-e2e-whatsapp-'));
  dirs.push(dataDir);
  const gateway = await startGateway({
    env: {
      NODE_OPTIONS: fakeWhatsappNodeOptions(),
      FAKE_WHATSAPP_WEB_URL: web.url,
      WHATSAPP_ENABLED: 'true',
      WHATSAPP_SESSION_DIR: sessionDir,
      // Any file that exists: the real factory checks it is there, the fake never runs it.
      CHROMIUM_PATH: process.execPath,
      ADMIN_TOKEN,
      DATA_DIR: dataDir,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'debug',
    },
  });
  gateways.push(gateway);
  return gateway;
}

/** A text from a customer, as WhatsApp Web's message model serializes it. */
function text(body: string, from = ZOE, id = `3EB0E2E${String(++counter).padStart(13, '0')}`) {
  return {
    id: { fromMe: false, remote: from, id, _serialized: `false_${from}_${id}` },
    type: 'chat',
    body,
    t: Math.floor(Date.now() / 1000),
    from,
    to: `${OUR_NUMBER}@c.us`,
    ack: 1,
    isNewMsg: true,
    notifyName: 'Zoé Martin',
    mentionedJidList: [],
    links: [],
  };
}

/** Waits for a reply containing needle; returns how many sends contained it. */
async function replyContaining(needle: string, timeoutMs = 30_000): Promise<number> {
  await waitFor(`a reply with "${needle}"`, () => web.texts().some((t) => t.includes(needle)), timeoutMs);
  return web.texts().filter((t) => t.includes(needle)).length;
}

async function adminState(gateway: GatewayProcess) {
  const response = await fetch(`${gateway.url}/admin/whatsapp`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'application/json' },
  });
  return (await response.json()) as Record<string, unknown>;
}

before(async () => {
  web = await FakeWhatsappWeb.start();
  sessionDir = await mkdtemp(join(tmpdir(), 'passerelle-e2e-whatsapp-session-'));
  dirs.push(sessionDir);
  first = await startWhatsappGateway();
});

after(async () => {
  for (const gateway of gateways) await gateway.stop('SIGKILL');
  await web?.close();
  const redis = openRedis();
  await deletePrefix(redis, prefix);
  await redis.quit();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('WhatsApp through a running gateway', () => {
  it('starts the client with Chromium at CHROMIUM_PATH and the session in WHATSAPP_SESSION_DIR', async () => {
    session = (await waitFor('the gateway to start its client', () => web.current())) as FakeSession;
    const puppeteer = session.options.puppeteer as Record<string, unknown>;
    assert.equal(puppeteer.executablePath, process.execPath);
    assert.equal(puppeteer.headless, true);
    assert.ok((puppeteer.args as string[]).includes('--no-sandbox'));
    // LocalAuth put the browser profile in the session directory.
    assert.equal(puppeteer.userDataDir, join(sessionDir, 'session'));
  });

  it('shows the QR code on the admin page, to an admin only, then says ready once linked', async () => {
    session.showQr('2@e2eQrRef,StaticKeyB64=,IdentityKeyB64=,AdvSecret=,1');
    await waitFor('the QR state', async () => (await adminState(first)).phase === 'waiting-for-qr');
    assert.equal((await fetch(`${first.url}/admin/whatsapp`)).status, 401);
    assert.equal((await fetch(`${first.url}/admin/whatsapp?token=wrong-token`)).status, 401);
    const page = await fetch(`${first.url}/admin/whatsapp?token=${ADMIN_TOKEN}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<svg[^>]*aria-label="WhatsApp login QR code"/);
    // The same QR code went to the terminal (stderr), as block characters.
    assert.match(first.output(), /[▀▄█]{10}/);

    session.link(OUR_NUMBER);
    await waitFor('ready', async () => (await adminState(first)).phase === 'ready');
    assert.equal((await adminState(first)).account, `+${OUR_NUMBER}`);
  });

  it('answers "bonjour" with the French greeting and its numbered menu, and "1" with the opening hours', async () => {
    session.deliver(text('bonjour'));
    await replyContaining("Bonjour ! Je suis l'assistant de Maison Lumière");
    const greeting = web.sent.find((send) => send.content.kind === 'text' && send.content.text.startsWith('Bonjour !'));
    assert.equal(greeting?.chatId, ZOE);
    assert.deepEqual(greeting?.content, {
      kind: 'text',
      text: "Bonjour ! Je suis l'assistant de Maison Lumière. Que puis-je faire pour vous ?\n\n1. Horaires\n2. Livraison\n3. Retours",
    });

    // The customer types the number of a menu option: the bot gets that option's payload, faq:hours.
    // WhatsApp tells no locale: the answer comes in the language of the menu, French.
    const before = web.sent.length;
    session.deliver(text('1'));
    await waitFor('the answer to "1"', () => web.sent.length > before);
    assert.match(web.texts().at(-1) ?? '', /du lundi au samedi/);
  });

  it('answers "horaires" with the opening hours in French', async () => {
    session.deliver(text('horaires'));
    await replyContaining('du lundi au samedi');
  });

  // The chat spoke French above, and WhatsApp gives no locale: the bot keeps to French.
  it('echoes what it does not understand', async () => {
    session.deliver(text('xyzzy plugh'));
    await replyContaining('Vous avez écrit : « xyzzy plugh »');
  });

  it('answers a message delivered twice once', async () => {
    const twice = text('twice-delivered words');
    session.deliver(twice);
    session.deliver(twice);
    // A later message of the same chat is answered after it, so once its reply is here, so is any second one.
    session.deliver(text('after the repeat'));
    await replyContaining('Vous avez écrit : « after the repeat »');
    assert.equal(await replyContaining('Vous avez écrit : « twice-delivered words »'), 1);
  });

  it('ignores what is not a customer message, and stays healthy', async () => {
    const before = web.sent.length;
    const ignored = [
      text('hello everyone', '120363025246125486@g.us'),
      { ...text(''), type: 'image', from: 'status@broadcast', isStatusV3: true },
      { ...text(''), type: 'e2e_notification', subtype: 'encrypt' },
      { ...text('   ') },
      { ...text(''), type: 'some_future_type' },
    ];
    for (const data of ignored) session.deliver(data);
    for (const data of ignored) {
      await waitFor('the message to be ignored', () =>
        first.logs.some((line) => line.msg === 'WhatsApp message ignored' && line.messageId === data.id._serialized),
      );
    }
    session.deliver(text('still there?'));
    await replyContaining('Vous avez écrit : « still there? »');
    assert.equal(web.sent.length, before + 1, 'only the last message was answered');

    assert.equal((await fetch(`${first.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${first.url}/whatsapp/media/not-a-media-id`)).status, 404);
  });

  it('keeps one session for two gateways, and the second takes over when the first is killed', async () => {
    const second = await startWhatsappGateway();
    await waitFor('the second gateway to contend', () =>
      second.logs.some((line) => line.msg === 'contending for the WhatsApp session lease'),
    );
    // The first still holds the lease: the second shows its state but starts no client of its own.
    assert.equal((await adminState(second)).owner, (await adminState(first)).owner);
    assert.equal(web.sessions.length, 1);

    await first.stop('SIGKILL');
    // The lease (20 s) expires and the second gateway starts a client.
    const taken = (await waitFor(
      'the second gateway to take over',
      () => web.sessions.length === 2 && web.current(),
      45_000,
    )) as FakeSession;
    assert.ok(second.logs.some((line) => line.msg === 'holding the WhatsApp session lease: starting the client'));
    taken.link(OUR_NUMBER);
    await waitFor('ready again', async () => (await adminState(second)).phase === 'ready');
    taken.deliver(text('anyone home?'));
    await replyContaining('Vous avez écrit : « anyone home? »');
    assert.equal(web.sent.at(-1)?.session, taken.id, 'the reply went out through the new session');
  });
});

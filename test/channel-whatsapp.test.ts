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
import { maskPhonesInText } from '@passerelle/core';
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
} from './support/demo-bot.js';
import { type FakeSession, FakeWhatsappWeb, fakeWhatsappNodeOptions, whatsappChat } from './support/fakes/whatsapp.js';
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
  return whatsappChat({ from, to: `${OUR_NUMBER}@c.us`, id, body, notifyName: 'Zoé Martin' });
}

/** A numbered WhatsApp menu as the channel renders one: the text, then one line per option. */
const numberedMenu = (text: string, titles: readonly string[]): string =>
  `${text}\n\n${titles.map((title, index) => `${index + 1}. ${title}`).join('\n')}`;

/** The texts sent from the index-th send on, once there are at least count of them. */
async function textsFrom(index: number, count: number, what: string, timeoutMs = 30_000): Promise<string[]> {
  const texts = () =>
    web.sent.slice(index).flatMap((send) => (send.content.kind === 'text' ? [send.content.text] : []));
  await waitFor(what, () => texts().length >= count, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message}; sent since: ${JSON.stringify(texts())}`);
  });
  return texts();
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

  it('answers "bonjour" with the numbered menu; "1" follows an order to its status, and "3" ends it', async () => {
    const start = web.sent.length;
    session.deliver(text('bonjour'));
    const [hello] = await textsFrom(start, 1, 'the greeting');
    assert.equal(web.sent[start]?.chatId, ZOE);
    // WhatsApp gives the name the customer chose (notifyName): the bot greets them by it.
    assert.equal(hello, numberedMenu(greeting('fr', 'Zoé'), menuTitles('fr')));

    // The customer types the number of a menu option: the bot gets that option's payload, flow:order-status.
    // WhatsApp tells no locale: the answer comes in the language of the menu, French.
    session.deliver(text('1'));
    assert.equal((await textsFrom(start, 2, 'the answer to "1"'))[1], ASK_ORDER_NUMBER.fr);

    session.deliver(text(SHIPPED_ORDER));
    const [, , status, next] = await textsFrom(start, 4, 'the order status and the next question');
    assert.equal(status, SHIPPED_ORDER_ANSWER.fr);
    assert.equal(next, numberedMenu(ANYTHING_ELSE.fr, ANYTHING_ELSE_CHOICES.fr));

    // The numbers now stand for the last menu sent: "3" is "Non, merci", not the greeting's "Livraison".
    session.deliver(text('3'));
    const all = await textsFrom(start, 5, 'the goodbye');
    assert.equal(all[4], GOODBYE.fr);
    assert.equal(all.length, 5);
    assert.ok(
      web.sent.slice(start).every((send) => send.chatId === ZOE),
      'every answer went to the customer',
    );
  });

  it('answers "horaires" with the opening hours in French', async () => {
    const start = web.sent.length;
    session.deliver(text('horaires'));
    assert.match((await textsFrom(start, 1, 'the opening hours'))[0] ?? '', FAQ.hours.fr.answer);
  });

  // The chat spoke French above, and WhatsApp gives no locale: the bot keeps to French.
  it('says in French that it does not understand', async () => {
    const start = web.sent.length;
    session.deliver(text('xyzzy plugh'));
    assert.deepEqual(await textsFrom(start, 1, 'the fallback'), [NOT_UNDERSTOOD.fr]);
  });

  it('answers a message delivered twice once', async () => {
    const start = web.sent.length;
    const twice = text(FAQ.paypal.fr.question);
    session.deliver(twice);
    session.deliver(twice);
    // A later message of the same chat is answered after it, so once its reply is here, so is any second one.
    session.deliver(text(FAQ.freeDelivery.fr.question));
    await waitFor('the answer to the later message', () =>
      web.texts().some((sent) => FAQ.freeDelivery.fr.answer.test(sent)),
    );
    const answers = await textsFrom(start, 2, 'both answers');
    assert.equal(answers.length, 2, `answers: ${JSON.stringify(answers)}`);
    assert.match(answers[0] ?? '', FAQ.paypal.fr.answer, 'the repeated message, answered once');
    assert.match(answers[1] ?? '', FAQ.freeDelivery.fr.answer);
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
        // Logged masked: the id holds the customer's number (false_336...@c.us_...).
        first.logs.some(
          (line) => line.msg === 'WhatsApp message ignored' && line.messageId === maskPhonesInText(data.id._serialized),
        ),
      );
    }
    session.deliver(text(FAQ.showroom.fr.question));
    const [answer] = await textsFrom(before, 1, 'the answer to the last message');
    assert.match(answer ?? '', FAQ.showroom.fr.answer);
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
    const start = web.sent.length;
    taken.deliver(text(FAQ.hours.fr.question));
    const [answer] = await textsFrom(start, 1, 'the answer through the new session');
    assert.match(answer ?? '', FAQ.hours.fr.answer);
    assert.equal(web.sent.at(-1)?.session, taken.id, 'the reply went out through the new session');
  });
});

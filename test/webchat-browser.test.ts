/**
 * The web chat as a person uses it: the real gateway (`gateway start`, all
 * roles, PGlite, Redis) serves the demo page, a real Chromium opens it, and
 * the test types and clicks in the widget the way a visitor does. One page,
 * one visitor, one conversation: each scenario builds on the one before, and
 * the last reloads the page and expects the whole conversation back.
 *
 * Needs /usr/bin/chromium (apt-get install chromium); skipped without it,
 * failed without it in CI (REQUIRE_SERVICES=1). UPDATE_SCREENSHOTS=1 also
 * rewrites docs/screenshots/webchat.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import {
  ANYTHING_ELSE,
  ANYTHING_ELSE_CHOICES,
  ASK_ORDER_NUMBER,
  FAQ,
  greeting,
  menuTitles,
  SHIPPED_ORDER,
  SHIPPED_ORDER_ANSWER,
  SHIPPED_ORDER_CARRIER,
  TRACK_MY_ORDER,
} from './support/demo-bot.js';
import { type GatewayProcess, startGateway } from './support/gateway-process.js';
import { CHROMIUM_PATH, chromiumSkipReason, deletePrefix, openRedis, uniquePrefix } from './support/services.js';

const SCREENSHOT = fileURLToPath(new URL('../docs/screenshots/webchat.png', import.meta.url));
const updateScreenshots = process.env.UPDATE_SCREENSHOTS === '1';
/** How long the bot may take to answer: gateway -> queue -> worker -> Redis -> socket -> page. */
const ANSWER_MS = 15_000;

interface Bubble {
  id: string;
  from: 'bot' | 'visitor';
  text: string;
  /** The text as drawn, non-breaking spaces included. */
  raw: string;
  links: string[];
  pending: boolean;
}

describe('web chat in a real browser', { skip: chromiumSkipReason() }, () => {
  const prefix = uniquePrefix('browser');
  let dataDir: string | undefined;
  let gw: GatewayProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let greetingChoices: string[] = [];

  /** Every bubble in the widget's log, in the order drawn. Playwright's CSS pierces the open shadow root. */
  const bubbles = () => page.locator('#passerelle-webchat .log .msg');
  const readBubbles = () =>
    bubbles().evaluateAll((elements) =>
      elements.map((element) => ({
        id: (element as HTMLElement).dataset.id ?? '',
        from: element.classList.contains('bot') ? ('bot' as const) : ('visitor' as const),
        // The text of the message itself, without the titles of its buttons. The widget puts
        // non-breaking spaces before French "?" and ":" (checked on their own below); read as spaces.
        text: (element.querySelector(':scope > div > div:not(.choices)')?.textContent ?? '').replace(/\u00a0/g, ' '),
        raw: element.querySelector(':scope > div > div:not(.choices)')?.textContent ?? '',
        links: [...element.querySelectorAll(':scope > div > div:not(.choices) a')].map(
          (a) => (a as HTMLAnchorElement).href,
        ),
        pending: element.classList.contains('pending'),
      })),
    );

  /** Waits for a bubble; on a timeout, says what the page and the gateway had instead. */
  async function expectBubble(locator: Locator, what: string): Promise<Locator> {
    try {
      await locator.first().waitFor({ state: 'visible', timeout: ANSWER_MS });
    } catch (error) {
      const shown = await readBubbles().catch(() => []);
      assert.fail(
        `${what} did not appear within ${ANSWER_MS} ms (${String(error).split('\n')[0]})\n` +
          `bubbles: ${JSON.stringify(shown, null, 1)}\n` +
          `page errors: ${JSON.stringify(pageErrors)}\ngateway output (end):\n${gw?.output().slice(-3000)}`,
      );
    }
    return locator.first();
  }

  async function say(text: string): Promise<void> {
    const input = page.locator('#passerelle-webchat input[name=text]');
    await input.fill(text);
    await input.press('Enter');
  }

  before(
    async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'passerelle-browser-'));
      gw = await startGateway({ env: { DATA_DIR: dataDir, REDIS_KEY_PREFIX: prefix } });
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        // The background-networking flags keep Chromium from calling Google on a machine without network.
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1600, height: 900 } });
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(String(error)));
      await page.goto(`${gw.url}/`);
    },
    { timeout: 90_000 },
  );

  after(async () => {
    await browser?.close().catch(() => {});
    await gw?.stop();
    const redis = openRedis('browser-cleanup');
    try {
      await deletePrefix(redis, prefix);
    } finally {
      await redis.quit();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens the widget by itself on the demo page, in French', async () => {
    const panel = page.locator('#passerelle-webchat .panel');
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.locator('#passerelle-webchat .head h2').textContent(), 'Maison Lumière');
    assert.equal(
      await page.locator('#passerelle-webchat input[name=text]').getAttribute('placeholder'),
      'Votre message…',
    );
    assert.equal(await page.locator('#passerelle-webchat form button').textContent(), 'Envoyer');
    assert.deepEqual(await readBubbles(), [], 'a new visitor starts with an empty conversation');
  });

  it('shows what the visitor typed and the bot’s answer about opening hours', async () => {
    await say(FAQ.hours.fr.question);
    // Not pending any more: the gateway acknowledged it (the message is on the queue).
    await expectBubble(
      page.locator('#passerelle-webchat .msg.visitor:not(.pending)', { hasText: FAQ.hours.fr.question }),
      'the visitor’s acknowledged question',
    );
    await expectBubble(
      page.locator('#passerelle-webchat .msg.bot', { hasText: 'lundi au samedi' }),
      'the bot’s answer about opening hours',
    );
    const shown = await readBubbles();
    assert.deepEqual(
      shown.map(({ from }) => from),
      ['visitor', 'bot'],
    );
    assert.equal(shown[0]?.text, FAQ.hours.fr.question);
    assert.match(shown[1]?.text ?? '', /^Notre service client répond du lundi au samedi, de 9 h à 19 h/);
    assert.equal(await page.locator('#passerelle-webchat input[name=text]').inputValue(), '', 'input is cleared');
  });

  it('answers a greeting with the menu as buttons, and a click on “Suivre ma commande” asks for the order number', async () => {
    await say('bonjour');
    const hello = await expectBubble(
      page.locator('#passerelle-webchat .msg.bot', { hasText: 'Bonjour' }),
      'the bot’s greeting',
    );
    greetingChoices = await hello.locator('.choices button').allTextContents();
    assert.deepEqual(greetingChoices, menuTitles('fr'));
    await hello.locator('.choices button', { hasText: TRACK_MY_ORDER.fr.title }).click();
    await expectBubble(
      page.locator('#passerelle-webchat .msg.visitor:not(.pending)', { hasText: TRACK_MY_ORDER.fr.title }),
      'the visitor’s acknowledged click on Suivre ma commande',
    );
    await expectBubble(
      page.locator('#passerelle-webchat .msg.bot', { hasText: 'numéro de commande' }),
      'the bot’s question about the order number',
    );
    const shown = await readBubbles();
    assert.deepEqual(
      shown.map(({ from }) => from),
      ['visitor', 'bot', 'visitor', 'bot', 'visitor', 'bot'],
    );
    assert.equal(shown[2]?.text, 'bonjour');
    assert.equal(shown[3]?.text, greeting('fr'));
    assert.equal(shown[4]?.text, TRACK_MY_ORDER.fr.title);
    assert.equal(shown[5]?.text, ASK_ORDER_NUMBER.fr);
  });

  it('answers the order number with where the order is, then offers what next as buttons', async () => {
    await say(SHIPPED_ORDER);
    await expectBubble(
      page.locator('#passerelle-webchat .msg.bot', { hasText: SHIPPED_ORDER_CARRIER }),
      'the bot’s answer about the order',
    );
    const next = await expectBubble(
      page.locator('#passerelle-webchat .msg.bot', { hasText: ANYTHING_ELSE.fr }),
      'the bot’s next question',
    );
    assert.deepEqual(await next.locator('.choices button').allTextContents(), ANYTHING_ELSE_CHOICES.fr);
    const shown = await readBubbles();
    assert.deepEqual(
      shown.slice(6).map(({ from, text }) => [from, text]),
      [
        ['visitor', SHIPPED_ORDER],
        ['bot', SHIPPED_ORDER_ANSWER.fr],
        ['bot', ANYTHING_ELSE.fr],
      ],
    );
    assert.equal(shown.length, 9);
    // What a reader sees: "?" does not wrap alone onto a line, and the tracking page is a link.
    assert.ok(shown[8]?.raw.endsWith('pour vous\u00a0?'), `no non-breaking space before "?": ${shown[8]?.raw}`);
    const tracking = /https:\/\/\S+/.exec(SHIPPED_ORDER_ANSWER.fr)?.[0];
    assert.deepEqual(shown[7]?.links, [tracking], 'the tracking URL is a link');
  });

  it('redraws the whole conversation from the server after a reload, in order, each message once', async () => {
    const before: Bubble[] = await readBubbles();
    assert.equal(before.length, 9, `conversation before the reload: ${JSON.stringify(before)}`);
    assert.equal(new Set(before.map((bubble) => bubble.id)).size, 9, 'every bubble has its own id');
    assert.ok(
      before.every((bubble) => !bubble.pending),
      'every message was acknowledged',
    );

    await page.reload();
    // The fresh page has no bubble of its own: everything below comes from the server's history.
    await expectBubble(bubbles().nth(before.length - 1), `the ${before.length}th bubble after the reload`);
    const afterReload = await readBubbles();
    assert.deepEqual(afterReload, before, 'the same bubbles, in the same order, none twice, none pending');
    assert.deepEqual(
      await bubbles().nth(3).locator('.choices button').allTextContents(),
      greetingChoices,
      'the greeting comes back with its buttons',
    );
    assert.deepEqual(
      await bubbles().nth(8).locator('.choices button').allTextContents(),
      ANYTHING_ELSE_CHOICES.fr,
      'the last question comes back with its buttons',
    );
  });

  it('raises no script error in the page', () => {
    assert.deepEqual(pageErrors, []);
  });

  it('writes docs/screenshots/webchat.png', {
    skip: updateScreenshots ? false : 'set UPDATE_SCREENSHOTS=1 to rewrite the screenshot',
  }, async () => {
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    assert.ok(await page.locator('#passerelle-webchat .panel').isVisible(), 'the widget is open');
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    const png = readFileSync(SCREENSHOT);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.ok(png.length > 10_000, `screenshot is only ${png.length} bytes`);
  });
});

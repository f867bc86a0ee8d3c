/**
 * The web chat widget's own words and its accessibility, in headless Chromium
 * against the real gateway (`gateway start`, PGlite, Redis, the demo bot).
 *
 * Words: the widget speaks the language of its tag's data-locale (or
 * data-lang), else of the page (<html lang>), else of the browser, else
 * English; data-* attributes replace single strings. The locale it chose is
 * the one its hello frame tells the gateway, so the bot answers in it too.
 *
 * Accessibility: axe-core's WCAG 2.0 / 2.1 A and AA rules, on the demo page
 * (French) and on an English page, with the widget closed and open on a
 * conversation with the bot's buttons and a link. Needs /usr/bin/chromium.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/console-browser.js';
import {
  ANYTHING_ELSE,
  ASK_ORDER_NUMBER,
  greeting,
  menuTitles,
  SHIPPED_ORDER,
  SHIPPED_ORDER_CARRIER,
  TRACK_MY_ORDER,
} from './support/demo-bot.js';
import { type GatewayProcess, startGateway } from './support/gateway-process.js';
import { chromiumSkipReason, deletePrefix, openRedis, uniquePrefix } from './support/services.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** The rules a public French site must pass (RGAA follows WCAG 2.1 AA). */
const WCAG_21_AA = { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] };
/**
 * axe files landmarks under best practice, not WCAG; these are the ones a widget dropped into any page can
 * spoil (its old <header> made a second banner next to the page's own).
 */
const LANDMARKS = {
  type: 'rule',
  values: ['landmark-no-duplicate-banner', 'landmark-banner-is-top-level', 'landmark-unique', 'region'],
};
/** How long the bot may take to answer: gateway -> queue -> worker -> Redis -> socket -> page. */
const ANSWER_MS = 15_000;
const VISITOR_LINK = 'https://maison-lumiere.example/lampe-opaline';

/** Every word of the widget a visitor sees or hears, as the page shows it, the chat open. */
interface Words {
  lang: string | null;
  title: string | null;
  subtitle: string | null;
  placeholder: string | null;
  inputLabel: string | null;
  send: string | null;
  launcher: string | null;
  close: string | null;
  dialog: string | null;
  log: string | null;
}

const FRENCH = {
  lang: 'fr',
  subtitle: 'Nous répondons en quelques secondes',
  placeholder: 'Votre message…',
  inputLabel: 'Votre message',
  send: 'Envoyer',
  // The chat is open: the launcher closes it, and says so.
  launcher: 'Fermer la discussion',
  close: 'Fermer la discussion',
  log: 'Conversation',
};
const ENGLISH = {
  lang: 'en',
  subtitle: 'We answer in seconds',
  placeholder: 'Type your message…',
  inputLabel: 'Your message',
  send: 'Send',
  launcher: 'Close the chat',
  close: 'Close the chat',
  log: 'Conversation',
};

/** The words with the widget's own title, on a page whose tag has no data-title. */
const FRENCH_UNTITLED: Words = { ...FRENCH, title: 'Discutons', dialog: 'Discutons' };
const ENGLISH_UNTITLED: Words = { ...ENGLISH, title: 'Chat with us', dialog: 'Chat with us' };

/** A page of a shop's own site: its language (<html lang>, none if undefined) and the widget tag's data-*. */
interface ShopPage {
  lang: string | undefined;
  data: Record<string, string>;
}

describe('web chat widget: its words and accessibility, in a real browser', { skip: chromiumSkipReason() }, () => {
  const prefix = uniquePrefix('webchat-a11y');
  let dataDir: string | undefined;
  let gw: GatewayProcess | undefined;
  let browser: Browser | undefined;
  /**
   * The shop's site, another origin that embeds the widget from the gateway as sites do. A real server:
   * Chromium's local network access checks refuse a page fulfilled by page.route a socket to 127.0.0.1.
   */
  const shopPages: ShopPage[] = [];
  const site = createServer((request, response) => {
    const shop = shopPages[Number(/^\/shop-(\d+)\.html$/.exec(request.url ?? '')?.[1] ?? -1)];
    if (!shop || !gw) return void response.writeHead(404).end();
    const attributes = Object.entries(shop.data)
      .map(([name, value]) => ` data-${name}="${value}"`)
      .join('');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html>
<html${shop.lang ? ` lang="${shop.lang}"` : ''}><head><meta charset="utf-8"><title>Lamp shop</title></head>
<body><header><h1>Lamp shop</h1></header><main><p>Lamps and lights, made in Lyon.</p></main>
<script src="${gw.url}/webchat/widget.js"${attributes} async></script></body></html>`);
  });
  let siteUrl = '';

  before(
    async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'passerelle-a11y-'));
      site.listen(0, '127.0.0.1');
      [gw, browser] = await Promise.all([
        startGateway({ env: { DATA_DIR: dataDir, REDIS_KEY_PREFIX: prefix } }),
        launchChromium(),
        once(site, 'listening'),
      ]);
      siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    },
    { timeout: 90_000 },
  );

  after(async () => {
    await browser?.close().catch(() => {});
    await gw?.stop();
    await new Promise((resolve) => site.close(resolve));
    const redis = openRedis('webchat-a11y-cleanup');
    try {
      await deletePrefix(redis, prefix);
    } finally {
      await redis.quit();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  interface Opened {
    page: Page;
    context: BrowserContext;
    errors: string[];
    /** The locale of the hello frames the widget sent on its socket. */
    hellos: string[];
  }

  /**
   * A new visitor (own storage) whose browser speaks `browserLocale`, on the gateway's demo page
   * (`shop` undefined) or on a shop's page.
   */
  async function visit(browserLocale: string, shop?: ShopPage): Promise<Opened> {
    assert.ok(browser && gw, 'Chromium and the gateway started');
    const context = await browser.newContext({ locale: browserLocale, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    const hellos: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { type: string; locale?: string };
        if (frame.type === 'hello') hellos.push(frame.locale ?? '(none)');
      }),
    );
    if (shop) shopPages.push(shop);
    await page.goto(shop ? `${siteUrl}/shop-${shopPages.length - 1}.html` : `${gw.url}/`);
    await page.locator('#passerelle-webchat .launcher').waitFor({ state: 'visible', timeout: 10_000 });
    return { page, context, errors, hellos };
  }

  /**
   * Closes the chat with its close button, as a visitor does; returns what the launcher says then
   * and whether the focus went back to it.
   */
  async function closeChat(page: Page): Promise<{ label: string | null; expanded: string | null; focused: boolean }> {
    await page.locator('#passerelle-webchat .close').click();
    await page.locator('#passerelle-webchat .panel').waitFor({ state: 'hidden', timeout: 5_000 });
    const launcher = page.locator('#passerelle-webchat .launcher');
    return {
      label: await launcher.getAttribute('aria-label'),
      expanded: await launcher.getAttribute('aria-expanded'),
      focused: await launcher.evaluate((element) => (element.getRootNode() as ShadowRoot).activeElement === element),
    };
  }

  async function readWords(page: Page): Promise<Words> {
    const widget = (selector: string) => page.locator(`#passerelle-webchat ${selector}`);
    return {
      lang: await widget('.panel').getAttribute('lang'),
      title: await widget('h2').textContent(),
      subtitle: await widget('.head p').textContent(),
      placeholder: await widget('input[name=text]').getAttribute('placeholder'),
      inputLabel: await widget('input[name=text]').getAttribute('aria-label'),
      send: await widget('form button').textContent(),
      launcher: await widget('.launcher').getAttribute('aria-label'),
      close: await widget('.close').getAttribute('aria-label'),
      dialog: await widget('.panel').getAttribute('aria-label'),
      log: await widget('.log').getAttribute('aria-label'),
    };
  }

  /** Waits for the widget's socket to have said hello; returns the locales it told. */
  async function helloLocales(opened: Opened): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    while (opened.hellos.length === 0 && Date.now() < deadline) await opened.page.waitForTimeout(50);
    return opened.hellos;
  }

  /**
   * axe-core's violations of `rules` on the page as it is now, with their targets. axe is put in the
   * page with page.evaluate (a DevTools protocol call), not a <script> element: the gateway's
   * Content-Security-Policy (script-src 'self', helmet) would block an inline script, and this way
   * the page keeps its real policy (no bypassCSP), so the widget is checked as it runs for visitors.
   */
  async function axeViolations(page: Page, rules: { type: string; values: string[] }): Promise<string[]> {
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async (runOnly) => {
      const { axe } = window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } };
      const results = await axe.run(document, { runOnly, resultTypes: ['violations'] });
      return results.violations.map((violation) => ({
        id: violation.id,
        help: violation.help,
        nodes: violation.nodes.map((node) => `${JSON.stringify(node.target)}: ${node.failureSummary ?? ''}`),
      }));
    }, rules);
    return violations.map(
      ({ id, help, nodes }) => `${id} (${help}):\n    ${nodes.join('\n    ').replace(/\n(?! {4})/g, '\n      ')}`,
    );
  }

  async function expectNoViolation(page: Page, where: string): Promise<void> {
    const violations = await axeViolations(page, WCAG_21_AA);
    assert.deepEqual(violations, [], `axe, WCAG 2.1 A/AA, ${where}:\n  ${violations.join('\n  ')}`);
    const landmarks = await axeViolations(page, LANDMARKS);
    assert.deepEqual(landmarks, [], `axe, landmarks, ${where}:\n  ${landmarks.join('\n  ')}`);
  }

  async function expectBubble(page: Page, selector: string, hasText: string, what: string): Promise<void> {
    try {
      await page
        .locator(`#passerelle-webchat ${selector}`, { hasText })
        .first()
        .waitFor({ state: 'visible', timeout: ANSWER_MS });
    } catch (error) {
      const shown = await page
        .locator('#passerelle-webchat .log')
        .textContent()
        .catch(() => '');
      assert.fail(
        `${what} did not appear within ${ANSWER_MS} ms (${String(error).split('\n')[0]})\nlog: ${shown}\n` +
          `gateway output (end):\n${gw?.output().slice(-3000)}`,
      );
    }
  }

  async function say(page: Page, text: string): Promise<void> {
    const input = page.locator('#passerelle-webchat input[name=text]');
    await input.fill(text);
    await input.press('Enter');
  }

  /**
   * A conversation with the demo bot: a greeting answered with the menu's buttons, a click on one,
   * an order number answered with a tracking link and more buttons, a link of the visitor's (white
   * on the brand colour). Every message acknowledged.
   */
  async function converse(page: Page, locale: 'fr' | 'en'): Promise<void> {
    await say(page, locale === 'fr' ? 'bonjour' : 'hello');
    await expectBubble(page, '.msg.bot', greeting(locale).slice(0, 20), 'the greeting');
    const menu = page.locator('#passerelle-webchat .msg.bot', { hasText: greeting(locale).slice(0, 20) });
    assert.deepEqual(await menu.locator('.choices button').allTextContents(), menuTitles(locale));
    await menu.locator('.choices button', { hasText: TRACK_MY_ORDER[locale].title }).click();
    await expectBubble(page, '.msg.bot', ASK_ORDER_NUMBER[locale].slice(0, 20), 'the question for the order number');
    await say(page, SHIPPED_ORDER);
    await expectBubble(page, '.msg.bot', SHIPPED_ORDER_CARRIER, 'the answer about the order');
    await expectBubble(page, '.msg.bot', ANYTHING_ELSE[locale].slice(0, 15), 'the next question');
    // The bot answers it with its question's options again, whatever it is.
    const botMessages = await page.locator('#passerelle-webchat .msg.bot').count();
    await say(page, VISITOR_LINK);
    await expectBubble(page, `.msg.bot:nth-child(${botMessages + 1} of .msg.bot)`, '', 'the answer to a link');
    await expectBubble(page, '.msg.visitor:not(.pending)', VISITOR_LINK, 'the acknowledged link');
    assert.equal(await page.locator('#passerelle-webchat .msg.visitor a').count(), 1, 'the visitor’s link is a link');
    assert.equal(await page.locator('#passerelle-webchat .msg.pending').count(), 0, 'every message acknowledged');
  }

  it('speaks French on the French demo page, even to a browser set to English (issue 14)', async () => {
    const opened = await visit('en-US');
    await opened.page.locator('#passerelle-webchat .panel').waitFor({ state: 'visible', timeout: 10_000 });
    assert.deepEqual(await readWords(opened.page), { ...FRENCH, title: 'Maison Lumière', dialog: 'Maison Lumière' });
    assert.deepEqual(await helloLocales(opened), ['fr'], 'the bot is told the language the widget speaks');
    assert.deepEqual(await closeChat(opened.page), { label: 'Ouvrir la discussion', expanded: 'false', focused: true });
    assert.deepEqual(opened.errors, []);
    await opened.context.close();
  });

  it('speaks English on an English page, even to a browser set to French', async () => {
    const opened = await visit('fr-FR', { lang: 'en', data: { open: 'true' } });
    assert.deepEqual(await readWords(opened.page), ENGLISH_UNTITLED);
    assert.deepEqual(await helloLocales(opened), ['en']);
    assert.deepEqual(await closeChat(opened.page), { label: 'Open the chat', expanded: 'false', focused: true });
    await opened.context.close();
  });

  it("data-locale and data-lang win over the page's language; the browser's region is kept when the language is the same", async () => {
    const cases: Array<{ browser: string; lang?: string; data: Record<string, string>; words: Words; hello: string }> =
      [
        { browser: 'fr-FR', lang: 'fr', data: { locale: 'en-GB' }, words: ENGLISH_UNTITLED, hello: 'en-GB' },
        { browser: 'en-US', lang: 'en', data: { lang: 'fr' }, words: FRENCH_UNTITLED, hello: 'fr' },
        // A Canadian visitor on a French page: French words, and the bot is told fr-CA.
        { browser: 'fr-CA', lang: 'fr', data: {}, words: FRENCH_UNTITLED, hello: 'fr-CA' },
        // A page that says nothing: the browser's language; one the widget has no words for: English.
        { browser: 'fr-CA', data: {}, words: FRENCH_UNTITLED, hello: 'fr-CA' },
        { browser: 'de-DE', data: {}, words: ENGLISH_UNTITLED, hello: 'de-DE' },
        { browser: 'en-US', lang: 'de', data: {}, words: ENGLISH_UNTITLED, hello: 'de' },
      ];
    for (const { browser: browserLocale, lang, data, words, hello } of cases) {
      const opened = await visit(browserLocale, { lang, data: { ...data, open: 'true' } });
      const shown = await readWords(opened.page);
      const label = `browser ${browserLocale}, page lang ${lang ?? '(none)'}, ${JSON.stringify(data)}`;
      assert.deepEqual(shown, words, label);
      assert.deepEqual(await helloLocales(opened), [hello], `${label}: the hello's locale`);
      await opened.context.close();
    }
  });

  it('data-* attributes replace single words, the rest stays in the chosen language', async () => {
    const data = {
      title: 'Maison Lumière',
      subtitle: 'Un conseiller vous répond',
      placeholder: 'Posez votre question…',
      'input-label': 'Votre question',
      'send-label': 'OK',
      'open-label': 'Discuter avec Maison Lumière',
      'close-label': 'Fermer',
      // A light brand colour: white words would not read on it.
      color: '#e0b35a',
      open: 'true',
    };
    const opened = await visit('en-US', { lang: 'fr', data });
    assert.deepEqual(await readWords(opened.page), {
      ...FRENCH,
      title: 'Maison Lumière',
      dialog: 'Maison Lumière',
      subtitle: 'Un conseiller vous répond',
      placeholder: 'Posez votre question…',
      inputLabel: 'Votre question',
      send: 'OK',
      launcher: 'Fermer',
      close: 'Fermer',
    });
    const head = opened.page.locator('#passerelle-webchat .head');
    assert.deepEqual(
      await head.evaluate((element) => [getComputedStyle(element).backgroundColor, getComputedStyle(element).color]),
      ['rgb(224, 179, 90)', 'rgb(0, 0, 0)'],
      'black words on a light brand colour',
    );
    await expectNoViolation(opened.page, 'a light brand colour');
    assert.deepEqual(await closeChat(opened.page), {
      label: 'Discuter avec Maison Lumière',
      expanded: 'false',
      focused: true,
    });
    // The launcher opens it again; Escape closes it from the inside, the focus back on the launcher.
    await opened.page.locator('#passerelle-webchat .launcher').click();
    await opened.page.locator('#passerelle-webchat .panel').waitFor({ state: 'visible', timeout: 5_000 });
    await opened.page.locator('#passerelle-webchat input[name=text]').press('Escape');
    await opened.page.locator('#passerelle-webchat .panel').waitFor({ state: 'hidden', timeout: 5_000 });
    assert.equal(await opened.page.locator('#passerelle-webchat .launcher').getAttribute('aria-expanded'), 'false');
    assert.deepEqual(opened.errors, []);
    await opened.context.close();
  });

  for (const locale of ['fr', 'en'] as const) {
    it(`passes axe's WCAG 2.1 A/AA rules ${locale === 'fr' ? 'on the French demo page' : 'on an English page'}, closed and open on a conversation`, async () => {
      // The French demo page as the issue saw it (browser in English), and an English page.
      const opened =
        locale === 'fr'
          ? await visit('en-US')
          : await visit('en-US', { lang: 'en', data: { title: 'Maison Lumière', open: 'true' } });
      const { page } = opened;
      const panel = page.locator('#passerelle-webchat .panel');
      await panel.waitFor({ state: 'visible', timeout: 10_000 });
      await page.locator('#passerelle-webchat .close').click();
      await panel.waitFor({ state: 'hidden', timeout: 5_000 });
      await expectNoViolation(page, `${locale}, widget closed`);

      await page.locator('#passerelle-webchat .launcher').click();
      await panel.waitFor({ state: 'visible', timeout: 5_000 });
      await converse(page, locale);
      await expectNoViolation(page, `${locale}, widget open on a conversation`);
      assert.deepEqual(opened.errors, [], 'no script error in the page');
      await opened.context.close();
    });
  }
});

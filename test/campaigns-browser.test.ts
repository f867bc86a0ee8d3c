/**
 * The console's campaigns page as a marketer and a manager use it: the real
 * gateway (`gateway start`, all roles) on a PostgreSQL database of its own,
 * a copy of the demo bot (its "ventes privées" campaign open whatever the
 * date, and a second campaign still to come), operators added with the CLI.
 * Web chat visitors write to the bot over the widget's socket and make the
 * figures; broadcasts are made through the storage functions, as the CLI
 * makes them, and the worker's dispatcher sends them. A real Chromium opens
 * /console/campaigns.html and the test reads what it shows: numbers, the
 * Chart.js charts' data, the tables, the broadcasts' live progress, and uses
 * the pause, resume and cancel buttons.
 *
 * Needs PostgreSQL and /usr/bin/chromium; skipped without them, failed
 * without them in CI (REQUIRE_SERVICES=1). UPDATE_SCREENSHOTS=1 also
 * rewrites docs/screenshots/console-campaigns.png.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  addRecipients,
  changeBroadcastStatus,
  createBroadcast,
  type Db,
  getBroadcast,
  importAudience,
  openDb,
} from '@passerelle/core';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  consoleBrowserSkipReason,
  launchChromium,
  pageExpectations,
  removeGatewayLeftovers,
  saveScreenshot,
  submitLogin,
  UPDATE_SCREENSHOTS,
} from './support/console-browser.js';
import { addOperator } from './support/console-client.js';
import { type GatewayProcess, startGateway } from './support/gateway-process.js';
import { createTempDatabase, uniquePrefix } from './support/services.js';
import { type Frame, WebchatVisitor } from './support/webchat-client.js';

const skip = await consoleBrowserSkipReason();
/** How long something may take to show: socket -> queue -> worker -> database -> page refresh. */
const SHOW_MS = 20_000;

const CAMPAIGN = 'ventes-privees';
const UPCOMING = 'soldes-ete';
const PASSWORD = 'lumiere-campagnes-2026';
const MANAGER = {
  email: 'sophie@maison-lumiere.example',
  name: 'Sophie',
  password: PASSWORD,
  role: 'manager' as const,
};
const OPERATOR = { email: 'karim@maison-lumiere.example', name: 'Karim', password: PASSWORD };

/** A campaign whose window is far ahead: listed as upcoming, its broadcast waits for it to open. */
const UPCOMING_FLOW = `id: ${UPCOMING}
title: { fr: Soldes d'été, en: Summer sales }
start: bienvenue
nodes:
  bienvenue:
    end: { fr: "Les soldes d'été arrivent !", en: Summer sales are coming! }
`;
const UPCOMING_CAMPAIGN = `id: ${UPCOMING}
title: { fr: Soldes d'été, en: Summer sales }
window: { start: '2098-06-24 08:00', end: '2098-07-21 20:00', time_zone: Europe/Paris }
channels: [webchat]
flow: ${UPCOMING}
entry: { keywords: [SOLDES ETE] }
`;

describe('campaigns page of the console in a real browser', { skip }, () => {
  let gateway: GatewayProcess;
  let database: { url: string; drop(): Promise<void> };
  let db: Db;
  let botDir: string;
  let env: Record<string, string>;
  const prefix = uniquePrefix('campaigns-browser');
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const visitors: WebchatVisitor[] = [];
  let messageCount = 0;

  const { expectVisible, expectPage } = pageExpectations({
    timeoutMs: SHOW_MS,
    pageErrors,
    gatewayOutput: () => gateway.output(),
  });

  /** Every text a visitor got from the bot since a frame index (each part's text or question). */
  const botTextsSince = (visitor: WebchatVisitor, from: number) =>
    visitor
      .botMessages()
      .slice(from)
      .flatMap((frame) => (frame.parts as Array<{ text?: string }>).map((part) => part.text ?? ''));

  async function say(visitor: WebchatVisitor, text: string, answer: RegExp): Promise<void> {
    const from = visitor.botMessages().length;
    messageCount += 1;
    visitor.say(`campaign-msg-${messageCount}`, text);
    await visitor.waitFor(() => botTextsSince(visitor, from).some((line) => answer.test(line)), SHOW_MS);
  }

  /** Presses one of the buttons the bot last offered, as the widget does (a postback). */
  async function press(visitor: WebchatVisitor, title: string, answer: RegExp): Promise<void> {
    const buttons = visitor
      .botMessages()
      .flatMap((frame: Frame) => frame.parts as Array<{ buttons?: Array<{ title: string; payload: string }> }>)
      .flatMap((part) => part.buttons ?? []);
    const button = buttons.findLast((candidate) => candidate.title === title);
    assert.ok(button, `the bot offered “${title}”: ${JSON.stringify(buttons.map((b) => b.title))}`);
    const from = visitor.botMessages().length;
    messageCount += 1;
    visitor.sendRaw(
      JSON.stringify({
        type: 'message',
        id: `campaign-msg-${messageCount}`,
        postback: { payload: button.payload, title },
      }),
    );
    await visitor.waitFor(() => botTextsSince(visitor, from).some((line) => answer.test(line)), SHOW_MS);
  }

  async function newVisitor(): Promise<WebchatVisitor> {
    const visitor = await WebchatVisitor.connect(gateway.url, { locale: 'fr' });
    visitors.push(visitor);
    return visitor;
  }

  async function login(on: Page, who: { email: string; password: string }): Promise<void> {
    await on.goto(`${gateway.url}/console/`);
    await submitLogin(on, who);
    await expectVisible(on.locator('#app'), `the console for ${who.email}`);
  }

  const metric = (name: string) =>
    page
      .locator(`[data-metric="${name}"] .metric-value`)
      .textContent()
      .then((text) => (text ?? '').replace(/\s/g, ' '));
  const readMetrics = async () => ({
    entered: await metric('entered'),
    completed: await metric('completed'),
    completionRate: await metric('completionRate'),
    converted: await metric('converted'),
    conversionRate: await metric('conversionRate'),
    handoff: await metric('handoff'),
    optedOut: await metric('opted_out'),
  });
  const readTable = (id: string) =>
    page
      .locator(`#${id} tbody tr`)
      .evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent ?? '')));
  /** What Chart.js holds for a canvas, and whether anything was painted on it. */
  const readChart = (id: string) =>
    page.evaluate((canvasId) => {
      const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
      const chartJs = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart;
      const chart = chartJs?.getChart(canvas) as
        | {
            config: { type: string; options: { indexAxis?: string } };
            data: { labels: string[]; datasets: Array<{ label: string; data: number[] }> };
          }
        | undefined;
      if (!chart) return undefined;
      const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
      let painted = 0;
      for (let index = 3; index < pixels.length; index += 4) if ((pixels[index] ?? 0) > 0) painted += 1;
      return {
        type: chart.config.type,
        indexAxis: chart.config.options.indexAxis ?? 'x',
        labels: [...chart.data.labels],
        datasets: chart.data.datasets.map((dataset) => ({ label: dataset.label, data: [...dataset.data] })),
        painted: painted > 100,
      };
    }, id);
  const broadcastCard = (id: string, on: Page = page) => on.locator(`.broadcast[data-broadcast="${id}"]`);
  const readBroadcast = async (id: string, on: Page = page) => {
    const card = broadcastCard(id, on);
    return {
      status: await card.getAttribute('data-status'),
      figure: ((await card.locator('.progress-figure').textContent()) ?? '').replace(/\s/g, ' '),
      messaged: await card.locator('[data-figure="messaged"] .figure-value').textContent(),
      skipped: await card.locator('[data-figure="skipped"] .figure-value').textContent(),
      // Sorted: reasons with the same count come in no particular order.
      reasons: (
        await card
          .locator('[data-figure="skipped"] li')
          .evaluateAll((items) =>
            items.map((item) => `${(item as HTMLElement).dataset.reason}=${item.textContent?.replace(/\s/g, ' ')}`),
          )
      ).sort(),
      actions: await card
        .locator('button[data-action]')
        .evaluateAll((buttons) => buttons.map((button) => (button as HTMLElement).dataset.action)),
    };
  };

  async function screenshot(name: string): Promise<void> {
    if (!UPDATE_SCREENSHOTS) return;
    // The page scrolls inside its centre column: a taller window shows all of it at once.
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 1440, height: 1280 });
    await page.locator('#campaign-title').waitFor();
    try {
      await saveScreenshot(page, name);
    } finally {
      if (viewport) await page.setViewportSize(viewport);
    }
  }

  before(
    async () => {
      botDir = await mkdtemp(join(tmpdir(), 'passerelle-campaigns-'));
      await cp(fileURLToPath(new URL('../bots/demo', import.meta.url)), botDir, { recursive: true });
      // The demo campaign open whatever the day the test runs.
      const campaignFile = join(botDir, 'campaigns', `${CAMPAIGN}.yaml`);
      const original = await readFile(campaignFile, 'utf8');
      const widened = original
        .replace(/start: '\d{4}-\d{2}-\d{2} \d{2}:\d{2}'/, "start: '2020-01-01 00:00'")
        .replace(/end: '\d{4}-\d{2}-\d{2} \d{2}:\d{2}'/, "end: '2097-12-31 20:00'");
      assert.notEqual(widened, original, 'the demo campaign’s window was widened');
      await writeFile(campaignFile, widened);
      await writeFile(join(botDir, 'flows', `${UPCOMING}.yaml`), UPCOMING_FLOW);
      await writeFile(join(botDir, 'campaigns', `${UPCOMING}.yaml`), UPCOMING_CAMPAIGN);

      database = await createTempDatabase();
      env = { DATABASE_URL: database.url, REDIS_KEY_PREFIX: prefix, BOT_DIR: botDir };
      gateway = await startGateway({ env });
      db = await openDb({ databaseUrl: database.url });
      await addOperator(env, MANAGER);
      await addOperator(env, OPERATOR);

      browser = await launchChromium();
      // Reduced motion: the charts are drawn at once (no animation), as for anyone who asks for it.
      context = await browser.newContext({
        locale: 'fr-FR',
        viewport: { width: 1440, height: 1000 },
        reducedMotion: 'reduce',
      });
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(String(error)));
    },
    { timeout: 90_000 },
  );

  after(async () => {
    for (const visitor of visitors) visitor.close();
    await browser?.close().catch(() => {});
    await gateway?.stop('SIGKILL');
    await db?.close();
    await removeGatewayLeftovers({ name: 'campaigns-browser-cleanup', prefix, database, botDir });
  });

  it('sends someone without a session to the console’s login', async () => {
    await page.goto(`${gateway.url}/console/campaigns.html`);
    await page.waitForURL(`${gateway.url}/console/`, { timeout: SHOW_MS });
    await expectVisible(page.locator('#login-form'), 'the console’s login form');
    const chart = await fetch(`${gateway.url}/console/vendor/chart.umd.min.js`);
    assert.equal(chart.status, 200, 'Chart.js is served');
    assert.match(chart.headers.get('content-type') ?? '', /javascript/, 'as JavaScript');
    assert.match(await chart.text(), /Chart\.js v4/, 'the Chart.js browser build');
  });

  it('goes from the console to the campaigns page: campaigns listed with their state, the open one shown, empty', async () => {
    await login(page, MANAGER);
    const link = await expectVisible(page.locator('.console-nav a[href="/console/campaigns.html"]'), 'the link');
    assert.equal(await link.innerText(), 'Campagnes', 'the link speaks the console’s language');
    await link.click();
    await page.waitForURL(`${gateway.url}/console/campaigns.html`);
    await expectVisible(page.locator('#campaign-list .campaign-item'), 'the campaign list');
    assert.equal(await page.locator('#me-name').textContent(), 'Sophie (responsable)');
    assert.equal(
      await page.locator('.console-nav a[href="/console/"]').textContent(),
      'Conversations',
      'and a link back to the conversations',
    );

    const items = await page.locator('#campaign-list .campaign-item').evaluateAll((links) =>
      links.map((item) => ({
        id: (item as HTMLElement).dataset.campaign,
        name: item.querySelector('.name')?.textContent,
        state: item.querySelector('.state-badge')?.textContent,
        dates: item.querySelectorAll('.meta')[0]?.textContent?.replace(/\s/g, ' '),
      })),
    );
    assert.deepEqual(items, [
      { id: CAMPAIGN, name: 'Ventes privées', state: 'En cours', dates: 'Du 1 janv. 2020 au 31 déc. 2097' },
      { id: UPCOMING, name: "Soldes d'été", state: 'À venir', dates: 'Du 24 juin 2098 au 21 juil. 2098' },
    ]);
    await expectPage(
      'the open campaign is shown',
      () => page.locator('#campaign-title').textContent(),
      'Ventes privées',
    );
    await expectVisible(page.locator('#campaign-empty'), 'the empty state');
    assert.equal(
      await page.locator('#campaign-empty').textContent(),
      'Pas encore de données : personne n’est encore entré dans cette campagne.',
    );
    assert.equal(await page.locator('#charts').isVisible(), false, 'no charts without data');
    assert.equal(await metric('entered'), '0');
    assert.equal(await page.locator('#broadcast-list').textContent(), 'Aucune diffusion pour cette campagne.');
  });

  it('shows what web chat visitors did: numbers, charts drawn with their data, and the same numbers as tables', async () => {
    // Anna goes to the end and agrees to hear about the next sales; Bruno gets his code then writes STOP;
    // Chloé stops at the first question.
    const anna = await newVisitor();
    await say(anna, 'VIP', /ventes privées Maison Lumière sont ouvertes/);
    await press(anna, 'Suspensions', /prévenu\(e\) des prochaines ventes privées/);
    await press(anna, 'Oui', /C’est noté/);
    const bruno = await newVisitor();
    await say(bruno, 'VIP', /ventes privées Maison Lumière sont ouvertes/);
    await press(bruno, 'Lampes à poser', /VP-LUMIERE/);
    await say(bruno, 'STOP', /./);
    const chloe = await newVisitor();
    await say(chloe, 'VIP', /ventes privées Maison Lumière sont ouvertes/);

    await page.reload();
    await expectPage('the key figures', readMetrics, {
      entered: '3',
      completed: '1',
      completionRate: '33,3 %',
      converted: '2',
      conversionRate: '66,7 %',
      handoff: '0',
      optedOut: '1',
    });
    assert.equal(await page.locator('#campaign-empty').isVisible(), false, 'no empty state any more');
    assert.equal(pageErrors.length, 0, `no page errors: ${pageErrors.join('; ')}`);

    const byDay = await readChart('chart-by-day');
    assert.ok(byDay, 'a chart by day');
    assert.ok(byDay.painted, 'the chart by day is painted on its canvas');
    assert.deepEqual(
      byDay.datasets.map((dataset) => [dataset.label, dataset.data.reduce((sum, n) => sum + n, 0)]),
      [
        ['Entrées', 3],
        ['Terminés', 1],
        ['Conversions', 2],
      ],
      'entered, completed and converted by day',
    );
    assert.deepEqual(await readChart('chart-by-channel'), {
      type: 'bar',
      indexAxis: 'x',
      labels: ['Chat du site'],
      datasets: [
        { label: 'Entrées', data: [3] },
        { label: 'Terminés', data: [1] },
        { label: 'Conversions', data: [2] },
      ],
      painted: true,
    });
    assert.deepEqual(await readChart('chart-steps'), {
      type: 'bar',
      indexAxis: 'y',
      labels: ['annonce', 'code', 'alertes', 'inscription', 'inscrit'],
      datasets: [
        { label: 'Atteinte', data: [3, 2, 2, 1, 1] },
        { label: 'Arrêtés là', data: [1, 0, 1, 0, 0] },
      ],
      painted: true,
    });
    assert.deepEqual(await readChart('chart-by-entry'), {
      type: 'doughnut',
      indexAxis: 'x',
      labels: ['Mot-clé'],
      datasets: [{ label: 'Entrées', data: [3] }],
      painted: true,
    });

    const days = await readTable('table-by-day');
    assert.deepEqual(
      days
        .map((row) => row.slice(1))
        .reduce((sum, row) => sum.map((n, index) => n + Number(row[index])), [0, 0, 0, 0, 0]),
      [3, 1, 2, 0, 1],
      `the table by day: ${JSON.stringify(days)}`,
    );
    assert.deepEqual(await readTable('table-by-channel'), [['Chat du site', '3', '1', '2', '0', '1']]);
    assert.deepEqual(await readTable('table-steps'), [
      ['annonce', '3', '1'],
      ['code', '2', '0'],
      ['alertes', '2', '1'],
      ['inscription', '1', '0'],
      ['inscrit', '1', '0'],
    ]);
    assert.deepEqual(await readTable('table-by-entry'), [['Mot-clé', '3']]);
    const headers = await page.locator('#table-steps thead th').allTextContents();
    assert.deepEqual(headers, ['Étape', 'Atteinte', 'Arrêtés là'], 'the tables say what each column is');
    const summary = page.locator('#card-steps details summary');
    assert.equal(await summary.textContent(), 'Voir les chiffres');
    await summary.click();
    assert.equal(await page.locator('#table-steps').isVisible(), true, 'the table opens under its chart');
    assert.match(
      (await page.locator('#chart-steps').getAttribute('aria-label')) ?? '',
      /^Abandons par étape : graphique ; les chiffres sont dans le tableau qui suit\.$/,
      'the canvas says where its numbers are',
    );
  });

  it('downloads the results as CSV from the page', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv-link').click()]);
    assert.equal(await page.locator('#csv-link').textContent(), 'Télécharger le CSV');
    assert.equal(download.suggestedFilename(), `${CAMPAIGN}-results.csv`);
    const rows = parse(await readFile(await download.path(), 'utf8')) as string[][];
    assert.deepEqual(rows[0]?.slice(0, 7), [
      'section',
      'key',
      'entered',
      'completed',
      'converted',
      'handoff',
      'opted_out',
    ]);
    assert.deepEqual(rows[1], ['total', CAMPAIGN, '3', '1', '2', '0', '1', '0.333', '0.667', '', '']);
    assert.deepEqual(
      rows.filter((row) => row[0] === 'step').map((row) => [row[1], row[9], row[10]]),
      [
        ['annonce', '3', '1'],
        ['code', '2', '0'],
        ['alertes', '2', '1'],
        ['inscription', '1', '0'],
        ['inscrit', '1', '0'],
      ],
    );
  });

  it('follows a broadcast live as the dispatcher sends it, to its final counts, and the campaign’s figures with it', async () => {
    // Dora writes START: she agrees to our messages (Anna did in the flow; Bruno wrote STOP; Chloé never said yes).
    const dora = await newVisitor();
    await say(dora, 'START', /./);
    const [anna, bruno, chloe] = visitors;
    assert.ok(anna && bruno && chloe, 'the three visitors of the campaign');
    const audience = await importAudience(
      db,
      { channel: 'webchat', account: 'default' },
      [anna, bruno, chloe, dora].map((visitor) => ({ userId: visitor.visitorId })),
    );
    assert.equal(audience.filter((member) => member.created).length, 0, 'the visitors were known already');
    await createBroadcast(db, {
      id: 'bc-vip-webchat',
      campaignId: CAMPAIGN,
      channel: 'webchat',
      account: 'default',
      ratePerSecond: 2,
      createdBy: MANAGER.email,
    });
    await addRecipients(
      db,
      'bc-vip-webchat',
      audience.map((member, seq) => ({ seq, userId: member.userId, contactId: member.contactId })),
    );

    await page.reload();
    await expectPage('the draft broadcast', () => readBroadcast('bc-vip-webchat'), {
      status: 'draft',
      figure: '0 sur 4 traités (0 %)',
      messaged: '0',
      skipped: '0',
      reasons: [],
      actions: ['cancel'],
    });
    const doraBefore = dora.botMessages().length;
    await changeBroadcastStatus(db, 'bc-vip-webchat', 'send');
    await expectPage(
      'the broadcast at its final counts, without reloading the page',
      () => readBroadcast('bc-vip-webchat'),
      {
        status: 'done',
        figure: '4 sur 4 traités (100 %)',
        messaged: '2',
        skipped: '2',
        reasons: ['no_opt_in=sans accord pour les offres : 1', 'opted_out=désinscrits : 1'],
        actions: [],
      },
    );
    await dora.waitFor(() =>
      botTextsSince(dora, doraBefore).some((text) => /ventes privées Maison Lumière/.test(text)),
    );
    assert.equal(
      await broadcastCard('bc-vip-webchat').locator('.status-badge').textContent(),
      'Terminée',
      'the status in words',
    );
    const delivery = await broadcastCard('bc-vip-webchat').locator('[data-figure="delivery"] li').allTextContents();
    assert.ok(delivery.length > 0, `what the channel did with the messages: ${JSON.stringify(delivery)}`);
    // Dora entered the campaign through the broadcast (Anna was in it already): the page's figures follow.
    await expectPage('the figures after the broadcast', () => metric('entered'), '4');
    await expectPage('the entry chart after the broadcast', async () => (await readChart('chart-by-entry'))?.labels, [
      'Mot-clé',
      'Diffusion',
    ]);
    await screenshot('campaigns');
  });

  it('lets a manager pause, resume and cancel a running broadcast; an operator sees no buttons and gets 403', async () => {
    const [, bruno, chloe] = visitors;
    assert.ok(bruno && chloe, 'two visitors');
    const audience = await importAudience(db, { channel: 'webchat', account: 'default' }, [
      { userId: bruno.visitorId },
      { userId: chloe.visitorId },
    ]);
    await createBroadcast(db, {
      id: 'bc-summer',
      campaignId: UPCOMING,
      channel: 'webchat',
      account: 'default',
      ratePerSecond: 1,
    });
    await addRecipients(
      db,
      'bc-summer',
      audience.map((member, seq) => ({ seq, userId: member.userId, contactId: member.contactId })),
    );
    // Running, but its campaign has not opened: the dispatcher leaves it waiting, so every button can be tried.
    await changeBroadcastStatus(db, 'bc-summer', 'send');

    await page.locator(`#campaign-list .campaign-item[data-campaign="${UPCOMING}"]`).click();
    await expectPage('the upcoming campaign', () => page.locator('#campaign-title').textContent(), "Soldes d'été");
    assert.equal(new URL(page.url()).hash, `#${UPCOMING}`, 'the address names the campaign');
    await expectVisible(page.locator('#campaign-empty'), 'the empty state of a campaign nobody entered');
    await expectPage('the running broadcast', () => readBroadcast('bc-summer'), {
      status: 'running',
      figure: '0 sur 2 traités (0 %)',
      messaged: '0',
      skipped: '0',
      reasons: [],
      actions: ['pause', 'cancel'],
    });

    // The operator: same page, no buttons; the API refuses them too.
    const operatorPage = await context.browser()?.newPage({ locale: 'fr-FR' });
    assert.ok(operatorPage, 'a second browser page for the operator');
    try {
      await login(operatorPage, OPERATOR);
      await operatorPage.goto(`${gateway.url}/console/campaigns.html#${UPCOMING}`);
      await expectVisible(broadcastCard('bc-summer', operatorPage), 'the broadcast for the operator');
      assert.equal(await operatorPage.locator('#me-name').textContent(), 'Karim');
      assert.deepEqual(
        (await readBroadcast('bc-summer', operatorPage)).actions,
        [],
        'an operator gets no pause, resume or cancel button',
      );
      const refused = await operatorPage.evaluate(async () => {
        const response = await fetch('/console/api/broadcasts/bc-summer/pause', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        return { status: response.status, body: await response.json() };
      });
      assert.deepEqual(refused, { status: 403, body: { error: 'only a manager may do this' } });
    } finally {
      await operatorPage.close();
    }
    assert.equal((await getBroadcast(db, 'bc-summer'))?.status, 'running', 'the operator changed nothing');

    const card = broadcastCard('bc-summer');
    await card.locator('button[data-action="pause"]').click();
    await expectPage('paused', async () => (await readBroadcast('bc-summer')).actions, ['resume', 'cancel']);
    assert.equal(await card.locator('.status-badge').textContent(), 'En pause');
    assert.equal((await getBroadcast(db, 'bc-summer'))?.status, 'paused', 'paused in the database');

    await card.locator('button[data-action="resume"]').click();
    await expectPage('resumed', async () => (await readBroadcast('bc-summer')).actions, ['pause', 'cancel']);
    assert.equal((await getBroadcast(db, 'bc-summer'))?.status, 'running', 'running again in the database');

    // Cancelling asks first: once refused, then accepted.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await card.locator('button[data-action="cancel"]').click();
    assert.equal((await getBroadcast(db, 'bc-summer'))?.status, 'running', 'refusing the question cancels nothing');
    const questions: string[] = [];
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.accept();
    });
    await card.locator('button[data-action="cancel"]').click();
    await expectPage('cancelled', async () => (await readBroadcast('bc-summer')).status, 'cancelled');
    assert.deepEqual(questions, [
      'Annuler cette diffusion ? Les personnes qui ne l’ont pas encore reçue ne la recevront pas.',
    ]);
    assert.deepEqual((await readBroadcast('bc-summer')).actions, [], 'nothing more to do with a cancelled broadcast');
    assert.equal(await card.locator('.status-badge').textContent(), 'Annulée');
    assert.equal((await getBroadcast(db, 'bc-summer'))?.status, 'cancelled', 'cancelled in the database');
    assert.equal(pageErrors.length, 0, `no page errors: ${pageErrors.join('; ')}`);
  });
});

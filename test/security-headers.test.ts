/**
 * Security headers, checked on a real gateway (`gateway start`, PGlite, the
 * echo bot): each kind of route gets the headers security-headers.ts chose,
 * and the gateway's own pages run under their Content-Security-Policy in a
 * real Chromium without a single violation. The widget also runs on another
 * site that has a strict policy of its own, loaded cross-origin, and a
 * visitor's message is answered there (its WebSocket and its styles pass).
 * HSTS, which needs https, is checked on the middleware in this process.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import type { Browser, Page } from 'playwright-core';
import { securityHeaders } from '../apps/gateway/src/http/security-headers.js';
import { ECHO_BOT_DIR } from './support/cluster.js';
import { launchChromium } from './support/console-browser.js';
import { type IsolatedGateway, startIsolatedGateway } from './support/gateway-process.js';
import { chromiumSkipReason } from './support/services.js';

const SITE_HTML = (gatewayUrl: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Another brand's site</title></head>
<body><h1>A site with a strict policy of its own</h1>
<script src="${gatewayUrl}/webchat/widget.js" data-title="Help" data-locale="en" data-open="true" async></script>
</body></html>`;

function cspOf(response: Response): Map<string, string> {
  const directives = new Map<string, string>();
  for (const part of (response.headers.get('content-security-policy') ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values.join(' '));
  }
  return directives;
}

describe('security headers on every kind of route', () => {
  let gateway: IsolatedGateway;

  before(async () => {
    gateway = await startIsolatedGateway('headers', { env: { BOT_DIR: ECHO_BOT_DIR } });
  });
  after(async () => {
    await gateway?.dispose();
  });

  const ROUTES: Array<{ kind: string; path: string; status: number; crossOrigin?: boolean }> = [
    { kind: 'demo page', path: '/', status: 200 },
    { kind: 'demo page script', path: '/demo.js', status: 200 },
    { kind: 'console page', path: '/console/', status: 200 },
    { kind: 'campaigns page', path: '/console/campaigns.html', status: 200 },
    { kind: 'console style sheet', path: '/console/console.css', status: 200 },
    { kind: 'console API without a session', path: '/console/api/me', status: 401 },
    { kind: 'admin API', path: '/admin/dead-letters', status: 403 },
    { kind: 'health', path: '/healthz', status: 200 },
    { kind: 'readiness', path: '/readyz', status: 200 },
    { kind: 'metrics', path: '/metrics', status: 200 },
    { kind: 'unknown path', path: '/no/such/page', status: 404 },
    { kind: 'web chat widget', path: '/webchat/widget.js', status: 200, crossOrigin: true },
  ];

  for (const route of ROUTES) {
    it(`${route.kind} (${route.path})`, async () => {
      const response = await fetch(`${gateway.url}${route.path}`);
      assert.equal(response.status, route.status, `${route.path} answered ${response.status}`);
      const csp = cspOf(response);
      assert.equal(csp.get('default-src'), "'self'", `${route.path}: default-src`);
      assert.equal(csp.get('script-src'), "'self'", `${route.path}: scripts only from the gateway, none inline`);
      assert.equal(csp.get('style-src'), "'self'", `${route.path}: styles only from the gateway, none inline`);
      assert.equal(csp.get('connect-src'), "'self'", `${route.path}: fetch, EventSource, WebSocket to this host`);
      assert.equal(csp.get('object-src'), "'none'", `${route.path}: no plug-ins`);
      assert.equal(csp.get('frame-ancestors'), "'none'", `${route.path}: not to be framed`);
      assert.ok(!csp.has('upgrade-insecure-requests'), `${route.path}: no upgrade over plain http`);
      assert.doesNotMatch(response.headers.get('content-security-policy') ?? '', /unsafe-inline|unsafe-eval/);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', `${route.path}: nosniff`);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', `${route.path}: X-Frame-Options`);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer', `${route.path}: Referrer-Policy`);
      assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin', `${route.path}: COOP`);
      assert.equal(response.headers.get('strict-transport-security'), null, `${route.path}: no HSTS over http`);
      assert.equal(response.headers.get('x-powered-by'), null, `${route.path}: no X-Powered-By`);
      assert.equal(
        response.headers.get('cross-origin-resource-policy'),
        route.crossOrigin ? 'cross-origin' : 'same-origin',
        `${route.path}: Cross-Origin-Resource-Policy`,
      );
      if (route.crossOrigin) assert.equal(response.headers.get('access-control-allow-origin'), '*');
      await response.arrayBuffer();
    });
  }

  it('turns on HSTS (a year, this host only) and upgrade-insecure-requests only behind https', async () => {
    const headersFor = async (publicUrl: string) => {
      const app = express();
      app.use(securityHeaders({ publicUrl }));
      app.get('/', (_req, res) => {
        res.send('ok');
      });
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        return response;
      } finally {
        server.close();
      }
    };
    const https = await headersFor('https://bot.example.com');
    assert.equal(https.headers.get('strict-transport-security'), 'max-age=31536000', 'HSTS behind https');
    assert.ok(cspOf(https).has('upgrade-insecure-requests'), 'upgrade-insecure-requests behind https');
    const http = await headersFor('http://localhost:3000');
    assert.equal(http.headers.get('strict-transport-security'), null, 'no HSTS over http');
  });
});

describe('pages under their Content-Security-Policy in Chromium', { skip: chromiumSkipReason() }, () => {
  let gateway: IsolatedGateway;
  let browser: Browser;
  let site: Server;
  let siteUrl = '';

  before(
    async () => {
      gateway = await startIsolatedGateway('csp-browser', { env: { BOT_DIR: ECHO_BOT_DIR } });
      browser = await launchChromium();
      // Another brand's site, on another origin, with a policy that names the gateway for the widget only.
      site = createServer((_req, res) => {
        const ws = gateway.url.replace(/^http/, 'ws');
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': `default-src 'self'; script-src 'self' ${gateway.url}; connect-src ${ws}; style-src 'self'`,
        });
        res.end(SITE_HTML(gateway.url));
      });
      site.listen(0, '127.0.0.1');
      await once(site, 'listening');
      // localhost, not 127.0.0.1: another origin than the gateway's for certain, whatever the ports.
      siteUrl = `http://localhost:${(site.address() as AddressInfo).port}/`;
    },
    { timeout: 90_000 },
  );
  after(async () => {
    await browser?.close().catch(() => {});
    site?.close();
    await gateway?.dispose();
  });

  /** Opens a page, collecting every CSP violation (the event and the console's report) and script error. */
  async function open(url: string): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
    await page.exposeFunction('reportViolation', (text: string) => problems.push(`violation: ${text}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        (window as unknown as { reportViolation(text: string): void }).reportViolation(
          `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`,
        );
      });
    });
    await page.goto(url, { waitUntil: 'load' });
    return { page, problems };
  }

  /** Types in the widget and waits for the echo bot's answer: proves the socket and the widget's script ran. */
  async function chatThrough(page: Page, text: string): Promise<void> {
    const input = page.locator('#passerelle-webchat input[name=text]');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(text);
    await input.press('Enter');
    await page
      .locator('#passerelle-webchat .msg.bot', { hasText: `You said: "${text}".` })
      .first()
      .waitFor({ state: 'visible', timeout: 20_000 });
    // The widget's styles applied (a constructed style sheet, which CSP does not block): the launcher floats.
    const position = await page
      .locator('#passerelle-webchat .launcher')
      .evaluate((el) => getComputedStyle(el).position);
    assert.equal(position, 'fixed', 'the widget is styled');
  }

  it('the demo page: no violation, and the widget chats over its WebSocket', async () => {
    const { page, problems } = await open(`${gateway.url}/`);
    await chatThrough(page, 'hello from the demo page');
    // The demo page's own script (demo.js) ran: its button opens the campaign in the widget.
    assert.equal(await page.locator('#ventes-privees').count(), 1);
    assert.deepEqual(problems, [], 'the demo page logged no CSP violation or error');
    await page.context().close();
  });

  for (const path of ['/console/', '/console/campaigns.html']) {
    it(`${path}: no violation (styles, scripts and Chart.js from the gateway)`, async () => {
      const { page, problems } = await open(`${gateway.url}${path}`);
      // The login form shows once the scripts ran and the stylesheet hides what is not for now.
      await page.locator('#login-form').waitFor({ state: 'visible', timeout: 15_000 });
      const navDisplay = await page
        .locator('.console-nav')
        .first()
        .evaluate((el) => getComputedStyle(el).display)
        .catch(() => 'flex');
      assert.equal(navDisplay, 'flex', 'the nav rules (moved out of an inline <style>) apply');
      assert.deepEqual(problems, [], `${path} logged no CSP violation or error`);
      await page.context().close();
    });
  }

  it('another site with a strict CSP of its own embeds the widget cross-origin, and it chats', async () => {
    const { page, problems } = await open(siteUrl);
    await chatThrough(page, 'hello from another site');
    assert.deepEqual(problems, [], 'no violation on the host site');
    await page.context().close();
  });
});

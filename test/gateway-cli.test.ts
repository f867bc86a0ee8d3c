/**
 * The gateway as a user meets it: the CLI, its configuration errors, and the
 * HTTP surface of a running process (health, readiness, metrics, admin).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCliToEnd as cli, type IsolatedGateway, startIsolatedGateway } from './support/gateway-process.js';
import { WebchatVisitor } from './support/webchat-client.js';

describe('gateway CLI', () => {
  it('lists its commands with --help', async () => {
    const { code, stdout } = await cli(['--help']);
    assert.equal(code, 0);
    const commands = ['start', 'gateway', 'worker', 'migrate', 'dead-letters', 'schema', 'check-config'];
    for (const command of [...commands, 'chat', 'check-bot', 'reload-bot']) {
      assert.match(stdout, new RegExp(`\\n\\s+${command}\\b`), `--help should list ${command}`);
    }
  });

  it('chat: a bot author talks to the demo bot in the terminal, a number pressing an option', async () => {
    const { code, stdout } = await cli(
      ['chat', '--locale', 'fr', '--name', 'Zoé'],
      {},
      'bonjour\n1\nML-10234\n/quit\n',
    );
    assert.equal(code, 0);
    assert.match(
      stdout,
      /bot> Bonjour Zoé ! Je suis l'assistant de Maison Lumière\. .*\n\s+1\. Suivre ma commande\n\s+2\. Prendre rendez-vous/,
    );
    assert.match(stdout, /bot> Quel est votre numéro de commande \?/);
    assert.match(stdout, /bot> Bonne nouvelle : votre commande ML-10234 est en route avec Colissimo/);
  });

  it('chat --test: runs the demo bot’s scripted conversations and says how many passed', async () => {
    const { code, stdout } = await cli(['chat', '--test']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /✓ bots\/demo\/tests\/order-status\.yaml: a shipped order, found from the menu, in French/);
    assert.match(stdout, /\n(\d+) passed, 0 failed\n/);
  });

  it('refuses to start with bad configuration, naming every bad variable, exit code 2', async () => {
    const { code, stderr } = await cli(['start'], { PORT: 'abc', REDIS_URL: 'nope', TWILIO_ACCOUNT_SID: 'AC1' });
    assert.equal(code, 2);
    for (const variable of ['PORT', 'REDIS_URL', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'])
      assert.match(stderr, new RegExp(variable));
  });

  it('refuses to run a role alone on the embedded database when no gateway serves it, and says why', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'passerelle-cli-alone-'));
    try {
      const { code, stdout } = await cli(['worker'], { DATABASE_URL: '', PORT: '0', DATA_DIR: dataDir });
      assert.equal(code, 1);
      assert.match(stdout, /no running `gateway start` holds the embedded database in .*pglite/);
      assert.match(stdout, /start `gateway start` first .* or set DATABASE_URL/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('prints the event format as JSON Schema', async () => {
    const { code, stdout } = await cli(['schema']);
    assert.equal(code, 0);
    const schema = JSON.parse(stdout) as { $defs: Record<string, unknown> };
    assert.deepEqual(Object.keys(schema.$defs).sort(), ['ChannelCapabilities', 'InboundEvent', 'OutboundMessage']);
  });

  it('reports which channels a configuration turns on', async () => {
    const { code, stdout } = await cli(['check-config'], { TELEGRAM_BOT_TOKEN: '1:x', TELEGRAM_MODE: 'polling' });
    assert.equal(code, 0);
    assert.match(stdout, /webchat\s+on/);
    assert.match(stdout, /telegram\s+on/);
    assert.match(stdout, /sms\s+off: set TWILIO_ACCOUNT_SID/);
    assert.match(stdout, /whatsapp\s+off: set WHATSAPP_ENABLED/);
  });
});

describe('a running gateway (all roles, PGlite)', () => {
  let gateway: IsolatedGateway;
  const adminToken = 'admin-token-for-tests-1234';
  before(async () => {
    gateway = await startIsolatedGateway('http', { env: { ADMIN_TOKEN: adminToken } });
  });
  after(async () => {
    await gateway?.dispose();
  });

  it('logs which channels are on and off at start, without secrets', () => {
    const channelLines = gateway.logs.filter((line) => typeof line.channel === 'string');
    assert.deepEqual(channelLines.map((line) => line.channel).sort(), [
      'messenger',
      'sms',
      'teams',
      'telegram',
      'webchat',
      'whatsapp',
    ]);
    assert.doesNotMatch(gateway.output(), new RegExp(adminToken));
  });

  it('is healthy and ready (Redis and database reachable)', async () => {
    const health = await fetch(`${gateway.url}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${gateway.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', redis: 'ok', database: 'ok' });
  });

  it('serves the demo page and the widget script', async () => {
    const page = await fetch(`${gateway.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script src="\/webchat\/widget\.js"/);
    const widget = await fetch(`${gateway.url}/webchat/widget.js`);
    assert.equal(widget.status, 200);
    assert.match(widget.headers.get('content-type') ?? '', /javascript/);
  });

  it('counts events, replies, latency and queue depths in /metrics', async () => {
    const visitor = await WebchatVisitor.connect(gateway.url);
    visitor.say('metrics-0001', 'hello');
    await visitor.waitFor(() => visitor.botMessages().length === 1);
    visitor.close();
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /passerelle_inbound_events_total\{channel="webchat",result="accepted"\} 1/);
    assert.match(metrics, /passerelle_replies_total\{channel="webchat",outcome="sent"\} 1/);
    assert.match(metrics, /passerelle_receive_to_send_seconds_count\{channel="webchat"\} 1/);
    assert.match(metrics, /passerelle_dialog_step_seconds_count\{channel="webchat"\} 1/);
    assert.match(metrics, /passerelle_queue_jobs\{queue="inbound",state="waiting"\} 0/);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await fetch(`${gateway.url}/nope`);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: 'not found' });
  });

  it('keeps the admin endpoints behind the bearer token', async () => {
    assert.equal((await fetch(`${gateway.url}/admin/dead-letters`)).status, 401);
    const wrong = await fetch(`${gateway.url}/admin/dead-letters`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    const right = await fetch(`${gateway.url}/admin/dead-letters`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(right.status, 200);
    assert.deepEqual(await right.json(), { count: 0, items: [] });
  });

  it('stops cleanly on SIGTERM', async () => {
    assert.equal(await gateway.stop('SIGTERM'), 0);
    assert.ok(gateway.logs.some((line) => line.msg === 'stopped cleanly'));
  });
});

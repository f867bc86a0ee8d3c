/**
 * A slow or failing shop behind the orders connector, with the real gateway:
 * the customer waiting on it gets a polite "unavailable" (never silence),
 * other conversations are answered meanwhile, and once the circuit breaker
 * opens, lookups fail at once without reaching the shop.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type IsolatedGateway, startIsolatedGateway } from './support/gateway-process.js';
import { WebchatVisitor } from './support/webchat-client.js';

const CONNECTOR = fileURLToPath(new URL('./fixtures/shop-connector/index.ts', import.meta.url));

describe('a slow or failing connector', () => {
  let botDir: string;
  let shop: Server;
  let gateway: IsolatedGateway;
  /** What the shop does with the next requests: hang (never answer) or fail (500). */
  let mode: 'hang' | 'fail' = 'hang';
  const hanging: ServerResponse[] = [];
  let shopRequests = 0;

  before(async () => {
    shop = createServer((_request, response) => {
      shopRequests += 1;
      if (mode === 'hang') hanging.push(response);
      else response.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"database down"}');
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    const shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;

    botDir = await mkdtemp(join(tmpdir(), 'passerelle-faults-bot-'));
    await cp(new URL('../bots/demo', import.meta.url).pathname, botDir, { recursive: true });
    const botYaml = await readFile(join(botDir, 'bot.yaml'), 'utf8');
    const orders = [
      '  orders:',
      `    package: ${CONNECTOR}`,
      `    base_url: ${shopUrl}`,
      '    timeout: 1s',
      '    retries: 0',
      '    breaker_failures: 2',
      '    breaker_open: 5m',
      '',
    ].join('\n');
    await writeFile(join(botDir, 'bot.yaml'), botYaml.replace('  orders: demo\n', orders));
    gateway = await startIsolatedGateway('faults', { env: { BOT_DIR: botDir } });
  });

  after(async () => {
    await gateway?.dispose();
    for (const response of hanging) response.destroy();
    await new Promise<void>((resolve) => shop.close(() => resolve()));
    await rm(botDir, { recursive: true, force: true });
  });

  async function askOrder(visitor: WebchatVisitor, label: string): Promise<void> {
    visitor.say(`${label}-q`, 'suivi de commande');
    await visitor.waitFor(() => visitor.botTexts().some((text) => /numéro de commande/.test(text)));
    visitor.say(`${label}-number`, 'ML-10234');
  }

  it('tells the waiting customer the service is unavailable, and answers others meanwhile', async () => {
    const waiting = await WebchatVisitor.connect(gateway.url, { locale: 'fr' });
    const other = await WebchatVisitor.connect(gateway.url, { locale: 'fr' });
    const arrivals: string[] = [];
    await askOrder(waiting, 'slow-1');
    // The shop now holds the lookup; another customer asks something else.
    other.say('other-hours', 'Quels sont vos horaires ?');
    await other.waitFor(() => other.botTexts().some((text) => /lundi au samedi/.test(text)));
    arrivals.push('other answered');
    await waiting.waitFor(() => waiting.botTexts().some((text) => /ne répond pas pour le moment/.test(text)), 20_000);
    arrivals.push('waiting told');
    assert.deepEqual(arrivals, ['other answered', 'waiting told']);
    assert.equal(shopRequests, 1, 'the lookup reached the shop once');
    assert.ok(!waiting.botTexts().some((text) => /en route/.test(text)), 'the hung lookup produced an order answer');
    waiting.close();
    other.close();
  });

  it('opens the breaker after failures in a row: the next lookups fail at once, the shop is not called', async () => {
    mode = 'fail';
    const second = await WebchatVisitor.connect(gateway.url, { locale: 'fr' });
    await askOrder(second, 'fail-2');
    await second.waitFor(() => second.botTexts().some((text) => /ne répond pas pour le moment/.test(text)));
    assert.equal(shopRequests, 2, 'the second failure reached the shop');

    const third = await WebchatVisitor.connect(gateway.url, { locale: 'fr' });
    await askOrder(third, 'open-3');
    await third.waitFor(() => third.botTexts().some((text) => /ne répond pas pour le moment/.test(text)));
    assert.equal(shopRequests, 2, 'with the breaker open, the lookup still reached the shop');
    assert.ok(
      gateway.logs.some((line) => line.msg === 'connector circuit open: calls fail at once for a while'),
      'the breaker opening was not logged',
    );
    second.close();
    third.close();
  });
});

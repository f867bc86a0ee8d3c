/**
 * What every connector call goes through (resilience.ts), and how bot.yaml
 * settings become connectors (registry.ts), against a real HTTP server on
 * 127.0.0.1 whose answers each test scripts.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  type BookingConnector,
  ConnectorConfigError,
  type ConnectorSet,
  defineConnector,
  type OrderConnector,
  openConnectors,
  registerConnector,
  requestJson,
  resolveSecret,
  Secret,
} from '@passerelle/crm-connectors';
import { BrokenCircuitError } from 'cockatiel';
import { z } from 'zod';

/** A tiny order API: each request takes the next scripted answer. */
interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

let server: Server;
let baseUrl: string;
let script: Answer[] = [];
let requests: Array<{ method: string; path: string; auth: string | undefined }> = [];

before(async () => {
  server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', auth: request.headers.authorization });
    const answer = script.shift() ?? {
      status: 200,
      body: { number: 'ML-1', status: 'shipped', placedAt: '2026-11-20T10:00:00Z' },
    };
    setTimeout(() => {
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body ?? {}));
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  script = [];
  requests = [];
});

const tinyShop = defineConnector({
  type: 'tiny-shop',
  kinds: ['orders', 'bookings'],
  settings: z.object({ base_url: z.string(), key: Secret }).strict(),
  create(settings, context) {
    const key = resolveSecret(settings.key, context.env, 'key');
    const orders: OrderConnector = {
      async findOrder(number) {
        const { body } = await requestJson<{ number: string; status: string; placedAt: string }>({
          url: `${settings.base_url}/orders/${encodeURIComponent(number)}`,
          headers: { authorization: `Key ${key}` },
          timeoutMs: 5_000,
        });
        return body;
      },
      recentOrders: async () => [],
    };
    const call = (method: 'GET' | 'POST', path: string) =>
      requestJson<Record<string, never>>({
        method,
        url: `${settings.base_url}${path}`,
        headers: { authorization: `Key ${key}` },
      });
    const bookings: BookingConnector = {
      freeSlots: async () => {
        await call('GET', '/slots');
        return [];
      },
      book: async () => {
        await call('POST', '/bookings');
        return { bookingId: 'b1' };
      },
      cancel: async () => {},
      reschedule: async () => {},
    };
    return { orders, bookings };
  },
});
registerConnector(tinyShop);

async function open(extra: Record<string, unknown> = {}): Promise<Required<Pick<ConnectorSet, 'orders' | 'bookings'>>> {
  const settings = { type: 'tiny-shop', base_url: baseUrl, key: { env: 'TINY_KEY' }, cache: '0s', ...extra };
  const set = await openConnectors(
    { orders: settings, bookings: settings },
    { botDir: '.', env: { TINY_KEY: 'k-123' } },
  );
  assert.ok(set.orders && set.bookings, 'no orders or bookings connector');
  return { orders: set.orders, bookings: set.bookings };
}

describe('every connector call', () => {
  it('is retried after a 429, waiting what Retry-After says', async () => {
    const { orders } = await open({ retries: 2 });
    script = [{ status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '1' } }];
    const started = Date.now();
    const order = await orders.findOrder('ML-1');
    assert.equal(order?.number, 'ML-1');
    assert.equal(requests.length, 2, 'one retry');
    assert.ok(Date.now() - started >= 950, 'the second attempt came before Retry-After');
    assert.equal(requests[0]?.auth, 'Key k-123', 'the secret came from the environment');
  });

  it('gives up after its retries on 5xx, and does not wait for a Retry-After longer than a customer would', async () => {
    const { orders } = await open({ retries: 2 });
    script = [{ status: 503 }, { status: 502 }, { status: 500 }, { status: 200 }];
    await assert.rejects(orders.findOrder('ML-1'), /HTTP 500/);
    assert.equal(requests.length, 3, 'first attempt and two retries');

    requests = [];
    script = [{ status: 429, headers: { 'retry-after': '60' } }];
    await assert.rejects(orders.findOrder('ML-1'), /HTTP 429/);
    assert.equal(requests.length, 1, 'a one-minute Retry-After is not waited for');
  });

  it('does not retry a 4xx, nor a write (not declared idempotent)', async () => {
    const { orders } = await open({ retries: 2 });
    script = [{ status: 400, body: { message: 'bad number' } }];
    await assert.rejects(orders.findOrder('ML-1'), /HTTP 400 bad number/);
    assert.equal(requests.length, 1);

    requests = [];
    script = [{ status: 503 }];
    const { bookings } = await open({ retries: 2 });
    await assert.rejects(bookings.book({ service: 's', slotId: 'x', contact: { id: 'ct_1' } }), /HTTP 503/);
    assert.equal(requests.length, 1, 'a booking that failed is not sent again');
  });

  it('is cut off after its time limit, and then retried', async () => {
    const { orders } = await open({ retries: 1, timeout: '200ms' });
    script = [{ status: 200, delayMs: 2_000, body: { number: 'slow' } }];
    const order = await orders.findOrder('ML-1');
    assert.equal(order?.number, 'ML-1', 'the retry got the normal answer');
    assert.equal(requests.length, 2);
  });

  it('opens the breaker after failures in a row: calls then fail at once without reaching the API', async () => {
    const { orders } = await open({ retries: 0, breaker_failures: 3, breaker_open: '300ms' });
    script = [{ status: 500 }, { status: 500 }, { status: 500 }];
    for (let i = 0; i < 3; i++) await assert.rejects(orders.findOrder('ML-1'), /HTTP 500/);
    await assert.rejects(orders.findOrder('ML-1'), (error) => error instanceof BrokenCircuitError);
    assert.equal(requests.length, 3, 'the call with the breaker open reached the API');
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal((await orders.findOrder('ML-1'))?.number, 'ML-1', 'the trial call after breaker_open goes through');
    assert.equal(requests.length, 4);
  });

  it('reuses a read for `cache`, and forgets it after a write', async () => {
    const { orders, bookings } = await open({ cache: '10s' });
    assert.equal((await orders.findOrder('ML-1'))?.number, 'ML-1');
    assert.equal((await orders.findOrder('ML-1'))?.number, 'ML-1');
    assert.equal(requests.length, 1, 'the second read was not cached');
    const range = { from: '2026-12-01', to: '2026-12-02' };
    await bookings.freeSlots('s', range);
    await bookings.freeSlots('s', range);
    assert.equal(requests.length, 2, 'the second slot list was not cached');
    await bookings.book({ service: 's', slotId: 'x', contact: { id: 'ct_1' } });
    await bookings.freeSlots('s', range);
    assert.equal(requests.length, 4, 'the free slots after a booking came from the cache');
  });
});

describe('bot.yaml connector settings', () => {
  const attempt = (choice: unknown, env: Record<string, string> = {}) =>
    openConnectors({ orders: choice as never }, { botDir: '.', env }).then(
      () => undefined,
      (error: unknown) => error,
    );

  const cases: Array<[string, unknown, Record<string, string>, RegExp]> = [
    [
      'an unknown type',
      'magento',
      {},
      /^connectors\.orders\.type: unknown connector type "magento" \(built in: .*demo.*tiny-shop/,
    ],
    ['no type', { base_url: 'x' }, {}, /^connectors\.orders: a connector needs a type/],
    [
      'a secret written in the file',
      { type: 'tiny-shop', base_url: 'x', key: 'k-123' },
      {},
      /^connectors\.orders\.key: a secret is not written in the bot folder/,
    ],
    [
      'a secret whose variable is not set',
      { type: 'tiny-shop', base_url: 'x', key: { env: 'TINY_KEY' } },
      {},
      /^connectors\.orders\.key: the environment variable TINY_KEY is not set/,
    ],
    [
      'an unknown setting',
      { type: 'tiny-shop', base_url: 'x', key: { env: 'K' }, colour: 'red' },
      { K: '1' },
      /^connectors\.orders: unknown setting "colour"/,
    ],
    [
      'a bad duration',
      { type: 'tiny-shop', base_url: 'x', key: { env: 'K' }, timeout: '3 seconds' },
      { K: '1' },
      /^connectors\.orders\.timeout: a duration is a number and a unit/,
    ],
    [
      'a package that is not there',
      { package: './nowhere/connector.js' },
      {},
      /^connectors\.orders\.package: cannot load \.\/nowhere\/connector\.js/,
    ],
  ];
  for (const [name, choice, env, expected] of cases) {
    it(`refuses ${name}, naming where`, async () => {
      const error = await attempt(choice, env);
      assert.ok(error instanceof ConnectorConfigError, `expected a ConnectorConfigError, got ${String(error)}`);
      assert.match(error.message, expected);
    });
  }

  it('refuses a connector for a kind it does not serve', async () => {
    const error = await openConnectors(
      { crm: { type: 'tiny-shop', base_url: 'x', key: { env: 'K' } } },
      { botDir: '.', env: { K: '1' } },
    ).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectorConfigError, 'no ConnectorConfigError');
    assert.match(error.message, /connectors\.crm: a tiny-shop connector serves orders, bookings, not crm/);
  });
});

/**
 * The shopify orders connector against a fake Shopify Admin GraphQL API
 * (test/fakes/shopify.ts): the contract kit, the exact requests, the status
 * mapping, who may see an order, and Shopify's throttling through the
 * registry's retries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '@passerelle/core';
import {
  type ConnectorChoices,
  ConnectorConfigError,
  ConnectorHttpError,
  type ContactRef,
  checkConnectors,
  type OrderConnector,
  openConnectors,
  registerConnector,
} from '@passerelle/crm-connectors';
import { ordersContract } from '@passerelle/crm-connectors/contract';
import { ShopifySettings, shopifyConnector, shopifyEndpoint } from '../src/shopify/definition.js';
import { orderStatus } from '../src/shopify/mapping.js';
import { type FakeShopify, type FakeShopifyOrder, orderNode, startFakeShopify } from './fakes/shopify.js';

// Every assert.ok here has a message: without one, node builds it by re-reading the source at the
// failing column, which on tsx's one-line output can spin for minutes instead of failing.

registerConnector(shopifyConnector);

const TOKEN = 'shpat_0123456789abcdef0123456789abcdef';
const ENV = { SHOPIFY_ADMIN_TOKEN: TOKEN };
/** The shopify connector never touches the database. */
const NO_DB = {} as Db;

const ZOE = { id: 1, email: 'zoe.martin@example.com', phone: '+33600000001' };
const HUGO = { id: 2, email: 'hugo.bernard@example.com', phone: '+33600000002' };

const ORDERS: FakeShopifyOrder[] = [
  {
    name: 'ML-10198',
    createdAt: '2026-10-02T09:15:00Z',
    customerId: ZOE.id,
    email: ZOE.email,
    displayFulfillmentStatus: 'FULFILLED',
    total: '89.90',
    fulfillments: [
      {
        displayStatus: 'DELIVERED',
        deliveredAt: '2026-10-05T14:02:00Z',
        tracking: [
          {
            company: 'Colissimo',
            number: '6A12345678901',
            url: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901',
          },
        ],
      },
    ],
    lineItems: [{ name: 'Bougie Ambre - 200 g', quantity: 2 }],
  },
  {
    name: '#1001',
    createdAt: '2026-10-10T10:00:00Z',
    customerId: HUGO.id,
    email: HUGO.email,
    total: '15.00',
    lineItems: [{ name: 'Carte cadeau', quantity: 1 }],
  },
  {
    name: 'ML-10201',
    createdAt: '2026-10-12T16:40:00Z',
    customerId: HUGO.id,
    email: HUGO.email,
    displayFinancialStatus: 'REFUNDED',
    cancelledAt: '2026-10-13T08:00:00Z',
    total: '42.00',
  },
  {
    name: 'ML-10234',
    createdAt: '2026-11-20T18:30:00Z',
    customerId: ZOE.id,
    email: ZOE.email,
    displayFulfillmentStatus: 'FULFILLED',
    total: '129.00',
    fulfillments: [
      { displayStatus: 'CANCELED', tracking: [{ company: 'DPD', url: 'https://tracking.dpd.de/old' }] },
      {
        displayStatus: 'IN_TRANSIT',
        tracking: [
          { company: 'Chronopost', number: 'XY987654321FR', url: 'https://www.chronopost.fr/tracking?XY987654321FR' },
        ],
      },
    ],
    lineItems: [
      { name: 'Lampe Lumière - laiton', quantity: 1 },
      { name: 'Ampoule E27', quantity: 2 },
    ],
  },
  {
    name: 'ML-10240',
    createdAt: '2026-11-21T11:00:00Z',
    customerId: HUGO.id,
    email: HUGO.email,
    total: '64.50',
  },
  {
    // A guest checkout: no customer account, only the order's own email.
    name: 'ML-10250',
    createdAt: '2026-11-22T07:45:00Z',
    email: 'Zoe.Martin@example.com',
    displayFinancialStatus: 'PENDING',
    total: '19.90',
  },
];

async function fakeShop(): Promise<FakeShopify> {
  return startFakeShopify({ accessToken: TOKEN, customers: [ZOE, HUGO], orders: ORDERS });
}

function choices(fake: FakeShopify, extra: Record<string, unknown> = {}): ConnectorChoices {
  return {
    orders: {
      type: 'shopify',
      store: 'maison-lumiere.myshopify.com',
      access_token: { env: 'SHOPIFY_ADMIN_TOKEN' },
      base_url: fake.url,
      cache: '0ms',
      ...extra,
    },
  };
}

async function openShopify(
  fake: FakeShopify,
  extra: Record<string, unknown> = {},
  env: Record<string, string> = ENV,
): Promise<OrderConnector> {
  const set = await openConnectors(choices(fake, extra), { db: NO_DB, botDir: '.', env });
  assert.ok(set.orders, 'openConnectors gave no orders connector');
  return set.orders;
}

/** The connector as its factory makes it: no retries, no cache. */
async function bareShopify(fake: FakeShopify): Promise<OrderConnector> {
  const settings = ShopifySettings.parse({
    store: 'maison-lumiere.myshopify.com',
    access_token: { env: 'SHOPIFY_ADMIN_TOKEN' },
    base_url: fake.url,
  });
  const set = await shopifyConnector.create(settings, { db: NO_DB, botDir: '.', env: ENV, now: () => new Date() });
  assert.ok(set.orders, 'the factory gave no orders connector');
  return set.orders;
}

ordersContract('shopify (owner known by email)', async () => {
  const fake = await fakeShop();
  return {
    orders: await openShopify(fake),
    known: { number: 'ML-10234', owner: { id: 'contact-zoe', email: 'Zoe.Martin@Example.com' } },
    older: { number: 'ML-10198' },
    stranger: { id: 'contact-camille', email: 'camille.roux@example.com', phone: '+33639989999' },
    unknownNumber: 'ML-99999',
    close: () => fake.close(),
  };
});

ordersContract('shopify (owner known by a WhatsApp number)', async () => {
  const fake = await fakeShop();
  return {
    orders: await openShopify(fake),
    known: {
      number: 'ML-10234',
      owner: { id: 'contact-zoe', identity: { channel: 'whatsapp', account: 'shop', userId: '33600000001@c.us' } },
    },
    older: { number: 'ML-10198' },
    stranger: { id: 'contact-camille', phone: '+33639989999' },
    unknownNumber: 'ML-99999',
    close: () => fake.close(),
  };
});

describe('shopify orders connector', () => {
  let fake: FakeShopify;
  let orders: OrderConnector;
  before(async () => {
    fake = await fakeShop();
    orders = await bareShopify(fake);
  });
  after(() => fake.close());
  const lastCall = () => {
    const call = fake.calls.at(-1);
    assert.ok(call, 'no call reached the fake');
    return call;
  };

  it('posts the query to /admin/api/<version>/graphql.json with the token header and the number in variables', async () => {
    await orders.findOrder('ml-10234');
    const call = lastCall();
    assert.equal(call.path, '/admin/api/2026-10/graphql.json');
    assert.equal(call.token, TOKEN);
    assert.equal(call.contentType, 'application/json');
    assert.deepEqual(call.variables, { query: 'name:"ML-10234" OR name:"#ML-10234"' });
    assert.match(call.query, /^query PasserelleFindOrder\(\$query: String!\) \{\s+orders\(first: 5, query: \$query\)/);
    assert.ok(!/10234/.test(call.query), 'the number was spliced into the GraphQL document');
  });

  it('lists by email newest first with sortKey CREATED_AT, reverse, and the limit as a variable', async () => {
    const recent = await orders.recentOrders({ id: 'c', email: ' ZOE.martin@example.com ' }, 3);
    const call = lastCall();
    assert.deepEqual(call.variables, { query: 'email:"zoe.martin@example.com"', first: 3 });
    assert.match(call.query, /orders\(first: \$first, sortKey: CREATED_AT, reverse: true, query: \$query\)/);
    // The guest checkout (same email, no account) is hers too.
    assert.deepEqual(
      recent.map((order) => order.number),
      ['ML-10250', 'ML-10234', 'ML-10198'],
    );
  });

  it('lists by phone through the customer the phone belongs to', async () => {
    const recent = await orders.recentOrders({ id: 'c', phone: '+33 6 00 00 00 01' }, 5);
    const call = lastCall();
    assert.deepEqual(call.variables, { query: 'phone:"+33600000001"', first: 5 });
    assert.match(call.query, /customers\(first: 1, query: \$query\)/);
    assert.match(call.query, /orders\(first: \$first, sortKey: CREATED_AT, reverse: true\)/);
    assert.deepEqual(
      recent.map((order) => order.number),
      ['ML-10234', 'ML-10198'],
    );
  });

  it('with both an email and a phone, merges both searches once each, newest first, within the limit', async () => {
    const before = fake.calls.length;
    const owner = { id: 'c', email: ZOE.email, phone: ZOE.phone };
    const recent = await orders.recentOrders(owner, 10);
    assert.equal(fake.calls.length - before, 2, 'one search by email and one by phone');
    assert.deepEqual(
      recent.map((order) => order.number),
      ['ML-10250', 'ML-10234', 'ML-10198'],
    );
    assert.deepEqual(
      (await orders.recentOrders(owner, 2)).map((order) => order.number),
      ['ML-10250', 'ML-10234'],
    );
  });

  it('asks nothing for someone with neither email nor phone, or a limit of 0', async () => {
    const before = fake.calls.length;
    assert.deepEqual(await orders.recentOrders({ id: 'c', name: 'Zoé' }, 5), []);
    assert.deepEqual(
      await orders.recentOrders({ id: 'c', identity: { channel: 'webchat', account: 'site', userId: 'v1' } }, 5),
      [],
    );
    assert.deepEqual(await orders.recentOrders({ id: 'c', email: ZOE.email }, 0), []);
    assert.equal(fake.calls.length, before, 'a call was made for nobody');
  });

  it('maps an order: number without "#", status, ISO date, total as a number, latest tracking, items', async () => {
    assert.deepEqual(await orders.findOrder('ML-10198'), {
      number: 'ML-10198',
      status: 'delivered',
      placedAt: '2026-10-02T09:15:00.000Z',
      total: { amount: 89.9, currency: 'EUR' },
      trackingUrl: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901',
      carrier: 'Colissimo',
      items: [{ name: 'Bougie Ambre - 200 g', quantity: 2 }],
    });
    // The cancelled DPD shipment is not the one to follow.
    const shipped = await orders.findOrder('ML-10234');
    assert.equal(shipped?.status, 'shipped');
    assert.equal(shipped?.carrier, 'Chronopost');
    assert.equal(shipped?.trackingUrl, 'https://www.chronopost.fr/tracking?XY987654321FR');
    const refunded = await orders.findOrder('ML-10201');
    assert.equal(refunded?.status, 'refunded');
    assert.equal(refunded?.trackingUrl, undefined);
    assert.equal((await orders.findOrder('ML-10240'))?.status, 'processing');
  });

  it('finds "#1001" whether the customer types 1001, #1001 or " # 1001 "', async () => {
    for (const typed of ['1001', '#1001', ' # 1001 ']) {
      const order = await orders.findOrder(typed);
      assert.equal(order?.number, '1001', `${typed} did not find #1001`);
    }
    assert.deepEqual(lastCall().variables, { query: 'name:"1001" OR name:"#1001"' });
  });

  it('keeps what the customer typed inside the search value: quotes and OR cannot widen the search', async () => {
    const typed = 'ML-10234" OR email:zoe.martin@example.com OR name:"ML-10198';
    assert.equal(await orders.findOrder(typed), undefined);
    const call = lastCall();
    assert.equal(
      call.variables.query,
      'name:"ML-10234\\" OR EMAIL:ZOE.MARTIN@EXAMPLE.COM OR NAME:\\"ML-10198" OR ' +
        'name:"#ML-10234\\" OR EMAIL:ZOE.MARTIN@EXAMPLE.COM OR NAME:\\"ML-10198"',
    );
    assert.equal(await orders.findOrder('ML-\\'), undefined);
    assert.equal(lastCall().variables.query, 'name:"ML-\\\\" OR name:"#ML-\\\\"');
  });

  it('checks a loose search answer again: only the exact name, only the owner’s orders', async () => {
    const seeded = (name: string) => {
      const order = ORDERS.find((candidate) => candidate.name === name);
      assert.ok(order, `no seeded order ${name}`);
      return orderNode(order, [ZOE, HUGO]);
    };
    fake.script({ status: 200, body: { data: { orders: { nodes: [{ ...seeded('ML-10234'), name: 'ML-102345' }] } } } });
    assert.equal(await orders.findOrder('ML-10234'), undefined);
    fake.script({ status: 200, body: { data: { orders: { nodes: [seeded('ML-10240'), seeded('ML-10234')] } } } });
    const recent = await orders.recentOrders({ id: 'c', email: ZOE.email }, 5);
    assert.deepEqual(
      recent.map((order) => order.number),
      ['ML-10234'],
    );
  });

  it('does not call Shopify for an empty number', async () => {
    const before = fake.calls.length;
    assert.equal(await orders.findOrder('  # '), undefined);
    assert.equal(fake.calls.length, before, 'an empty number was searched');
  });

  describe('who may see an order', () => {
    const mine: Array<[string, ContactRef]> = [
      ['the order email in another case', { id: 'c', email: 'ZOE.MARTIN@example.com' }],
      ['the customer phone written with spaces', { id: 'c', phone: '+33 6 00 00 00 01' }],
      ['an SMS user id', { id: 'c', identity: { channel: 'sms', account: 'shop', userId: '+33600000001' } }],
      [
        'a WhatsApp user id',
        { id: 'c', identity: { channel: 'whatsapp', account: 'shop', userId: 'whatsapp:+33600000001' } },
      ],
    ];
    for (const [how, owner] of mine) {
      it(`the owner, known by ${how}`, async () => {
        assert.equal((await orders.findOrder('ML-10234', { owner }))?.number, 'ML-10234');
      });
    }

    const strangers: Array<[string, ContactRef]> = [
      ['another customer of the shop', { id: 'c', email: HUGO.email, phone: HUGO.phone }],
      ['someone unknown to the shop', { id: 'c', email: 'camille.roux@example.com' }],
      ['nobody (no email, no phone)', { id: 'c' }],
      ['a national phone number (no country: not compared)', { id: 'c', phone: '06 00 00 00 01' }],
      [
        'a Telegram user id that looks like her number',
        { id: 'c', identity: { channel: 'telegram', account: 'shop', userId: '33600000001' } },
      ],
    ];
    for (const [who, owner] of strangers) {
      it(`not ${who}`, async () => {
        assert.equal(await orders.findOrder('ML-10234', { owner }), undefined);
      });
    }

    it('a guest checkout: by its email, not by the phone of an account with that email', async () => {
      assert.equal((await orders.findOrder('ML-10250', { owner: { id: 'c', email: ZOE.email } }))?.number, 'ML-10250');
      assert.equal(await orders.findOrder('ML-10250', { owner: { id: 'c', phone: ZOE.phone } }), undefined);
    });
  });
});

describe('shopify status mapping', () => {
  const rows: Array<[string, string | null, string, string | null, Array<[string, string | null]>]> = [
    // expected, financial, fulfillment, cancelledAt, fulfillments [displayStatus, deliveredAt]
    ['processing', 'PENDING', 'UNFULFILLED', null, []],
    ['processing', 'AUTHORIZED', 'UNFULFILLED', null, []],
    ['processing', 'PAID', 'UNFULFILLED', null, []],
    ['processing', 'PAID', 'IN_PROGRESS', null, []],
    ['processing', 'PAID', 'PENDING_FULFILLMENT', null, []],
    ['processing', 'PAID', 'ON_HOLD', null, []],
    ['processing', 'PAID', 'SCHEDULED', null, []],
    ['processing', 'PAID', 'REQUEST_DECLINED', null, []],
    ['processing', 'PAID', 'OPEN', null, []],
    ['processing', 'PARTIALLY_REFUNDED', 'UNFULFILLED', null, []],
    ['processing', null, 'UNFULFILLED', null, []],
    ['shipped', 'PAID', 'PARTIALLY_FULFILLED', null, [['IN_TRANSIT', null]]],
    ['shipped', 'PAID', 'PARTIALLY_FULFILLED', null, [['DELIVERED', '2026-11-02T10:00:00Z']]],
    ['shipped', 'PAID', 'FULFILLED', null, [['IN_TRANSIT', null]]],
    ['shipped', 'PAID', 'FULFILLED', null, [['OUT_FOR_DELIVERY', null]]],
    [
      'shipped',
      'PAID',
      'FULFILLED',
      null,
      [
        ['DELIVERED', '2026-11-02T10:00:00Z'],
        ['IN_TRANSIT', null],
      ],
    ],
    ['shipped', 'PAID', 'FULFILLED', null, [['CANCELED', null]]],
    ['shipped', 'PAID', 'FULFILLED', null, []],
    ['delivered', 'PAID', 'FULFILLED', null, [['DELIVERED', null]]],
    ['delivered', 'PAID', 'FULFILLED', null, [['FULFILLED', '2026-11-02T10:00:00Z']]],
    ['delivered', 'PAID', 'FULFILLED', null, [['PICKED_UP', null]]],
    [
      'delivered',
      'PAID',
      'FULFILLED',
      null,
      [
        ['CANCELED', null],
        ['DELIVERED', null],
      ],
    ],
    ['delivered', 'PARTIALLY_REFUNDED', 'FULFILLED', null, [['DELIVERED', null]]],
    ['delivered', 'PAID', 'FULFILLMENT_NOT_REQUIRED', null, []],
    ['cancelled', 'PAID', 'UNFULFILLED', '2026-11-01T09:00:00Z', []],
    ['cancelled', 'PARTIALLY_REFUNDED', 'UNFULFILLED', '2026-11-01T09:00:00Z', []],
    ['cancelled', 'VOIDED', 'UNFULFILLED', null, []],
    ['cancelled', 'PAID', 'RESTOCKED', null, []],
    ['refunded', 'REFUNDED', 'UNFULFILLED', '2026-11-01T09:00:00Z', []],
    ['refunded', 'REFUNDED', 'FULFILLED', null, [['DELIVERED', null]]],
  ];
  for (const [expected, financial, fulfillment, cancelledAt, shipments] of rows) {
    const label = `${financial ?? 'no payment status'} / ${fulfillment}${cancelledAt ? ' / cancelled' : ''} / [${shipments.map(([status]) => status).join(', ')}]`;
    it(`${label} -> ${expected}`, () => {
      const status = orderStatus({
        displayFinancialStatus: financial,
        displayFulfillmentStatus: fulfillment,
        cancelledAt,
        fulfillments: shipments.map(([displayStatus, deliveredAt]) => ({
          displayStatus,
          deliveredAt,
          trackingInfo: [],
        })),
      });
      assert.equal(status, expected);
    });
  }
});

describe('shopify errors and rate limits', () => {
  let fake: FakeShopify;
  before(async () => {
    fake = await fakeShop();
  });
  after(() => fake.close());

  it('THROTTLED (HTTP 200) is a retryable error, waiting until the bucket holds the query cost', async () => {
    fake.script({
      status: 200,
      body: {
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
        extensions: {
          cost: {
            requestedQueryCost: 52,
            actualQueryCost: null,
            throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 12, restoreRate: 100 },
          },
        },
      },
    });
    const error = await (await bareShopify(fake)).findOrder('ML-10234').catch((caught: unknown) => caught);
    assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
    assert.equal(error.retryable, true);
    // 40 points missing at 100 points a second.
    assert.equal(error.retryAfterMs, 400);
    assert.match(error.message, /throttled/i);
  });

  it('THROTTLED then an answer: openConnectors retries after the refill time and finds the order', async () => {
    const orders = await openShopify(fake);
    const before = fake.calls.length;
    fake.drainBucket(0);
    const order = await orders.findOrder('ML-10234');
    assert.equal(order?.number, 'ML-10234');
    const calls = fake.calls.slice(before);
    assert.deepEqual(
      calls.map((call) => call.outcome),
      ['throttled', 'data'],
    );
    const [first, second] = calls;
    assert.ok(first && second, 'two calls expected');
    // The query costs 52 points; the empty bucket refills 100 a second: about half a second.
    assert.ok(second.at - first.at >= 400, `retried after ${second.at - first.at} ms, before the bucket refilled`);
  });

  it('HTTP 429 with Retry-After then an answer: retried after the time Shopify asked', async () => {
    const orders = await openShopify(fake);
    const before = fake.calls.length;
    fake.script({
      status: 429,
      headers: { 'Retry-After': '1.0' },
      body: {
        errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
      },
    });
    assert.equal((await orders.findOrder('ML-10198'))?.status, 'delivered');
    const calls = fake.calls.slice(before);
    assert.deepEqual(
      calls.map((call) => call.outcome),
      ['scripted', 'data'],
    );
    const [first, second] = calls;
    assert.ok(first && second, 'two calls expected');
    assert.ok(second.at - first.at >= 900, `retried after ${second.at - first.at} ms, Retry-After said 1 s`);
  });

  it('a wrong token: 401, not retried, and the message does not carry the token', async () => {
    const wrong = 'shpat_wrongwrongwrongwrongwrongwrong';
    const orders = await openShopify(fake, {}, { SHOPIFY_ADMIN_TOKEN: wrong });
    const before = fake.requests.length;
    const error = await orders.findOrder('ML-10234').catch((caught: unknown) => caught);
    assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
    assert.equal(error.status, 401);
    assert.equal(error.retryable, false);
    assert.match(error.message, /Invalid API key or access token/);
    assert.ok(!error.message.includes(wrong), 'the token is in the message');
    assert.equal(fake.requests.length - before, 1, 'a 401 was retried');
  });

  it('another GraphQL error (a scope the token lacks): not retried, Shopify’s message and code kept', async () => {
    const orders = await openShopify(fake);
    const before = fake.calls.length;
    fake.script({
      status: 200,
      body: {
        data: null,
        errors: [
          {
            message: 'Access denied for orders field. Required access: `read_orders` access scope.',
            locations: [{ line: 2, column: 3 }],
            path: ['orders'],
            extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes' },
          },
        ],
        extensions: { cost: { requestedQueryCost: 52, actualQueryCost: 2 } },
      },
    });
    const error = await orders.recentOrders({ id: 'c', email: ZOE.email }).catch((caught: unknown) => caught);
    assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
    assert.equal(error.retryable, false);
    assert.match(error.message, /Access denied for orders field.*\[ACCESS_DENIED\]/);
    assert.ok(!error.message.includes(TOKEN), 'the token is in the message');
    assert.ok(!error.message.includes(ZOE.email), 'the customer’s email is in the message');
    assert.equal(fake.calls.length - before, 1, 'a GraphQL error was retried');
  });

  it('a version Shopify does not serve: 404, not retried', async () => {
    const orders = await openShopify(fake, { api_version: 'unstable' });
    await orders.findOrder('ML-10234');
    assert.equal(fake.calls.at(-1)?.path, '/admin/api/unstable/graphql.json');
    const old = await startFakeShopify({ accessToken: TOKEN, versions: ['2026-10'] });
    try {
      const error = await (await openShopify(old, { api_version: '2026-07' }))
        .findOrder('ML-10234')
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof ConnectorHttpError, `not a ConnectorHttpError: ${String(error)}`);
      assert.equal(error.status, 404);
      assert.equal(old.requests.length, 1, 'a 404 was retried');
    } finally {
      await old.close();
    }
  });
});

describe('shopify settings', () => {
  const check = (settings: Record<string, unknown>, env: Record<string, string> = ENV) =>
    checkConnectors({ orders: { type: 'shopify', ...settings } }, { botDir: '.', env });

  it('defaults to https://<store> and the current stable version; a handle alone is completed', () => {
    const settings = ShopifySettings.parse({ store: 'Maison-Lumiere', access_token: { env: 'SHOPIFY_ADMIN_TOKEN' } });
    assert.equal(shopifyEndpoint(settings), 'https://maison-lumiere.myshopify.com/admin/api/2026-10/graphql.json');
    assert.equal(
      shopifyEndpoint({ ...settings, api_version: '2026-07', base_url: 'http://127.0.0.1:8080/' }),
      'http://127.0.0.1:8080/admin/api/2026-07/graphql.json',
    );
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'a token written in the bot folder',
      { store: 'maison-lumiere.myshopify.com', access_token: 'shpat_abc' },
      /connectors\.orders\.access_token: a secret is not written in the bot folder/,
    ],
    [
      'a store that is not a myshopify.com domain',
      { store: 'https://www.maison-lumiere.fr', access_token: { env: 'SHOPIFY_ADMIN_TOKEN' } },
      /connectors\.orders\.store: the shop's myshopify\.com domain/,
    ],
    [
      'a version older than the fields read',
      { store: 'maison-lumiere', access_token: { env: 'SHOPIFY_ADMIN_TOKEN' }, api_version: '2024-10' },
      /connectors\.orders\.api_version: 2025-04 or later/,
    ],
    [
      'an unknown setting',
      { store: 'maison-lumiere', access_token: { env: 'SHOPIFY_ADMIN_TOKEN' }, password: 'x' },
      /unknown setting "password"/,
    ],
  ];
  for (const [what, settings, message] of refused) {
    it(`refuses ${what}`, async () => {
      await assert.rejects(check(settings), (error: unknown) => {
        assert.ok(error instanceof ConnectorConfigError, `not a ConnectorConfigError: ${String(error)}`);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('says which environment variable is missing', async () => {
    await assert.rejects(
      check({ store: 'maison-lumiere', access_token: { env: 'SHOPIFY_ADMIN_TOKEN' } }, {}),
      /connectors\.orders\.access_token: the environment variable SHOPIFY_ADMIN_TOKEN is not set/,
    );
  });
});

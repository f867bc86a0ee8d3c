/**
 * The rest connector, configured as bot.yaml would (YAML below), against a
 * fake shop + calendar + CRM API with its own field names (test/fakes/rest-shop.ts).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Db } from '@passerelle/core';
import {
  type ConnectorChoice,
  type ConnectorChoices,
  ConnectorConfigError,
  ConnectorHttpError,
  type ConnectorSet,
  checkConnectors,
  openConnectors,
  registerConnector,
  SlotTakenError,
} from '@passerelle/crm-connectors';
import { bookingsContract, crmContract, ordersContract } from '@passerelle/crm-connectors/contract';
import { parse } from 'yaml';
import { restConnector } from '../src/rest/definition.js';
import { type RestShop, type RestShopOptions, type ShopSlot, startRestShop } from './fakes/rest-shop.js';

// Every assert.ok here has a message: without one, node builds it by re-reading the source at the
// failing column, which on tsx's one-line output can spin for minutes instead of failing.

registerConnector(restConnector);

const NO_DB = {} as Db;
const ENV = {
  SHOP_API_KEY: 'sk_live_5f2a9c',
  SHOP_CLIENT_ID: 'passerelle-bot',
  // Characters that RFC 6749's form-encoding before Basic changes.
  SHOP_CLIENT_SECRET: 'p@ss:w/rd+1',
};

const ZOE = { email: 'zoe.martin@example.com', phone: '+33 6 00 00 00 01' };
const LEA = { email: 'lea+vip@example.com' };

const SHOP: Omit<RestShopOptions, 'apiKey' | 'client'> = {
  orders: [
    {
      id: 'ord_1',
      reference: 'ML-10198',
      state: 'closed',
      created_at: '2027-02-10T09:12:00Z',
      amount_total: '35.00',
      currency: 'eur',
      customer: ZOE,
      lines: [{ title: 'Lampshade', qty: 1 }],
    },
    {
      id: 'ord_2',
      reference: 'ML-10234',
      state: 'fulfilled',
      created_at: '2027-02-26T15:40:00Z',
      amount_total: '89.90',
      currency: 'EUR',
      customer: ZOE,
      shipment: { carrier: 'Colissimo', tracking_url: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A1' },
      lines: [
        { title: 'Brass lamp', qty: 1 },
        { title: 'Bulb E27', qty: 2 },
      ],
    },
    {
      id: 'ord_3',
      reference: 'ML-10301',
      state: 'open',
      created_at: '2027-02-27T08:00:00Z',
      amount_total: '12.00',
      currency: 'EUR',
      customer: { email: 'sam.other@example.net', phone: '+44 7700 900123' },
      lines: [],
    },
    {
      id: 'ord_4',
      reference: 'ML 2024/17',
      state: 'on_hold',
      created_at: '2027-01-05T10:00:00Z',
      amount_total: '19.00',
      currency: 'EUR',
      customer: LEA,
      lines: [],
    },
  ],
  // Not in order, as an API may answer: the connector sorts.
  slots: [
    ...['10:30', '09:00', '11:30', '09:30', '11:00', '10:00'].map((time, index) => slot('fitting', index, time)),
    ...['09:00', '09:30', '10:00', '10:30'].map((time, index) => slot('repair', index, time)),
  ],
  contacts: [
    {
      id: 'con_00001',
      first_name: 'Camille',
      last_name: 'Roux',
      email: 'camille.roux@example.com',
      phone_number: '+33 6 39 98 04 91',
      loyalty: { tier: 'gold' },
    },
  ],
};

function slot(service: string, index: number, time: string): ShopSlot {
  const start = new Date(`2027-03-02T${time}:00Z`);
  return {
    slot_id: `${service}_${index}`,
    service_code: service,
    starts_at: start.toISOString().replace('.000Z', 'Z'),
    ends_at: new Date(start.getTime() + 30 * 60_000).toISOString().replace('.000Z', 'Z'),
  };
}

async function startShop(): Promise<RestShop> {
  return startRestShop({
    apiKey: ENV.SHOP_API_KEY,
    client: { id: ENV.SHOP_CLIENT_ID, secret: ENV.SHOP_CLIENT_SECRET },
    ...SHOP,
  });
}

// The three configurations, as written in bot.yaml (docs/connectors-rest.md has the same).
const HEADER_AUTH = `
auth:
  header: { name: Authorization, value: "Bearer {{secret}}", secret: { env: SHOP_API_KEY } }`;

const ORDERS = `
type: rest
cache: 0ms
base_url: BASE/v1${HEADER_AUTH}
operations:
  findOrder:
    method: GET
    path: /orders/{{number}}
    query: { include: tracking }
    not_found: [404]
    result: $.order
    map: &order
      number: reference
      status: state
      placedAt: created_at
      total.amount: amount_total
      total.currency: currency
      trackingUrl: shipment.tracking_url
      carrier: shipment.carrier
      items: lines
      items.name: title
      items.quantity: qty
      owner_email: customer.email
      owner_phone: customer.phone
    values: &status
      status: { open: processing, fulfilled: shipped, closed: delivered, canceled: cancelled }
  recentOrders:
    path: /customers/orders
    query: { email: "{{owner.email}}", phone: "{{owner.phone}}", limit: "{{limit}}" }
    result: $.orders
    map: *order
    values: *status
`;

const BOOKINGS = `
type: rest
cache: 0ms
base_url: BASE/v1
auth:
  oauth:
    token_url: BASE/oauth/token
    client_id: { env: SHOP_CLIENT_ID }
    client_secret: { env: SHOP_CLIENT_SECRET }
    scope: bookings.write
operations:
  freeSlots:
    path: /slots
    query: { service: "{{service}}", from: "{{from}}", to: "{{to}}" }
    result: $.data
    map: { id: slot_id, start: starts_at, end: ends_at, service: service_code }
  book:
    method: POST
    path: /bookings
    body:
      slot_id: "{{slotId}}"
      service_code: "{{service}}"
      customer: { name: "{{contact.name}}", email: "{{contact.email}}", phone: "{{contact.phone}}" }
    conflict: [409]
    result: $.booking
    map: { bookingId: id }
  cancel: { method: DELETE, path: "/bookings/{{bookingId}}", not_found: [404] }
  reschedule:
    method: PATCH
    path: /bookings/{{bookingId}}
    body: { slot_id: "{{slotId}}" }
    conflict: [409]
`;

const CRM = `
type: rest
cache: 0ms
base_url: BASE/v1${HEADER_AUTH}
operations:
  findContact:
    path: /contacts
    query: { email: "{{email}}", phone: "{{phone}}" }
    result: $.contacts[0]
    map: &contact
      id: id
      firstName: first_name
      lastName: last_name
      email: email
      phone: phone_number
      fields.tier: loyalty.tier
  upsertContact:
    method: POST
    path: /contacts
    body: &contactBody
      first_name: "{{firstName}}"
      last_name: "{{lastName}}"
      email: "{{email}}"
      phone_number: "{{phone}}"
    result: $.contact
    map: *contact
  updateContact:
    method: PATCH
    path: /contacts/{{id}}
    body: *contactBody
    result: $.contact
    map: *contact
  recordLead:
    method: POST
    path: /tickets
    body: { contact_id: "{{contactId}}", type: "{{kind}}", title: "{{subject}}", body: "{{details}}" }
    result: $.ticket
    map: { id: id }
  logConversation:
    method: POST
    path: /contacts/{{contactId}}/notes
    body: { body: "{{summary}}", link: "{{transcriptUrl}}" }
`;

type Settings = Record<string, unknown>;

function settings(yaml: string, shop: { url: string }): Settings {
  return parse(yaml.replaceAll('BASE', shop.url)) as Settings;
}

interface Options {
  env?: Record<string, string | undefined>;
  now?: () => Date;
}

async function open(kind: keyof ConnectorSet, choice: ConnectorChoice, options: Options = {}): Promise<ConnectorSet> {
  return openConnectors({ [kind]: choice }, { db: NO_DB, botDir: '.', env: options.env ?? ENV, now: options.now });
}

async function orders(shop: RestShop, yaml = ORDERS, options: Options = {}) {
  const { orders } = await open('orders', settings(yaml, shop), options);
  assert.ok(orders, 'no orders connector');
  return orders;
}

async function bookings(shop: RestShop, options: Options = {}) {
  const { bookings } = await open('bookings', settings(BOOKINGS, shop), options);
  assert.ok(bookings, 'no bookings connector');
  return bookings;
}

async function crm(shop: RestShop) {
  const { crm } = await open('crm', settings(CRM, shop));
  assert.ok(crm, 'no crm connector');
  return crm;
}

const pathOf = (url: string) => url.split('?')[0];
const queryOf = (url: string) => new URLSearchParams(url.split('?')[1] ?? '');

// The three contract kits: three configurations of one connector against one fake API.
let shared: Promise<RestShop> | undefined;
const sharedShop = () => {
  shared ??= startShop();
  return shared;
};
after(async () => (await shared)?.close());

ordersContract('rest (header auth)', async () => {
  const shop = await sharedShop();
  return {
    orders: await orders(shop),
    known: { number: 'ML-10234', owner: { id: 'ct_zoe', phone: '+33600000001' } },
    older: { number: 'ML-10198' },
    stranger: { id: 'ct_stranger', email: 'nobody@example.org', phone: '+33639989999' },
    unknownNumber: 'ML-99999',
  };
});

bookingsContract('rest (OAuth client credentials)', async () => {
  const shop = await sharedShop();
  return {
    bookings: await bookings(shop),
    service: 'fitting',
    range: { from: '2027-03-02T00:00:00Z', to: '2027-03-03T00:00:00Z' },
    contact: { id: 'ct_contract', name: 'Contract Test', email: 'contract@example.com' },
  };
});

crmContract('rest (header auth)', async () => {
  const shop = await sharedShop();
  return {
    crm: await crm(shop),
    existing: { email: 'camille.roux@example.com', phone: '+33639980491' },
    newEmail: 'new.customer@example.com',
  };
});

describe('rest connector', () => {
  let shop: RestShop;
  before(async () => {
    shop = await startShop();
  });
  after(() => shop.close());

  describe('header auth', () => {
    it('sends the header built from the secret', async () => {
      await (await orders(shop)).findOrder('ML-10234');
      const last = shop.apiCalls().at(-1);
      assert.equal(last?.headers.authorization, `Bearer ${ENV.SHOP_API_KEY}`);
    });

    it('a refused key is an error at once, not retried', async () => {
      const before = shop.apiCalls().length;
      const connector = await orders(shop, ORDERS, { env: { ...ENV, SHOP_API_KEY: 'sk_live_revoked' } });
      await assert.rejects(
        connector.findOrder('ML-10234'),
        (error) => error instanceof ConnectorHttpError && error.status === 401 && /findOrder/.test(error.message),
      );
      assert.equal(shop.apiCalls().length - before, 1, 'a 401 with a fixed key was sent again');
      assert.equal(shop.tokenRequests().length, 0, 'header auth asked for a token');
    });
  });

  describe('OAuth client credentials', () => {
    const range = { from: '2027-03-02T00:00:00Z', to: '2027-03-03T00:00:00Z' };

    it('fetches the token once and reuses it; after a 401 (expired early) fetches a new one and passes', async () => {
      const fresh = await startShop();
      try {
        const connector = await bookings(fresh);
        await connector.freeSlots('fitting', range);
        await connector.freeSlots('repair', range);
        await connector.freeSlots('fitting', { ...range, to: '2027-03-02T10:00:00Z' });
        assert.equal(fresh.tokenRequests().length, 1, 'the token was not reused');
        const [request] = fresh.tokenRequests();
        const form = new URLSearchParams(request?.body);
        assert.equal(form.get('grant_type'), 'client_credentials');
        assert.equal(form.get('scope'), 'bookings.write');
        assert.equal(form.get('client_secret'), null, 'the secret went in the form rather than Basic');
        const basic = String(request?.headers.authorization).replace(/^Basic /, '');
        assert.equal(Buffer.from(basic, 'base64').toString(), 'passerelle-bot:p%40ss%3Aw%2Frd%2B1');
        const tokens = new Set(fresh.apiCalls().map((call) => call.headers.authorization));
        assert.equal(tokens.size, 1, 'calls carried different tokens');

        fresh.expireTokens();
        const slots = await connector.freeSlots('repair', { ...range, to: '2027-03-02T09:45:00Z' });
        assert.equal(slots.length, 2, 'the call after the 401 did not pass');
        assert.equal(fresh.tokenRequests().length, 2, 'no new token after the 401');
        const [refused, again] = fresh.apiCalls().slice(-2);
        assert.equal(refused?.headers.authorization, [...tokens][0], 'the refused call did not carry the old token');
        assert.notEqual(again?.headers.authorization, refused?.headers.authorization, 'the retry kept the old token');
      } finally {
        await fresh.close();
      }
    });

    it('fetches a new token before the old one expires, without waiting for a 401', async () => {
      const fresh = await startShop();
      try {
        let now = new Date('2027-03-01T08:00:00Z');
        const connector = await bookings(fresh, { now: () => now });
        await connector.freeSlots('fitting', range);
        now = new Date(now.getTime() + 59 * 60_000); // the token lives 3600 s; renewed a minute early
        await connector.freeSlots('repair', range);
        assert.equal(fresh.tokenRequests().length, 2, 'the token was kept past its renewal time');
        assert.equal(fresh.apiCalls().length, 2, 'an API call was refused or repeated');
      } finally {
        await fresh.close();
      }
    });

    it('refused client credentials are an error naming the token endpoint', async () => {
      const connector = await bookings(shop, { env: { ...ENV, SHOP_CLIENT_SECRET: 'wrong' } });
      await assert.rejects(
        connector.freeSlots('fitting', range),
        (error) => error instanceof ConnectorHttpError && error.status === 401 && /OAuth token/.test(error.message),
      );
    });
  });

  describe('answers', () => {
    it('reads an order with its own field names: amounts, currency, items, tracking, translated status', async () => {
      const order = await (await orders(shop)).findOrder('ML-10234');
      assert.deepEqual(order, {
        number: 'ML-10234',
        status: 'shipped',
        placedAt: '2027-02-26T15:40:00.000Z',
        total: { amount: 89.9, currency: 'EUR' },
        trackingUrl: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A1',
        carrier: 'Colissimo',
        items: [
          { name: 'Brass lamp', quantity: 1 },
          { name: 'Bulb E27', quantity: 2 },
        ],
      });
    });

    it('translates values through the table and keeps those it does not list', async () => {
      const connector = await orders(shop);
      assert.equal((await connector.findOrder('ML-10198'))?.status, 'delivered');
      assert.equal((await connector.findOrder('ML-10301'))?.status, 'processing');
      assert.equal((await connector.findOrder('ML 2024/17'))?.status, 'on_hold');
      const lowerCurrency = await connector.findOrder('ML-10198');
      assert.equal(lowerCurrency?.total?.currency, 'EUR', 'eur was not read as EUR');
    });

    it('not_found statuses are undefined; a status not listed is an error', async () => {
      assert.equal(await (await orders(shop)).findOrder('ML-99999'), undefined);
      assert.equal(pathOf(shop.apiCalls().at(-1)?.path ?? ''), '/v1/orders/ML-99999');
      const strict = ORDERS.replace('not_found: [404]', 'not_found: [410]');
      await assert.rejects(
        (await orders(shop, strict)).findOrder('ML-99999'),
        (error) => error instanceof ConnectorHttpError && error.status === 404,
      );
    });

    it('a mapped field missing from the answer is an error naming it', async () => {
      const broken = ORDERS.replace('status: state', 'status: fulfillment_state');
      await assert.rejects((await orders(shop, broken)).findOrder('ML-10234'), /no status at fulfillment_state/);
    });
  });

  describe('templates', () => {
    it('URL-encodes arguments in a path: a number with a space and slashes stays one segment', async () => {
      const order = await (await orders(shop)).findOrder(' ML 2024/17 ');
      assert.equal(order?.number, 'ML 2024/17');
      assert.equal(shop.apiCalls().at(-1)?.path, '/v1/orders/ML%202024%2F17?include=tracking');
    });

    it('URL-encodes query values, and leaves out one whose argument has no value', async () => {
      const recent = await (await orders(shop)).recentOrders({ id: 'ct_lea', email: 'Lea+VIP@example.com' }, 3);
      assert.deepEqual(
        recent.map((order) => order.number),
        ['ML 2024/17'],
      );
      const path = shop.apiCalls().at(-1)?.path ?? '';
      assert.match(path, /email=lea%2Bvip%40example\.com/);
      assert.equal(queryOf(path).get('limit'), '3');
      assert.equal(queryOf(path).has('phone'), false, 'an empty phone= was sent');
    });

    it('leaves out body keys without a value: an update changes only what it was given', async () => {
      const connector = await crm(shop);
      const created = await connector.upsertContact({ email: 'ines.dupont@example.com', firstName: 'Inès' });
      await connector.upsertContact({ id: created.id, lastName: 'Dupont' });
      const patch = shop.apiCalls().at(-1);
      assert.equal(patch?.method, 'PATCH');
      assert.deepEqual(JSON.parse(patch?.body ?? '{}'), { last_name: 'Dupont' });
      const found = await connector.findContact({ email: 'ines.dupont@example.com' });
      assert.equal(found?.firstName, 'Inès');
    });
  });

  describe('who a call is about', () => {
    it('does not ask the API about nobody: no email or phone, no call', async () => {
      const before = shop.apiCalls().length;
      assert.deepEqual(await (await orders(shop)).recentOrders({ id: 'ct_anonymous' }), []);
      assert.equal(await (await crm(shop)).findContact({}), undefined);
      assert.equal(shop.apiCalls().length, before, 'a call was made with an empty filter');
    });

    it('finds an owner by the phone of their SMS identity, and hides the order from a stranger', async () => {
      const connector = await orders(shop);
      const bySms = {
        id: 'ct_zoe_sms',
        identity: { channel: 'sms' as const, account: 'shop', userId: '+33600000001' },
      };
      assert.equal((await connector.findOrder('ML-10234', { owner: bySms }))?.number, 'ML-10234');
      assert.equal(
        await connector.findOrder('ML-10234', { owner: { id: 'x', email: 'sam.other@example.net' } }),
        undefined,
      );
    });

    it('records a lead for someone the CRM does not know: the contact is created first', async () => {
      const connector = await crm(shop);
      const contact = { id: 'ct_ana', name: 'Ana Lima Costa', email: 'ana.lima@example.com' };
      const lead = await connector.recordLead({ contact, subject: 'Quote for a wedding', details: '40 lamps' });
      const created = shop.contacts.find((candidate) => candidate.email === 'ana.lima@example.com');
      assert.ok(created, 'no contact created');
      assert.equal(created.first_name, 'Ana');
      assert.equal(created.last_name, 'Lima Costa');
      const ticket = shop.tickets.find((candidate) => candidate.id === lead.id);
      assert.deepEqual(ticket, {
        id: lead.id,
        contact_id: created.id,
        type: 'lead',
        title: 'Quote for a wedding',
        body: '40 lamps',
      });
      await connector.logConversation({ contact, summary: 'Asked for a quote', transcriptUrl: 'https://x.test/t/1' });
      assert.equal(shop.contacts.filter((candidate) => candidate.email === 'ana.lima@example.com').length, 1);
      assert.deepEqual(shop.notes.at(-1), {
        id: shop.notes.at(-1)?.id,
        contact_id: created.id,
        body: 'Asked for a quote',
        link: 'https://x.test/t/1',
      });
    });

    it('reads extra fields of a contact', async () => {
      const found = await (await crm(shop)).findContact({ phone: '+33639980491' });
      assert.deepEqual(found?.fields, { tier: 'gold' });
    });
  });

  describe('bookings', () => {
    it('a conflict status on book is SlotTakenError for that slot', async () => {
      const connector = await bookings(shop);
      const contact = { id: 'ct_1', email: 'a@example.com' };
      await connector.book({ service: 'repair', slotId: 'repair_3', contact });
      await assert.rejects(
        connector.book({ service: 'repair', slotId: 'repair_3', contact }),
        (error) => error instanceof SlotTakenError && error.slotId === 'repair_3',
      );
      const sent = JSON.parse(shop.apiCalls().at(-1)?.body ?? '{}') as Record<string, unknown>;
      assert.deepEqual(sent, { slot_id: 'repair_3', service_code: 'repair', customer: { email: 'a@example.com' } });
    });
  });

  describe('rate limits and failures (through openConnectors)', () => {
    it('waits out a 429 Retry-After and then succeeds', async () => {
      const connector = await orders(shop);
      const before = shop.apiCalls().length;
      shop.rateLimit(1, 1);
      const started = Date.now();
      const order = await connector.findOrder('ML-10234');
      assert.equal(order?.number, 'ML-10234');
      assert.equal(shop.apiCalls().length - before, 2, 'not one refused call then one that passed');
      assert.ok(Date.now() - started >= 900, `retried after ${Date.now() - started} ms, before Retry-After: 1`);
    });

    it('does not send a write again after a 503 (it may have been done)', async () => {
      const connector = await bookings(shop);
      await connector.freeSlots('repair', { from: '2027-03-02T00:00:00Z', to: '2027-03-03T00:00:00Z' });
      const before = shop.apiCalls().length;
      shop.failNext(1);
      await assert.rejects(
        connector.book({ service: 'repair', slotId: 'repair_2', contact: { id: 'ct_2' } }),
        (error) => error instanceof ConnectorHttpError && error.status === 503,
      );
      assert.equal(shop.apiCalls().length - before, 1, 'the booking was sent twice');
    });
  });

  describe('settings errors name their place in bot.yaml', () => {
    const base = () => settings(ORDERS, { url: 'https://api.example-shop.com' });
    const edit = (change: (operations: Record<string, Settings>, all: Settings) => void) => {
      const all = base();
      change(all.operations as Record<string, Settings>, all);
      return all;
    };
    const cases: Array<[string, Settings, string, RegExp]> = [
      [
        'a missing path',
        edit((ops) => delete ops.findOrder?.path),
        'connectors.orders.operations.findOrder.path',
        /required/,
      ],
      [
        'an unknown operation',
        edit((ops) => {
          ops.findOrders = { path: '/x' };
        }),
        'connectors.orders.operations.findOrders',
        /not an operation .*findOrder, recentOrders/,
      ],
      [
        'an operation the kind needs',
        edit((ops) => delete ops.recentOrders),
        'connectors.orders.operations.recentOrders',
        /missing: serving orders needs findOrder, recentOrders/,
      ],
      [
        'an unknown argument',
        edit((ops) => Object.assign(ops.findOrder ?? {}, { path: '/orders/{{numbr}}' })),
        'connectors.orders.operations.findOrder.path',
        /unknown argument \{\{numbr\}\}/,
      ],
      [
        'a template that is more than a name',
        edit((ops) => Object.assign(ops.findOrder ?? {}, { path: '/orders/{{number | upper}}' })),
        'connectors.orders.operations.findOrder.path',
        /a template is \{\{name\}\}/,
      ],
      [
        'an unknown field',
        edit((ops) => Object.assign(ops.findOrder?.map ?? {}, { colour: 'color' })),
        'connectors.orders.operations.findOrder.map.colour',
        /not a field here/,
      ],
      [
        'a bad result path',
        edit((ops) => Object.assign(ops.findOrder ?? {}, { result: '$.order[first]' })),
        'connectors.orders.operations.findOrder.result',
        /not a path/,
      ],
      [
        'no owner field to check against',
        edit((ops) => {
          // A copy: the YAML alias *order shares findOrder's map.
          const map = Object.entries(ops.recentOrders?.map as Record<string, string>);
          const kept = Object.fromEntries(map.filter(([ours]) => !ours.startsWith('owner_')));
          Object.assign(ops.recentOrders ?? {}, { map: kept });
        }),
        'connectors.orders.operations.recentOrders.map.owner_email',
        /owner_email or owner_phone/,
      ],
      [
        'a conflict list where it means nothing',
        edit((ops) => Object.assign(ops.findOrder ?? {}, { conflict: [409] })),
        'connectors.orders.operations.findOrder.conflict',
        /no meaning/,
      ],
      [
        'a GET with a body',
        edit((ops) => Object.assign(ops.findOrder ?? {}, { body: { a: 'b' } })),
        'connectors.orders.operations.findOrder.body',
        /a GET has no body/,
      ],
      [
        'a secret written in the file',
        edit((_, all) => {
          all.auth = { header: { secret: 'sk_live_5f2a9c' } };
        }),
        'connectors.orders.auth.header.secret',
        /\{ env: NAME \}/,
      ],
      [
        'a header value without the secret',
        edit((_, all) => {
          all.auth = { header: { value: 'Bearer sk_live', secret: { env: 'SHOP_API_KEY' } } };
        }),
        'connectors.orders.auth.header.value',
        /uses \{\{secret\}\}/,
      ],
      [
        'a secret not in the environment',
        edit((_, all) => {
          all.auth = { header: { secret: { env: 'SHOP_KEY_UNSET' } } };
        }),
        'connectors.orders.auth.header.secret',
        /SHOP_KEY_UNSET is not set/,
      ],
      [
        'no operation at all',
        edit((_, all) => {
          all.operations = {};
        }),
        'connectors.orders.operations',
        /no operation/,
      ],
    ];
    for (const [name, choice, path, problem] of cases) {
      it(name, async () => {
        await assert.rejects(
          checkConnectors({ orders: choice as ConnectorChoice }, { botDir: '.', env: ENV }),
          (error) => {
            assert.ok(error instanceof ConnectorConfigError, `not a ConnectorConfigError: ${String(error)}`);
            assert.equal(error.path, path);
            assert.match(error.problem, problem);
            return true;
          },
        );
      });
    }

    it('the valid example passes', async () => {
      await checkConnectors({ orders: base() as ConnectorChoice }, { botDir: '.', env: ENV });
    });

    it('the full example of docs/connectors-rest.md passes, serving the three kinds', async () => {
      const page = await readFile(new URL('../../../docs/connectors-rest.md', import.meta.url), 'utf8');
      const example = /```yaml\n(connectors:[\s\S]*?)```/.exec(page)?.[1];
      assert.ok(example, 'no connectors: example in the page');
      const { connectors } = parse(example) as { connectors: ConnectorChoices };
      assert.deepEqual(Object.keys(connectors).sort(), ['bookings', 'crm', 'orders']);
      await checkConnectors(connectors, { botDir: '.', env: ENV });
      const opened = await openConnectors(connectors, { db: NO_DB, botDir: '.', env: ENV });
      assert.ok(opened.orders && opened.bookings && opened.crm, 'a kind of the example was not served');
    });

    it('operations of another kind only: this kind is missing', async () => {
      const onlyCrm = settings(CRM, { url: 'https://api.example-shop.com' });
      await assert.rejects(
        open('orders', onlyCrm as ConnectorChoice),
        (error) => error instanceof ConnectorConfigError && error.path === 'connectors.orders',
      );
    });
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ContactRef, Order, OrderConnector } from '../interfaces.js';

export interface OrdersContractSetup {
  orders: OrderConnector;
  /** An order that exists in the system behind the connector, and a person it belongs to. */
  known: { number: string; owner: ContactRef };
  /** A second order of the same owner, placed before the known one (for "newest first"). */
  older: { number: string };
  /** Someone who owns neither. */
  stranger: ContactRef;
  /** A well-formed number that does not exist. */
  unknownNumber: string;
  close?(): Promise<void>;
}

/** The behaviour every OrderConnector must have: run it with node --test against your connector and its fake. */
export function ordersContract(name: string, setup: () => Promise<OrdersContractSetup>): void {
  describe(`orders contract: ${name}`, () => {
    let s: OrdersContractSetup;
    before(async () => {
      s = await setup();
    });
    after(() => s?.close?.());

    const same = (a: string, b: string) =>
      a.replace(/[#\s-]/g, '').toUpperCase() === b.replace(/[#\s-]/g, '').toUpperCase();

    it('finds an order by number, with a status and an ISO date', async () => {
      const order = await s.orders.findOrder(s.known.number);
      assert.ok(order, `order ${s.known.number} not found`);
      assert.ok(same(order.number, s.known.number), `number ${order.number} is not ${s.known.number}`);
      assertOrderShape(order);
    });

    it('finds it whatever the case and surrounding spaces', async () => {
      const order = await s.orders.findOrder(`  ${s.known.number.toLowerCase()} `);
      assert.ok(order && same(order.number, s.known.number), 'lower case with spaces was not found');
    });

    it('answers undefined (not an error) for a number that does not exist', async () => {
      assert.equal(await s.orders.findOrder(s.unknownNumber), undefined);
    });

    it('with an owner: finds the owner’s order, and hides it from anyone else', async () => {
      const mine = await s.orders.findOrder(s.known.number, { owner: s.known.owner });
      assert.ok(mine, 'the owner did not find their order');
      assert.equal(
        await s.orders.findOrder(s.known.number, { owner: s.stranger }),
        undefined,
        'a stranger saw the order',
      );
    });

    it('lists an owner’s recent orders, newest first, and respects the limit', async () => {
      const recent = await s.orders.recentOrders(s.known.owner, 10);
      const numbers = recent.map((order) => order.number);
      const known = numbers.findIndex((number) => same(number, s.known.number));
      const older = numbers.findIndex((number) => same(number, s.older.number));
      assert.ok(
        known >= 0 && older >= 0,
        `recent orders ${numbers.join(', ')} miss ${s.known.number} or ${s.older.number}`,
      );
      assert.ok(known < older, 'not newest first');
      for (const order of recent) assertOrderShape(order);
      const dates = recent.map((order) => Date.parse(order.placedAt));
      assert.deepEqual(
        dates,
        [...dates].sort((a, b) => b - a),
        'placedAt not descending',
      );
      assert.equal((await s.orders.recentOrders(s.known.owner, 1)).length, 1, 'limit 1 gave more');
    });

    it('lists nothing of someone else’s', async () => {
      const numbers = (await s.orders.recentOrders(s.stranger, 10)).map((order) => order.number);
      assert.ok(!numbers.some((number) => same(number, s.known.number)), 'a stranger sees the order');
    });
  });
}

function assertOrderShape(order: Order): void {
  assert.equal(typeof order.status, 'string', 'status is a string');
  assert.ok(order.status.length > 0, 'status is empty');
  assert.ok(!Number.isNaN(Date.parse(order.placedAt)), `placedAt ${order.placedAt} is not a date`);
  if (order.total) {
    assert.equal(typeof order.total.amount, 'number', 'total.amount is a number');
    assert.match(order.total.currency, /^[A-Z]{3}$/, 'total.currency is an ISO 4217 code');
  }
  if (order.trackingUrl) assert.match(order.trackingUrl, /^https?:\/\//, 'trackingUrl is a URL');
}

/**
 * Orders from a Shopify store: one by its name ("#1001", "ML-10234"), or a
 * person's latest ones, found by their email (the orders search) and by
 * their phone (the customers search: Shopify's orders search has no phone
 * filter). Whatever the search returns is checked again here: only an exact
 * name is an order found, and only an order with the person's email or phone
 * is theirs, so a loose search never shows someone else's order.
 */
import type { Order, OrderConnector } from '../interfaces.js';
import type { ShopifyClient } from './client.js';
import { normaliseNumber, toOrder } from './mapping.js';
import { belongsTo, ownerKeys } from './owner.js';
import { emailSearch, FIND_ORDER, nameSearch, ORDERS_BY_EMAIL, ORDERS_BY_PHONE, phoneSearch } from './queries.js';
import type { CustomersOrdersData, OrdersData, ShopifyOrderNode } from './types.js';

/** Shopify's largest page. */
const MAX_PAGE = 250;
/** Longer is not an order name: not worth a call. */
const MAX_NAME = 64;

export function shopifyOrders(client: ShopifyClient): OrderConnector {
  return {
    async findOrder(number, options = {}) {
      const wanted = normaliseNumber(number);
      if (!wanted || wanted.length > MAX_NAME) return undefined;
      const data = await client.query<OrdersData>(FIND_ORDER, { query: nameSearch(wanted) });
      const node = data.orders.nodes.find((order) => normaliseNumber(order.name) === wanted);
      if (!node) return undefined;
      if (options.owner !== undefined && !belongsTo(node, ownerKeys(options.owner))) return undefined;
      return toOrder(node);
    },

    async recentOrders(owner, limit = 5) {
      const keys = ownerKeys(owner);
      const first = Math.min(MAX_PAGE, Math.max(0, Math.floor(limit)));
      if (first === 0 || (keys.emails.length === 0 && keys.phones.length === 0)) return [];
      const pages = await Promise.all([
        ...keys.emails.map(async (email) => {
          const data = await client.query<OrdersData>(ORDERS_BY_EMAIL, { query: emailSearch(email), first });
          return data.orders.nodes;
        }),
        ...keys.phones.map(async (phone) => {
          const data = await client.query<CustomersOrdersData>(ORDERS_BY_PHONE, { query: phoneSearch(phone), first });
          return data.customers.nodes.flatMap((customer) => customer.orders.nodes);
        }),
      ]);
      return newestFirst(
        pages.flat().filter((order) => belongsTo(order, keys)),
        first,
      );
    },
  };
}

/** The same order found by email and by phone counts once. */
function newestFirst(nodes: ShopifyOrderNode[], limit: number): Order[] {
  const byName = new Map(nodes.map((node) => [normaliseNumber(node.name), node]));
  return [...byName.values()]
    .map(toOrder)
    .sort((a, b) => Date.parse(b.placedAt) - Date.parse(a.placedAt) || b.number.localeCompare(a.number))
    .slice(0, limit);
}

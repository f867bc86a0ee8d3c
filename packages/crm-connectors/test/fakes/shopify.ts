/**
 * A fake Shopify Admin GraphQL API on 127.0.0.1, behaving as Shopify
 * documents it for what the shopify connector sends:
 *   POST /admin/api/{version}/graphql.json, header X-Shopify-Access-Token,
 *   JSON body { query, variables }; 401 {"errors":"[API] Invalid API key or
 *   access token (unrecognized login or wrong password)"} for a wrong token;
 *   404 {"errors":"Not Found"} for another path or a version it does not serve.
 * It answers the root fields `orders(first, sortKey, reverse, query)` and
 * `customers(first, query) { nodes { orders(first, sortKey, reverse) } }`,
 * arguments given literally or as $variables (a declared String!/Int! with no
 * value is refused as Shopify does), with the search syntax's
 * `field:value` terms (quoted values with \ escapes) joined by AND / OR;
 * orders filter on name and email, customers on phone and email; any other
 * field matches nothing. Default order is by id (creation), as Shopify's
 * sortKey ID.
 * Rate limiting is Shopify's leaky bucket of query cost: every answer carries
 * extensions.cost; a query costing more than the bucket holds gets HTTP 200
 * with errors [{ message: "Throttled", extensions: { code: "THROTTLED" } }].
 * Query costs are an approximation of Shopify's (2 a connection plus 10 an
 * order asked for); the bucket refills at restoreRate points a second.
 * Tests can also script the next answers (a 429 with Retry-After, a 5xx, a
 * GraphQL error) and empty the bucket.
 */
import {
  type FakeAnswer,
  type FakeProvider,
  type RecordedRequest,
  startFakeProvider,
} from '../../../../test/support/fake-provider.js';

export interface FakeShopifyCustomer {
  id: number;
  email?: string;
  /** E.164, as Shopify stores a customer's phone. */
  phone?: string;
}

export interface FakeShopifyFulfillment {
  /** FulfillmentDisplayStatus: IN_TRANSIT, DELIVERED, CANCELED ... */
  displayStatus: string;
  deliveredAt?: string;
  tracking?: Array<{ company?: string; number?: string; url?: string }>;
}

export interface FakeShopifyOrder {
  /** "#1001" or "ML-10234". */
  name: string;
  createdAt: string;
  customerId?: number;
  /** The order's own contact (a guest checkout has only these). */
  email?: string;
  phone?: string;
  displayFinancialStatus?: string;
  displayFulfillmentStatus?: string;
  cancelledAt?: string;
  /** Decimal string, in the shop's currency. */
  total: string;
  currency?: string;
  fulfillments?: FakeShopifyFulfillment[];
  lineItems?: Array<{ name: string; quantity: number }>;
}

/** A GraphQL call as the fake understood it. */
export interface ShopifyCall {
  path: string;
  token: string | undefined;
  contentType: string | undefined;
  query: string;
  variables: Record<string, unknown>;
  /** What the fake answered: 'data', 'throttled', 'scripted', 'error'. */
  outcome: 'data' | 'throttled' | 'scripted' | 'error';
  at: number;
}

export interface FakeShopifyOptions {
  accessToken: string;
  /** Versions served; others get 404. Default 2025-04 to 2026-10 and unstable. */
  versions?: string[];
  customers?: FakeShopifyCustomer[];
  orders?: FakeShopifyOrder[];
  /** The bucket: Shopify's standard plan restores 100 points a second. */
  bucket?: { maximumAvailable?: number; restoreRate?: number };
}

export interface FakeShopify {
  url: string;
  /** Every authenticated call to graphql.json, decoded. */
  calls: ShopifyCall[];
  requests: RecordedRequest[];
  /** The next calls get these answers instead of the normal behaviour (after the auth check). */
  script(...answers: FakeAnswer[]): void;
  /** Leaves this many points in the bucket now (it refills from there). */
  drainBucket(leave?: number): void;
  bucketLevel(): number;
  close(): Promise<void>;
}

const DEFAULT_VERSIONS = ['2025-04', '2025-07', '2025-10', '2026-01', '2026-04', '2026-07', '2026-10', 'unstable'];
const INVALID_TOKEN = '[API] Invalid API key or access token (unrecognized login or wrong password)';
const ORDER_COST = 10;
const CONNECTION_COST = 2;

export async function startFakeShopify(options: FakeShopifyOptions): Promise<FakeShopify> {
  const versions = new Set(options.versions ?? DEFAULT_VERSIONS);
  const customers = options.customers ?? [];
  const orders = (options.orders ?? []).map((order, index) => ({ ...order, id: 1000 + index }));
  const scripted: FakeAnswer[] = [];
  const calls: ShopifyCall[] = [];
  const maximumAvailable = options.bucket?.maximumAvailable ?? 2000;
  const restoreRate = options.bucket?.restoreRate ?? 100;
  let level = maximumAvailable;
  let levelAt = Date.now();
  const refill = () => {
    const now = Date.now();
    level = Math.min(maximumAvailable, level + ((now - levelAt) / 1000) * restoreRate);
    levelAt = now;
    return level;
  };
  const throttleStatus = () => ({ maximumAvailable, currentlyAvailable: Math.floor(level), restoreRate });

  const provider: FakeProvider = await startFakeProvider((request) => {
    const path = request.path.split('?')[0] ?? '/';
    const version = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(path)?.[1];
    if (request.method !== 'POST' || !version || !versions.has(version)) {
      return { status: 404, body: { errors: 'Not Found' } };
    }
    const token = header(request, 'x-shopify-access-token');
    if (token !== options.accessToken) return { status: 401, body: { errors: INVALID_TOKEN } };
    let parsed: { query?: unknown; variables?: unknown };
    try {
      parsed = JSON.parse(request.body) as typeof parsed;
    } catch {
      return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    }
    if (typeof parsed.query !== 'string') {
      return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    }
    const call: ShopifyCall = {
      path,
      token,
      contentType: header(request, 'content-type'),
      query: parsed.query,
      variables: (parsed.variables ?? {}) as Record<string, unknown>,
      outcome: 'data',
      at: request.at,
    };
    calls.push(call);
    const next = scripted.shift();
    if (next) {
      call.outcome = 'scripted';
      return next;
    }
    let plan: Plan;
    try {
      plan = planQuery(call.query, call.variables);
    } catch (error) {
      call.outcome = 'error';
      return { status: 200, body: { errors: [{ message: (error as Error).message }] } };
    }
    // To the nearest point, as Shopify reports the bucket: a retry timer firing a millisecond early still passes.
    if (plan.cost > Math.round(refill())) {
      call.outcome = 'throttled';
      return {
        status: 200,
        body: {
          errors: [
            {
              message: 'Throttled',
              extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
          extensions: {
            cost: { requestedQueryCost: plan.cost, actualQueryCost: null, throttleStatus: throttleStatus() },
          },
        },
      };
    }
    const { data, returned } = plan.root === 'orders' ? answerOrders(plan, orders, customers) : answerCustomers(plan);
    const actual = CONNECTION_COST + returned * ORDER_COST;
    level = Math.max(0, level - actual);
    return {
      status: 200,
      body: {
        data,
        extensions: {
          cost: { requestedQueryCost: plan.cost, actualQueryCost: actual, throttleStatus: throttleStatus() },
        },
      },
    };
  });

  function answerCustomers(plan: Plan): { data: unknown; returned: number } {
    const found = customers
      .filter((customer) => matches(plan.search, (field, value) => customerField(customer, field, value)))
      .slice(0, plan.first);
    let returned = 0;
    const nodes = found.map((customer) => {
      const mine = orders.filter((order) => order.customerId === customer.id);
      const page = sortAndSlice(mine, plan.nested ?? { first: 0 });
      returned += page.length;
      return { orders: { nodes: page.map((order) => orderNode(order, customers)) } };
    });
    return { data: { customers: { nodes } }, returned };
  }

  return {
    url: provider.url,
    calls,
    requests: provider.requests,
    script: (...answers) => scripted.push(...answers),
    drainBucket(leave = 0) {
      level = leave;
      levelAt = Date.now();
    },
    bucketLevel: () => refill(),
    close: () => provider.close(),
  };
}

type StoredOrder = FakeShopifyOrder & { id: number };

interface Page {
  first: number;
  sortKey?: string;
  reverse?: boolean;
}

interface Plan extends Page {
  root: 'orders' | 'customers';
  search: Term[][];
  /** customers { nodes { orders(...) } }: the inner page. */
  nested?: Page;
  cost: number;
}

interface Term {
  field: string;
  value: string;
}

function answerOrders(
  plan: Plan,
  orders: StoredOrder[],
  customers: FakeShopifyCustomer[],
): { data: unknown; returned: number } {
  const found = orders.filter((order) => matches(plan.search, (field, value) => orderField(order, field, value)));
  const page = sortAndSlice(found, plan);
  return { data: { orders: { nodes: page.map((order) => orderNode(order, customers)) } }, returned: page.length };
}

function sortAndSlice(orders: StoredOrder[], page: Page): StoredOrder[] {
  const sorted = [...orders].sort((a, b) =>
    page.sortKey === 'CREATED_AT' ? Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id : a.id - b.id,
  );
  if (page.reverse) sorted.reverse();
  return sorted.slice(0, page.first);
}

function orderField(order: StoredOrder, field: string, value: string): boolean {
  const wanted = value.toLowerCase();
  if (field === 'name') return order.name.toLowerCase() === wanted;
  if (field === 'email') return (order.email ?? '').toLowerCase() === wanted;
  return false;
}

function customerField(customer: FakeShopifyCustomer, field: string, value: string): boolean {
  if (field === 'phone') return (customer.phone ?? '') === value.replace(/[\s().-]/g, '');
  if (field === 'email') return (customer.email ?? '').toLowerCase() === value.toLowerCase();
  return false;
}

/** OR of AND groups; an empty search matches everything. */
function matches(search: Term[][], test: (field: string, value: string) => boolean): boolean {
  return search.length === 0 || search.some((group) => group.every((term) => test(term.field, term.value)));
}

/** The order as the PasserelleOrder fragment selects it (exported for tests scripting an answer). */
export function orderNode(order: FakeShopifyOrder, customers: FakeShopifyCustomer[]): Record<string, unknown> {
  const customer = customers.find((candidate) => candidate.id === order.customerId);
  return {
    name: order.name,
    createdAt: order.createdAt,
    displayFinancialStatus: order.displayFinancialStatus ?? 'PAID',
    displayFulfillmentStatus: order.displayFulfillmentStatus ?? 'UNFULFILLED',
    cancelledAt: order.cancelledAt ?? null,
    totalPriceSet: { shopMoney: { amount: order.total, currencyCode: order.currency ?? 'EUR' } },
    email: order.email ?? null,
    phone: order.phone ?? null,
    customer:
      order.customerId === undefined
        ? null
        : {
            defaultEmailAddress: customer?.email ? { emailAddress: customer.email } : null,
            defaultPhoneNumber: customer?.phone ? { phoneNumber: customer.phone } : null,
          },
    fulfillments: (order.fulfillments ?? []).map((fulfillment) => ({
      displayStatus: fulfillment.displayStatus,
      deliveredAt: fulfillment.deliveredAt ?? null,
      trackingInfo: (fulfillment.tracking ?? []).map((info) => ({
        company: info.company ?? null,
        number: info.number ?? null,
        url: info.url ?? null,
      })),
    })),
    lineItems: { nodes: order.lineItems ?? [] },
  };
}

/**
 * Reads the root field and its arguments out of the document: enough
 * GraphQL for the connector's queries, refusing what Shopify would refuse
 * (a declared non-null variable without a value, an unknown root field).
 */
function planQuery(document: string, variables: Record<string, unknown>): Plan {
  for (const [, name, type] of document.matchAll(/\$(\w+)\s*:\s*([\w!]+)/g)) {
    if (name && type?.endsWith('!') && (variables[name] === undefined || variables[name] === null)) {
      throw new Error(`Variable $${name} of type ${type} was provided invalid value`);
    }
  }
  const body = document.slice(document.indexOf('{') + 1);
  const root = /^\s*(\w+)\s*\(/.exec(body);
  if (!root || (root[1] !== 'orders' && root[1] !== 'customers')) {
    throw new Error(`Field '${root?.[1] ?? '?'}' is not served by this fake`);
  }
  const args = readArguments(body, body.indexOf('(', root.index), variables);
  const page: Page = { first: Number(args.first ?? 0), sortKey: text(args.sortKey), reverse: args.reverse === true };
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > 250) {
    throw new Error('you must provide one of first or last, between 1 and 250');
  }
  const search = parseSearch(text(args.query) ?? '');
  if (root[1] === 'orders') {
    return { root: 'orders', ...page, search, cost: CONNECTION_COST + page.first * ORDER_COST };
  }
  const inner = body.indexOf('orders(', root.index + root[0].length);
  const nestedArgs = inner >= 0 ? readArguments(body, inner + 'orders'.length, variables) : {};
  const nested: Page = {
    first: Number(nestedArgs.first ?? 0),
    sortKey: text(nestedArgs.sortKey),
    reverse: nestedArgs.reverse === true,
  };
  return {
    root: 'customers',
    ...page,
    search,
    nested,
    cost: CONNECTION_COST + page.first * (CONNECTION_COST + nested.first * ORDER_COST),
  };
}

/** `(first: $first, sortKey: CREATED_AT, reverse: true, query: "...")` starting at the "(". */
function readArguments(source: string, open: number, variables: Record<string, unknown>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const pattern = /\s*(\w+)\s*:\s*(\$\w+|"(?:[^"\\]|\\.)*"|[\w.-]+)\s*,?/y;
  pattern.lastIndex = open + 1;
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    const [, key, raw] = match;
    if (!key || raw === undefined) break;
    args[key] = raw.startsWith('$')
      ? variables[raw.slice(1)]
      : raw.startsWith('"')
        ? JSON.parse(raw)
        : raw === 'true' || raw === 'false'
          ? raw === 'true'
          : /^\d+$/.test(raw)
            ? Number(raw)
            : raw;
  }
  return args;
}

/** Shopify search syntax: terms `field:value` (value bare, or quoted with \ escapes) and OR between groups. */
export function parseSearch(query: string): Term[][] {
  const groups: Term[][] = [[]];
  let at = 0;
  while (at < query.length) {
    const rest = query.slice(at);
    const space = /^\s+/.exec(rest);
    if (space) {
      at += space[0].length;
      continue;
    }
    const connective = /^(OR|AND)(?=\s|$)/.exec(rest);
    if (connective) {
      if (connective[1] === 'OR') groups.push([]);
      at += connective[0].length;
      continue;
    }
    const field = /^(\w+):/.exec(rest);
    let name = 'default';
    if (field?.[1]) {
      name = field[1];
      at += field[0].length;
    }
    const [value, length] = readValue(query, at);
    groups[groups.length - 1]?.push({ field: name, value });
    at += length;
  }
  return groups.filter((group) => group.length > 0);
}

function readValue(query: string, at: number): [string, number] {
  const quote = query[at];
  if (quote !== '"' && quote !== "'") {
    const bare = /^[^\s]*/.exec(query.slice(at))?.[0] ?? '';
    return [bare, bare.length];
  }
  let value = '';
  let index = at + 1;
  while (index < query.length && query[index] !== quote) {
    if (query[index] === '\\' && index + 1 < query.length) index += 1;
    value += query[index];
    index += 1;
  }
  return [value, index + 1 - at];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

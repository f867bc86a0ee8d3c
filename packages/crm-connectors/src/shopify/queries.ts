/**
 * The GraphQL documents sent to Shopify, and the search strings they filter
 * with. Everything the customer typed travels in variables, never spliced
 * into a document; inside a variable it is still Shopify search syntax, so
 * values are quoted and escaped (searchValue) and cannot add terms of their own.
 */

/** Every field the mapping reads (mapping.ts); types.ts has their shapes. */
const ORDER_FIELDS = `
fragment PasserelleOrder on Order {
  name
  createdAt
  displayFinancialStatus
  displayFulfillmentStatus
  cancelledAt
  totalPriceSet { shopMoney { amount currencyCode } }
  email
  phone
  customer {
    defaultEmailAddress { emailAddress }
    defaultPhoneNumber { phoneNumber }
  }
  fulfillments(first: 10) {
    displayStatus
    deliveredAt
    trackingInfo(first: 5) { company number url }
  }
  lineItems(first: 10) { nodes { name quantity } }
}`;

/**
 * A few orders, not one: the name search is Shopify's text search, and the
 * exact name is picked from what comes back (orders.ts).
 */
export const FIND_ORDER = `query PasserelleFindOrder($query: String!) {
  orders(first: 5, query: $query) { nodes { ...PasserelleOrder } }
}
${ORDER_FIELDS}`;

export const ORDERS_BY_EMAIL = `query PasserelleOrdersByEmail($query: String!, $first: Int!) {
  orders(first: $first, sortKey: CREATED_AT, reverse: true, query: $query) { nodes { ...PasserelleOrder } }
}
${ORDER_FIELDS}`;

/** The orders search has no phone filter; customers have one (and a phone belongs to one customer only). */
export const ORDERS_BY_PHONE = `query PasserelleOrdersByPhone($query: String!, $first: Int!) {
  customers(first: 1, query: $query) {
    nodes { orders(first: $first, sortKey: CREATED_AT, reverse: true) { nodes { ...PasserelleOrder } } }
  }
}
${ORDER_FIELDS}`;

/** A value of Shopify search syntax, quoted: `\` and `"` escaped, so `:`, `(`, `OR` inside stay text. */
export function searchValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/**
 * The name as the customer typed it matches "#1001" shops and prefixed
 * ("ML-10234") shops alike: both spellings are searched.
 */
export function nameSearch(number: string): string {
  return `name:${searchValue(number)} OR name:${searchValue(`#${number}`)}`;
}

export function emailSearch(email: string): string {
  return `email:${searchValue(email)}`;
}

export function phoneSearch(phone: string): string {
  return `phone:${searchValue(phone)}`;
}

/**
 * The parts of Shopify's Admin GraphQL answers this connector reads, as the
 * API spells them. They stay inside this folder: the rest of the gateway only
 * sees the Order of interfaces.ts.
 */

export interface ShopifyMoney {
  /** A decimal string: "129.00". */
  amount: string;
  currencyCode: string;
}

export interface ShopifyTrackingInfo {
  company: string | null;
  number: string | null;
  url: string | null;
}

export interface ShopifyFulfillment {
  /** FulfillmentDisplayStatus: IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED, CANCELED ... */
  displayStatus: string | null;
  deliveredAt: string | null;
  trackingInfo: ShopifyTrackingInfo[];
}

export interface ShopifyOrderNode {
  /** "#1001", or with the shop's own prefix and suffix: "ML-10234". */
  name: string;
  createdAt: string;
  /** OrderDisplayFinancialStatus: PENDING, AUTHORIZED, PAID, PARTIALLY_REFUNDED, REFUNDED, VOIDED ... */
  displayFinancialStatus: string | null;
  /** OrderDisplayFulfillmentStatus: UNFULFILLED, IN_PROGRESS, PARTIALLY_FULFILLED, FULFILLED ... */
  displayFulfillmentStatus: string;
  cancelledAt: string | null;
  totalPriceSet: { shopMoney: ShopifyMoney } | null;
  email: string | null;
  phone: string | null;
  customer: {
    defaultEmailAddress: { emailAddress: string | null } | null;
    defaultPhoneNumber: { phoneNumber: string | null } | null;
  } | null;
  fulfillments: ShopifyFulfillment[];
  lineItems: { nodes: Array<{ name: string; quantity: number }> };
}

export interface OrdersData {
  orders: { nodes: ShopifyOrderNode[] };
}

export interface CustomersOrdersData {
  customers: { nodes: Array<{ orders: { nodes: ShopifyOrderNode[] } }> };
}

/** One entry of a GraphQL answer's `errors`. */
export interface ShopifyGraphqlError {
  message?: string;
  extensions?: { code?: string };
}

/** What Shopify puts in `extensions.cost` of every answer, throttled or not. */
export interface ShopifyQueryCost {
  requestedQueryCost?: number | null;
  actualQueryCost?: number | null;
  throttleStatus?: { maximumAvailable?: number; currentlyAvailable?: number; restoreRate?: number };
}

export interface ShopifyGraphqlResponse<T> {
  data?: T | null;
  /** A list of GraphQL errors; a plain string for some errors outside GraphQL. */
  errors?: ShopifyGraphqlError[] | string;
  extensions?: { cost?: ShopifyQueryCost };
}

/**
 * A Shopify order as the gateway's Order: the name without its "#", one
 * status word a flow can branch on, the shop-currency total as a number, and
 * the tracking link of the latest shipment.
 *
 * Status, first rule that applies:
 *   refunded    displayFinancialStatus REFUNDED (all the money went back, cancelled or not)
 *   cancelled   cancelledAt set, or VOIDED (an authorised payment let go), or RESTOCKED (every item back in stock)
 *   delivered   FULFILLED and every shipment (not cancelled) DELIVERED or PICKED_UP or with a deliveredAt;
 *               also FULFILLMENT_NOT_REQUIRED (nothing to ship: gift cards, digital goods)
 *   shipped     FULFILLED (not all delivered yet) or PARTIALLY_FULFILLED (part of it is on its way)
 *   processing  anything else: UNFULFILLED, IN_PROGRESS, PENDING_FULFILLMENT, SCHEDULED, ON_HOLD,
 *               REQUEST_DECLINED, OPEN; whatever the payment state (PENDING, AUTHORIZED, PAID ...)
 * A partial refund does not make the order "refunded": the rest still ships.
 */
import type { Order } from '../interfaces.js';
import type { ShopifyFulfillment, ShopifyOrderNode } from './types.js';

export type ShopifyOrderStatus = 'processing' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

type StatusFields = Pick<
  ShopifyOrderNode,
  'displayFinancialStatus' | 'displayFulfillmentStatus' | 'cancelledAt' | 'fulfillments'
>;

export function orderStatus(order: StatusFields): ShopifyOrderStatus {
  if (order.displayFinancialStatus === 'REFUNDED') return 'refunded';
  if (order.cancelledAt || order.displayFinancialStatus === 'VOIDED') return 'cancelled';
  switch (order.displayFulfillmentStatus) {
    case 'RESTOCKED':
      return 'cancelled';
    case 'FULFILLMENT_NOT_REQUIRED':
      return 'delivered';
    case 'FULFILLED':
      return allDelivered(order.fulfillments) ? 'delivered' : 'shipped';
    case 'PARTIALLY_FULFILLED':
      return 'shipped';
    default:
      return 'processing';
  }
}

/** "#1001" and " #1001 " give "1001"; "ml-10234" gives "ML-10234": how typed and stored numbers compare. */
export function normaliseNumber(number: string): string {
  return number.trim().replace(/^#\s*/, '').toUpperCase();
}

export function toOrder(node: ShopifyOrderNode): Order {
  const money = node.totalPriceSet?.shopMoney;
  const amount = money ? Number(money.amount) : Number.NaN;
  const tracking = latestTracking(node.fulfillments);
  return {
    number: node.name.trim().replace(/^#\s*/, ''),
    status: orderStatus(node),
    placedAt: new Date(node.createdAt).toISOString(),
    total: money && Number.isFinite(amount) ? { amount, currency: money.currencyCode } : undefined,
    trackingUrl: tracking?.url ?? undefined,
    carrier: tracking?.company ?? undefined,
    items: node.lineItems.nodes.map((item) => ({ name: item.name, quantity: item.quantity })),
  };
}

function active(fulfillments: ShopifyFulfillment[]): ShopifyFulfillment[] {
  return fulfillments.filter((fulfillment) => fulfillment.displayStatus !== 'CANCELED');
}

function allDelivered(fulfillments: ShopifyFulfillment[]): boolean {
  const shipments = active(fulfillments);
  return (
    shipments.length > 0 &&
    shipments.every(
      (fulfillment) =>
        fulfillment.deliveredAt !== null ||
        fulfillment.displayStatus === 'DELIVERED' ||
        fulfillment.displayStatus === 'PICKED_UP',
    )
  );
}

/** The newest shipment's tracking (Shopify lists fulfillments oldest first); a URL only when it is one. */
function latestTracking(fulfillments: ShopifyFulfillment[]): { url?: string; company?: string } | undefined {
  for (const fulfillment of active(fulfillments).reverse()) {
    const info = fulfillment.trackingInfo.find((entry) => entry.url || entry.company || entry.number);
    if (!info) continue;
    return {
      ...(info.url && /^https?:\/\//i.test(info.url) ? { url: info.url } : {}),
      ...(info.company ? { company: info.company } : {}),
    };
  }
  return undefined;
}

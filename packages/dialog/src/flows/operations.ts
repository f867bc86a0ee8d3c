/**
 * The connector operations a flow can `call`, what each one takes and what it
 * gives back. The result shapes let the loader refuse {{order.statuss}} before
 * a customer ever sees it; `run` maps the flow's arguments onto the connector
 * interfaces of @passerelle/crm-connectors.
 */
import type { ConnectorSet, ContactRef, Order, Slot } from '@passerelle/crm-connectors';

/** What a value offers to templates and conditions, so the loader can check {{order.status}}. */
export type Shape =
  | { kind: 'object'; fields: Record<string, Shape> }
  | { kind: 'list'; item: Shape }
  | { kind: 'value' }
  | { kind: 'any' };

export const VALUE: Shape = { kind: 'value' };
export const ANY: Shape = { kind: 'any' };
export const object = (fields: Record<string, Shape>): Shape => ({ kind: 'object', fields });
export const listOf = (item: Shape): Shape => ({ kind: 'list', item });

const ORDER = object({
  number: VALUE,
  status: VALUE,
  placedAt: VALUE,
  total: object({ amount: VALUE, currency: VALUE }),
  trackingUrl: VALUE,
  carrier: VALUE,
  items: listOf(object({ name: VALUE, quantity: VALUE })),
});
const SLOT = object({ id: VALUE, start: VALUE, end: VALUE, service: VALUE });
/** CRM fields differ from one CRM to the next: anything under contact.fields is allowed. */
const CONTACT = object({ id: VALUE, firstName: VALUE, lastName: VALUE, email: VALUE, phone: VALUE, fields: ANY });

export type Outcome = { found: true; value: unknown } | { found: false };

export interface CallContext {
  contact: ContactRef;
  requireOwnership: boolean;
  now: Date;
}

export type ConnectorKind = 'crm' | 'orders' | 'bookings';

export interface Operation {
  kind: ConnectorKind;
  required: readonly string[];
  optional: readonly string[];
  result: Shape;
  run(connectors: Required<ConnectorSet>, args: Record<string, string>, context: CallContext): Promise<Outcome>;
}

const found = (value: unknown): Outcome => ({ found: true, value });
const list = <T>(items: T[]): Outcome => (items.length > 0 ? found({ items, count: items.length }) : { found: false });

export const OPERATIONS: Record<string, Operation> = {
  'orders.find': {
    kind: 'orders',
    required: ['number'],
    optional: [],
    result: ORDER,
    async run({ orders }, args, context) {
      const order = await orders.findOrder(
        args.number ?? '',
        context.requireOwnership ? { owner: context.contact } : {},
      );
      return order ? found(order satisfies Order) : { found: false };
    },
  },
  'orders.recent': {
    kind: 'orders',
    required: [],
    optional: ['limit'],
    result: object({ items: listOf(ORDER), count: VALUE }),
    run: async ({ orders }, args, context) => list(await orders.recentOrders(context.contact, int(args.limit, 5))),
  },
  'bookings.slots': {
    kind: 'bookings',
    required: ['service'],
    optional: ['from', 'days'],
    result: object({ items: listOf(SLOT), count: VALUE }),
    async run({ bookings }, args, context) {
      // A date the customer gave ("2026-12-03") starts that day; no date starts now.
      const from = args.from ? new Date(`${args.from.slice(0, 10)}T00:00:00Z`) : context.now;
      const start = from < context.now ? context.now : from;
      const to = new Date(start.getTime() + int(args.days, 7) * 86_400_000);
      const slots: Slot[] = await bookings.freeSlots(args.service ?? '', {
        from: start.toISOString(),
        to: to.toISOString(),
      });
      return list(slots);
    },
  },
  'bookings.book': {
    kind: 'bookings',
    required: ['service', 'slot'],
    optional: [],
    result: object({ id: VALUE }),
    async run({ bookings }, args, context) {
      const { bookingId } = await bookings.book({
        service: args.service ?? '',
        slotId: args.slot ?? '',
        contact: context.contact,
      });
      return found({ id: bookingId });
    },
  },
  'bookings.cancel': {
    kind: 'bookings',
    required: ['booking'],
    optional: [],
    result: object({}),
    async run({ bookings }, args) {
      await bookings.cancel(args.booking ?? '');
      return found({});
    },
  },
  'crm.find': {
    kind: 'crm',
    required: [],
    optional: ['email', 'phone'],
    result: CONTACT,
    async run({ crm }, args) {
      const contact = await crm.findContact({ email: args.email || undefined, phone: args.phone || undefined });
      return contact ? found(contact) : { found: false };
    },
  },
  'crm.lead': {
    kind: 'crm',
    required: ['subject'],
    optional: ['details', 'kind'],
    result: object({ id: VALUE }),
    async run({ crm }, args, context) {
      const lead = await crm.recordLead({
        contact: context.contact,
        subject: args.subject ?? '',
        details: args.details,
        kind: args.kind === 'case' ? 'case' : 'lead',
      });
      return found(lead);
    },
  },
};

function int(text: string | undefined, fallback: number): number {
  const value = Number.parseInt(text ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The shape found at `path` inside `shape`, or undefined when that field does not exist. */
export function shapeAt(shape: Shape, path: readonly string[]): Shape | undefined {
  let current: Shape = shape;
  for (const segment of path) {
    if (current.kind === 'any') return ANY;
    if (current.kind !== 'object') return undefined;
    const next: Shape | undefined = current.fields[segment];
    if (!next) return undefined;
    current = next;
  }
  return current;
}

export function describeShape(shape: Shape): string {
  return shape.kind === 'object' ? Object.keys(shape.fields).join(', ') || 'nothing' : shape.kind;
}

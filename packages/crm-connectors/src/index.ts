/**
 * The three interfaces a connector implements: CRM, orders, bookings. The
 * dialog calls them through these types only. Built-in connectors, the
 * registry and the contract test kit for integrators live in this package
 * too as they are added.
 */
import type { Channel } from '@passerelle/core';

export type { ConnectorSet } from './connector-set.js';
export {
  createDemoConnectors,
  type DemoConnectorOptions,
  type DemoSeed,
  type DemoService,
  loadDemoSeed,
  readDemoSeed,
} from './demo/index.js';
export { SlotTakenError } from './errors.js';

export interface ChannelIdentity {
  channel: Channel;
  account: string;
  userId: string;
}

export interface CrmContact {
  id: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  /** Anything else the CRM holds that a flow may show ({{contact.fields.tier}}). */
  fields?: Record<string, string> | undefined;
}

export interface CrmConnector {
  findContact(query: { identity?: ChannelIdentity; phone?: string; email?: string }): Promise<CrmContact | undefined>;
  upsertContact(contact: Omit<CrmContact, 'id'> & { id?: string }): Promise<CrmContact>;
  recordLead(input: { contactId: string; subject: string; details?: string }): Promise<{ id: string }>;
  logConversation(input: { contactId: string; summary: string; transcriptUrl?: string }): Promise<void>;
}

export interface Order {
  number: string;
  status: string;
  placedAt: string;
  total?: { amount: number; currency: string } | undefined;
  trackingUrl?: string | undefined;
  /** Who delivers it (Colissimo, DPD ...), when it has shipped. */
  carrier?: string | undefined;
  items?: Array<{ name: string; quantity: number }> | undefined;
}

export interface OrderConnector {
  /**
   * The number in any case. With contactId, only an order of that contact is
   * returned (when the shop requires it): someone else's order is undefined,
   * exactly as an unknown number, so a guessed number reveals nothing.
   */
  findOrder(number: string, options?: { contactId?: string }): Promise<Order | undefined>;
  /** Newest first. */
  recentOrders(contactId: string, limit?: number): Promise<Order[]>;
}

export interface Slot {
  /** Opaque to the flow: handed back to book() or reschedule() as it is. */
  id: string;
  /** ISO instants (UTC); the flow formats them in the contact's time zone and language. */
  start: string;
  end: string;
  service?: string | undefined;
}

export interface BookingConnector {
  /** Free slots starting in the range, in order, at most a screenful (the demo: 50). */
  freeSlots(service: string, range: { from: string; to: string }): Promise<Slot[]>;
  /** Throws SlotTakenError when someone else got the slot first. */
  book(input: { service: string; slotId: string; contactId: string }): Promise<{ bookingId: string }>;
  cancel(bookingId: string): Promise<void>;
  /** Moves the booking to a free slot of the same service; SlotTakenError when it is not free. */
  reschedule(bookingId: string, slotId: string): Promise<void>;
}
export { type ConnectorChoice, type ConnectorHost, DEMO_SEED_FILE, openConnectors } from './registry.js';

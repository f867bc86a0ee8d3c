/**
 * The three interfaces a connector implements: CRM, orders, bookings. The
 * dialog calls them through these types only. Built-in connectors, the
 * registry and the contract test kit for integrators live in this package
 * too as they are added.
 */
import type { Channel } from '@passerelle/core';

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
}

export interface OrderConnector {
  /** With contactId, only an order of that contact is returned (when the shop requires it). */
  findOrder(number: string, options?: { contactId?: string }): Promise<Order | undefined>;
  recentOrders(contactId: string, limit?: number): Promise<Order[]>;
}

export interface Slot {
  id: string;
  start: string;
  end: string;
}

export interface BookingConnector {
  freeSlots(service: string, range: { from: string; to: string }): Promise<Slot[]>;
  book(input: { service: string; slotId: string; contactId: string }): Promise<{ bookingId: string }>;
  cancel(bookingId: string): Promise<void>;
  reschedule(bookingId: string, slotId: string): Promise<void>;
}

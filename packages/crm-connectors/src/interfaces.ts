/**
 * The three interfaces a connector implements: CRM, orders, bookings. The
 * dialog calls connectors through these types only, so a flow works the same
 * whichever shop, calendar or CRM is behind it.
 */
import type { Channel } from '@passerelle/core';

export interface ChannelIdentity {
  channel: Channel;
  account: string;
  userId: string;
}

/**
 * Who the conversation is with, as the gateway knows them: enough for a
 * connector to find the person in its own system (by email or phone), or to
 * create them there. `id` is the gateway's own contact id.
 */
export interface ContactRef {
  id: string;
  name?: string | undefined;
  email?: string | undefined;
  /** E.164 when known (SMS and WhatsApp give it). */
  phone?: string | undefined;
  identity?: ChannelIdentity | undefined;
  locale?: string | undefined;
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
  /** A lead (sales) or a case (support) for this person, found or created in the CRM first. */
  recordLead(input: {
    contact: ContactRef;
    subject: string;
    details?: string | undefined;
    kind?: 'lead' | 'case';
  }): Promise<{ id: string }>;
  logConversation(input: { contact: ContactRef; summary: string; transcriptUrl?: string | undefined }): Promise<void>;
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
   * The number in any case. With an owner, only an order of that person is
   * returned (when the shop requires it): someone else's order is undefined,
   * exactly as an unknown number, so a guessed number reveals nothing.
   */
  findOrder(number: string, options?: { owner?: ContactRef | undefined }): Promise<Order | undefined>;
  /** That person's orders, newest first. */
  recentOrders(owner: ContactRef, limit?: number): Promise<Order[]>;
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
  book(input: { service: string; slotId: string; contact: ContactRef }): Promise<{ bookingId: string }>;
  cancel(bookingId: string): Promise<void>;
  /** Moves the booking to a free slot of the same service; SlotTakenError when it is not free. */
  reschedule(bookingId: string, slotId: string): Promise<void>;
}

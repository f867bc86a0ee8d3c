/**
 * The BookingConnector over Cal.com API v2:
 *   freeSlots  GET  /v2/slots?eventTypeId&start&end&timeZone&format=range   (cal-api-version 2024-09-04)
 *   book       POST /v2/bookings                                           (2024-08-13)
 *   cancel     POST /v2/bookings/{uid}/cancel                              (2024-08-13)
 *   reschedule POST /v2/bookings/{uid}/reschedule                          (2024-08-13)
 *
 * Cal.com reschedules by cancelling the booking and creating a new one with
 * a new uid, while the flow keeps the uid book() returned. So when Cal.com
 * refuses to cancel or move a booking (400: already cancelled), the booking
 * is read (GET /v2/bookings/{uid}): one moved elsewhere names its successor
 * (`rescheduledToUid`), and the call goes there. A booking cancelled for good
 * makes cancel() a no-op: a step run twice is not an error.
 */
import { z } from 'zod';
import { resolveRange } from '../demo/slots.js';
import { SlotTakenError } from '../errors.js';
import type { BookingConnector, Slot } from '../interfaces.js';
import { attendeeFor } from './attendee.js';
import type { CalcomClient } from './client.js';
import { isBadRequest, isSlotTaken } from './refusals.js';
import { allHaveEnds, flattenSlots, parseSlotId } from './slots.js';
import { CAL_API_VERSION, CalBooking, CalCreatedBooking, CalEventType, CalSlots } from './types.js';

/** Shown to the host in Cal.com and in its emails; Cal.com requires one when the host (the API key) cancels. */
export const CANCELLATION_REASON = 'Cancelled by the customer in a conversation with the assistant';
export const RESCHEDULING_REASON = 'Moved by the customer in a conversation with the assistant';

/** Reschedules followed from a uid to the booking it became; more means something is off. */
const MAX_MOVES = 5;

export interface CalcomBookingsOptions {
  /** Our service ids -> Cal.com event type ids. */
  services: Record<string, number>;
  timeZone: string;
  defaultAttendeeEmail?: string | undefined;
}

export function calcomBookings(client: CalcomClient, options: CalcomBookingsOptions): BookingConnector {
  const { services, timeZone } = options;
  const lengths = new Map<number, Promise<number>>();

  const eventTypeOf = (service: string): number => {
    const id = Object.hasOwn(services, service) ? services[service] : undefined;
    if (id === undefined) {
      throw new Error(
        `unknown service "${service}" (the calcom connector has: ${Object.keys(services).join(', ')}; ` +
          'map it to its Cal.com event type id under services)',
      );
    }
    return id;
  };

  /** An event type's length in minutes: asked once, only when Cal.com's slots come without their end. */
  const lengthOf = (eventTypeId: number): Promise<number> => {
    let length = lengths.get(eventTypeId);
    if (!length) {
      length = client
        .call(
          { method: 'GET', path: `/v2/event-types/${eventTypeId}`, version: CAL_API_VERSION.eventTypes },
          CalEventType,
        )
        .then((eventType) => eventType.lengthInMinutes);
      // A failure is not remembered: the next call asks again.
      length.catch(() => lengths.delete(eventTypeId));
      lengths.set(eventTypeId, length);
    }
    return length;
  };

  const booking = (uid: string) =>
    client.call({ method: 'GET', path: bookingPath(uid), version: CAL_API_VERSION.bookings }, CalBooking);

  async function cancel(uid: string, moves: number): Promise<void> {
    try {
      await client.call(
        {
          method: 'POST',
          path: bookingPath(uid, 'cancel'),
          version: CAL_API_VERSION.bookings,
          body: { cancellationReason: CANCELLATION_REASON },
        },
        z.unknown(),
      );
    } catch (error) {
      if (!isBadRequest(error) || moves >= MAX_MOVES) throw error;
      const now = await booking(uid);
      if (now.rescheduledToUid) return cancel(now.rescheduledToUid, moves + 1);
      if (now.status !== 'cancelled') throw error;
    }
  }

  async function reschedule(uid: string, slotId: string, moves: number): Promise<void> {
    // The slot's event type is not checked against the booking's: Cal.com moves a booking within its own.
    const { start } = parseSlotId(slotId);
    try {
      await client.call(
        {
          method: 'POST',
          path: bookingPath(uid, 'reschedule'),
          version: CAL_API_VERSION.bookings,
          body: { start: start.toISOString(), reschedulingReason: RESCHEDULING_REASON },
        },
        z.unknown(),
      );
    } catch (error) {
      if (isSlotTaken(error)) throw new SlotTakenError(slotId);
      if (!isBadRequest(error) || moves >= MAX_MOVES) throw error;
      const now = await booking(uid);
      if (now.rescheduledToUid) return reschedule(now.rescheduledToUid, slotId, moves + 1);
      throw error;
    }
  }

  return {
    async freeSlots(service, range): Promise<Slot[]> {
      const eventTypeId = eventTypeOf(service);
      // A plain date is a whole day in the calendar's time zone, as with the demo connector.
      const { from, to } = resolveRange(range, timeZone);
      if (from >= to) return [];
      const days = await client.call(
        {
          method: 'GET',
          path: '/v2/slots',
          version: CAL_API_VERSION.slots,
          query: {
            eventTypeId: String(eventTypeId),
            start: from.toISOString(),
            end: to.toISOString(),
            timeZone,
            format: 'range',
          },
        },
        CalSlots,
      );
      const lengthMs = allHaveEnds(days) ? undefined : (await lengthOf(eventTypeId)) * 60_000;
      return flattenSlots(days, { from, to }, service, eventTypeId, lengthMs);
    },

    async book({ service, slotId, contact }) {
      const eventTypeId = eventTypeOf(service);
      const slot = parseSlotId(slotId);
      if (slot.eventTypeId !== eventTypeId) {
        throw new Error(
          `the slot ${slotId} is not one of the service "${service}" (Cal.com event type ${eventTypeId})`,
        );
      }
      const attendee = attendeeFor(contact, { timeZone, defaultEmail: options.defaultAttendeeEmail });
      let created: z.infer<typeof CalCreatedBooking>;
      try {
        created = await client.call(
          {
            method: 'POST',
            path: '/v2/bookings',
            version: CAL_API_VERSION.bookings,
            // metadata: who booked, for the shop looking at the booking in Cal.com (values up to 500 characters).
            body: {
              start: slot.start.toISOString(),
              eventTypeId,
              attendee,
              metadata: { contactId: contact.id.slice(0, 500) },
            },
          },
          CalCreatedBooking,
        );
      } catch (error) {
        throw isSlotTaken(error) ? new SlotTakenError(slotId) : error;
      }
      const first = Array.isArray(created) ? created[0] : created;
      if (!first) throw new Error('POST /v2/bookings: Cal.com answered no booking');
      return { bookingId: first.uid };
    },

    cancel: (bookingId) => cancel(bookingId, 0),

    reschedule: (bookingId, slotId) => reschedule(bookingId, slotId, 0),
  };
}

function bookingPath(uid: string, action?: 'cancel' | 'reschedule'): string {
  return `/v2/bookings/${encodeURIComponent(uid)}${action ? `/${action}` : ''}`;
}

/**
 * BookingConnector over freeSlots, book, cancel and reschedule. Slots are
 * kept to the range asked, put in order and cut to a screenful here, as the
 * interface promises whatever the API does; a `conflict` status on book or
 * reschedule is SlotTakenError, which the flow answers by offering others.
 */
import type { Logger } from '@passerelle/core';
import { SlotTakenError } from '../errors.js';
import type { BookingConnector, Slot } from '../interfaces.js';
import type { RestClient } from './client.js';
import { text } from './mapping.js';
import { refArgs } from './people.js';
import { readItem, readItems } from './results.js';

/** As many as the demo connector offers: more is not read in a chat. */
const MAX_FREE_SLOTS = 50;

export function restBookings(client: RestClient, logger?: Logger): BookingConnector {
  return {
    async freeSlots(service, range) {
      const answer = await client.call('freeSlots', { service, from: range.from, to: range.to });
      if (answer.kind !== 'ok') return [];
      const from = Date.parse(range.from);
      const to = Date.parse(range.to);
      const slots: Slot[] = readItems(client, 'freeSlots', answer.result, logger).map((mapped) => ({
        id: text(mapped, 'id') as string,
        start: text(mapped, 'start') as string,
        end: text(mapped, 'end') as string,
        service: text(mapped, 'service') ?? service,
      }));
      return slots
        .filter((slot) => {
          const start = Date.parse(slot.start);
          return start >= from && start <= to && start < Date.parse(slot.end);
        })
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
        .slice(0, MAX_FREE_SLOTS);
    },

    async book({ service, slotId, contact }) {
      const answer = await client.call('book', { service, slotId, contact: refArgs(contact) });
      if (answer.kind === 'conflict') throw new SlotTakenError(slotId);
      if (answer.kind !== 'ok') throw new Error('book: the API answered nothing');
      return { bookingId: text(readItem(client, 'book', answer.result), 'bookingId') as string };
    },

    async cancel(bookingId) {
      // `nothing` (a not_found status) is a booking already gone: there is nothing left to cancel.
      await client.call('cancel', { bookingId });
    },

    async reschedule(bookingId, slotId) {
      const answer = await client.call('reschedule', { bookingId, slotId });
      if (answer.kind === 'conflict') throw new SlotTakenError(slotId);
    },
  };
}

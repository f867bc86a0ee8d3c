import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SlotTakenError } from '../errors.js';
import type { BookingConnector, ContactRef, Slot } from '../interfaces.js';

export interface BookingsContractSetup {
  bookings: BookingConnector;
  /** A service with at least three free slots in `range`. */
  service: string;
  range: { from: string; to: string };
  /** Who books (the contract books, cancels and reschedules in the system behind the connector). */
  contact: ContactRef;
  close?(): Promise<void>;
}

/** The behaviour every BookingConnector must have. */
export function bookingsContract(name: string, setup: () => Promise<BookingsContractSetup>): void {
  describe(`bookings contract: ${name}`, () => {
    let s: BookingsContractSetup;
    let slots: Slot[];
    before(async () => {
      s = await setup();
      slots = await s.bookings.freeSlots(s.service, s.range);
    });
    after(() => s?.close?.());

    const free = async () => (await s.bookings.freeSlots(s.service, s.range)).map((slot) => slot.start);

    it('lists free slots in the range, in order, each with an id, a start before its end', () => {
      assert.ok(slots.length >= 3, `only ${slots.length} free slots; the setup promises three`);
      const from = Date.parse(s.range.from);
      const to = Date.parse(s.range.to);
      for (const slot of slots) {
        assert.ok(slot.id, 'a slot without an id');
        assert.ok(Date.parse(slot.start) < Date.parse(slot.end), `slot ${slot.id} ends before it starts`);
        assert.ok(
          Date.parse(slot.start) >= from && Date.parse(slot.start) <= to,
          `slot ${slot.start} is outside the range`,
        );
      }
      const starts = slots.map((slot) => Date.parse(slot.start));
      assert.deepEqual(
        starts,
        [...starts].sort((a, b) => a - b),
        'slots are not in order',
      );
      assert.equal(new Set(slots.map((slot) => slot.id)).size, slots.length, 'two slots share an id');
    });

    it('books a slot, which is then no longer free; booking it again is SlotTakenError', async () => {
      const slot = slots[0] as Slot;
      const { bookingId } = await s.bookings.book({ service: s.service, slotId: slot.id, contact: s.contact });
      assert.ok(bookingId, 'no booking id');
      assert.ok(!(await free()).includes(slot.start), 'the booked slot is still offered');
      await assert.rejects(
        s.bookings.book({ service: s.service, slotId: slot.id, contact: s.contact }),
        (error) => error instanceof SlotTakenError || (error as Error).name === 'SlotTakenError',
        'booking a taken slot must throw SlotTakenError',
      );
    });

    it('cancels a booking, which frees its slot', async () => {
      const slot = slots[1] as Slot;
      const { bookingId } = await s.bookings.book({ service: s.service, slotId: slot.id, contact: s.contact });
      await s.bookings.cancel(bookingId);
      assert.ok((await free()).includes(slot.start), 'the cancelled slot is not free again');
    });

    it('reschedules a booking to another free slot', async () => {
      const [, , first, second] = slots;
      assert.ok(first && second, 'the setup needs four free slots for this one');
      const { bookingId } = await s.bookings.book({ service: s.service, slotId: first.id, contact: s.contact });
      await s.bookings.reschedule(bookingId, second.id);
      const now = await free();
      assert.ok(now.includes(first.start), 'the old slot is not free after the move');
      assert.ok(!now.includes(second.start), 'the new slot is still offered');
    });
  });
}

/**
 * Appointments for the seed's services: free slots are the service's
 * computed slots minus live bookings; a booking is a row in demo_bookings.
 * Two people taking the same slot at once are told apart by the unique
 * index on live bookings, not by a read-then-write check that both could pass.
 */
import { type Db, randomId } from '@passerelle/core';
import { SlotTakenError } from '../errors.js';
import type { BookingConnector, Slot } from '../interfaces.js';
import type { DemoService } from './seed-schema.js';
import { resolveRange, type SlotTime, serviceSlots, slotAt } from './slots.js';

/** Enough to choose from in a chat; a flow wanting later ones asks from a later date. */
export const MAX_FREE_SLOTS = 50;

export function demoBookings(db: Db, services: Record<string, DemoService>, now: () => Date): BookingConnector {
  const serviceNamed = (id: string): DemoService => {
    const service = Object.hasOwn(services, id) ? services[id] : undefined;
    if (!service) {
      const known = Object.keys(services).join(', ') || 'none';
      throw new Error(`unknown service "${id}" (the demo seed has: ${known})`);
    }
    return service;
  };

  /** The slot an id stands for, if it is a future slot of that service's hours; an Error otherwise. */
  const slotOf = (slotId: string, expectedService?: string): SlotTime & { service: string } => {
    const at = slotId.indexOf('@');
    const serviceId = slotId.slice(0, Math.max(at, 0));
    const start = new Date(slotId.slice(at + 1));
    if (at <= 0 || Number.isNaN(start.getTime())) throw new Error(`"${slotId}" is not a slot id`);
    if (expectedService !== undefined && serviceId !== expectedService) {
      throw new Error(`the slot ${slotId} is not one of the service "${expectedService}"`);
    }
    const slot = slotAt(serviceNamed(serviceId), start);
    if (!slot) throw new Error(`the slot ${slotId} is not in the hours of the service "${serviceId}"`);
    if (slot.start < now()) throw new Error(`the slot ${slotId} is in the past`);
    return { ...slot, service: serviceId };
  };

  return {
    async freeSlots(serviceId, range) {
      const service = serviceNamed(serviceId);
      const { from, to } = resolveRange(range, service.timeZone);
      const notBefore = now();
      const { rows } = await db.query<{ starts_at: Date }>(
        `select starts_at from demo_bookings
          where service = $1 and status = 'booked' and starts_at >= $2 and starts_at < $3`,
        [serviceId, from, to],
      );
      const booked = new Set(rows.map((row) => new Date(row.starts_at).getTime()));
      const free: Slot[] = [];
      for (const slot of serviceSlots(service, from, to)) {
        if (slot.start < notBefore || booked.has(slot.start.getTime())) continue;
        free.push({
          id: slotId(serviceId, slot),
          start: slot.start.toISOString(),
          end: slot.end.toISOString(),
          service: serviceId,
        });
        if (free.length === MAX_FREE_SLOTS) break;
      }
      return free;
    },

    async book({ service, slotId: id, contact }) {
      const slot = slotOf(id, service);
      const bookingId = randomId('bk');
      try {
        await db.query(
          `insert into demo_bookings (id, service, starts_at, ends_at, contact_id) values ($1, $2, $3, $4, $5)`,
          [bookingId, service, slot.start, slot.end, contact.id],
        );
      } catch (error) {
        throw isUniqueViolation(error) ? new SlotTakenError(id) : error;
      }
      return { bookingId };
    },

    async cancel(bookingId) {
      const { rows } = await db.query<{ status: string }>(
        `update demo_bookings set status = 'cancelled', updated_at = now() where id = $1 returning status`,
        [bookingId],
      );
      // Cancelling twice is fine (a retried step); cancelling nothing is a bug in the flow.
      if (rows.length === 0) throw new Error(`no booking ${bookingId}`);
    },

    async reschedule(bookingId, id) {
      try {
        await db.transaction(async (tx) => {
          const { rows } = await tx.query<{ service: string; status: string }>(
            'select service, status from demo_bookings where id = $1 for update',
            [bookingId],
          );
          const booking = rows[0];
          if (!booking) throw new Error(`no booking ${bookingId}`);
          if (booking.status !== 'booked') throw new Error(`the booking ${bookingId} is cancelled`);
          const slot = slotOf(id, booking.service);
          // The unique index on live bookings refuses a slot someone holds; this booking moving
          // onto its own slot matches itself only, which the index allows.
          await tx.query('update demo_bookings set starts_at = $2, ends_at = $3, updated_at = now() where id = $1', [
            bookingId,
            slot.start,
            slot.end,
          ]);
        });
      } catch (error) {
        throw isUniqueViolation(error) ? new SlotTakenError(id) : error;
      }
    },
  };
}

function slotId(service: string, slot: SlotTime): string {
  return `${service}@${slot.start.toISOString()}`;
}

/** PostgreSQL's unique_violation, as both pg and PGlite report it. */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

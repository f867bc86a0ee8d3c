/**
 * A service's possible appointments, from its weekly hours: laid end to end
 * from each opening time in the service's own time zone, so 10:00, 10:45 ...
 * stay 10:00, 10:45 in Lyon on both sides of a daylight saving change.
 * Pure: whether a slot is booked is the database's business (bookings.ts).
 */

import { addDays, existsLocally, localToInstant, wallClock, weekday } from '@passerelle/core';
import type { DemoService } from './seed-schema.js';

export interface SlotTime {
  start: Date;
  end: Date;
}

/** A range asked for by a flow is at most this long; the scan stops there, not at the year 9999. */
const MAX_DAYS = 366;

/** Every slot starting in [from, to), in order. */
export function* serviceSlots(service: DemoService, from: Date, to: Date): Generator<SlotTime> {
  const first = wallClock(from, service.timeZone).date;
  const last = wallClock(to, service.timeZone).date;
  for (let day = 0, date = first; date <= last && day < MAX_DAYS; day += 1, date = addDays(first, day)) {
    for (const slot of slotsOn(service, date)) {
      if (slot.start >= from && slot.start < to) yield slot;
    }
  }
}

function slotsOn(service: DemoService, date: string): SlotTime[] {
  if (service.closed.includes(date)) return [];
  const day = weekday(date);
  const slots: SlotTime[] = [];
  for (const hours of service.hours) {
    if (!hours.days.includes(day)) continue;
    for (let minutes = hours.from; minutes + service.minutes <= hours.to; minutes += service.minutes) {
      const start = localToInstant(date, minutes, service.timeZone);
      // A wall time the clocks jump over is no appointment.
      if (!existsLocally(start, date, minutes, service.timeZone)) continue;
      slots.push({ start, end: new Date(start.getTime() + service.minutes * 60_000) });
    }
  }
  return slots.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** The slot of this service starting exactly at `start`, if its hours have one. */
export function slotAt(service: DemoService, start: Date): SlotTime | undefined {
  const next = serviceSlots(service, start, new Date(start.getTime() + 1)).next();
  return next.done ? undefined : next.value;
}

/**
 * A flow's range: a full ISO instant, or a plain date read in the service's
 * time zone, where `to` includes that whole day ("from 26 to 30 March").
 */
export function resolveRange(range: { from: string; to: string }, timeZone: string): { from: Date; to: Date } {
  return { from: bound(range.from, timeZone, 0), to: bound(range.to, timeZone, 1) };
}

function bound(value: string, timeZone: string, daysAfter: number): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return localToInstant(addDays(value, daysAfter), 0, timeZone);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`"${value}" is not a date (expected 2027-03-26 or an ISO date and time)`);
  return new Date(ms);
}

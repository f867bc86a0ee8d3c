/**
 * Cal.com's free slots as the flows see them. A slot id carries the event
 * type and the start ("1234567@2027-03-02T09:00:00.000Z"): book() checks the
 * slot is one of the service asked for, and reschedule(), which is given no
 * service, still has the start Cal.com wants.
 */

import type { z } from 'zod';
import type { Slot } from '../interfaces.js';
import type { CalSlots } from './types.js';

/** Enough to choose from in a chat (as the demo); a flow wanting later ones asks from a later date. */
export const MAX_FREE_SLOTS = 50;

export interface SlotRef {
  eventTypeId: number;
  start: Date;
}

export function slotId(eventTypeId: number, start: Date): string {
  return `${eventTypeId}@${start.toISOString()}`;
}

export function parseSlotId(id: string): SlotRef {
  const match = /^(\d+)@(.+)$/.exec(id);
  const start = new Date(match?.[2] ?? '');
  if (!match || Number.isNaN(start.getTime())) throw new Error(`"${id}" is not a Cal.com slot id`);
  return { eventTypeId: Number(match[1]), start };
}

/**
 * Cal.com's days of slots flattened: only those starting in [from, to), in
 * order, each once. `lengthMs` gives the end of a slot Cal.com gave without
 * one (it gives them when asked with format=range).
 */
export function flattenSlots(
  days: z.infer<typeof CalSlots>,
  range: { from: Date; to: Date },
  service: string,
  eventTypeId: number,
  lengthMs: number | undefined,
): Slot[] {
  const byStart = new Map<number, Slot>();
  for (const slots of Object.values(days)) {
    for (const slot of slots) {
      const start = new Date(slot.start);
      if (start < range.from || start >= range.to || byStart.has(start.getTime())) continue;
      const end = slot.end ? new Date(slot.end) : new Date(start.getTime() + (lengthMs ?? 0));
      byStart.set(start.getTime(), {
        id: slotId(eventTypeId, start),
        start: start.toISOString(),
        end: end.toISOString(),
        service,
      });
    }
  }
  return [...byStart.entries()]
    .sort(([a], [b]) => a - b)
    .slice(0, MAX_FREE_SLOTS)
    .map(([, slot]) => slot);
}

/** Whether every slot came with its end (otherwise the event type's length is needed). */
export function allHaveEnds(days: z.infer<typeof CalSlots>): boolean {
  return Object.values(days).every((slots) => slots.every((slot) => slot.end !== undefined));
}

/**
 * The demo seed file (seed.yaml in the bot folder): the shop's orders and the
 * bookable services with their weekly hours. Orders go to the database;
 * services stay in memory, since free slots are computed, not stored.
 */

import { isTimeZone } from '@passerelle/core';
import { z } from 'zod';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const LocalDate = z.iso.date({ error: 'expected a date like 2026-12-25' });

/** HH:MM, read as minutes after midnight. */
const ClockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error: "expected a time like '09:30' (quoted)" })
  .transform((text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3)));

const TimeZone = z.string().refine(isTimeZone, { error: 'expected a time zone name like Europe/Paris' });

const Localised = z.object({ en: z.string().min(1) }).catchall(z.string().min(1));

/** '-3d' (3 days ago) or '-5h' (5 hours ago): relative, so the demo's orders never look stale. */
const Placed = z
  .string()
  .regex(/^-\d{1,4}[dh]$/, { error: "expected a time before loading like '-3d' (days ago) or '-5h' (hours ago)" })
  .transform((text) => Number(text.slice(1, -1)) * (text.endsWith('d') ? 86_400_000 : 3_600_000));

// Unquoted in YAML, +33612345678 is a number: the message says what to write.
const E164 = "expected an E.164 number like '+33612345678' (quoted)";

const OrderEntry = z
  .strictObject({
    number: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{2,31}$/, { error: 'expected letters, digits and dashes like ML-10234' })
      // Stored upper-case so a lookup in any case can use the primary key.
      .transform((text) => text.toUpperCase()),
    status: z.enum(['processing', 'shipped', 'delivered', 'cancelled', 'refunded']),
    placed: Placed,
    customer: z
      .strictObject({
        email: z
          .email()
          .transform((text) => text.toLowerCase())
          .optional(),
        phone: z
          .string({ error: E164 })
          .regex(/^\+[1-9]\d{6,14}$/, { error: E164 })
          .optional(),
      })
      .refine((customer) => customer.email || customer.phone, { error: 'needs an email or a phone' }),
    total: z.strictObject({
      amount: z.number().nonnegative(),
      currency: z.string().regex(/^[A-Z]{3}$/, { error: 'expected an ISO currency code like EUR' }),
    }),
    items: z.array(z.strictObject({ name: z.string().min(1), quantity: z.int().positive() })).default([]),
    carrier: z.string().min(1).optional(),
    trackingUrl: z.url().optional(),
  })
  .refine((order) => order.status !== 'shipped' || order.trackingUrl, {
    error: 'a shipped order needs a trackingUrl',
    path: ['trackingUrl'],
  });

const Hours = z
  .strictObject({ days: z.array(z.enum(DAYS)).min(1), from: ClockTime, to: ClockTime })
  .refine((hours) => hours.from < hours.to, { error: 'from must be before to', path: ['to'] });

const ServiceEntry = z.strictObject({
  name: Localised,
  minutes: z
    .int()
    .min(5)
    .max(24 * 60),
  hours: z.array(Hours).min(1),
  /** Defaults to the file's timeZone. */
  timeZone: TimeZone.optional(),
  /** Added to the file's closed dates. */
  closed: z.array(LocalDate).default([]),
});

export const DemoSeedFile = z
  .strictObject({
    timeZone: TimeZone,
    /** Days the whole shop is closed (public holidays ...), in the services' time zone. */
    closed: z.array(LocalDate).default([]),
    orders: z.array(OrderEntry).default([]),
    // Ids end up in slot ids (service@start), hence no '@'.
    services: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), ServiceEntry).default({}),
  })
  .superRefine((seed, context) => {
    const seen = new Set<string>();
    seed.orders.forEach((order, index) => {
      if (seen.has(order.number)) {
        context.addIssue({
          code: 'custom',
          message: `${order.number} appears twice`,
          path: ['orders', index, 'number'],
        });
      }
      seen.add(order.number);
    });
  })
  .transform((seed) => ({
    orders: seed.orders.map(({ placed, ...order }) => ({ ...order, placedMsAgo: placed })),
    services: Object.fromEntries(
      Object.entries(seed.services).map(([id, service]) => {
        const resolved: DemoService = {
          id,
          name: service.name,
          minutes: service.minutes,
          timeZone: service.timeZone ?? seed.timeZone,
          hours: service.hours.map((hours) => ({
            days: hours.days.map((day) => DAYS.indexOf(day)),
            from: hours.from,
            to: hours.to,
          })),
          closed: [...new Set([...seed.closed, ...service.closed])],
        };
        return [id, resolved];
      }),
    ),
  }));

export interface DemoService {
  id: string;
  name: { en: string; [locale: string]: string };
  /** Length of one appointment; slots are laid end to end from each opening time. */
  minutes: number;
  timeZone: string;
  /** days: 0 = Sunday ... 6 = Saturday; from/to: minutes after local midnight. */
  hours: Array<{ days: number[]; from: number; to: number }>;
  /** Local dates with no slots. */
  closed: string[];
}

export type DemoSeed = z.output<typeof DemoSeedFile>;
export type DemoSeedOrder = DemoSeed['orders'][number];

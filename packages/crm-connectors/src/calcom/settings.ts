/**
 * The calcom connector's settings in bot.yaml:
 *
 *   connectors:
 *     bookings:
 *       type: calcom
 *       api_key: { env: CALCOM_API_KEY }          # a Cal.com API key (Settings > Security), cal_live_...
 *       services:                                  # the flows' service ids -> Cal.com event type ids
 *         showroom-visit: 1234567
 *         lighting-advice: 1234568
 *       time_zone: Europe/Paris                    # the attendees' time zone (Cal.com's emails use it)
 *       default_attendee_email: rdv@example.com    # optional: for contacts without an email (see attendee.ts)
 *       base_url: https://api.cal.com              # or a self-hosted Cal.com's API v2
 */

import { isTimeZone } from '@passerelle/core';
import { z } from 'zod';
import { Secret } from '../secrets.js';

export const CalcomSettings = z
  .object({
    api_key: Secret,
    base_url: z.url().default('https://api.cal.com'),
    services: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a service id, like showroom-visit'),
        z.number({ error: 'a Cal.com event type id (a number)' }).int().positive(),
      )
      .refine((services) => Object.keys(services).length > 0, 'at least one service: { showroom-visit: 1234567 }'),
    time_zone: z.string().default('Europe/Paris').refine(isTimeZone, 'an IANA time zone, like Europe/Paris'),
    default_attendee_email: z.email().optional(),
  })
  .strict();
export type CalcomSettings = z.infer<typeof CalcomSettings>;
